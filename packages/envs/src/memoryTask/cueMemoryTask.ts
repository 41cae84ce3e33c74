import { EpisodeTracker, type EpisodeTrackerState } from '../episodeStats.js';
import { assertStateReady, expectKind, expectSame, intArrayField, rngStatesField, stateObject } from '../envState.js';
import { assertOpen, assertReset, checkActions, checkSeed, freshSeed } from '../nativeEnv.js';
import { Random32 } from '../random.js';
import type { DiscreteActionSpace, ObservationSpace, ResumableVecEnv, StepInfo, VecStepResult } from '../vecEnv.js';

/** Options of the {@link CueMemoryTask}. */
export interface CueMemoryTaskArgs {
  /** Number of envs P stepped together. */
  numEnvs: number;
  /** Number of cues, which is also the number of actions (2..8). Default 2: chance level 1/2. */
  numCues?: number;
  /** Steps between the cue (step 0) and the decision step (≥ 1). Episode length = delay + 1. Default 3. */
  delay?: number;
}

/** The JSON state of a {@link CueMemoryTask} ({@link CueMemoryTask.getState}): its args and episodes in flight. */
export interface CueMemoryTaskState {
  kind: 'CueMemoryTask';
  numEnvs: number;
  numCues: number;
  delay: number;
  /** `[P]` cue of each env's current episode. */
  cue: number[];
  /** `[P]` step of each env's current episode, `0 .. delay` (delay = the decision step). */
  time: number[];
  /** `[P]` Random32 state of each env's stream. */
  rng: number[];
  /** Running return and length of each env's current episode. */
  tracker: EpisodeTrackerState;
}

/** A {@link VecStepResult} whose observation is the task's float32 `[P, numCues + 1]`. */
export type CueMemoryStepResult = Omit<VecStepResult, 'obs'> & { obs: Float32Array };

const NAME = 'CueMemoryTask';

/**
 * The small memory task of the envs README ("Native TypeScript envs"): a cue, drawn uniformly from `numCues`,
 * is shown only in the first observation of an episode; `delay` steps later the agent must pick the action
 * equal to the cue. Reward 1 for the right action at the decision step, else 0; the episode then
 * terminates (length `delay + 1`). Observation `[cue one-hot (only at step 0) ‖ decision flag]`, float32.
 *
 * Chance level: the decision-step observation is `[0, …, 0, 1]` whatever the cue, so any policy that sees
 * only the current observation is right with probability exactly `1 / numCues` (mean return 0.5 with the
 * default 2 cues); a policy that remembers step 0 earns 1. Env i of `reset(seed)` draws from `seed + i`.
 * Resumable: `getState()` / `setState()` save and restore every episode in flight ({@link CueMemoryTaskState}).
 *
 * ```ts
 * const env = new CueMemoryTask({ numEnvs: 16, numCues: 2, delay: 3 });
 * const obs = await env.reset(0);              // Float32Array [16 * 3]
 * ```
 */
export class CueMemoryTask implements ResumableVecEnv {
  readonly numEnvs: number;
  readonly numCues: number;
  readonly delay: number;
  readonly observationSpace: ObservationSpace;
  readonly actionSpace: DiscreteActionSpace;
  /** Mean return of the best policy without memory: `1 / numCues`. */
  readonly chanceLevel: number;

  private readonly cue: Int32Array;
  private readonly time: Int32Array;
  private rngs: Random32[] = [];
  private readonly tracker: EpisodeTracker;
  private wasReset = false;
  private closed = false;

  constructor(args: CueMemoryTaskArgs) {
    const { numEnvs, numCues = 2, delay = 3 } = args;
    if (!Number.isInteger(numEnvs) || numEnvs < 1)
      throw new Error(`numEnvs must be a positive integer (got numEnvs=${numEnvs})`);
    if (!Number.isInteger(numCues) || numCues < 2 || numCues > 8)
      throw new Error(`numCues must be an integer in 2..8 (got numCues=${numCues})`);
    if (!Number.isInteger(delay) || delay < 1)
      throw new Error(`delay must be an integer ≥ 1, or the cue would be visible at the decision step (got delay=${delay})`);
    this.numEnvs = numEnvs;
    this.numCues = numCues;
    this.delay = delay;
    this.chanceLevel = 1 / numCues;
    this.observationSpace = { shape: [numCues + 1], dtype: 'float32' };
    this.actionSpace = { kind: 'discrete', n: numCues };
    this.cue = new Int32Array(numEnvs);
    this.time = new Int32Array(numEnvs);
    this.tracker = new EpisodeTracker(numEnvs);
  }

  /** The cue of env i's current episode (for tests and scripted memory policies). */
  currentCue(env: number): number {
    assertOpen(NAME, this.closed);
    if (!Number.isInteger(env) || env < 0 || env >= this.numEnvs)
      throw new Error(`env must be in 0..${this.numEnvs - 1} (got env=${env})`);
    return this.cue[env]!;
  }

  async reset(seed?: number): Promise<Float32Array> {
    assertOpen(NAME, this.closed);
    const base = seed ?? freshSeed();
    checkSeed(NAME, base);
    this.rngs = Array.from({ length: this.numEnvs }, (_, i) => new Random32(base + i));
    this.tracker.clear();
    const obs = new Float32Array(this.numEnvs * (this.numCues + 1));
    for (let i = 0; i < this.numEnvs; i++) this.startEpisode(i, obs);
    this.wasReset = true;
    return obs;
  }

  async step(actions: Int32Array): Promise<CueMemoryStepResult> {
    assertOpen(NAME, this.closed);
    assertReset(NAME, this.wasReset);
    checkActions(NAME, actions, this.numEnvs, this.numCues);
    const P = this.numEnvs;
    const width = this.numCues + 1;
    const obs = new Float32Array(P * width);
    const reward = new Float32Array(P);
    const terminated = new Uint8Array(P);
    const truncated = new Uint8Array(P);
    const info: StepInfo = { episodes: [], finalObs: new Map() };
    for (let i = 0; i < P; i++) if (this.time[i] === this.delay && actions[i] === this.cue[i]) reward[i] = 1;
    this.tracker.add(reward);
    for (let i = 0; i < P; i++) {
      if (this.time[i] === this.delay) {
        // The task has no state after the decision: its final observation is all zeros.
        info.finalObs.set(i, new Float32Array(width));
        info.episodes.push(this.tracker.finish(i));
        terminated[i] = 1;
        this.startEpisode(i, obs);
        continue;
      }
      this.time[i]! += 1;
      if (this.time[i] === this.delay) obs[i * width + this.numCues] = 1;
    }
    return { obs, reward, terminated, truncated, info };
  }

  /** Everything that decides the task's future outputs, as plain JSON (see {@link CueMemoryTaskState}). */
  getState(): CueMemoryTaskState {
    assertOpen(NAME, this.closed);
    assertStateReady(NAME, this.wasReset);
    return {
      kind: 'CueMemoryTask',
      numEnvs: this.numEnvs,
      numCues: this.numCues,
      delay: this.delay,
      cue: Array.from(this.cue),
      time: Array.from(this.time),
      rng: this.rngs.map((r) => r.state),
      tracker: this.tracker.getState(),
    };
  }

  /**
   * Restores a {@link getState} result of a task built with the same args; no `reset()` is needed before it.
   * The whole state is validated first: on a bad one this throws (naming the field) and changes nothing.
   */
  setState(value: unknown): void {
    assertOpen(NAME, this.closed);
    const owner = `${NAME}.setState`;
    const state = stateObject(owner, 'state', value);
    expectKind(owner, state, NAME);
    for (const field of ['numEnvs', 'numCues', 'delay'] as const) expectSame(owner, state, 'state', field, this[field]);
    const P = this.numEnvs;
    const cue = intArrayField(owner, state, 'state', 'cue', P, 0, this.numCues - 1);
    const time = intArrayField(owner, state, 'state', 'time', P, 0, this.delay);
    const rng = rngStatesField(owner, state, 'state', 'rng', P);
    const tracker = this.tracker.checkState(state.tracker, owner, 'state.tracker');
    this.cue.set(cue);
    this.time.set(time);
    this.rngs = rng.map((s) => Random32.fromState(s));
    this.tracker.setState(tracker);
    this.wasReset = true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private startEpisode(i: number, obs: Float32Array): void {
    this.cue[i] = this.rngs[i]!.nextInt(this.numCues);
    this.time[i] = 0;
    obs[i * (this.numCues + 1) + this.cue[i]!] = 1;
  }
}
