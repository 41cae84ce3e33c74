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
import type { MemoryCore } from './memoryCore.js';
import { MultiHeadAttention } from './multiHeadAttention.js';

interface Weighted {
  getWeights(): Record<string, tf.Tensor>;
  setWeights(weights: Record<string, tf.Tensor>): void;
  dispose(): void;
}

const values = (weights: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, w.arraySync()]));

/** Disposes what getWeights returned; the module must keep its weights and stay usable (MemoryCore's rule). */
function expectCopies(module: Weighted, use: () => tf.Tensor | tf.Tensor[]): void {
  const first = module.getWeights();
  const before = values(first);
  tf.dispose(Object.values(first));
  const again = module.getWeights();
  expect(values(again)).toEqual(before);
  const count = tf.memory().numTensors;
  module.setWeights(again);
  // setWeights keeps no tensor of its own beyond the variables it assigns.
  expect(tf.memory().numTensors).toBe(count);
  tf.dispose(Object.values(again));
  tf.dispose(use());
  module.dispose();
}

const step = (core: MemoryCore) => () => {
  const x = tf.ones([2, 2, 3]) as tf.Tensor3D;
  const state = core.initialState(2);
  const out = core.step(x, state, { training: false });
  tf.dispose([x, ...state]);
  return [out.output, ...out.state];
};

describe('getWeights returns copies the caller disposes', () => {
  it('Dense, GroupLinear and MultiHeadAttention', () => {
    const dense = new Dense({ inputSize: 3, outputSize: 2, seed: 1 });
    expectCopies(dense, () => tf.tidy(() => dense.apply(tf.ones([1, 3]))));
    const group = new GroupLinear({ units: 2, inputSize: 3, outputSize: 4, bias: true, seed: 1 });
    expectCopies(group, () => []);
    const mha = new MultiHeadAttention({ queryInputSize: 4, keyInputSize: 3, numHeads: 2, keySize: 2, valueSize: 2 });
    expectCopies(mha, () => []);
  });

  it('LSTM, GRU and grouped cells', () => {
    for (const cell of [
      new LSTMCell({ inputSize: 3, hiddenSize: 4, seed: 1 }),
      new GRUCell({ inputSize: 3, hiddenSize: 4, seed: 1 }),
      new GroupLSTMCell({ units: 2, inputSize: 3, hiddenSize: 4, seed: 1 }),
      new GroupGRUCell({ units: 2, inputSize: 3, hiddenSize: 4, seed: 1 }),
    ])
      expectCopies(cell, () => []);
  });

  it('the LSTM, GRU and FNN cores, which still step afterwards', () => {
    for (const core of [
      new LSTMCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
      new GRUCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
      new FNNCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
    ])
      expectCopies(core, step(core));
  });
});
