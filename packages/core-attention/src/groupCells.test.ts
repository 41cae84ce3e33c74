import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GroupGRUCell } from './groupGruCell.js';
import { GroupLSTMCell } from './groupLstmCell.js';
import { GRUCell } from './gruCell.js';
import { LSTMCell } from './lstmCell.js';

const maxAbs = (a: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(a)).arraySync() as number);
/** Unit u of a `[U, …]` weight, or of a `[B, U, …]` activation when `axis` is 1. */
const unitOf = (t: tf.Tensor, u: number, axis = 0): tf.Tensor =>
  tf.squeeze(tf.slice(t, t.shape.map((_, i) => (i === axis ? u : 0)), t.shape.map((d, i) => (i === axis ? 1 : d))), [axis]);

/** Unit u's slice of every weight of a group cell, by name: the weights of the equivalent single cell. */
const unitWeights = (group: GroupLSTMCell | GroupGRUCell, u: number): Record<string, tf.Tensor> =>
  Object.fromEntries(Object.entries(group.namedVariables()).map(([name, w]) => [name, unitOf(w, u)]));

const [B, U, IN, H] = [3, 4, 5, 6];

describe('group cells equal U independent ordinary cells', () => {
  it('GroupLSTMCell: each unit is an LSTMCell with that unit’s weights', () => {
    const group = new GroupLSTMCell({ units: U, inputSize: IN, hiddenSize: H, seed: 1 });
    const x = tf.randomNormal([B, U, IN], 0, 1, 'float32', 2) as tf.Tensor3D;
    const h0 = tf.randomNormal([B, U, H], 0, 1, 'float32', 3) as tf.Tensor3D;
    const c0 = tf.randomNormal([B, U, H], 0, 1, 'float32', 4) as tf.Tensor3D;
    const { h, c } = group.step(x, { h: h0, c: c0 });
    const single = new LSTMCell({ inputSize: IN, hiddenSize: H, seed: 9 });
    for (let u = 0; u < U; u++) {
      single.setWeights(unitWeights(group, u));
      const r = single.step(unitOf(x, u, 1) as tf.Tensor2D, { h: unitOf(h0, u, 1) as tf.Tensor2D, c: unitOf(c0, u, 1) as tf.Tensor2D });
      expect(maxAbs(tf.sub(unitOf(h, u, 1), r.h))).toBeLessThan(1e-6);
      expect(maxAbs(tf.sub(unitOf(c, u, 1), r.c))).toBeLessThan(1e-6);
    }
    // The units differ from each other, so the comparison above is not trivially satisfied.
    expect(maxAbs(tf.sub(unitOf(group.kernel, 0), unitOf(group.kernel, 1)))).toBeGreaterThan(0);
    group.dispose();
    single.dispose();
  });

  it('GroupGRUCell: each unit is a GRUCell (reset-after) with that unit’s weights', () => {
    const group = new GroupGRUCell({ units: U, inputSize: IN, hiddenSize: H, seed: 5 });
    const x = tf.randomNormal([B, U, IN], 0, 1, 'float32', 6) as tf.Tensor3D;
    const h0 = tf.randomNormal([B, U, H], 0, 1, 'float32', 7) as tf.Tensor3D;
    const h = group.step(x, h0);
    const single = new GRUCell({ inputSize: IN, hiddenSize: H, seed: 9 });
    for (let u = 0; u < U; u++) {
      single.setWeights(unitWeights(group, u));
      const r = single.step(unitOf(x, u, 1) as tf.Tensor2D, unitOf(h0, u, 1) as tf.Tensor2D);
      expect(maxAbs(tf.sub(unitOf(h, u, 1), r))).toBeLessThan(1e-6);
    }
    group.dispose();
    single.dispose();
  });

  it('reject mis-shaped inputs and states with the expected shape', () => {
    const lstm = new GroupLSTMCell({ units: U, inputSize: IN, hiddenSize: H, seed: 1 });
    const gru = new GroupGRUCell({ units: U, inputSize: IN, hiddenSize: H, seed: 1 });
    const x = tf.zeros([B, U, IN]) as tf.Tensor3D;
    const s = tf.zeros([B, U, H]) as tf.Tensor3D;
    expect(() => lstm.step(tf.zeros([B, U + 1, IN]) as tf.Tensor3D, { h: s, c: s })).toThrow(
      `GroupLSTMCell: x must have shape [B,${U},${IN}] (got [${B},${U + 1},${IN}])`,
    );
    expect(() => lstm.step(x, { h: s, c: tf.zeros([B, U, H + 1]) as tf.Tensor3D })).toThrow(
      `GroupLSTMCell: c must have shape [${B},${U},${H}] (got [${B},${U},${H + 1}])`,
    );
    expect(() => gru.step(x, tf.zeros([B + 1, U, H]) as tf.Tensor3D)).toThrow(
      `GroupGRUCell: h must have shape [${B},${U},${H}] (got [${B + 1},${U},${H}])`,
    );
    lstm.dispose();
    gru.dispose();
  });
});
