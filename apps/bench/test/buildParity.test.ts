import { describe, expect, it } from 'vitest';
import { BUILD_TOLERANCE, fingerprintInChild, toleranceUsed } from '../src/buildParity.js';

// The GPU-build check itself (`npm run check:gpu-build`) needs `npm run setup -- --gpu` (2.8 GB of wheels), so
// CI runs its machinery on the CPU build: a child process per engine, compared as the check compares builds.
describe('build parity check', () => {
  it('measures the worst element against rtol·max(|a|, |b|) + atol', () => {
    expect(toleranceUsed([1, 2], [1, 2], 1e-5, 1e-6)).toBe(0);
    expect(toleranceUsed([1], [1 + 2e-5], 1e-5, 0)).toBeCloseTo(2, 3);
    expect(toleranceUsed([0], [5e-7], 1e-5, 1e-6)).toBeCloseTo(0.5, 5);
    expect(toleranceUsed([Number.NaN], [0], 1e-5, 1e-6)).toBe(Infinity);
    expect(toleranceUsed([1, 2], [1], 1e-5, 1e-6)).toBe(Infinity);
  });

  it('fingerprints two Atari RIM updates in a child process of the chosen build', () => {
    const eager = fingerprintInChild('cpu', 'eager');
    const graph = fingerprintInChild('cpu', 'graph');
    expect(eager.fingerprint).toMatchObject({ provider: '@tensorflow/tfjs-node', device: 'CPU', engine: 'eager' });
    expect(graph.fingerprint.engine).toBe('graph');
    expect(eager.fingerprint.terms).toHaveLength(12);
    expect(eager.fingerprint.terms.every(Number.isFinite)).toBe(true);
    expect(Object.keys(graph.fingerprint.weights)).toEqual(Object.keys(eager.fingerprint.weights));
    const { rtol, atol } = BUILD_TOLERANCE.cpu;
    expect(toleranceUsed(graph.fingerprint.terms, eager.fingerprint.terms, rtol, atol)).toBeLessThanOrEqual(1);
  }, 120_000);
});
