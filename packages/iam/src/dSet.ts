import * as tf from '@tensorflow/tfjs-core';

/**
 * The published Warehouse d-set (the iam README, "Static d-set"): index 0 and the 24 item bits 49..72.
 * Index 0 is the robot-at-(0,0) bit, most likely meant to be 24 (the centre); kept as published.
 */
export const WAREHOUSE_D_SET: readonly number[] = [0, ...Array.from({ length: 24 }, (_, k) => 49 + k)];

/**
 * Checks a static d-set against an observation of `inputWidth` entries: non-empty, integers, in range,
 * no duplicates. Throws an error naming the offending entry and the fix.
 */
export function validateDSet(dSet: readonly number[], inputWidth: number): void {
  if (!Array.isArray(dSet) || dSet.length === 0)
    throw new Error('dSet must not be empty: list the observation indices the recurrent branch reads (Warehouse: [0, 49, …, 72])');
  const seen = new Map<number, number>();
  dSet.forEach((index, position) => {
    if (!Number.isInteger(index) || index < 0 || index >= inputWidth)
      throw new Error(
        `dSet[${position}] = ${String(index)} is out of range: indices must be integers in 0..${inputWidth - 1} (the observation has ${inputWidth} entries)`,
      );
    const first = seen.get(index);
    if (first !== undefined)
      throw new Error(`dSet has the index ${index} twice (positions ${first} and ${position}): list each observation entry once`);
    seen.set(index, position);
  });
}

/**
 * D(obs) of the static IAM: the d-set entries of flat observations, `[R, W]` → `[R, |dSet|]`. A gather,
 * so the gradient reaching any entry outside the d-set through this path is exactly zero.
 */
export function selectDSet(x: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return tf.gather(x, indices, 1);
}
