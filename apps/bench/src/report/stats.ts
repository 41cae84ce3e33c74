/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (standard tables). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * t_{0.975, dof}: the table up to 30 dof, beyond it the Cornish–Fisher expansion around z = 1.95996
 * (error below 1e-3 there, far under the spread of a handful of seeds).
 */
export function tQuantile975(dof: number): number {
  if (!Number.isInteger(dof) || dof < 1) throw new Error(`dof must be a positive integer (got ${dof})`);
  if (dof <= T975.length) return T975[dof - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * dof) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * dof ** 2);
}

/** Mean and 95% confidence half-width over seeds. */
export interface MeanCi {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  /** Half-width of the 95% CI of the mean, t-distribution with n − 1 dof; NaN for n < 2. */
  ci95: number;
}

/** Mean ± 95% CI (t-distribution, n − 1 dof) of per-seed values; NaN fields for an empty list. */
export function meanCi(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, std: NaN, ci95: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, std: NaN, ci95: NaN };
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { n, mean, std, ci95: (tQuantile975(n - 1) * std) / Math.sqrt(n) };
}
