/** Observation buffer of a batch: `[P, ...shape]` row-major, env-major. */
export type ObsArray = Float32Array | Uint8Array;

/** Shape and dtype of one env's observation. */
export interface ObservationSpace {
  shape: readonly number[];
  dtype: 'float32' | 'uint8';
}

/** Discrete actions `0 .. n-1`. */
export interface DiscreteActionSpace {
  kind: 'discrete';
  n: number;
}

/** Statistics of one finished episode. */
export interface EpisodeStats {
  /** Index of the env in the batch. */
  env: number;
  /** Sum of the rewards the agent received (after any reward clipping). */
  return: number;
  /** Number of agent steps. */
  length: number;
  /** Atari: the unclipped full-game score. */
  gameScore?: number;
}

/** Side information of one batched step. */
export interface StepInfo {
  /** Episodes that ended at this step. */
  episodes: EpisodeStats[];
  /** Final observation of each env that ended at this step (same-step autoreset: `obs` already starts the next). */
  finalObs: Map<number, ObsArray>;
}

/** Result of one batched step over the P envs. */
export interface VecStepResult {
  /** `[P, ...shape]`; for envs that ended, the first observation of their next episode. */
  obs: ObsArray;
  /** `[P]` */
  reward: Float32Array;
  /** `[P]` 1 when the episode ended by the task's own rule. */
  terminated: Uint8Array;
  /** `[P]` 1 when the episode was cut by a time limit. */
  truncated: Uint8Array;
  info: StepInfo;
}

/**
 * A batch of P environments stepped together (this package's README). Same-step autoreset; env i of a
 * batch reset with `seed` is seeded with `seed + i`. After `close()` every call rejects.
 */
export interface VecEnv {
  readonly numEnvs: number;
  readonly observationSpace: ObservationSpace;
  readonly actionSpace: DiscreteActionSpace;
  reset(seed?: number): Promise<ObsArray>;
  /** actions `[P]` */
  step(actions: Int32Array): Promise<VecStepResult>;
  close(): Promise<void>;
}

/**
 * A {@link VecEnv} that can save and restore its exact state, so that a checkpointed run continues every
 * episode where it stopped (the PPO trainer stores `getState()` in its checkpoints; ppo README, "Run folders").
 * The native envs (Warehouse, CueMemoryTask) implement it; FrameStack does when its inner env does.
 *
 * ```ts
 * const saved = JSON.stringify(env.getState());           // plain JSON: positions, RNG states, counters, …
 * const again = new Warehouse({ numEnvs: 8 });             // built with the same args
 * await again.setState(JSON.parse(saved));                // continues exactly; no reset needed
 * ```
 */
export interface ResumableVecEnv extends VecEnv {
  /** Everything that affects the env's future outputs, as plain JSON (no typed arrays); throws before `reset()`. */
  getState(): unknown;
  /**
   * Restores a `getState()` result, after which steps continue exactly as they would have after the save.
   * Validates the whole state first (wrong numEnvs or args, malformed fields → an Error naming the field) and
   * changes nothing when it throws. Never reopens a closed env.
   */
  setState(state: unknown): void | Promise<void>;
}

/** Whether `env` can save and restore its state (has both `getState` and `setState`). */
export function isResumableVecEnv(env: VecEnv): env is ResumableVecEnv {
  const e = env as Partial<ResumableVecEnv>;
  return typeof e.getState === 'function' && typeof e.setState === 'function';
}
