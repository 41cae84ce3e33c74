import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { coreFromConfig } from './coreRegistry.js';
import './builtinCores.js';
import { FLAT_CORE_OPTIONS, LSTM_CORE_OPTIONS } from './flatCoreOptions.js';
import { GatedCellBase, type CellInit } from './gatedCellBase.js';
import { SeedStream, uniformInit } from './initializers.js';
import { LSTMCell } from './lstmCell.js';
import { LSTMCore } from './lstmCore.js';
import { parseOptions } from './optionFields.js';

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const matMulT = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true).arraySync() as number[][]);
/** Largest |M − I| entry: 0 for an exact identity. */
const offIdentity = (m: number[][]) => Math.max(...m.flatMap((row, i) => row.map((v, j) => Math.abs(v - (i === j ? 1 : 0)))));

describe('LSTMCell init and forgetBias (the core-attention README, "LSTM initialisation")', () => {
  it('unset draws exactly as before the options: kernel, recurrent kernel, bias U(±1/√H) from the seed stream in that order', () => {
    const [inputSize, hiddenSize, seed] = [5, 3, 11];
    const cell = new LSTMCell({ inputSize, hiddenSize, seed });
    const seeds = new SeedStream(seed);
    const limit = 1 / Math.sqrt(hiddenSize);
    const expected = [uniformInit([inputSize, 12], limit, seeds.next()), uniformInit([hiddenSize, 12], limit, seeds.next()), uniformInit([12], limit, seeds.next())];
    [cell.kernel, cell.recurrentKernel, cell.bias!].forEach((w, k) => expect(Buffer.from(w.dataSync().buffer)).toEqual(Buffer.from(expected[k]!.dataSync().buffer)));
    expect(cell.config()).toEqual({ inputSize, hiddenSize, seed });
    expect(cell.forgetBias).toBe(0);
    // The explicit defaults give the same bytes and the same step.
    const same = new LSTMCell({ inputSize, hiddenSize, seed, init: 'uniform', forgetBias: 0 });
    const x = tf.tensor2d([[0.3, -1, 2, 0.5, -0.7]]);
    const state = { h: tf.tensor2d([[0.1, -0.2, 0.3]]), c: tf.tensor2d([[0.4, 0.5, -0.6]]) };
    expect(Array.from(same.step(x, state).c.dataSync())).toEqual(Array.from(cell.step(x, state).c.dataSync()));
    [cell, same].forEach((m) => m.dispose());
    tf.dispose([...expected, x, state.h, state.c]);
  });

  it("forgetBias 1 is TF 1 BasicLSTMCell's step: c' = σ(f + 1)·c + σ(i)·tanh(g), gates computed by hand", () => {
    const cell = new LSTMCell({ inputSize: 2, hiddenSize: 1, seed: 1, init: 'glorot', forgetBias: 1 });
    // Known weights, gates i, f, g, o: z = x·W + h·R + b.
    cell.setWeights({ kernel: tf.tensor2d([[0.5, -0.25, 1, 0.75], [-1, 0.5, 0.25, -0.5]]), recurrentKernel: tf.tensor2d([[0.2, 0.4, -0.6, 0.8]]), bias: tf.tensor1d([0.1, -0.1, 0, 0.2]) });
    const [x1, x2, h0, c0] = [1, 2, 0.5, -1.5];
    const z = [0.5 * x1 - 1 * x2 + 0.2 * h0 + 0.1, -0.25 * x1 + 0.5 * x2 + 0.4 * h0 - 0.1, 1 * x1 + 0.25 * x2 - 0.6 * h0, 0.75 * x1 - 0.5 * x2 + 0.8 * h0 + 0.2];
    [-1.3, 0.85, 1.2, 0.35].forEach((v, k) => expect(z[k]).toBeCloseTo(v, 12));
    const cExp = sig(z[1]! + 1) * c0 + sig(z[0]!) * Math.tanh(z[2]!);
    const hExp = sig(z[3]!) * Math.tanh(cExp);
    const { h, c } = cell.step(tf.tensor2d([[x1, x2]]), { h: tf.tensor2d([[h0]]), c: tf.tensor2d([[c0]]) });
    expect(c.dataSync()[0]).toBeCloseTo(cExp, 6);
    expect(h.dataSync()[0]).toBeCloseTo(hExp, 6);
    // Without the offset the same weights give PyTorch's step, which differs.
    const plain = new LSTMCell({ inputSize: 2, hiddenSize: 1, seed: 1 });
    plain.setWeights(cell.getWeights());
    const without = plain.step(tf.tensor2d([[x1, x2]]), { h: tf.tensor2d([[h0]]), c: tf.tensor2d([[c0]]) });
    expect(without.c.dataSync()[0]).toBeCloseTo(sig(z[1]!) * c0 + sig(z[0]!) * Math.tanh(z[2]!), 6);
    expect(Math.abs(without.c.dataSync()[0]! - cExp)).toBeGreaterThan(0.2);
    [cell, plain].forEach((m) => m.dispose());
  });

  it("'glorot' is BasicLSTMCell's one kernel over [x, h]: U(±√(6/(in + H + 4H))) in both parts, zero bias", () => {
    const [inputSize, hiddenSize] = [64, 32];
    const cell = new LSTMCell({ inputSize, hiddenSize, seed: 3, init: 'glorot' });
    const limit = Math.sqrt(6 / (inputSize + hiddenSize + 4 * hiddenSize));
    for (const w of [cell.kernel, cell.recurrentKernel]) {
      const v = Array.from(w.dataSync());
      const maxAbs = Math.max(...v.map(Math.abs));
      expect(maxAbs).toBeLessThanOrEqual(limit);
      expect(maxAbs).toBeGreaterThan(0.98 * limit);
      const variance = v.reduce((s, a) => s + a * a, 0) / v.length;
      expect(variance).toBeCloseTo(limit ** 2 / 3, 3);
    }
    expect(Array.from(cell.bias!.dataSync()).every((b) => b === 0)).toBe(true);
    cell.dispose();
  });

  it("'orthogonal' is orthogonal_(weight, 1) on PyTorch's weight_ih [4H, in] and weight_hh [4H, H] each, zero bias", () => {
    // in < 4H: weight_ih has orthonormal columns, so our kernel (its transpose, [in, 4H]) has orthonormal rows: K·Kᵀ = I.
    const narrow = new LSTMCell({ inputSize: 16, hiddenSize: 8, seed: 4, init: 'orthogonal' });
    expect(offIdentity(matMulT(narrow.kernel, narrow.kernel))).toBeLessThan(1e-5);
    expect(offIdentity(matMulT(narrow.recurrentKernel, narrow.recurrentKernel))).toBeLessThan(1e-5);
    expect(Array.from(narrow.bias!.dataSync()).every((b) => b === 0)).toBe(true);
    // in > 4H (CleanRL's 3136 → 4·128 shape class): weight_ih has orthonormal rows, so Kᵀ·K = I.
    const wide = new LSTMCell({ inputSize: 64, hiddenSize: 8, seed: 4, init: 'orthogonal' });
    const kt = tf.transpose(wide.kernel);
    expect(offIdentity(matMulT(kt, kt))).toBeLessThan(1e-5);
    tf.dispose(kt);
    [narrow, wide].forEach((m) => m.dispose());
  });

  it('rejects a bad init or forgetBias naming the field, the value and what is allowed', () => {
    expect(() => new LSTMCell({ inputSize: 2, hiddenSize: 2, init: 'he' as CellInit })).toThrow(
      /^LSTMCell\.init: "he" is not allowed; must be one of 'uniform', 'glorot', 'orthogonal'$/,
    );
    expect(() => new LSTMCell({ inputSize: 2, hiddenSize: 2, forgetBias: Number.NaN })).toThrow(/^LSTMCell\.forgetBias: NaN is not a number; must be a finite number$/);
    class GroupLike extends GatedCellBase {
      constructor() {
        super('GroupLike', { units: 2, inputSize: 3, hiddenSize: 4 }, 4, 'glorot');
      }
    }
    expect(() => new GroupLike()).toThrow("GroupLike: init 'glorot' is for dense cells; a group cell (units=2) takes 'uniform' only");
  });
});

describe('LSTMCore init options', () => {
  it('records init and forgetBias in config(), and coreFromConfig rebuilds the same core', () => {
    const core = new LSTMCore({ inputSize: 6, numElements: 2, hiddenSize: 4, seed: 2, init: 'glorot', forgetBias: 1 });
    expect(core.config()).toEqual({ name: 'lstm', inputSize: 6, numElements: 2, hiddenSize: 4, seed: 2, init: 'glorot', forgetBias: 1 });
    const rebuilt = coreFromConfig(JSON.parse(JSON.stringify(core.config()))) as LSTMCore;
    expect(rebuilt.cell.forgetBias).toBe(1);
    expect(rebuilt.cell.kernel.arraySync()).toEqual(core.cell.kernel.arraySync());
    const x = tf.randomUniform([3, 2, 6], -1, 1, 'float32', 9) as tf.Tensor3D;
    const a = core.step(x, core.initialState(3), { training: false });
    const b = rebuilt.step(x, rebuilt.initialState(3), { training: false });
    expect(Array.from(b.output.dataSync())).toEqual(Array.from(a.output.dataSync()));
    expect(new LSTMCore({ inputSize: 6, hiddenSize: 4, seed: 2 }).config()).toEqual({ name: 'lstm', inputSize: 6, numElements: 1, hiddenSize: 4, seed: 2 });
    tf.dispose([x, a.output, ...a.state, b.output, ...b.state]);
    [core, rebuilt].forEach((m) => m.dispose());
  });

  it('LSTM_CORE_OPTIONS takes init and forgetBias; the GRU and FNN schema refuses them', () => {
    expect(parseOptions(LSTM_CORE_OPTIONS, { hiddenSize: 512, init: 'orthogonal', forgetBias: 1 }, 'lstm')).toEqual({ hiddenSize: 512, init: 'orthogonal', forgetBias: 1 });
    expect(() => parseOptions(LSTM_CORE_OPTIONS, { forgetBias: '1' }, 'lstm')).toThrow(/^lstm\.forgetBias: "1" is not a number; must be a finite number$/);
    expect(() => parseOptions(LSTM_CORE_OPTIONS, { init: 'variance-scaling' }, 'lstm')).toThrow(
      /^lstm\.init: "variance-scaling" is not allowed; must be one of 'uniform', 'glorot', 'orthogonal'$/,
    );
    expect(() => parseOptions(FLAT_CORE_OPTIONS, { init: 'glorot' }, 'gru')).toThrow('gru: Unrecognized key: "init"');
    expect(LSTM_CORE_OPTIONS.shape.forgetBias.description).toMatch(/forget gate/);
  });
});
