import * as tf from '@tensorflow/tfjs-core';
import { requireShape } from './validation.js';

/** Checks a set input `[B, N, F]` against a core's `inputShape` `[N, F]`. */
export function requireSetInput(owner: string, x: tf.Tensor, inputShape: readonly [number, number]): void {
  requireShape(owner, 'input x [B, N, F]', x, [-1, inputShape[0], inputShape[1]]);
}

/** Checks state tensors against per-env `stateShapes` for a batch of `batch` envs. */
export function requireState(
  owner: string,
  state: tf.Tensor[],
  stateShapes: readonly (readonly number[])[],
  batch: number,
): void {
  if (state.length !== stateShapes.length) {
    throw new Error(`${owner}: state must have ${stateShapes.length} tensors (got ${state.length})`);
  }
  state.forEach((s, i) => requireShape(owner, `state[${i}]`, s, [batch, ...stateShapes[i]!]));
}

/** A set `[B, N, F]` as one flat vector per env `[B, N·F]`, for cores that do not attend over elements. */
export function flattenSet(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0]!, -1]);
}

/** Checks a sequence of set inputs `[T, B, N, F]` against a core's `inputShape` `[N, F]`. */
export function requireSetSequence(owner: string, xs: tf.Tensor, inputShape: readonly [number, number]): void {
  requireShape(owner, 'inputs xs [T, B, N, F]', xs, [-1, -1, inputShape[0], inputShape[1]]);
}
