import { numberArrayField, intArrayField, stateObject } from './envState.js';
import type { EpisodeStats } from './vecEnv.js';

/** The JSON state of an {@link EpisodeTracker}: each env's running return and length. */
export interface EpisodeTrackerState {
  /** `[P]` return so far of each env's current episode. */
  returns: number[];
  /** `[P]` steps so far of each env's current episode. */
  lengths: number[];
}

/**
 * Running return and length of each env of a batch, turned into {@link EpisodeStats} when an episode ends
 * (the envs README: episode statistics arrive in `info` at the step that ends the episode).
 *
 * ```ts
 * const tracker = new EpisodeTracker(8);
 * tracker.add(rewards);                       // once per batched step, [P]
 * if (done[i]) info.episodes.push(tracker.finish(i));
 * ```
 */
export class EpisodeTracker {
  private readonly returns: Float64Array;
  private readonly lengths: Int32Array;

  constructor(readonly numEnvs: number) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1)
      throw new Error(`numEnvs must be a positive integer (got numEnvs=${numEnvs})`);
    this.returns = new Float64Array(numEnvs);
    this.lengths = new Int32Array(numEnvs);
  }

  /** Adds one step's rewards `[P]` to every env's running episode. */
  add(rewards: ArrayLike<number>): void {
    for (let i = 0; i < this.numEnvs; i++) {
      this.returns[i]! += rewards[i]!;
      this.lengths[i]! += 1;
    }
  }

  /** Ends env i's episode: returns its statistics and restarts its counters. */
  finish(env: number): EpisodeStats {
    const stats: EpisodeStats = { env, return: this.returns[env]!, length: this.lengths[env]! };
    this.returns[env] = 0;
    this.lengths[env] = 0;
    return stats;
  }

  /** Restarts every env's counters (a full reset). */
  clear(): void {
    this.returns.fill(0);
    this.lengths.fill(0);
  }

  /** The running counters as plain JSON, to save a run mid-episode. */
  getState(): EpisodeTrackerState {
    return { returns: Array.from(this.returns), lengths: Array.from(this.lengths) };
  }

  /**
   * Validates `value` as a state of a tracker with this `numEnvs` (errors say `${owner}: ${path}.returns …`)
   * without changing anything; {@link setState} applies the result.
   */
  checkState(value: unknown, owner = 'EpisodeTracker.setState', path = 'state'): EpisodeTrackerState {
    const state = stateObject(owner, path, value);
    return {
      returns: numberArrayField(owner, state, path, 'returns', this.numEnvs),
      lengths: intArrayField(owner, state, path, 'lengths', this.numEnvs, 0, 0x7fffffff),
    };
  }

  /** Restores a {@link getState} result (validated first; nothing changes when it throws). */
  setState(value: unknown): void {
    const { returns, lengths } = this.checkState(value);
    this.returns.set(returns);
    this.lengths.set(lengths);
  }
}
