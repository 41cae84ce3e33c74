import * as tf from '@tensorflow/tfjs-core';

/** max |a − b| / max |b|: the error of `a` relative to the size of the reference `b`. */
export function relativeError(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const x = a instanceof tf.Tensor ? a.dataSync() : a;
  const y = b instanceof tf.Tensor ? b.dataSync() : b;
  if (x.length !== y.length) throw new Error(`lengths differ: ${x.length} vs ${y.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs `f` with a fresh `tf.Variable` set that is disposed afterwards, even when `f` throws. */
export function withVariables<T>(make: () => tf.Variable[], f: (vars: tf.Variable[]) => T): T {
  const vars = make();
  try {
    return f(vars);
  } finally {
    vars.forEach((v) => v.dispose());
  }
}

/** The first element of a compiled call's outputs, as numbers; disposes all outputs. */
export function first(outputs: tf.Tensor[]): number[] {
  const values = Array.from(outputs[0]!.dataSync());
  tf.dispose(outputs);
  return values;
}
