import * as tf from '@tensorflow/tfjs-core';
import { ActorCritic, AGENT_PRESETS } from '@mempo/ppo';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { makeEncoder } from '../src/training/environments.js';
import { makeCore } from '../src/training/memoryCores.js';

/** Weight name → shape. */
const shapes = (weights: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(weights).map(([n, t]) => [n, t.shape]));

describe("iam preset on the Warehouse: the IAM repository's agents (bc52bd2: networks.py, model.py, PPOmodel.py)", () => {
  const spec = AGENT_PRESETS.iam;
  beforeAll(() => useBackend('cpu'));
  const build = (memory: 'iam' | 'lstm') => {
    const encoder = makeEncoder('warehouse', memory, [73], 1, spec.encoderInit, spec.encoderBias);
    const core = makeCore(memory, 'warehouse', encoder.outputShape, {}, 1, spec.cores[memory]);
    return new ActorCritic({ encoder, core, numActions: 5, seed: 1, heads: spec.heads });
  };

  it('IAM (warehouse/IAM_manual.yaml): fcn [576, 256] without bias on the raw obs, LSTM 64 on the 25-entry d-set, heads on their 320 features', () => {
    const agent = build('iam');
    const weights = agent.getWeights();
    expect(shapes(weights)).toEqual({
      'core/fnn.0.kernel': [73, 576], 'core/fnn.1.kernel': [576, 256],
      'core/rnn.kernel': [25, 256], 'core/rnn.recurrentKernel': [64, 256], 'core/rnn.bias': [256],
      'heads/actor/kernel': [320, 5], 'heads/critic/kernel': [320, 1], 'heads/critic/bias': [1],
    });
    tf.dispose(Object.values(weights));
    agent.dispose();
  });

  it('LSTM (warehouse/RNN.yaml): one 640 ReLU layer without bias (use_bias=False), LSTM 256, heads on 256 features', () => {
    const agent = build('lstm');
    const weights = agent.getWeights();
    expect(Object.fromEntries(Object.entries(shapes(weights)).filter(([n]) => !n.startsWith('core/')))).toEqual({
      'encoder/dense0/kernel': [73, 640], 'heads/actor/kernel': [256, 5], 'heads/critic/kernel': [256, 1], 'heads/critic/bias': [1],
    });
    expect(agent.encoder.config()).toMatchObject({ kind: 'mlp', hiddenSizes: [640], activation: 'relu', init: 'glorot', bias: false });
    tf.dispose(Object.values(weights));
    agent.dispose();
  });
});
