import * as tf from '@tensorflow/tfjs-core';
import { coreFromConfig } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { AGENT_PRESETS } from './agentPresets.js';
import { PAPER_FAMILIES, PAPER_MEMORIES, paperAgent, paperCoreConfig, paperEncoder } from './paperAgents.js';
import { PRESETS } from './presets.js';

/** An observation shape of each family (the envs README): one grayscale frame, MiniGrid's codes, the Warehouse's 73 floats. */
const OBS: Record<(typeof PAPER_FAMILIES)[number], number[]> = { atari: [1, 84, 84], minigrid: [7, 7, 3], warehouse: [73] };

describe('paperAgent', () => {
  it('carries the papers’ sizes, presets and stacks', () => {
    expect(paperAgent('atari', 'rim')).toMatchObject({
      env: 'breakout',
      preset: 'atari',
      stack: 1,
      encoder: { kind: 'nature-cnn', output: 'regions' },
      core: { name: 'rim', units: 6, k: 5, hiddenSize: 85, cell: 'gru' },
    });
    expect(paperAgent('atari', 'fnn')).toMatchObject({ stack: 4, encoder: { kind: 'nature-cnn', output: 'flat' }, core: { name: 'fnn', hiddenSize: 512 } });
    expect(paperAgent('atari', 'iam').core).toEqual({ name: 'iam', variant: 'dynamic', hiddenSize: 256 });
    // The minigrid-rim agent preset's RIM options (selection, key/value init, no cell bias) are merged into the core.
    expect(paperAgent('minigrid', 'rim').core).toEqual({ name: 'rim', units: 4, k: 3, hiddenSize: 16, cell: 'lstm', inputValueSize: 64, ...AGENT_PRESETS['minigrid-rim'].cores['rim'] });
    expect(paperAgent('warehouse', 'lstm')).toMatchObject({ env: 'warehouse', preset: 'iam', stack: 1, encoder: { kind: 'mlp', hiddenSizes: [640], activation: 'relu' }, core: { hiddenSize: 256 } });
    expect(paperAgent('warehouse', 'fnn').stack).toBe(8);
    expect(paperAgent('warehouse', 'iam')).toMatchObject({ encoder: { kind: 'mlp', hiddenSizes: [] }, core: { name: 'iam', variant: 'static', hiddenSize: 64 } });
  });

  it('has a row for every family × memory, with its preset’s PPO settings and agent spec', () => {
    for (const family of PAPER_FAMILIES)
      for (const memory of PAPER_MEMORIES) {
        const row = paperAgent(family, memory);
        expect(row.ppo).toEqual(PRESETS[row.preset]);
        expect(row.agent).toBe(AGENT_PRESETS[row.preset]);
      }
  });

  it('swaps the preset and keeps the paper’s sizes', () => {
    const row = paperAgent('minigrid', 'lstm', 'atari');
    expect([row.preset, row.ppo.learningRate, row.core.hiddenSize]).toEqual(['atari', PRESETS.atari.learningRate, 64]);
  });

  it('names a bad family, memory or preset and what is allowed', () => {
    expect(() => paperAgent('pong' as never, 'rim')).toThrow(`family: "pong" is not allowed; must be one of 'atari', 'minigrid', 'warehouse'`);
    expect(() => paperAgent('atari', 'transformer' as never)).toThrow(`memory: "transformer" is not allowed; must be one of 'rim', 'iam', 'lstm', 'gru', 'fnn'`);
    expect(() => paperAgent('atari', 'rim', 'dqn' as never)).toThrow(`preset: "dqn" is not allowed; must be one of 'minigrid-rim', 'atari', 'iam', 'iam-atari'`);
  });
});

describe('paperEncoder and paperCoreConfig', () => {
  it('build each family’s encoder at the paper’s output shape', () => {
    const shapes = PAPER_FAMILIES.flatMap((family) =>
      (['rim', 'lstm', 'iam'] as const).map((memory) => {
        const row = paperAgent(family, memory);
        // Glorot for the Nature CNN: its orthogonal init takes most of a minute on the cpu backend, and the shape is the same.
        const agent = family === 'atari' ? { ...row.agent, encoderInit: { scheme: 'glorot' as const } } : row.agent;
        const encoder = paperEncoder({ encoder: row.encoder, agent }, OBS[family], 1);
        const shape = [...encoder.outputShape];
        encoder.dispose();
        return shape;
      }),
    );
    expect(shapes).toEqual([[49, 64], [1, 3136], [49, 64], [1, 64], [1, 64], [1, 64], [1, 73], [1, 640], [1, 73]]);
  });

  it('puts the encoder’s output shape into the names each core takes', () => {
    expect(paperCoreConfig(paperAgent('atari', 'iam').core, [49, 64], 3)).toEqual({ name: 'iam', variant: 'dynamic', hiddenSize: 256, numRegions: 49, regionSize: 64, seed: 3 });
    expect(paperCoreConfig(paperAgent('minigrid', 'iam').core, [1, 4], 3)).toEqual({
      name: 'iam', variant: 'static', hiddenSize: 64, inputSize: 4, numElements: 1, dSet: [0, 1, 2, 3], fnnSizes: [4], seed: 3,
    });
    expect(paperCoreConfig(paperAgent('warehouse', 'iam').core, [1, 73], 3)).toEqual({
      name: 'iam', variant: 'static', hiddenSize: 64, cellInit: 'glorot', forgetBias: 1, inputSize: 73, numElements: 1, seed: 3,
    });
  });

  it('gives a config the core registry builds, tensors freed', () => {
    const before = tf.memory().numTensors;
    const core = coreFromConfig(paperCoreConfig(paperAgent('warehouse', 'gru').core, [1, 640], 1));
    expect(core.config()).toMatchObject({ name: 'gru', hiddenSize: 256, inputSize: 640, numElements: 1 });
    core.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
