import * as tf from '@tensorflow/tfjs-core';
import { statelessRandomUniform } from '@mempo/graph';

/**
 * Keep-and-rescale factors of inverted dropout, `shape`: 0 with probability `rate`, else 1 / (1 − rate).
 *
 * With a `seed` (int32 `[2]`) the draw is `statelessRandomUniform`, a pure function of the seed: a compiled
 * graph draws new masks on every call from the seed fed to it, and eager and graph calls with the same seed
 * agree. Without one it is `tf.randomUniform` (fresh randomness, eager only: a compiled function rejects it
 * rather than freezing one mask into the graph).
 */
export function dropoutScale(shape: readonly number[], rate: number, seed?: tf.Tensor): tf.Tensor {
  const u = seed ? statelessRandomUniform(shape, seed) : tf.randomUniform([...shape]);
  return tf.div(tf.floor(tf.add(u, 1 - rate)), 1 - rate);
}
