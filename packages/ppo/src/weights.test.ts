import * as tf from '@tensorflow/tfjs-core';
import { LSTMCore } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { ActorCritic } from './actorCritic.js';
import { Adam } from './adam.js';
import { encoderFromConfig } from './encoderFromConfig.js';
import { ActorCriticHeads } from './heads.js';
import { MinigridConvEncoder } from './minigridConvEncoder.js';
import { MlpEncoder } from './mlpEncoder.js';
import { NatureCnnEncoder } from './natureCnnEncoder.js';

const values = (weights: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, w.arraySync()]));

const encoders = () => [
  new MlpEncoder({ obsShape: [3], hiddenSizes: [4, 5], activation: 'relu', seed: 2 }),
  new MinigridConvEncoder({ seed: 2 }),
  new NatureCnnEncoder({ stack: 2, output: 'flat', seed: 2 }),
];

describe('ppo weights', () => {
  it('getWeights of encoders, heads and the agent returns copies: disposing them leaves each module usable', () => {
    const mlp = new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 });
    const agent = new ActorCritic({ encoder: mlp, core: new LSTMCore({ inputSize: 8, hiddenSize: 4, seed: 1 }), numActions: 3, seed: 1 });
    const modules = [...encoders(), new ActorCriticHeads({ inputSize: 4, numActions: 3, seed: 1 }), agent];
    for (const module of modules) {
      const first = module.getWeights();
      const before = values(first);
      tf.dispose(Object.values(first));
      const again = module.getWeights();
      expect(values(again)).toEqual(before);
      module.setWeights(again);
      tf.dispose(Object.values(again));
    }
    const obs = tf.ones([2, 3]);
    const starts = tf.ones([2]) as tf.Tensor1D;
    const state = agent.core.initialState(2);
    const out = agent.step(obs, state, starts, false);
    expect(out.logits.shape).toEqual([2, 3]);
    tf.dispose([obs, starts, ...state, out.logits, out.values, ...out.state]);
    modules.forEach((m) => m.dispose());
  });

  it("Adam's getState returns copies of the moments", () => {
    const w = tf.variable(tf.ones([2]));
    const adam = new Adam({ variables: [w], epsilon: 1e-8 });
    const first = adam.getState();
    tf.dispose(Object.values(first.tensors));
    const again = adam.getState();
    expect(Object.fromEntries(Object.entries(again.tensors).map(([k, t]) => [k, Array.from(t.dataSync())]))).toEqual({ 'm/0': [0, 0], 'v/0': [0, 0] });
    adam.setState(again);
    tf.dispose([...Object.values(again.tensors), w]);
    adam.dispose();
  });

  it('every encoder rebuilds from its config (fromConfig), and a wrong kind is named', () => {
    for (const encoder of encoders()) {
      const copy = encoderFromConfig(encoder.config());
      expect([copy.constructor.name, copy.config(), copy.outputShape]).toEqual([encoder.constructor.name, encoder.config(), encoder.outputShape]);
      copy.dispose();
      encoder.dispose();
    }
    expect(() => MlpEncoder.fromConfig({ kind: 'nature-cnn', stack: 1 })).toThrow("MlpEncoder.fromConfig needs kind 'mlp' (got 'nature-cnn')");
    expect(() => encoderFromConfig({ kind: 'vit' as 'mlp' })).toThrow(
      new Error(`encoder.kind: "vit" is not allowed; must be one of 'mlp', 'minigrid-conv', 'nature-cnn'`),
    );
  });
});
