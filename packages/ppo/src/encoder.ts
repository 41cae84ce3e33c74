import type * as tf from '@tensorflow/tfjs-core';

/** JSON that rebuilds an encoder. */
export interface EncoderConfig {
  kind: 'mlp' | 'minigrid-conv' | 'nature-cnn';
  [field: string]: unknown;
}

/**
 * Maps a batch of raw observations to the **set** of feature vectors a MemoryCore reads (ppo README,
 * "Agent"): `[B, ...obsShape]` → `[B, N, F]`.
 */
export interface Encoder {
  /** Shape of one env's observation. */
  readonly obsShape: readonly number[];
  /** `[N, F]` of the output set. */
  readonly outputShape: readonly [number, number];
  /** obs `[B, ...obsShape]` (float32) → `[B, N, F]`. */
  apply(obs: tf.Tensor): tf.Tensor3D;
  trainableVariables(): tf.Variable[];
  /** Weights by name (`conv1/kernel`, …). */
  getWeights(): Record<string, tf.Tensor>;
  setWeights(weights: Record<string, tf.Tensor>): void;
  config(): EncoderConfig;
  dispose(): void;
}
