import { describe, expect, it } from 'vitest';
import { Random32 } from './random.js';

describe('Random32', () => {
  it('is deterministic per seed and restores from its state', () => {
    const a = new Random32(42);
    const b = new Random32(42);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
    const saved = a.state;
    const next = a.next();
    a.state = saved;
    expect(a.next()).toBe(next);
    expect(new Random32(43).nextUint32()).not.toBe(xs[0]);
  });

  it('is uniform: mean, variance, bucket counts and lag-1 correlation of nearby seeds', () => {
    const n = 200_000;
    const rng = new Random32(7);
    const buckets = new Array(10).fill(0);
    let sum = 0;
    let sq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outside += 1;
      sum += u;
      sq += u * u;
      buckets[Math.floor(u * 10)] += 1;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sq / n - sum ** 2 / n ** 2 - 1 / 12)).toBeLessThan(0.002);
    for (const c of buckets) expect(Math.abs(c / n - 0.1)).toBeLessThan(0.004);
    // Streams of seeds s and s+1 (env i and i+1 of a batch) must be uncorrelated.
    const r0 = new Random32(100);
    const r1 = new Random32(101);
    let cov = 0;
    for (let i = 0; i < n; i++) cov += (r0.next() - 0.5) * (r1.next() - 0.5);
    expect(Math.abs(cov / n) * 12).toBeLessThan(0.01);
  });

  it('nextInt covers 0..n-1 and rejects bad input', () => {
    const rng = new Random32(1);
    const seen = new Set(Array.from({ length: 1000 }, () => rng.nextInt(4)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(() => rng.nextInt(0)).toThrow('n must be a positive integer (got n=0)');
    expect(() => new Random32(1.5)).toThrow('seed must be an integer (got seed=1.5)');
  });
});
