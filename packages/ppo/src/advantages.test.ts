import { describe, expect, it } from 'vitest';
import { computeGae, explainedVariance, normalizeInPlace } from './advantages.js';

describe('computeGae', () => {
  // Two envs, T = 4, time-major (index t·P + p). Env 0 ends an episode at t = 1, env 1 at t = 3.
  const P = 2;
  const interleave = (a: number[], b: number[]) => a.flatMap((v, t) => [v, b[t]!]);
  const args = {
    rewards: Float32Array.from(interleave([1, 0, 2, 1], [0, 0, 0, 1])),
    values: Float32Array.from(interleave([0.5, 1, 0.2, 0.4], [0, 0, 0, 0])),
    dones: Uint8Array.from(interleave([0, 1, 0, 0], [0, 0, 0, 1])),
    lastValues: Float32Array.from([2, 5]),
    numEnvs: P,
    gamma: 0.9,
    lambda: 0.8,
  };

  it('matches the hand-computed advantages and returns, with dones in the middle', () => {
    // Env 0 by hand (γλ = 0.72):
    //   t3: δ = 1 + 0.9·2 − 0.4 = 2.4                 A = 2.4
    //   t2: δ = 2 + 0.9·0.4 − 0.2 = 2.16              A = 2.16 + 0.72·2.4 = 3.888
    //   t1: done → δ = 0 − 1 = −1                     A = −1 (nothing flows back across the end)
    //   t0: δ = 1 + 0.9·1 − 0.5 = 1.4                 A = 1.4 + 0.72·(−1) = 0.68
    // Env 1: done at t3 ignores the bootstrap 5:  A = 1, 0.72, 0.5184, 0.373248.
    const { advantages, returns } = computeGae(args);
    const expectedA = interleave([0.68, -1, 3.888, 2.4], [0.373248, 0.5184, 0.72, 1]);
    const expectedR = interleave([1.18, 0, 4.088, 2.8], [0.373248, 0.5184, 0.72, 1]);
    expectedA.forEach((v, i) => expect(advantages[i]).toBeCloseTo(v, 5));
    expectedR.forEach((v, i) => expect(returns[i]).toBeCloseTo(v, 5));
  });

  it('uses the bootstrap value when the last step is not terminal', () => {
    const { advantages } = computeGae({ ...args, lastValues: Float32Array.from([3, 5]) });
    // Only env 0's t3 sees V_T: δ = 1 + 0.9·3 − 0.4 = 3.3.
    expect(advantages[3 * P]).toBeCloseTo(3.3, 5);
    expect(advantages[3 * P + 1]).toBeCloseTo(1, 5);
  });

  it('with a horizon, restarts the sum at every block and bootstraps each block with the next value (IAM time_horizon)', () => {
    const { advantages, returns } = computeGae({ ...args, horizon: 2 });
    // Env 0, block t0–t1 ends in a done: as without a horizon, A = 0.68, −1.
    // Block t2–t3 bootstraps with V_T = 2: A = 3.888, 2.4 as before, since nothing crosses t1's done anyway.
    // Env 1, block t0–t1 now stops at t1 and bootstraps with V(s_2) = 0:
    //   t1: δ = 0 + 0.9·0 − 0 = 0   A = 0;   t0: A = 0 + 0.72·0 = 0 (the 0.5184 from t ≥ 2 no longer flows back).
    const expectedA = interleave([0.68, -1, 3.888, 2.4], [0, 0, 0.72, 1]);
    expectedA.forEach((v, i) => expect(advantages[i]).toBeCloseTo(v, 5));
    expectedA.forEach((v, i) => expect(returns[i]).toBeCloseTo(v + args.values[i]!, 5));
    // A horizon of T is the plain GAE.
    expect(computeGae({ ...args, horizon: 4 }).advantages).toEqual(computeGae(args).advantages);
  });

  it('rejects a horizon that does not divide T, naming it', () => {
    expect(() => computeGae({ ...args, horizon: 3 })).toThrow("horizon must be a positive integer dividing the rollout's T=4 steps (got 3)");
  });

  it('rejects mismatched shapes, naming the arrays', () => {
    expect(() => computeGae({ ...args, lastValues: new Float32Array(3) })).toThrow('lastValues must be [P] with P=2 (got 3)');
    expect(() => computeGae({ ...args, dones: new Uint8Array(6) })).toThrow(/rewards, values and dones must all be \[T, P\]/);
  });
});

describe('normalizeInPlace and explainedVariance', () => {
  it('normalises to zero mean and unit (unbiased) std', () => {
    const x = normalizeInPlace(Float32Array.from([1, 2, 3, 4]));
    const mean = x.reduce((a, b) => a + b, 0) / 4;
    const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    expect(mean).toBeCloseTo(0, 6);
    expect(std).toBeCloseTo(1, 5);
  });

  it('is 1 for perfect values, 0 for a constant guess at the mean, NaN for constant returns', () => {
    const returns = Float32Array.from([1, 2, 3]);
    expect(explainedVariance(Float32Array.from([1, 2, 3]), returns)).toBeCloseTo(1, 6);
    expect(explainedVariance(Float32Array.from([2, 2, 2]), returns)).toBeCloseTo(0, 6);
    expect(explainedVariance(Float32Array.from([0, 1, 2]), Float32Array.from([1, 1, 1]))).toBeNaN();
  });
});
