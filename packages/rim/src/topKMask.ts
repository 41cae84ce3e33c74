import * as tf from '@tensorflow/tfjs-core';

/**
 * RIM §2.2 competition: a 0/1 mask `[B, U]` with exactly `k` ones per row, at the `k` highest scores.
 * Ties go to the lowest unit indices (e.g. all scores equal at an episode start, when h = 0, activates
 * units 0..k−1). Built from pairwise ranks rather than `tf.topk`, so the tie rule is the same on every
 * backend and no scatter is needed; U is small, so the `[B, U, U]` comparison is cheap.
 * No gradient flows through the selection.
 *
 * @param scores `[B, U]`, higher = more likely to be active
 */
export function topKMask(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const U = scores.shape[1];
    const index = tf.range(0, U, 1, 'int32');
    const lowerIndex = tf.expandDims(tf.less(tf.reshape(index, [1, U]), tf.reshape(index, [U, 1])), 0) as tf.Tensor3D;
    return rankMask(tf.expandDims(scores, 2) as tf.Tensor3D, k, lowerIndex);
  });
}

/**
 * {@link topKMask} from scores as a column `[B, U, 1]` and the precomputed tie-breaker `lowerIndex`
 * `[1, U, U]` (`v < u`), so a RIM sequence builds the constant once. It is a custom-gradient op with a zero
 * gradient, which also keeps the (non-differentiable) comparisons off the gradient tape.
 */
export function rankMask(scores: tf.Tensor3D, k: number, lowerIndex: tf.Tensor3D): tf.Tensor2D {
  const select = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const own = args[0] as tf.Tensor3D; // [B, U, 1]: unit u
    // Only the shape is kept for the backward pass: the input itself may be disposed by then.
    const shape = own.shape;
    const other = tf.reshape(own, [own.shape[0], 1, own.shape[1]]); // [B, 1, U]: unit v
    const beats = tf.logicalOr(tf.greater(other, own), tf.logicalAnd(tf.equal(other, own), lowerIndex)); // [B, U, U]
    const rank = tf.sum(tf.cast(beats, 'int32'), 2); // [B, U]: how many units outrank u
    return { value: tf.cast(tf.less(rank, k), 'float32'), gradFunc: () => tf.zeros(shape) };
  });
  return select(scores) as tf.Tensor2D;
}
