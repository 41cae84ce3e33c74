import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers gradients only on request; the trainer does the same.
import { describe, expect, it } from 'vitest';
import { createIAMCore } from './createIAMCore.js';
import { IAMDynamicCore } from './iamDynamicCore.js';

const opts = { training: false };
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** A small core: N = 6 regions of F = 4, attention 5, h 3. */
const small = (extra: Partial<ConstructorParameters<typeof IAMDynamicCore>[0]> = {}) =>
  new IAMDynamicCore({ numRegions: 6, regionSize: 4, attentionSize: 5, hiddenSize: 3, fnnSizes: [7], seed: 5, ...extra });

describe('IAMDynamicCore', () => {
  it('defaults to the flickering-Atari sizes: 49×64 map, attention 256, LSTM 256 on [dpatch ‖ α] (113), FNN 3136→256', () => {
    const core = new IAMDynamicCore({ seed: 1 });
    expect(core.inputShape).toEqual([49, 64]);
    expect(core.outputSize).toBe(512);
    expect(core.stateShapes).toEqual([[256], [256]]);
    const w = core.getWeights();
    expect(Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.shape]))).toEqual({
      'attention.W1': [64, 256],
      'attention.W2': [256, 256],
      'attention.w3': [1, 256],
      'fnn.0.kernel': [3136, 256],
      'fnn.0.bias': [256],
      'rnn.kernel': [113, 1024],
      'rnn.recurrentKernel': [256, 1024],
      'rnn.bias': [1024],
    });
    tf.dispose(Object.values(w));
    core.dispose();
  });

  it('α sums to 1 over the regions for every head; diagnostics per step from step and sequence', () => {
    const core = small({ heads: 2 });
    const B = 3;
    const x = tf.randomNormal([B, 6, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const state = [tf.randomNormal([B, 3], 0, 1, 'float32', 2), tf.randomNormal([B, 3], 0, 1, 'float32', 3)];
    const r = core.step(x, state, opts);
    const alpha = r.diagnostics!.alpha!;
    expect(alpha.shape).toEqual([B, 2, 6]);
    const sums = tf.sum(alpha, 2).arraySync() as number[][];
    for (const row of sums) for (const s of row) expect(s).toBeCloseTo(1, 5);
    expect(tf.min(alpha).dataSync()[0]).toBeGreaterThan(0);
    const xs = tf.randomNormal([4, B, 6, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
    const seq = core.sequence(xs, state, tf.zeros([4, B]), opts);
    expect(seq.diagnostics!.alpha!.shape).toEqual([4, B, 2, 6]);
    for (const s of tf.sum(seq.diagnostics!.alpha!, 3).dataSync()) expect(s).toBeCloseTo(1, 5);
    tf.dispose([x, ...state, r.output, ...r.state, alpha, xs, seq.outputs, ...seq.state, seq.diagnostics!.alpha!]);
    core.dispose();
  });

  it('queries with the previous output h_{t−1}: α equals softmax_r(w3·tanh(W1·M_r + W2·h_{t−1}))', () => {
    for (const cell of ['lstm', 'gru'] as const) {
      const core = small({ cell });
      const B = 2;
      const x = tf.randomNormal([B, 6, 4], 0, 1, 'float32', 6) as tf.Tensor3D;
      const hPrev = tf.randomNormal([B, 3], 0, 1, 'float32', 7);
      const state = cell === 'lstm' ? [hPrev, tf.randomNormal([B, 3], 0, 1, 'float32', 8)] : [hPrev];
      const w = core.getWeights();
      const expected = tf.tidy(() => {
        const keys = tf.matMul(tf.reshape(x, [B * 6, 4]), w['attention.W1']!); // [B·6, 5]
        const query = tf.matMul(hPrev, w['attention.W2']!); // [B, 5]
        const hidden = tf.tanh(tf.add(tf.reshape(keys, [B, 6, 5]), tf.reshape(query, [B, 1, 5])));
        return tf.softmax(tf.sum(tf.mul(hidden, tf.reshape(w['attention.w3']!, [1, 1, 5])), 2)); // [B, 6]
      });
      const r = core.step(x, state, opts);
      expect(maxDiff(tf.reshape(r.diagnostics!.alpha!, [B, 6]), expected)).toBeLessThan(1e-5);
      // The recurrent half of the output is the new h, which is not the query used.
      const hNew = tf.slice(r.output, [0, 7], [B, 3]);
      expect(maxDiff(hNew, r.state[0]!)).toBe(0);
      expect(maxDiff(hNew, hPrev)).toBeGreaterThan(1e-3);
      // A different h_{t−1} with the same map moves the attention.
      const other = core.step(x, state.map((s) => tf.neg(s)), opts);
      expect(maxDiff(other.diagnostics!.alpha!, r.diagnostics!.alpha!)).toBeGreaterThan(1e-4);
      tf.dispose([x, ...state, expected, r.output, ...r.state, r.diagnostics!.alpha!, hNew, other.output, ...other.state]);
      tf.dispose(Object.values(w));
      core.dispose();
    }
  });

  it('sequence equals repeated step; a start flag zeroes the state before that step', () => {
    const core = small({ heads: 2, cell: 'gru' });
    const T = 4;
    const B = 2;
    const xs = tf.randomNormal([T, B, 6, 4], 0, 1, 'float32', 9) as tf.Tensor4D;
    const starts = tf.tensor2d([[0, 1], [0, 0], [1, 0], [0, 0]]);
    const state0 = [tf.randomNormal([B, 3], 0, 1, 'float32', 10)];
    const seq = core.sequence(xs, state0, starts, opts);
    let state = state0;
    const flags = starts.arraySync();
    for (let t = 0; t < T; t++) {
      const masked = state.map((s) => tf.mul(s, tf.reshape(tf.sub(1, tf.tensor1d(flags[t]!)), [B, 1])));
      const r = core.step(tf.squeeze(tf.slice(xs, [t], [1]), [0]) as tf.Tensor3D, masked, opts);
      expect(maxDiff(r.output, tf.squeeze(tf.slice(seq.outputs, [t], [1]), [0]))).toBeLessThan(1e-5);
      expect(maxDiff(r.diagnostics!.alpha!, tf.squeeze(tf.slice(seq.diagnostics!.alpha!, [t], [1]), [0]))).toBeLessThan(1e-6);
      state = r.state;
    }
    expect(maxDiff(state[0]!, seq.state[0]!)).toBeLessThan(1e-5);
    // Env 1 starts at t=0: its outputs equal those of a run from the zero state.
    const fresh = core.sequence(xs, core.initialState(B), tf.zeros([T, B]), opts);
    expect(maxDiff(tf.slice(seq.outputs, [0, 1, 0], [2, 1, 10]), tf.slice(fresh.outputs, [0, 1, 0], [2, 1, 10]))).toBeLessThan(1e-6);
    expect(maxDiff(tf.slice(seq.outputs, [0, 0, 0], [1, 1, 10]), tf.slice(fresh.outputs, [0, 0, 0], [1, 1, 10]))).toBeGreaterThan(1e-4);
    core.dispose();
  });

  it('keeps tf.memory().numTensors flat across step and sequence', () => {
    const core = small({ heads: 2 });
    const x = tf.randomNormal([2, 6, 4], 0, 1, 'float32', 13) as tf.Tensor3D;
    const xs = tf.randomNormal([3, 2, 6, 4], 0, 1, 'float32', 14) as tf.Tensor4D;
    const starts = tf.tensor2d([[1, 0], [0, 1], [0, 0]]);
    const state = core.initialState(2);
    const run = () => {
      const r = core.step(x, state, opts);
      const s = core.sequence(xs, r.state, starts, opts);
      tf.dispose([r.output, ...r.state, r.diagnostics!.alpha!, s.outputs, ...s.state, s.diagnostics!.alpha!]);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, xs, starts, ...state]);
    core.dispose();
  });

  it('passes gradients to every weight and to the map through both branches', () => {
    const core = small({ heads: 2 });
    const xs = tf.randomNormal([3, 2, 6, 4], 0, 1, 'float32', 11) as tf.Tensor4D;
    const starts = tf.zeros([3, 2]) as tf.Tensor2D;
    const { value, grads } = tf.variableGrads(() => {
      const { outputs } = core.sequence(xs, core.initialState(2), starts, opts);
      return tf.sum(tf.square(outputs)) as tf.Scalar;
    }, core.trainableVariables());
    expect(Object.keys(grads).length).toBe(core.trainableVariables().length);
    for (const g of Object.values(grads)) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads), xs, starts]);
    core.dispose();
  });

  it('rejects a region count mismatch with a fix hint, and round-trips config()', () => {
    const core = small();
    const x = tf.zeros([1, 5, 4]) as tf.Tensor3D;
    expect(() => core.step(x, core.initialState(1), opts)).toThrow(
      "IAMDynamicCore: the input map must have numRegions=6 regions (got N=5); set numRegions to the encoder's H·W",
    );
    expect(() => core.sequence(tf.zeros([2, 1, 7, 4]) as tf.Tensor4D, core.initialState(1), tf.zeros([2, 1]), opts)).toThrow(
      'must have numRegions=6 regions (got N=7)',
    );
    expect(() => small({ heads: 0 })).toThrow('heads must be a positive integer (got 0)');
    const copy = createIAMCore(JSON.parse(JSON.stringify(core.config())));
    expect(copy.config()).toEqual(core.config());
    copy.setWeights(core.getWeights());
    const y = tf.randomNormal([2, 6, 4], 0, 1, 'float32', 12) as tf.Tensor3D;
    const a = core.step(y, core.initialState(2), opts);
    const b = copy.step(y, copy.initialState(2), opts);
    expect(maxDiff(a.output, b.output)).toBe(0);
    expect(() => copy.setWeights({})).toThrow("IAMDynamicCore.setWeights: missing weight 'attention.W1'");
    core.dispose();
    copy.dispose();
  });
});
