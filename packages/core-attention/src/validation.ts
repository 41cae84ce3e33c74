import type * as tf from '@tensorflow/tfjs-core';

/** Throws `<field> must be a positive integer (got <value>)` unless `value` is an integer ≥ 1. */
export function requirePositiveInt(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${field} must be a positive integer (got ${String(value)})`);
  }
}

/** Throws unless `rate` is in [0, 1). */
export function requireRate(field: string, rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new Error(`${field} must be in [0, 1) (got ${String(rate)})`);
}

/**
 * Throws `<owner>: <what> must have shape [a,b,…] (got [c,d,…])` unless `t` has exactly `expected`;
 * a `-1` in `expected` accepts any size on that axis (the batch).
 */
export function requireShape(owner: string, what: string, t: tf.Tensor, expected: readonly number[]): void {
  const ok = t.rank === expected.length && expected.every((d, i) => d === -1 || d === t.shape[i]);
  if (!ok) {
    const want = expected.map((d) => (d === -1 ? 'B' : String(d))).join(',');
    throw new Error(`${owner}: ${what} must have shape [${want}] (got [${t.shape.join(',')}])`);
  }
}
