import * as tf from '@tensorflow/tfjs-core';

/** Per-call options of a memory core. */
export interface CoreCallOptions {
  /** Dropout and other train-only behaviour are active only when true. */
  training: boolean;
  /**
   * int32 `[2]` seed of this call's random draws (dropout masks, through `statelessRandomUniform`). PPO feeds a
   * new one per call from the run's RNG, which keeps runs reproducible and lets compiled graphs draw fresh
   * masks. Absent: fresh `tf.randomUniform` draws (eager only).
   */
  seed?: tf.Tensor;
}

/** One step of a core. */
export interface CoreStepResult {
  /** Features for the actor/critic heads. [B, outputSize] */
  output: tf.Tensor2D;
  /** The next recurrent state, same shapes as the input state. */
  state: tf.Tensor[];
  /** What a study wants to plot (RIM: active mask, input attention; IAM: region attention). */
  diagnostics?: Record<string, tf.Tensor>;
}

/** T steps of a core. */
export interface CoreSequenceResult {
  /** [T, B, outputSize] */
  outputs: tf.Tensor3D;
  /** State after the last step. */
  state: tf.Tensor[];
  /** Per-step diagnostics stacked on a leading time axis. */
  diagnostics?: Record<string, tf.Tensor>;
}

/** JSON that is enough to rebuild a core (its `name` picks the constructor). */
export interface CoreConfig {
  name: string;
  [field: string]: unknown;
}

/**
 * The plugin contract between a memory module and the agent (this package's README).
 *
 * Input is a **set** of encoded observations `[B, N, F]` (N = 1 for a flat vector, N = H·W for a CNN map);
 * the state is explicit; `sequence` resets the state of env b before step t wherever `starts[t][b] = 1`.
 */
export interface MemoryCore {
  /** 'rim' | 'iam' | 'lstm' | 'gru' | 'fnn' | user-defined. */
  readonly name: string;
  /** Expected per-env input set shape `[N, F]`. */
  readonly inputShape: readonly [number, number];
  /** Width of the features handed to the heads. */
  readonly outputSize: number;
  /** Per-env shapes of the state tensors, e.g. `[[U, H], [U, H]]`; empty for a core without memory. */
  readonly stateShapes: readonly (readonly number[])[];
  /** Zero state for `batch` envs. */
  initialState(batch: number): tf.Tensor[];
  /** One step: x `[B, N, F]`. */
  step(x: tf.Tensor3D, state: tf.Tensor[], opts: CoreCallOptions): CoreStepResult;
  /** T steps: xs `[T, B, N, F]`, starts `[T, B]` (1 = zero env b's state before step t). */
  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, opts: CoreCallOptions): CoreSequenceResult;
  /** Trainable variables, for the optimizer. */
  trainableVariables(): tf.Variable[];
  /**
   * Copies of the weights by stable, documented names. The rule for every module (cores, their layers,
   * the agent's encoders and heads): `getWeights` returns **copies that the caller disposes**, never the
   * live variables, so a caller can hold, save or free them without touching the module, and a module that
   * returned a variable cannot be corrupted by a caller's `dispose` (the module stays usable). Checkpoints
   * take copies and free them once written.
   *
   * @example
   * const weights = core.getWeights();
   * other.setWeights(weights);
   * tf.dispose(Object.values(weights)); // core and other are unaffected
   */
  getWeights(): Record<string, tf.Tensor>;
  /** Assigns weights by name; throws naming the first missing or mis-shaped entry. */
  setWeights(weights: Record<string, tf.Tensor>): void;
  /**
   * JSON config, enough to rebuild the core: `registerCore(name, fromConfig)` makes it loadable by name
   * (`coreFromConfig`, and so `loadAgent` in @mempo/ppo).
   */
  config(): CoreConfig;
  /** Frees the core's variables. */
  dispose(): void;
}
