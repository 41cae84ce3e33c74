import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FNNCore } from './fnnCore.js';
import { GRUCore } from './gruCore.js';
import { LSTMCore } from './lstmCore.js';
import { maskStateAtStarts } from './episodeStarts.js';
import type { MemoryCore } from './memoryCore.js';
import { sequenceByStep } from './scanSequence.js';

const makers: Record<string, () => MemoryCore> = {
  lstm: () => new LSTMCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
  gru: () => new GRUCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
  fnn: () => new FNNCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
};

const T = 6;
const B = 3;
const xs = () => tf.randomNormal([T, B, 2, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
const starts = () => tf.tensor2d([[1, 1, 1], [0, 0, 0], [0, 1, 0], [0, 0, 0], [1, 0, 0], [0, 0, 1]]);

describe.each(Object.keys(makers))('%s core', (name) => {
  it('has the contract shapes', () => {
    const core = makers[name]!();
    const state = core.initialState(B);
    expect(state.map((s) => s.shape)).toEqual(core.stateShapes.map((s) => [B, ...s]));
    const { output, state: next } = core.step(tf.zeros([B, 2, 3]) as tf.Tensor3D, state, { training: false });
    expect(output.shape).toEqual([B, 5]);
    expect(next.map((s) => s.shape)).toEqual(state.map((s) => s.shape));
    expect(core.config()).toMatchObject({ name });
    core.dispose();
  });

  it('sequence equals step repeated with the resets applied by maskStateAtStarts', () => {
    const core = makers[name]!();
    const [x, s] = [xs(), starts()];
    const state0 = core.initialState(B).map((t) => tf.add(t, 0.5));
    const seq = core.sequence(x, state0, s, { training: false });
    let state = state0;
    const xsT = tf.unstack(x);
    const rows = tf.unstack(s) as tf.Tensor1D[];
    for (let t = 0; t < T; t++) {
      state = maskStateAtStarts(state, rows[t]!);
      const r = core.step(xsT[t] as tf.Tensor3D, state, { training: false });
      const got = tf.reshape(tf.slice(seq.outputs, [t], [1]), [B, 5]);
      expect(tf.max(tf.abs(tf.sub(got, r.output))).arraySync()).toBeLessThan(1e-5);
      state = r.state;
    }
    seq.state.forEach((st, i) => expect(tf.max(tf.abs(tf.sub(st, state[i]!))).arraySync()).toBeLessThan(1e-5));
    const generic = sequenceByStep(core, x, state0, s, { training: false }).outputs;
    expect(tf.max(tf.abs(tf.sub(generic, seq.outputs))).arraySync()).toBeLessThan(1e-5);
    core.dispose();
  });

  it('round-trips config and weights into a core with the same outputs', () => {
    const a = makers[name]!();
    const b = makers[name]!();
    b.setWeights(a.getWeights());
    const x = xs();
    const oa = a.sequence(x, a.initialState(B), starts(), { training: false }).outputs;
    const ob = b.sequence(x, b.initialState(B), starts(), { training: false }).outputs;
    expect(ob.arraySync()).toEqual(oa.arraySync());
    a.dispose();
    b.dispose();
  });

  it('keeps the tensor count flat across calls', () => {
    const core = makers[name]!();
    const [x, s] = [xs(), starts()];
    const run = () => {
      const state0 = core.initialState(B);
      const r = core.sequence(x, state0, s, { training: true });
      tf.dispose([r.outputs, ...r.state, ...state0]);
    };
    run();
    const before = tf.memory().numTensors;
    run();
    run();
    expect(tf.memory().numTensors).toBe(before);
    core.dispose();
  });

  it('rejects a mis-shaped input', () => {
    const core = makers[name]!();
    expect(() => core.step(tf.zeros([B, 1, 3]) as tf.Tensor3D, core.initialState(B), { training: false })).toThrow(
      'input x [B, N, F] must have shape [B,2,3] (got [3,1,3])',
    );
    core.dispose();
  });
});

describe('maskStateAtStarts', () => {
  it('zeroes exactly the envs that start and keeps the others unchanged', () => {
    const h = tf.tensor3d([[[1, 2]], [[3, 4]], [[5, 6]]]);
    const [out] = maskStateAtStarts([h], tf.tensor1d([0, 1, 0]));
    expect(out!.arraySync()).toEqual([[[1, 2]], [[0, 0]], [[5, 6]]]);
    expect(() => maskStateAtStarts([h], tf.tensor1d([0, 1]))).toThrow('starts must have one entry per env: got 2');
  });
});
