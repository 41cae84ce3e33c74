import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers gradients only on request; the trainer does the same.
import { describe, expect, it } from 'vitest';
import { createIAMCore } from './createIAMCore.js';
import { WAREHOUSE_D_SET } from './dSet.js';
import { IAMStaticCore } from './iamStaticCore.js';

const opts = { training: false };

function shapes(w: Record<string, tf.Tensor>): Record<string, number[]> {
  const out = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.shape]));
  tf.dispose(Object.values(w));
  return out;
}

describe('IAMStaticCore', () => {
  it('defaults to the paper-era Warehouse network: FNN 73→576→256 without bias, LSTM 64 on [0, 49..72]', () => {
    const core = new IAMStaticCore({ seed: 1 });
    expect(core.inputShape).toEqual([1, 73]);
    expect(core.outputSize).toBe(320);
    expect(core.stateShapes).toEqual([[64], [64]]);
    expect(core.dSet).toEqual([0, ...Array.from({ length: 24 }, (_, k) => 49 + k)]);
    expect(shapes(core.getWeights())).toEqual({
      'fnn.0.kernel': [73, 576],
      'fnn.1.kernel': [576, 256],
      'rnn.kernel': [25, 256],
      'rnn.recurrentKernel': [64, 256],
      'rnn.bias': [256],
    });
    const { output, state } = core.step(tf.ones([2, 1, 73]) as tf.Tensor3D, core.initialState(2), opts);
    expect(output.shape).toEqual([2, 320]);
    expect(state.map((s) => s.shape)).toEqual([[2, 64], [2, 64]]);
    tf.dispose([output, ...state]);
    core.dispose();
  });

  for (const cell of ['lstm', 'gru'] as const) {
    it(`${cell}: the recurrent state has exactly zero gradient w.r.t. entries outside the d-set, non-zero inside`, () => {
      const dSet = [1, 4, 7];
      const core = new IAMStaticCore({ inputSize: 10, dSet, fnnSizes: [32], hiddenSize: 5, cell, seed: 3 });
      const T = 3;
      const B = 2;
      const xs = tf.randomUniform([T, B, 1, 10], 0.1, 1, 'float32', 4) as tf.Tensor4D;
      const starts = tf.zeros([T, B]) as tf.Tensor2D;
      const probe = tf.randomNormal([B, 5], 0, 1, 'float32', 5);
      const stateLoss = (x: tf.Tensor) => {
        const { outputs, state } = core.sequence(x as tf.Tensor4D, core.initialState(B), starts, opts);
        // Every state tensor and the recurrent half of every output depend only on the d-set history.
        const rec = tf.slice(outputs, [0, 0, 32], [T, B, 5]);
        return tf.add(tf.sum(rec), tf.sum(state.map((s) => tf.sum(tf.mul(s, probe))).reduce((a, b) => tf.add(a, b))));
      };
      const g = tf.grad(stateLoss)(xs);
      const grad = g.arraySync() as number[][][][];
      for (let t = 0; t < T; t++)
        for (let b = 0; b < B; b++)
          for (let j = 0; j < 10; j++) {
            if (dSet.includes(j)) expect(Math.abs(grad[t]![b]![0]![j]!)).toBeGreaterThan(1e-6);
            else expect(grad[t]![b]![0]![j]).toBe(0);
          }
      // The FNN half at step t reads every entry of obs_t, and nothing of other steps.
      const fnnLoss = (x: tf.Tensor) => {
        const { outputs } = core.sequence(x as tf.Tensor4D, core.initialState(B), starts, opts);
        return tf.sum(tf.slice(outputs, [1, 0, 0], [1, B, 32]));
      };
      const gf = tf.grad(fnnLoss)(xs).arraySync() as number[][][][];
      for (let b = 0; b < B; b++)
        for (let j = 0; j < 10; j++) {
          expect(Math.abs(gf[1]![b]![0]![j]!)).toBeGreaterThan(1e-6);
          expect(gf[0]![b]![0]![j]).toBe(0);
          expect(gf[2]![b]![0]![j]).toBe(0);
        }
      tf.dispose([xs, starts, probe, g]);
      core.dispose();
    });
  }

  it('matches finite differences of the final h w.r.t. a d-set entry of the first observation', () => {
    const core = new IAMStaticCore({ inputSize: 6, dSet: [0, 5], fnnSizes: [4], hiddenSize: 3, seed: 8 });
    const xs = tf.randomUniform([3, 1, 1, 6], 0, 1, 'float32', 9) as tf.Tensor4D;
    const starts = tf.zeros([3, 1]) as tf.Tensor2D;
    const f = (x: tf.Tensor) => tf.sum(core.sequence(x as tf.Tensor4D, core.initialState(1), starts, opts).state[0]!);
    const analytic = (tf.grad(f)(xs).arraySync() as number[][][][])[0]![0]![0]![5]!;
    const eps = 1e-2;
    const delta = new Float32Array(18);
    delta[5] = 1; // obs 0, entry 5
    const bump = (d: number) => tf.tidy(() => f(tf.add(xs, tf.mul(tf.tensor4d(delta, [3, 1, 1, 6]), d))).dataSync()[0]!);
    const numeric = (bump(eps) - bump(-eps)) / (2 * eps);
    expect(Math.abs(analytic - numeric)).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
    expect(Math.abs(analytic)).toBeGreaterThan(1e-4);
    tf.dispose([xs, starts]);
    core.dispose();
  });

  it('sequence equals repeated step with episode-start resets, and leaks no tensors', () => {
    const core = new IAMStaticCore({ inputSize: 8, dSet: [0, 3, 6], fnnSizes: [16, 8], hiddenSize: 4, seed: 2 });
    const T = 4;
    const B = 3;
    const xs = tf.randomUniform([T, B, 1, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
    const starts = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 0], [1, 0, 1]]);
    const state0 = [tf.randomNormal([B, 4], 0, 1, 'float32', 2), tf.randomNormal([B, 4], 0, 1, 'float32', 3)];
    const before = tf.memory().numTensors;
    const seq = core.sequence(xs, state0, starts, opts);
    const startRows = starts.arraySync();
    let state = state0;
    for (let t = 0; t < T; t++) {
      const masked = state.map((s) => tf.mul(s, tf.reshape(tf.sub(1, tf.tensor1d(startRows[t]!)), [B, 1])));
      const r = core.step(tf.squeeze(tf.slice(xs, [t], [1]), [0]) as tf.Tensor3D, masked, opts);
      const seqOut = tf.squeeze(tf.slice(seq.outputs, [t], [1]), [0]);
      expect(tf.max(tf.abs(tf.sub(r.output, seqOut))).dataSync()[0]).toBeLessThan(1e-5);
      state = r.state;
    }
    expect(tf.max(tf.abs(tf.sub(state[1]!, seq.state[1]!))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose(state0);
    tf.dispose([seq.outputs, ...seq.state]);
    const zeros = core.initialState(B);
    const x0 = tf.squeeze(tf.slice(xs, [0], [1]), [0]) as tf.Tensor3D;
    const mid = tf.memory().numTensors;
    const again = core.sequence(xs, zeros, starts, opts);
    tf.dispose([again.outputs, ...again.state]);
    const once = core.step(x0, zeros, opts);
    tf.dispose([once.output, ...once.state]);
    expect(tf.memory().numTensors).toBe(mid);
    expect(before).toBeGreaterThan(0);
    tf.dispose([...zeros, x0]);
    tf.dispose([xs, starts]);
    core.dispose();
  });

  it('rejects an empty, out-of-range or duplicated d-set and a mis-shaped input with clear errors', () => {
    expect(() => new IAMStaticCore({ dSet: [] })).toThrow('dSet must not be empty');
    expect(() => new IAMStaticCore({ dSet: [0, 73] })).toThrow('dSet[1] = 73 is out of range: indices must be integers in 0..72');
    expect(() => new IAMStaticCore({ dSet: [-1] })).toThrow('dSet[0] = -1 is out of range');
    expect(() => new IAMStaticCore({ dSet: [49, 50, 49] })).toThrow('dSet has the index 49 twice (positions 0 and 2)');
    expect(() => new IAMStaticCore({ fnnSizes: [] })).toThrow('fnnSizes must list at least one layer width');
    expect(() => new IAMStaticCore({ cell: 'rnn' as 'lstm' })).toThrow("cell must be 'lstm' or 'gru' (got cell=rnn)");
    const core = new IAMStaticCore({ inputSize: 5, dSet: [0], fnnSizes: [3], hiddenSize: 2 });
    const x = tf.zeros([2, 1, 6]) as tf.Tensor3D;
    expect(() => core.step(x, core.initialState(2), opts)).toThrow('IAMStaticCore: input x [B, N, F] must have shape [B,1,5] (got [2,1,6])');
    tf.dispose(x);
    core.dispose();
  });

  it('config() round-trips through createIAMCore, weights included', () => {
    const core = new IAMStaticCore({ inputSize: 7, dSet: [6, 2], fnnSizes: [5], hiddenSize: 3, cell: 'gru', seed: 11 });
    const copy = createIAMCore(JSON.parse(JSON.stringify(core.config())));
    expect(copy.config()).toEqual(core.config());
    const w = core.getWeights();
    copy.setWeights(w);
    tf.dispose(Object.values(w));
    const x = tf.randomUniform([2, 1, 7], 0, 1, 'float32', 3) as tf.Tensor3D;
    const a = core.step(x, core.initialState(2), opts);
    const b = copy.step(x, copy.initialState(2), opts);
    expect(Array.from(a.output.dataSync())).toEqual(Array.from(b.output.dataSync()));
    expect(() => createIAMCore({ name: 'iam', variant: 'other' })).toThrow("config.variant must be 'static' or 'dynamic'");
    tf.dispose([x, a.output, b.output, ...a.state, ...b.state]);
    core.dispose();
    copy.dispose();
    expect(WAREHOUSE_D_SET.length).toBe(25);
  });
});
