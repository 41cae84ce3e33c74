import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { coreFromConfig, registerCore, registeredCores } from './index.js';
import { FNNCore } from './fnnCore.js';
import { GRUCore } from './gruCore.js';
import { LSTMCore } from './lstmCore.js';

describe('core registry', () => {
  it('rebuilds the built-in cores from their config, with the same sizes', () => {
    for (const core of [
      new LSTMCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
      new GRUCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
      new FNNCore({ inputSize: 3, numElements: 2, hiddenSize: 5, seed: 3 }),
    ]) {
      const copy = coreFromConfig(core.config());
      expect([copy.constructor.name, copy.config()]).toEqual([core.constructor.name, core.config()]);
      const weights = core.getWeights();
      copy.setWeights(weights);
      tf.dispose(Object.values(weights));
      copy.dispose();
      core.dispose();
    }
  });

  it('names the package to import for an unregistered plugin core, and registerCore for an unknown one', () => {
    expect(registeredCores()).toEqual(expect.arrayContaining(['fnn', 'gru', 'lstm']));
    expect(() => coreFromConfig({ name: 'rim', units: 4 })).toThrow(new Error("core 'rim' is not registered: import '@mempo/rim' before loadAgent"));
    expect(() => coreFromConfig({ name: 'mine' })).toThrow(new Error("core 'mine' is not registered: call registerCore('mine', …) before loadAgent"));
    registerCore('mine', (config) => new FNNCore({ inputSize: Number(config['inputSize']), hiddenSize: 2 }));
    const mine = coreFromConfig({ name: 'mine', inputSize: 3 });
    expect(mine.inputShape).toEqual([1, 3]);
    mine.dispose();
  });
});
