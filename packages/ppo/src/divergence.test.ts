import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LSTMCore } from '@mempo/core-attention';
import { CueMemoryTask } from '@mempo/envs';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckpoints, loadCheckpoint } from './checkpoint.js';
import { MlpEncoder } from './mlpEncoder.js';
import { resolveConfig } from './presets.js';
import { readProgressCsv } from './progressCsv.js';
import { runPath } from './runFolder.js';
import { train, type TrainOptions } from './train.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mempo-diverge-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const cueRun = (runDir: string, overrides: Record<string, unknown>, callbacks?: TrainOptions['callbacks']): TrainOptions => ({
  config: resolveConfig('minigrid-rim', {
    numEnvs: 4,
    numSteps: 8,
    bpttLength: 4,
    epochs: 2,
    seqsPerBatch: 2,
    learningRate: 1e-3,
    dropoutWhileActing: false,
    checkpointEvery: 2,
    keepCheckpoints: 5,
    totalSteps: 4 * 8 * 8,
    ...overrides,
  }),
  env: new CueMemoryTask({ numEnvs: 4 }),
  encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
  core: new LSTMCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
  runDir,
  ...(callbacks ? { callbacks } : {}),
});

/** Whether every model weight of a checkpoint folder is finite. */
function checkpointIsFinite(path: string): boolean {
  const { tensors } = loadCheckpoint(path);
  try {
    const model = Object.entries(tensors).filter(([name]) => name.startsWith('model/'));
    return model.length > 0 && model.every(([, t]) => tf.all(tf.isFinite(t)).dataSync()[0] === 1);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Sets every weight of the encoder's first layer to NaN, as a diverged step would. */
function poison(agent: Parameters<NonNullable<NonNullable<TrainOptions['callbacks']>['onUpdate']>>[1]): void {
  const weights = agent.getWeights();
  const name = Object.keys(weights).sort()[0]!;
  const nan = tf.fill(weights[name]!.shape, NaN);
  agent.setWeights({ ...weights, [name]: nan });
  tf.dispose([...Object.values(weights), nan]);
}

describe('divergence', () => {
  it('stops a run whose learning rate blows up the losses at the first update, writing no checkpoint and no log row', async () => {
    const runDir = tempDir();
    await expect(train(cueRun(runDir, { learningRate: 1e20 }))).rejects.toThrow(
      "training diverged at update 1: losses/policy_loss is NaN (the mean over the update's minibatches). " +
        'Nothing of update 1 was checkpointed. No checkpoint was written. ' +
        "Lower the learning rate (it is 100000000000000000000) or check the env's rewards, and train in a new run folder",
    );
    expect(listCheckpoints(runPath(runDir, 'checkpoints'))).toEqual([]);
    expect(readProgressCsv(runPath(runDir, 'progress'))).toEqual([]);
    // The lock is released on the way out.
    expect(existsSync(runPath(runDir, 'lock'))).toBe(false);
  });

  it('refuses to checkpoint non-finite weights and keeps the last good checkpoint', async () => {
    const runDir = tempDir();
    const run = train(cueRun(runDir, {}, { onUpdate: (m, agent) => (m.update === 4 ? poison(agent) : undefined) }));
    await expect(run).rejects.toThrow(/^training diverged at update 4: weight \S+ is not finite \(NaN or infinite\)\. Nothing of update 4 was checkpointed\. /);
    await expect(run).rejects.toThrow(`The newest checkpoint, ${join(runPath(runDir, 'checkpoints'), 'update-000002')}, is kept.`);
    const kept = listCheckpoints(runPath(runDir, 'checkpoints'));
    expect(kept.map((p) => p.slice(-13))).toEqual(['update-000002']);
    expect(checkpointIsFinite(kept[0]!)).toBe(true);
  });

  it('stops at the first update whose losses are not finite, after weights went bad between checkpoints', async () => {
    const runDir = tempDir();
    const run = train(cueRun(runDir, {}, { onUpdate: (m, agent) => (m.update === 5 ? poison(agent) : undefined) }));
    await expect(run).rejects.toThrow(
      "training diverged at update 6: losses/policy_loss is NaN (the mean over the update's minibatches). Nothing of update 6 was checkpointed. " +
        `The newest checkpoint, ${join(runPath(runDir, 'checkpoints'), 'update-000004')}, is kept.`,
    );
    const kept = listCheckpoints(runPath(runDir, 'checkpoints'));
    expect(kept.map((p) => p.slice(-13))).toEqual(['update-000002', 'update-000004']);
    expect(kept.every(checkpointIsFinite)).toBe(true);
    expect(readProgressCsv(runPath(runDir, 'progress')).map((r) => r['update'])).toEqual([1, 2, 3, 4, 5]);
  });
});
