import type { ObsArray } from '@mempo/envs';

/** Sizes of a {@link RolloutBuffer}. */
export interface RolloutBufferArgs {
  /** T: steps per env per update. */
  numSteps: number;
  /** P: envs. */
  numEnvs: number;
  /** Shape of one env's observation. */
  obsShape: readonly number[];
  /** Observation dtype; uint8 observations (images) are stored as bytes. */
  obsDtype: 'float32' | 'uint8';
  /** Per-env shapes of the core's state tensors. */
  stateShapes: readonly (readonly number[])[];
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * The rollout storage of one update, time-major and allocated once per run (the ppo README, "Rollout"):
 * index `t * P + p` addresses env p at step t; per-step vectors follow at stride `size`.
 */
export class RolloutBuffer {
  readonly numSteps: number;
  readonly numEnvs: number;
  readonly obsShape: readonly number[];
  readonly obsSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  readonly stateSizes: number[];
  /** [T, P, ...obsShape] */
  readonly obs: ObsArray;
  /** [T, P] */
  readonly actions: Int32Array;
  /** log π_old(a_t | ·). [T, P] */
  readonly logProbs: Float32Array;
  /** V_old(s_t). [T, P] */
  readonly values: Float32Array;
  /** [T, P] */
  readonly rewards: Float32Array;
  /** 1 where the episode ended at step t. [T, P] */
  readonly dones: Uint8Array;
  /** 1 where obs[t] is the first of an episode (the state is zeroed before step t). [T, P] */
  readonly starts: Uint8Array;
  /** The core's state before step t, before the episode-start reset. One `[T, P, ...shape]` per state tensor. */
  readonly states: Float32Array[];

  constructor(args: RolloutBufferArgs) {
    const { numSteps: T, numEnvs: P } = args;
    this.numSteps = T;
    this.numEnvs = P;
    this.obsShape = [...args.obsShape];
    this.obsSize = product(args.obsShape);
    this.stateShapes = args.stateShapes.map((s) => [...s]);
    this.stateSizes = args.stateShapes.map(product);
    this.obs = args.obsDtype === 'uint8' ? new Uint8Array(T * P * this.obsSize) : new Float32Array(T * P * this.obsSize);
    this.actions = new Int32Array(T * P);
    this.logProbs = new Float32Array(T * P);
    this.values = new Float32Array(T * P);
    this.rewards = new Float32Array(T * P);
    this.dones = new Uint8Array(T * P);
    this.starts = new Uint8Array(T * P);
    this.states = this.stateSizes.map((size) => new Float32Array(T * P * size));
  }

  /**
   * Stores what is known before acting at step t: obs `[P, ...]`, starts `[P]`, state `[P, ...shape]` each.
   * `states` may be null at steps where no training sequence starts (their stored state is never read).
   */
  storeInputs(t: number, obs: ObsArray, starts: Uint8Array, states: readonly (Float32Array | Int32Array | Uint8Array)[] | null): void {
    const P = this.numEnvs;
    if (obs.length !== P * this.obsSize) throw new Error(`obs must hold P·obsSize=${P * this.obsSize} values (got ${obs.length})`);
    this.obs.set(obs, t * P * this.obsSize);
    this.starts.set(starts, t * P);
    states?.forEach((s, k) => this.states[k]!.set(s, t * P * this.stateSizes[k]!));
  }

  /** Stores the outcome of step t, all `[P]`. */
  storeOutcome(t: number, actions: Int32Array, logProbs: Float32Array, values: Float32Array, rewards: Float32Array, dones: Uint8Array): void {
    const offset = t * this.numEnvs;
    this.actions.set(actions, offset);
    this.logProbs.set(logProbs, offset);
    this.values.set(values, offset);
    this.rewards.set(rewards, offset);
    this.dones.set(dones, offset);
  }
}
