import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Dense } from './dense.js';
import { initBias, initKernel } from './initializers.js';

/** `[rows, cols]` as nested arrays. */
const matrix = (t: tf.Tensor, cols: number): number[][] => {
  const flat = Array.from(t.dataSync());
  return Array.from({ length: flat.length / cols }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
};
/** MᵀM of a `[rows, cols]` matrix. */
const gram = (m: number[][]): number[][] =>
  m[0]!.map((_, i) => m[0]!.map((_, j) => m.reduce((sum, row) => sum + row[i]! * row[j]!, 0)));

describe('initKernel', () => {
  it("'torch-ac': every output unit's weight vector has unit norm (init_params normalises PyTorch's rows)", () => {
    const k = initKernel('torch-ac', [64, 7], 1, 3); // [in, out]: column j is PyTorch's weight row j
    gram(matrix(k, 7)).forEach((row, j) => expect(row[j]).toBeCloseTo(1, 5));
    // Not an orthogonal draw: the rows are normalised, not made orthogonal.
    expect(Math.abs(gram(matrix(k, 7))[0]![1]!)).toBeGreaterThan(1e-3);
    k.dispose();
  });

  it.each([
    ['tall, columns orthonormal (fewer outputs than inputs)', [64, 7], 0.01],
    ['wide, rows orthonormal (more outputs than inputs)', [7, 64], Math.SQRT2],
    ['a conv kernel [k, k, in, out] flattened to [k·k·in, out]', [2, 2, 3, 16], Math.SQRT2],
  ] as const)("'orthogonal' %s, scaled by the gain", (_name, shape, gain) => {
    const k = initKernel('orthogonal', [...shape], gain, 5);
    const out = shape[shape.length - 1]!;
    const m = matrix(k, out);
    const tall = m.length >= out;
    const g = tall ? gram(m) : gram(m[0]!.map((_, j) => m.map((row) => row[j]!))); // KᵀK or KKᵀ
    const n = Math.min(m.length, out);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(g[i]![j]!).toBeCloseTo(i === j ? gain * gain : 0, 4);
    k.dispose();
  });

  it("'uniform' is PyTorch's default, U(±1/√fan_in) for kernel and bias, fan_in counting the conv field", () => {
    const k = initKernel('uniform', [2, 2, 16, 32], 1, 7); // fan_in = 2·2·16 = 64 → bound 1/8
    const b = initBias('uniform', 32, 64, 8);
    for (const t of [k, b]) {
      const values = Array.from(t.dataSync(), Math.abs);
      expect(Math.max(...values)).toBeLessThanOrEqual(1 / 8);
      expect(Math.max(...values)).toBeGreaterThan(0.9 / 8);
    }
    expect(Array.from(initBias('glorot', 3, 64).dataSync())).toEqual([0, 0, 0]);
    tf.dispose([k, b]);
  });

  it("'glorot' counts the conv field in both fans, as Keras (limit √(6 / (k²·in + k²·out)))", () => {
    const limit = Math.sqrt(6 / (4 * 3 + 4 * 16));
    const values = Array.from(initKernel('glorot', [2, 2, 3, 16], 1, 9).dataSync(), Math.abs);
    expect(Math.max(...values)).toBeLessThanOrEqual(limit);
    expect(Math.max(...values)).toBeGreaterThan(0.9 * limit);
  });

  it("'variance-scaling' is TF 1's fan-in truncated normal: |w| ≤ 2σ, σ = √(1.3·factor/fan_in)", () => {
    const sigma = Math.sqrt((1.3 * 0.01) / 256);
    const values = Array.from(initKernel('variance-scaling', [256, 18], 0.01, 11).dataSync());
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(2 * sigma + 1e-9);
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    // A normal truncated at ±2σ has std 0.88·σ.
    expect(std / sigma).toBeGreaterThan(0.8);
    expect(std / sigma).toBeLessThan(0.96);
  });

  it('Dense with a seed draws the same kernel with every scheme twice, and only uniform draws a bias', () => {
    for (const init of ['torch-ac', 'orthogonal', 'variance-scaling'] as const) {
      const [a, b] = [new Dense({ inputSize: 5, outputSize: 3, init, seed: 4 }), new Dense({ inputSize: 5, outputSize: 3, init, seed: 4 })];
      expect(a.kernel.dataSync()).toEqual(b.kernel.dataSync());
      expect(Array.from(a.bias!.dataSync())).toEqual([0, 0, 0]);
      tf.dispose([a, b].flatMap((d) => Object.values(d.namedVariables())));
    }
  });
});
