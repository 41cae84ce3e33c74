/** Inputs of {@link computeGae}, all time-major `[T, P]` flattened as `t * P + p`. */
export interface GaeArgs {
  /** r_t. [T, P] */
  rewards: Float32Array;
  /** V(s_t) under the acting policy. [T, P] */
  values: Float32Array;
  /** 1 where the episode ended at step t (its next obs already belongs to a new episode). [T, P] */
  dones: Uint8Array;
  /** V(s_T), the bootstrap value of the obs after the rollout. [P] */
  lastValues: Float32Array;
  /** Envs P. */
  numEnvs: number;
  /** Discount γ. */
  gamma: number;
  /** GAE λ. */
  lambda: number;
  /**
   * Steps per GAE block (`PpoConfig.gaeHorizon`); must divide T. The sum restarts at every block start, so a
   * block's last step is bootstrapped with the next step's value, as the IAM code computes advantages every
   * `time_horizon` steps. Omitted: one block of T steps.
   */
  horizon?: number;
}

/** Advantages and returns, `[T, P]` flattened as `t * P + p`. */
export interface GaeResult {
  advantages: Float32Array;
  /** A + V, the value targets. */
  returns: Float32Array;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016, eq. 16), as the ppo README "Advantages" writes it:
 * `δ_t = r_t + γ V_{t+1} (1 − done_t) − V_t`, `A_t = δ_t + γλ (1 − done_t) A_{t+1}`, with V_T the bootstrap;
 * with a `horizon` H, A_{t+1} is taken as 0 where t + 1 is a multiple of H.
 * Computed in float64 and stored as float32.
 */
export function computeGae(args: GaeArgs): GaeResult {
  const { rewards, values, dones, lastValues, numEnvs: P, gamma, lambda } = args;
  const T = rewards.length / P;
  if (!Number.isInteger(T) || values.length !== rewards.length || dones.length !== rewards.length)
    throw new Error(`rewards, values and dones must all be [T, P] with P=${P} (got ${rewards.length}, ${values.length}, ${dones.length})`);
  if (lastValues.length !== P) throw new Error(`lastValues must be [P] with P=${P} (got ${lastValues.length})`);
  const horizon = args.horizon ?? T;
  if (!Number.isInteger(horizon) || horizon < 1 || T % horizon !== 0)
    throw new Error(`horizon must be a positive integer dividing the rollout's T=${T} steps (got ${horizon})`);
  const advantages = new Float32Array(T * P);
  const returns = new Float32Array(T * P);
  for (let p = 0; p < P; p++) {
    let nextAdvantage = 0;
    let nextValue = lastValues[p]!;
    for (let t = T - 1; t >= 0; t--) {
      const i = t * P + p;
      // The IAM code's PPOcontroller._compute_advantages starts each time_horizon block with last_advantage = 0.
      if ((t + 1) % horizon === 0) nextAdvantage = 0;
      const notDone = 1 - dones[i]!;
      const delta = rewards[i]! + gamma * nextValue * notDone - values[i]!;
      nextAdvantage = delta + gamma * lambda * notDone * nextAdvantage;
      advantages[i] = nextAdvantage;
      returns[i] = nextAdvantage + values[i]!;
      nextValue = values[i]!;
    }
  }
  return { advantages, returns };
}

/** Normalises in place to zero mean and unit std (ε = 1e-8 keeps a constant batch finite). */
export function normalizeInPlace(x: Float32Array): Float32Array {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  // Unbiased std, as torch's `.std()` used by the reference codes.
  const std = Math.sqrt(variance / Math.max(1, x.length - 1));
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! - mean) / (std + 1e-8);
  return x;
}

/** Explained variance `1 − Var(R − V) / Var(R)`; NaN when the returns are constant. */
export function explainedVariance(values: Float32Array, returns: Float32Array): number {
  const n = returns.length;
  let meanR = 0;
  let meanD = 0;
  for (let i = 0; i < n; i++) {
    meanR += returns[i]!;
    meanD += returns[i]! - values[i]!;
  }
  meanR /= n;
  meanD /= n;
  let varR = 0;
  let varD = 0;
  for (let i = 0; i < n; i++) {
    varR += (returns[i]! - meanR) ** 2;
    varD += (returns[i]! - values[i]! - meanD) ** 2;
  }
  return varR === 0 ? NaN : 1 - varD / varR;
}
