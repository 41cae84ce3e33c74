import * as tf from '@tensorflow/tfjs-core';
import { coreFromConfig } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { RIMCell, RIMCore } from './index.js';

const values = (weights: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, w.arraySync()]));

const args = { inputSize: 5, hiddenSize: 6, units: 4, k: 2, inputKeySize: 8, inputValueSize: 7, commKeySize: 4, numCommHeads: 2, seed: 3 };

describe('RIM weights', () => {
  it('getWeights returns copies: disposing them leaves the cell and the core usable', () => {
    const cell = new RIMCell(args);
    const core = new RIMCore({ ...args, numElements: 3 });
    for (const module of [cell, core]) {
      const first = module.getWeights();
      const before = values(first);
      tf.dispose(Object.values(first));
      const again = module.getWeights();
      expect(values(again)).toEqual(before);
      module.setWeights(again);
      tf.dispose(Object.values(again));
    }
    const x = tf.ones([2, 3, 5]) as tf.Tensor3D;
    const state = core.initialState(2);
    const out = core.step(x, state, { training: false });
    expect(out.output.shape).toEqual([2, 24]);
    tf.dispose([x, ...state, out.output, ...out.state, ...Object.values(out.diagnostics ?? {})]);
    cell.dispose();
    core.dispose();
  });

  it('registers itself: importing @mempo/rim makes coreFromConfig rebuild a RIMCore from its config', () => {
    const core = new RIMCore({ ...args, numElements: 3, cell: 'gru' });
    const copy = coreFromConfig(core.config());
    expect(copy).toBeInstanceOf(RIMCore);
    expect(copy.config()).toEqual(core.config());
    const weights = core.getWeights();
    copy.setWeights(weights);
    tf.dispose(Object.values(weights));
    copy.dispose();
    core.dispose();
  });
});
