import { Random32 } from '../random.js';
import type { DiscreteActionSpace, ObsArray, ObservationSpace, VecEnv, VecStepResult } from '../vecEnv.js';

/** Settings of `FlickerWrapper` (and of `makeAtariEnv`'s flicker). */
export interface FlickerArgs {
  /** Probability that a step's frame is replaced with zeros (IAM paper: 0.5). Default 0.5. */
  p?: number;
  /** Seed of the flicker stream until the first seeded `reset` (default 0). */
  seed?: number;
}

// Keeps the flicker stream apart from the env's own `seed + i` streams when both start from one seed.
const FLICKER_SALT = 0x0f11c4e5;

/**
 * The coin flips of flicker (the envs README, "Flicker"): one per env per step whatever happens, from a seeded
 * stream, so a seeded run replays exactly and the pattern does not depend on when episodes end. Shared by
 * {@link FlickerWrapper} and the bridged Atari env, which flickers newest frames before it stacks them.
 */
export class FlickerDraws {
  readonly p: number;
  private rng: Random32;

  constructor(args: FlickerArgs = {}) {
    const p = args.p ?? 0.5;
    if (!(p >= 0 && p <= 1)) throw new Error(`flicker p must be in [0, 1] (got p=${args.p})`);
    const seed = args.seed ?? 0;
    if (!Number.isInteger(seed)) throw new Error(`flicker seed must be an integer (got seed=${args.seed})`);
    this.p = p;
    this.rng = new Random32(seed ^ FLICKER_SALT);
  }

  /** Restarts the stream from `seed` (a seeded `reset`). */
  reseed(seed: number): void {
    this.rng = new Random32(seed ^ FLICKER_SALT);
  }

  /** The stream's position (a uint32), to save a run mid-episode. */
  get state(): number {
    return this.rng.state;
  }

  /** Continues the stream from a saved {@link state}. */
  set state(value: number) {
    this.rng = Random32.fromState(value);
  }

  /**
   * Draws once for each of `numEnvs` envs; returns the envs whose frame of this step is zeroed. For an env
   * whose episode ended at this step that frame is its final one: the frame returned for it starts the next
   * episode, and a reset frame is never zeroed.
   */
  draw(numEnvs: number): number[] {
    const blanked: number[] = [];
    for (let i = 0; i < numEnvs; i++) if (this.rng.next() < this.p) blanked.push(i);
    return blanked;
  }
}

/**
 * Flickering observations (the envs README, "Flicker"; IAM paper): after each step, independently per env,
 * with probability `p` the newest observation is replaced with zeros. Reset frames (an env's first frame
 * after `reset` or an autoreset) are never zeroed; rewards, dones and the game are untouched.
 *
 * Flicker acts on whole per-env observations, so it must wrap a single-frame env and sit *below* any frame
 * stacking: `new FrameStack(new FlickerWrapper(singleFrameEnv), { k })`. For an env that ended, the draw of
 * that step applies to its `info.finalObs` (the step's own frame) while the returned reset frame stays intact.
 * `reset(seed)` reseeds the flicker stream from `seed`, so a seeded run replays exactly. Atari needs no
 * wrapper: `makeAtariEnv({ flicker })` flickers the worker's newest frames before stacking them as ALE does.
 *
 * ```ts
 * const env = new FrameStack(new FlickerWrapper(new Warehouse({ numEnvs: 8 }), { p: 0.5 }), { k: 8 });
 * ```
 */
export class FlickerWrapper implements VecEnv {
  private readonly draws: FlickerDraws;
  private closed = false;

  constructor(
    readonly inner: VecEnv,
    args: FlickerArgs = {},
  ) {
    this.draws = new FlickerDraws(args);
  }

  /** The flicker probability. */
  get p(): number {
    return this.draws.p;
  }

  get numEnvs(): number {
    return this.inner.numEnvs;
  }

  get observationSpace(): ObservationSpace {
    return this.inner.observationSpace;
  }

  get actionSpace(): DiscreteActionSpace {
    return this.inner.actionSpace;
  }

  async reset(seed?: number): Promise<ObsArray> {
    this.assertOpen('reset');
    if (seed !== undefined) this.draws.reseed(seed);
    return this.inner.reset(seed);
  }

  async step(actions: Int32Array): Promise<VecStepResult> {
    this.assertOpen('step');
    const result = await this.inner.step(actions);
    const size = result.obs.length / this.numEnvs;
    for (const i of this.draws.draw(this.numEnvs)) {
      if (result.terminated[i] || result.truncated[i]) result.info.finalObs.get(i)?.fill(0);
      else result.obs.fill(0, i * size, (i + 1) * size);
    }
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inner.close();
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new Error(`FlickerWrapper: ${op}() on a closed env; create a new one`);
  }
}
