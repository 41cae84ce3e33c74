import * as tf from '@tensorflow/tfjs-core';

/** A module's variables by stable, documented names (`'cell.kernel'`, …). */
export type NamedVariables = Record<string, tf.Variable>;

/** Prepends `prefix.` to every name, so sub-modules' weights nest without clashes. */
export function prefixNames<T>(prefix: string, named: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(named).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/** Copies of the variables' values by name; the caller owns (and disposes) the returned tensors. */
export function snapshotWeights(variables: NamedVariables): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, tf.clone(v)]));
}

/**
 * Assigns `weights` to `variables` by name. Every variable must be given, with its exact shape, and no
 * unknown name is accepted: a checkpoint from another configuration fails loudly instead of half-loading.
 */
export function assignWeights(owner: string, variables: NamedVariables, weights: Record<string, tf.Tensor>): void {
  for (const name of Object.keys(weights)) {
    if (!(name in variables)) {
      throw new Error(`${owner}.setWeights: unknown weight '${name}' (expected one of ${Object.keys(variables).join(', ')})`);
    }
  }
  for (const [name, variable] of Object.entries(variables)) {
    const w = weights[name];
    if (w === undefined) {
      throw new Error(`${owner}.setWeights: missing weight '${name}' with shape [${variable.shape.join(',')}]`);
    }
    if (!tf.util.arraysEqual(w.shape, variable.shape)) {
      throw new Error(
        `${owner}.setWeights: weight '${name}' must have shape [${variable.shape.join(',')}] (got [${w.shape.join(',')}])`,
      );
    }
  }
  // In a tidy, so the cast copies are freed once assigned (the variables keep their data alive).
  tf.tidy(() => {
    for (const [name, variable] of Object.entries(variables)) variable.assign(tf.cast(weights[name]!, 'float32'));
  });
}
