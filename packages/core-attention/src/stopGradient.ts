import * as tf from '@tensorflow/tfjs-core';

/**
 * Identity forward, gradient `dy ⊙ keep` backward (`keep` broadcastable to x, 0/1). tfjs-core has no
 * stop-gradient op; RIM's blocked gradient (step 6 of `@mempo/rim`'s RIMCell step) is this with keep = the active mask, and
 * `keep = 0` is a plain stop-gradient.
 */
export function blockGradient<T extends tf.Tensor>(x: T, keep: tf.Tensor | number): T {
  return tf.tidy(() => {
    const keepT = typeof keep === 'number' ? tf.scalar(keep) : keep;
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
      // Saved, not closed over: the engine keeps saved tensors alive until the backward pass.
      save([keepT]);
      return {
        value: tf.clone(input),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]!),
      };
    });
    return f(x) as T;
  });
}

/** Identity forward, zero gradient backward. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return blockGradient(x, 0);
}
