import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GRUCell } from './gruCell.js';
import { LSTMCell } from './lstmCell.js';

const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** Row-vector times matrix on plain arrays: an implementation independent of tfjs. */
const vecMat = (v: number[], m: number[][]) => m[0]!.map((_, j) => v.reduce((s, vi, i) => s + vi * m[i]![j]!, 0));

describe('LSTMCell', () => {
  it('matches the LSTM equations with gate order i, f, g, o', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 2, seed: 1 });
    const x = [0.5, -1, 2];
    const h0 = [0.1, -0.2];
    const c0 = [0.3, 0.4];
    const { h, c } = cell.step(tf.tensor2d([x]), { h: tf.tensor2d([h0]), c: tf.tensor2d([c0]) });
    const W = cell.kernel.arraySync() as number[][];
    const R = cell.recurrentKernel.arraySync() as number[][];
    const b = cell.bias.arraySync() as number[];
    const z = vecMat(x, W).map((v, j) => v + vecMat(h0, R)[j]! + b[j]!);
    const H = 2;
    const gate = (g: number, j: number) => z[g * H + j]!;
    const cExp = [0, 1].map((j) => sig(gate(1, j)) * c0[j]! + sig(gate(0, j)) * Math.tanh(gate(2, j)));
    const hExp = [0, 1].map((j) => sig(gate(3, j)) * Math.tanh(cExp[j]!));
    const [hv, cv] = [h.arraySync()[0]!, c.arraySync()[0]!];
    hExp.forEach((v, j) => expect(hv[j]).toBeCloseTo(v, 5));
    cExp.forEach((v, j) => expect(cv[j]).toBeCloseTo(v, 5));
    cell.dispose();
  });

  it('is reproducible from its seed and round-trips weights and config', () => {
    const a = new LSTMCell({ inputSize: 4, hiddenSize: 3, seed: 7 });
    const b = new LSTMCell(a.config());
    expect(b.kernel.arraySync()).toEqual(a.kernel.arraySync());
    const c = new LSTMCell({ inputSize: 4, hiddenSize: 3, seed: 8 });
    expect(c.kernel.arraySync()).not.toEqual(a.kernel.arraySync());
    c.setWeights(a.getWeights());
    expect(c.recurrentKernel.arraySync()).toEqual(a.recurrentKernel.arraySync());
    expect(() => c.setWeights({ kernel: tf.zeros([4, 12]) })).toThrow(
      "LSTMCell.setWeights: missing weight 'recurrentKernel' with shape [3,12]",
    );
    const w = a.getWeights();
    expect(() => c.setWeights({ ...w, bias: tf.zeros([3]) })).toThrow(
      "LSTMCell.setWeights: weight 'bias' must have shape [12] (got [3])",
    );
    [a, b, c].forEach((m) => m.dispose());
  });

  it('rejects bad sizes and inputs with clear errors', () => {
    expect(() => new LSTMCell({ inputSize: 0, hiddenSize: 2 })).toThrow('inputSize must be a positive integer (got 0)');
    expect(() => new LSTMCell({ inputSize: 2, hiddenSize: 1.5 })).toThrow('hiddenSize must be a positive integer (got 1.5)');
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 2 });
    expect(() => cell.step(tf.zeros([1, 4]) as tf.Tensor2D, { h: tf.zeros([1, 2]), c: tf.zeros([1, 2]) })).toThrow(
      'LSTMCell: x must have shape [B,3] (got [1,4])',
    );
    cell.dispose();
  });
});

describe('GRUCell', () => {
  it('matches the reset-after GRU equations with gate order r, z, n', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 2, seed: 2 });
    const x = [0.5, -1, 2];
    const h0 = [0.1, -0.2];
    const h = cell.step(tf.tensor2d([x]), tf.tensor2d([h0])).arraySync()[0]!;
    const W = cell.kernel.arraySync() as number[][];
    const R = cell.recurrentKernel.arraySync() as number[][];
    const b = cell.bias.arraySync() as number[];
    const bh = cell.recurrentBias.arraySync() as number[];
    const zx = vecMat(x, W).map((v, j) => v + b[j]!);
    const zh = vecMat(h0, R).map((v, j) => v + bh[j]!);
    const H = 2;
    [0, 1].forEach((j) => {
      const r = sig(zx[j]! + zh[j]!);
      const z = sig(zx[H + j]! + zh[H + j]!);
      const n = Math.tanh(zx[2 * H + j]! + r * zh[2 * H + j]!);
      expect(h[j]).toBeCloseTo((1 - z) * n + z * h0[j]!, 5);
    });
    cell.dispose();
  });
});
