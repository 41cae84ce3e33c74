import * as tf from '@tensorflow/tfjs-core';

/**
 * RIM §2.2 competition: a 0/1 mask `[B, U]` with exactly `k` ones per row, at the `k` highest scores.
 * Ties go to the lowest unit indices (e.g. all scores equal at an episode start, when h = 0, activates
 * units 0..k−1). Built from pairwise ranks rather than `tf.topk`, so the tie rule is the same on every
 * backend and no scatter is needed; U is small, so the `[B, U, U]` comparison is cheap.
 * No gradient flows through the selection: it is a custom-gradient op with a zero gradient, which also
 * keeps the (non-differentiable) comparisons off the gradient tape.
 *
 * @param scores `[B, U]`, higher = more likely to be active
 */
export function topKMask(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  const select = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const s = args[0] as tf.Tensor2D;
    const U = s.shape[1];
    const own = tf.expandDims(s, 2); // [B, U, 1]: unit u
    const other = tf.expandDims(s, 1); // [B, 1, U]: unit v
    // lowerIndex[u][v] = v < u: the tie-breaker.
    const lowerIndex = tf.less(tf.reshape(tf.range(0, U, 1, 'int32'), [1, U]), tf.reshape(tf.range(0, U, 1, 'int32'), [U, 1]));
    const beats = tf.logicalOr(tf.greater(other, own), tf.logicalAnd(tf.equal(other, own), lowerIndex)); // [B, U, U]
    const rank = tf.sum(tf.cast(beats, 'int32'), 2); // [B, U]: how many units outrank u
    return { value: tf.cast(tf.less(rank, k), 'float32'), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return tf.tidy(() => select(scores) as tf.Tensor2D);
}
