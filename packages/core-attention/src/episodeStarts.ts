import * as tf from '@tensorflow/tfjs-core';

/**
 * Zeroes the recurrent state of the envs whose episode starts now: every state tensor `[B, …]` is
 * multiplied by `(1 − start)`, CleanRL's one visible reset line. Every core resets through this function
 * (the MemoryCore contract, memoryCore.ts), so resets mean the same thing everywhere.
 *
 * @param state state tensors, each with the batch on axis 0
 * @param starts `[B]`, 1 where env b starts a new episode before this step, else 0
 */
export function maskStateAtStarts(state: tf.Tensor[], starts: tf.Tensor1D): tf.Tensor[] {
  return state.map((s) => {
    if (s.shape[0] !== starts.shape[0]) {
      throw new Error(`starts must have one entry per env: got ${starts.shape[0]} for a state batch of ${s.shape[0]}`);
    }
    const keep = tf.reshape(tf.sub(1, starts), [starts.shape[0], ...s.shape.slice(1).map(() => 1)]);
    return tf.mul(s, keep);
  });
}
