import * as tf from '@tensorflow/tfjs-core';
import { coreFromConfig } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { IAMDynamicCore, IAMStaticCore, InfluenceAttention } from './index.js';

const values = (weights: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, w.arraySync()]));

const cores = () => [
  new IAMStaticCore({ inputSize: 4, numElements: 2, dSet: [0, 3, 5], fnnSizes: [6], hiddenSize: 5, seed: 3 }),
  new IAMDynamicCore({ numRegions: 9, regionSize: 8, attentionSize: 16, hiddenSize: 12, heads: 2, seed: 3 }),
];

describe('IAM weights', () => {
  it('getWeights returns copies: disposing them leaves the attention and both cores usable', () => {
    const attention = new InfluenceAttention({ numRegions: 9, regionSize: 8, querySize: 12, attentionSize: 16, seed: 1 });
    for (const module of [attention, ...cores()]) {
      const first = module.getWeights();
      const before = values(first);
      tf.dispose(Object.values(first));
      const again = module.getWeights();
      expect(values(again)).toEqual(before);
      module.setWeights(again);
      tf.dispose(Object.values(again));
      if (!(module instanceof InfluenceAttention)) {
        const x = tf.ones([2, ...module.inputShape]) as tf.Tensor3D;
        const state = module.initialState(2);
        const out = module.step(x, state, { training: false });
        expect(out.output.shape).toEqual([2, module.outputSize]);
        tf.dispose([x, ...state, out.output, ...out.state, ...Object.values(out.diagnostics ?? {})]);
      }
      module.dispose();
    }
  });

  it('registers itself: importing @mempo/iam makes coreFromConfig rebuild both variants', () => {
    for (const core of cores()) {
      const copy = coreFromConfig(core.config());
      expect([copy.constructor.name, copy.config()]).toEqual([core.constructor.name, core.config()]);
      copy.dispose();
      core.dispose();
    }
  });
});
