import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Dense } from './dense.js';
import { FNNCore } from './fnnCore.js';
import { GroupGRUCell } from './groupGruCell.js';
import { GroupLinear } from './groupLinear.js';
import { GroupLSTMCell } from './groupLstmCell.js';
import { GRUCell } from './gruCell.js';
import { GRUCore } from './gruCore.js';
import { LSTMCell } from './lstmCell.js';
import { LSTMCore } from './lstmCore.js';
import { MultiHeadAttention } from './multiHeadAttention.js';
import type { WeightedModule } from './weightedModule.js';

/** Every module built on WeightedModule, with the owner its `setWeights` errors must name. */
const modules: [string, (seed: number) => WeightedModule][] = [
  ['Dense', (seed) => new Dense({ inputSize: 3, outputSize: 4, seed })],
  ['GroupLinear', (seed) => new GroupLinear({ units: 2, inputSize: 3, outputSize: 4, bias: true, seed })],
  ['LSTMCell', (seed) => new LSTMCell({ inputSize: 3, hiddenSize: 4, seed })],
  ['GRUCell', (seed) => new GRUCell({ inputSize: 3, hiddenSize: 4, seed })],
  ['GroupLSTMCell', (seed) => new GroupLSTMCell({ units: 2, inputSize: 3, hiddenSize: 4, seed })],
  ['GroupGRUCell', (seed) => new GroupGRUCell({ units: 2, inputSize: 3, hiddenSize: 4, seed })],
  [
    'MultiHeadAttention',
    (seed) => new MultiHeadAttention({ queryInputSize: 3, keyInputSize: 5, numHeads: 2, keySize: 2, valueSize: 3, seed }),
  ],
  ['LSTMCore', (seed) => new LSTMCore({ inputSize: 3, numElements: 2, hiddenSize: 4, seed })],
  ['GRUCore', (seed) => new GRUCore({ inputSize: 3, hiddenSize: 4, seed })],
  ['FNNCore', (seed) => new FNNCore({ inputSize: 3, hiddenSize: 4, seed })],
];

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).arraySync() as number);

describe.each(modules)('%s as a WeightedModule', (owner, make) => {
  it('getWeights → setWeights copies every weight into a differently seeded twin', () => {
    const [a, b] = [make(1), make(2)];
    const wa = a.getWeights();
    const before = b.getWeights();
    expect(Object.keys(before)).toEqual(Object.keys(wa));
    // Different seeds give different weights, so the copy below is not trivially satisfied.
    expect(Math.max(...Object.keys(wa).map((n) => maxAbsDiff(wa[n]!, before[n]!)))).toBeGreaterThan(0);
    b.setWeights(wa);
    const after = b.getWeights();
    for (const n of Object.keys(wa)) expect(maxAbsDiff(after[n]!, wa[n]!)).toBe(0);
    tf.dispose([...Object.values(wa), ...Object.values(before), ...Object.values(after)]);
    a.dispose();
    b.dispose();
  });

  it('setWeights errors name the class; dispose frees every variable', () => {
    const start = tf.memory().numTensors;
    const m = make(3);
    const w = m.getWeights();
    const [first] = Object.keys(w);
    expect(() => m.setWeights({ ...w, extra: tf.zeros([1]) })).toThrow(`${owner}.setWeights: unknown weight 'extra'`);
    expect(() => m.setWeights({ ...w, [first!]: tf.zeros([7]) })).toThrow(`${owner}.setWeights: weight '${first!}' must have shape`);
    tf.dispose(Object.values(w));
    m.dispose();
    // The two zeros built inline above are the only tensors left behind by this test.
    expect(tf.memory().numTensors).toBe(start + 2);
  });
});
