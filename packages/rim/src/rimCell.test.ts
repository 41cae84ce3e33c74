import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-node do); the tests train on it alone.
import { maskStateAtStarts } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { RIMCell, type RIMCellArgs } from './rimCell.js';
import { RIMCore } from './rimCore.js';
import { RIMLayer } from './rimLayer.js';
import { topKMask } from './topKMask.js';

const small = (over: Partial<RIMCellArgs> = {}): RIMCellArgs => ({
  inputSize: 5,
  hiddenSize: 6,
  units: 4,
  k: 2,
  inputKeySize: 8,
  inputValueSize: 7,
  commKeySize: 4,
  numCommHeads: 2,
  seed: 3,
  ...over,
});
const randomState = (cell: RIMCell, B: number, seed: number) => {
  const shape = [B, cell.units, cell.hiddenSize];
  const h = tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor3D;
  return cell.kind === 'lstm' ? { h, c: tf.randomNormal(shape, 0, 1, 'float32', seed + 1) as tf.Tensor3D } : { h };
};
const maxAbs = (a: tf.Tensor) => tf.max(tf.abs(a)).arraySync() as number;

describe('RIMCell step', () => {
  const cases = [
    { cell: 'lstm', N: 1, heads: 1 },
    { cell: 'lstm', N: 3, heads: 4 },
    { cell: 'gru', N: 1, heads: 4 },
    { cell: 'gru', N: 3, heads: 1 },
  ] as const;
  it.each(cases)('$cell, N=$N, $heads input heads: shapes and exactly k active units per row', ({ cell: kind, N, heads }) => {
    const cell = new RIMCell(small({ cell: kind, numInputHeads: heads }));
    const B = 5;
    const x = tf.randomNormal([B, N, 5], 0, 1, 'float32', 1) as tf.Tensor3D;
    const r = cell.step(x, randomState(cell, B, 2), { training: true });
    expect(r.h.shape).toEqual([B, 4, 6]);
    expect(r.c?.shape).toEqual(kind === 'lstm' ? [B, 4, 6] : undefined);
    expect(r.attention.shape).toEqual([B, 4, N + 1]);
    expect(tf.sum(r.mask, 1).arraySync()).toEqual([2, 2, 2, 2, 2]);
    expect(maxAbs(tf.sub(tf.sum(r.attention, 2), 1))).toBeLessThan(1e-5);
    cell.dispose();
  });

  it('inactive units keep h and c bit-exactly; active ones change', () => {
    const cell = new RIMCell(small({ units: 5, k: 2 }));
    const B = 6;
    const state = randomState(cell, B, 4);
    const r = cell.step(tf.randomNormal([B, 1, 5], 0, 1, 'float32', 5) as tf.Tensor3D, state, { training: true });
    const mask = r.mask.arraySync();
    const [h0, c0, h1, c1] = [state.h.arraySync(), state.c!.arraySync(), r.h.arraySync(), r.c!.arraySync()];
    for (let b = 0; b < B; b++) {
      for (let u = 0; u < 5; u++) {
        if (mask[b]![u] === 0) {
          expect(h1[b]![u]).toEqual(h0[b]![u]);
          expect(c1[b]![u]).toEqual(c0[b]![u]);
        } else {
          expect(h1[b]![u]).not.toEqual(h0[b]![u]);
        }
      }
    }
    cell.dispose();
  });

  it('blocks the gradient into inactive units’ cells while their previous state still gets one', () => {
    const cell = new RIMCell(small({ units: 4, k: 2, inputDropout: 0, commDropout: 0 }));
    const x = tf.randomNormal([1, 1, 5], 0, 1, 'float32', 6) as tf.Tensor3D;
    const { h, c } = randomState(cell, 1, 7);
    const wh = tf.randomNormal([1, 4, 6], 0, 1, 'float32', 8);
    const wc = tf.randomNormal([1, 4, 6], 0, 1, 'float32', 9);
    const loss = (hIn: tf.Tensor, cIn: tf.Tensor) => {
      const r = cell.step(x, { h: hIn as tf.Tensor3D, c: cIn as tf.Tensor3D }, { training: false });
      return tf.add(tf.sum(tf.mul(r.h, wh)), tf.sum(tf.mul(r.c!, wc))) as tf.Scalar;
    };
    const mask = cell.step(x, { h, c: c! }, { training: false }).mask.arraySync()[0]!;
    const inactive = mask.flatMap((m, u) => (m === 0 ? [u] : []));
    const active = mask.flatMap((m, u) => (m === 1 ? [u] : []));
    expect(inactive).toHaveLength(2);
    // Gradients into the cell weights of each unit.
    const { grads } = tf.variableGrads(() => loss(h, c!), [cell.cell.kernel, cell.cell.recurrentKernel, cell.cell.bias]);
    for (const g of Object.values(grads)) {
      const perUnit = tf.sum(tf.abs(g), g.rank === 3 ? [1, 2] : [1]).arraySync() as number[];
      inactive.forEach((u) => expect(perUnit[u]).toBe(0));
      active.forEach((u) => expect(perUnit[u]).toBeGreaterThan(0));
    }
    // Their previous state still gets gradient: c' = c for inactive units, so dL/dc = wc there exactly.
    const [gh, gc] = tf.grads(loss)([h, c!]);
    const gcRows = gc!.arraySync()[0]!;
    const wcRows = (wc.arraySync() as number[][][])[0]!;
    inactive.forEach((u) => expect(gcRows[u]).toEqual(wcRows[u]));
    inactive.forEach((u) => expect(maxAbs(tf.slice(gh!, [0, u, 0], [1, 1, 6]))).toBeGreaterThan(0));
    cell.dispose();
  });

  it('matches central finite differences of the input and a weight (float32 tolerance)', () => {
    const cell = new RIMCell(small({ cell: 'lstm', numInputHeads: 2, inputDropout: 0, commDropout: 0 }));
    const state = randomState(cell, 2, 10);
    const w = tf.randomNormal([2, 4, 6], 0, 1, 'float32', 11);
    const x0 = tf.randomNormal([2, 2, 5], 0, 1, 'float32', 12) as tf.Tensor3D;
    const f = (x: tf.Tensor) => {
      const r = cell.step(x as tf.Tensor3D, state, { training: false });
      return tf.add(tf.sum(tf.mul(r.h, w)), tf.sum(r.c!)) as tf.Scalar;
    };
    const maskOf = (x: tf.Tensor) => cell.step(x as tf.Tensor3D, state, { training: false }).mask.arraySync();
    const analytic = tf.grad(f)(x0).arraySync() as number[][][];
    const eps = 1e-2;
    const base = x0.arraySync();
    let checked = 0;
    for (const [b, n, d] of [[0, 0, 0], [0, 1, 3], [1, 0, 2], [1, 1, 4], [0, 0, 4], [1, 1, 1]] as const) {
      const plus = structuredClone(base);
      const minus = structuredClone(base);
      plus[b]![n]![d]! += eps;
      minus[b]![n]![d]! -= eps;
      const [xp, xm] = [tf.tensor3d(plus), tf.tensor3d(minus)];
      // The top-k selection is piecewise constant: skip a coordinate whose nudge flips it.
      if (JSON.stringify(maskOf(xp)) !== JSON.stringify(maskOf(xm))) continue;
      const numeric = ((f(xp).arraySync() as number) - (f(xm).arraySync() as number)) / (2 * eps);
      const a = analytic[b]![n]![d]!;
      expect(Math.abs(numeric - a)).toBeLessThan(2e-3 + 2e-2 * Math.abs(a));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    // One weight coordinate, through the query path.
    const wq = cell.inputQuery.kernel;
    const g = tf.variableGrads(() => f(x0), [wq]).grads[wq.name]!.arraySync() as number[][][];
    const orig = wq.arraySync() as number[][][];
    const at = (delta: number) => {
      const m = structuredClone(orig);
      m[1]![2]![3]! += delta;
      wq.assign(tf.tensor3d(m));
      return f(x0).arraySync() as number;
    };
    const numeric = (at(eps) - at(-eps)) / (2 * eps);
    wq.assign(tf.tensor3d(orig));
    expect(Math.abs(numeric - g[1]![2]![3]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(g[1]![2]![3]!));
    cell.dispose();
  });

  it('the two selection rules agree with a zero key bias and can differ with a large one', () => {
    const a = new RIMCell(small({ units: 6, k: 3, selection: 'null-attention' }));
    const b = new RIMCell(small({ units: 6, k: 3, selection: 'real-logit' }));
    const B = 32;
    const x = tf.randomNormal([B, 1, 5], 0, 1, 'float32', 13) as tf.Tensor3D;
    const state = randomState(a, B, 14);
    const masks = () => [a, b].map((c) => c.step(x, state, { training: false }).mask.arraySync());
    const weights = a.getWeights();
    weights['inputQuery.kernel'] = tf.randomNormal([6, 6, 8], 0, 1, 'float32', 15);
    weights['inputKey.bias'] = tf.zeros([8]);
    a.setWeights(weights);
    b.setWeights(weights);
    const [m1, m2] = masks();
    expect(m2).toEqual(m1);
    weights['inputKey.bias'] = tf.randomNormal([8], 0, 5, 'float32', 16);
    a.setWeights(weights);
    b.setWeights(weights);
    const [m3, m4] = masks();
    expect(m4).not.toEqual(m3);
    a.dispose();
    b.dispose();
  });

  it('rejects bad arguments and inputs with clear errors', () => {
    expect(() => new RIMCell(small({ k: 0 }))).toThrow('k must be an integer in 1..units (got k=0, units=4)');
    expect(() => new RIMCell(small({ k: 5 }))).toThrow('k must be an integer in 1..units (got k=5, units=4)');
    expect(() => new RIMCell(small({ hiddenSize: 0 }))).toThrow('hiddenSize must be a positive integer (got 0)');
    expect(() => new RIMCell(small({ units: -1 }))).toThrow('units must be a positive integer (got -1)');
    expect(() => new RIMCell(small({ commValueSize: 3 }))).toThrow('commValueSize must equal hiddenSize (got commValueSize=3, hiddenSize=6)');
    const cell = new RIMCell(small());
    const state = cell.initialState(2);
    expect(() => cell.step(tf.zeros([2, 1, 4]) as tf.Tensor3D, state, { training: false })).toThrow(
      'RIMCell: input x [B, N, D] must have shape [B,B,5] (got [2,1,4])',
    );
    expect(() => cell.step(tf.zeros([2, 1, 5]) as tf.Tensor3D, { h: tf.zeros([2, 4, 5]), c: state.c! }, { training: false })).toThrow(
      'RIMCell: state h must have shape [2,4,6] (got [2,4,5])',
    );
    expect(() => cell.step(tf.zeros([2, 1, 5]) as tf.Tensor3D, { h: state.h }, { training: false })).toThrow(
      'RIMCell: state c is required for the LSTM cell',
    );
    cell.dispose();
  });
});

describe('RIMCell sequence', () => {
  it('GRU, N=2: equals repeated step with resets, state and diagnostics included', () => {
    const cell = new RIMCell(small({ cell: 'gru', numInputHeads: 2 }));
    const [T, B] = [4, 3];
    const xs = tf.randomNormal([T, B, 2, 5], 0, 1, 'float32', 50) as tf.Tensor4D;
    const starts = tf.tensor2d([[0, 0, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]]);
    const state0 = randomState(cell, B, 51);
    const seq = cell.sequence(xs, state0, starts, { training: false });
    let h = state0.h;
    const keep = tf.sub(1, starts);
    for (let t = 0; t < T; t++) {
      h = tf.mul(h, tf.reshape(tf.slice(keep, [t, 0], [1, B]), [B, 1, 1])) as tf.Tensor3D;
      const r = cell.step(tf.squeeze(tf.slice(xs, [t], [1]), [0]) as tf.Tensor3D, { h }, { training: false });
      expect(maxAbs(tf.sub(tf.squeeze(tf.slice(seq.hs, [t], [1]), [0]), r.h))).toBeLessThan(1e-5);
      expect(tf.squeeze(tf.slice(seq.mask, [t], [1]), [0]).arraySync()).toEqual(r.mask.arraySync());
      expect(maxAbs(tf.sub(tf.squeeze(tf.slice(seq.attention, [t], [1]), [0]), r.attention))).toBeLessThan(1e-6);
      h = r.h;
    }
    expect(maxAbs(tf.sub(seq.state.h, h))).toBeLessThan(1e-5);
    expect(seq.state.c).toBeUndefined();
    expect(() => cell.sequence(xs, state0, tf.zeros([T + 1, B]) as tf.Tensor2D, { training: false })).toThrow(
      `RIMCell: starts [T, B] must have shape [${T},${B}] (got [${T + 1},${B}])`,
    );
    cell.dispose();
  });

  it('dropout acts only in training: without it, training equals eval; with it, they differ', () => {
    const B = 4;
    const xs = tf.randomNormal([3, B, 1, 5], 0, 1, 'float32', 52) as tf.Tensor4D;
    const run = (cell: RIMCell, training: boolean) => cell.sequence(xs, randomState(cell, B, 53), null, { training }).hs;
    const off = new RIMCell(small({ inputDropout: 0, commDropout: 0 }));
    expect(run(off, true).arraySync()).toEqual(run(off, false).arraySync());
    const on = new RIMCell(small({ inputDropout: 0.5, commDropout: 0.5 }));
    expect(run(on, false).arraySync()).toEqual(run(off, false).arraySync());
    expect(maxAbs(tf.sub(run(on, true), run(on, false)))).toBeGreaterThan(1e-4);
    off.dispose();
    on.dispose();
  });
});

describe('RIMCell cellBias: false (the reference group cells have none)', () => {
  it.each(['lstm', 'gru'] as const)('%s: no bias variables, same kernels as with them, trains, rebuilds from config', (kind) => {
    // No dropout, so training (the SequenceLinear path) and eval can both be compared exactly.
    const args = (over: Partial<RIMCellArgs> = {}) => small({ cell: kind, inputDropout: 0, commDropout: 0, ...over });
    const withBias = new RIMCell(args());
    const without = new RIMCell(args({ cellBias: false }));
    const names = (c: RIMCell) => Object.keys(c.namedVariables()).filter((n) => n.startsWith('cell.'));
    expect(names(without)).toEqual(['cell.kernel', 'cell.recurrentKernel']);
    expect(names(withBias)).toEqual(kind === 'lstm' ? ['cell.kernel', 'cell.recurrentKernel', 'cell.bias'] : ['cell.kernel', 'cell.recurrentKernel', 'cell.bias', 'cell.recurrentBias']);
    expect(without.trainableVariables()).toHaveLength(withBias.trainableVariables().length - (kind === 'lstm' ? 1 : 2));
    // The bias is drawn after the kernels, so the same seed gives the same kernels.
    for (const n of ['cell.kernel', 'cell.recurrentKernel', 'inputKey.kernel', 'commOutput.kernel'])
      expect(without.namedVariables()[n]!.arraySync()).toEqual(withBias.namedVariables()[n]!.arraySync());
    // Equal to the biased cell with its biases zeroed, in training (SequenceLinear path) and eval.
    const zeroed = new RIMCell(args());
    const weights = { ...without.getWeights(), 'cell.bias': tf.zeros(withBias.cell.bias!.shape) };
    if (kind === 'gru') weights['cell.recurrentBias'] = tf.zeros(withBias.cell.bias!.shape);
    zeroed.setWeights(weights);
    const xs = tf.randomNormal([3, 2, 1, 5], 0, 1, 'float32', 60) as tf.Tensor4D;
    const state = randomState(without, 2, 61);
    for (const training of [false, true]) {
      const a = without.sequence(xs, state, null, { training }).hs;
      const b = zeroed.sequence(xs, state, null, { training }).hs;
      expect(maxAbs(tf.sub(a, b))).toBeLessThan(1e-6);
    }
    // Gradients reach both kernels with no bias variable to train.
    const { grads } = tf.variableGrads(() => tf.sum(without.sequence(xs, state, null, { training: true }).hs) as tf.Scalar, without.trainableVariables());
    expect(Object.keys(grads)).toHaveLength(without.trainableVariables().length);
    expect(maxAbs(grads[without.cell.kernel.name]!)).toBeGreaterThan(0);
    // Saved in the config, so a loaded run rebuilds it; absent unless given (older configs unchanged).
    expect(without.config().cellBias).toBe(false);
    expect('cellBias' in withBias.config()).toBe(false);
    const rebuilt = new RIMCell(without.config());
    expect(names(rebuilt)).toEqual(names(without));
    expect(() => withBias.setWeights(without.getWeights())).toThrow(/cell\.bias/);
    expect(() => new RIMCell(small({ cellBias: 'no' as unknown as boolean }))).toThrow('cellBias must be true or false (got "no")');
    for (const c of [withBias, without, zeroed, rebuilt]) c.dispose();
  });
});

describe('topKMask', () => {
  it('selects the k highest and breaks ties toward the lowest unit index', () => {
    const m = topKMask(tf.tensor2d([[0.1, 0.9, 0.5, 0.7], [0, 0, 0, 0], [1, 2, 2, 1]]), 2);
    expect(m.arraySync()).toEqual([[0, 1, 0, 1], [1, 1, 0, 0], [0, 1, 1, 0]]);
  });
});

describe('RIMCore', () => {
  const T = 5;
  const B = 3;
  const args = { ...small({ cell: 'lstm', inputDropout: 0, commDropout: 0 }), numElements: 2 };
  const xs = () => tf.randomNormal([T, B, 2, 5], 0, 1, 'float32', 21) as tf.Tensor4D;

  it('sequence equals repeated step with resets, with per-step diagnostics', () => {
    const core = new RIMCore(args);
    const state0 = core.initialState(B).map((s, i) => tf.randomNormal(s.shape, 0, 1, 'float32', 30 + i));
    const starts = tf.tensor2d([[0, 1, 0], [0, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 1]]);
    const x = xs();
    const seq = core.sequence(x, state0, starts, { training: false });
    expect(seq.outputs.shape).toEqual([T, B, 24]);
    expect(seq.diagnostics!.activeMask!.shape).toEqual([T, B, 4]);
    expect(seq.diagnostics!.inputAttention!.shape).toEqual([T, B, 4, 3]);
    let state = state0;
    const xsT = tf.unstack(x);
    const rows = tf.unstack(starts) as tf.Tensor1D[];
    for (let t = 0; t < T; t++) {
      state = maskStateAtStarts(state, rows[t]!);
      const r = core.step(xsT[t] as tf.Tensor3D, state, { training: false });
      expect(maxAbs(tf.sub(tf.reshape(tf.slice(seq.outputs, [t], [1]), [B, 24]), r.output))).toBeLessThan(1e-5);
      state = r.state;
    }
    core.dispose();
  });

  it('starts = 1 zeroes exactly those envs’ state', () => {
    const core = new RIMCore(args);
    const x = xs();
    const noisy = core.initialState(B).map((s, i) => tf.randomNormal(s.shape, 0, 1, 'float32', 40 + i));
    const fromZero = core.sequence(x, core.initialState(B), tf.zeros([T, B]), { training: false }).outputs;
    const starts = tf.tensor2d([[0, 1, 0], ...Array.from({ length: T - 1 }, () => [0, 0, 0])]);
    const reset = core.sequence(x, noisy, starts, { training: false }).outputs;
    const env = (o: tf.Tensor, b: number) => tf.slice(o, [0, b, 0], [T, 1, 24]);
    expect(maxAbs(tf.sub(env(reset, 1), env(fromZero, 1)))).toBe(0);
    expect(maxAbs(tf.sub(env(reset, 0), env(fromZero, 0)))).toBeGreaterThan(1e-3);
    expect(maxAbs(tf.sub(env(reset, 2), env(fromZero, 2)))).toBeGreaterThan(1e-3);
    core.dispose();
  });

  it('round-trips config and weights, and keeps the tensor count flat', () => {
    const a = new RIMCore(args);
    const b = new RIMCore(a.config() as unknown as typeof args);
    expect(b.getWeights()['cell.kernel']!.arraySync()).toEqual(a.getWeights()['cell.kernel']!.arraySync());
    const x = xs();
    const starts = tf.zeros([T, B]) as tf.Tensor2D;
    const run = () => {
      const s0 = a.initialState(B);
      const r = a.sequence(x, s0, starts, { training: true });
      tf.dispose([r.outputs, ...r.state, ...Object.values(r.diagnostics ?? {}), ...s0]);
    };
    run();
    const before = tf.memory().numTensors;
    run();
    run();
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    b.dispose();
  });
});

describe('RIMLayer', () => {
  it('stacks layers and directions into [T, B, dirs·U·H] with a final state per layer and direction', () => {
    const layer = new RIMLayer({ ...small(), numLayers: 2, bidirectional: true });
    const xs = tf.randomNormal([4, 3, 5], 0, 1, 'float32', 50) as tf.Tensor3D;
    const { outputs, states } = layer.apply(xs, undefined, { training: false });
    expect(outputs.shape).toEqual([4, 3, 48]);
    expect(states).toHaveLength(4);
    expect(states[3]!.h.shape).toEqual([3, 4, 6]);
    // The backward direction's output at t = 0 is its last step: its final h.
    const lastBackward = tf.reshape(states[3]!.h, [3, 24]);
    const first = tf.reshape(tf.slice(outputs, [0, 0, 24], [1, 3, 24]), [3, 24]);
    expect(maxAbs(tf.sub(first, lastBackward))).toBe(0);
    layer.dispose();
  });
});
