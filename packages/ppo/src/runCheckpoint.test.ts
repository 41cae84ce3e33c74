import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LSTMCore } from '@mempo/core-attention';
import { CueMemoryTask } from '@mempo/envs';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckpoints } from './checkpoint.js';
import { MlpEncoder } from './mlpEncoder.js';
import { resolveConfig } from './presets.js';
import { runPath } from './runFolder.js';
import { train } from './train.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mempo-runckpt-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const config = (updates: number, checkpointEvery: number) =>
  resolveConfig('minigrid-rim', {
    numEnvs: 4,
    numSteps: 8,
    bpttLength: 4,
    epochs: 1,
    seqsPerBatch: 2,
    learningRate: 1e-3,
    dropoutWhileActing: false,
    checkpointEvery,
    keepCheckpoints: 3,
    totalSteps: 4 * 8 * updates,
  });

// A hidden layer in the encoder and an LSTM core: the encoder's and heads' weights come from ppo's layered
// modules, the core's from core-attention's, so a leak in either kind of getWeights shows.
const parts = () => ({
  env: new CueMemoryTask({ numEnvs: 4 }),
  encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
  core: new LSTMCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
});

describe('run checkpoints', () => {
  it('keeps tf.memory().numTensors flat over 24 updates with a checkpoint every 4 (runDir set)', async () => {
    const runDir = tempDir();
    const counts: number[] = [];
    const written: number[] = [];
    const { agent, updates } = await train({
      config: config(24, 4),
      ...parts(),
      runDir,
      callbacks: { onUpdate: () => void counts.push(tf.memory().numTensors), onCheckpoint: (_path, update) => void written.push(update) },
    });
    expect(updates).toBe(24);
    expect(written).toEqual([4, 8, 12, 16, 20, 24]);
    expect(counts).toHaveLength(24);
    expect(new Set(counts).size, `tensor counts per update: ${counts.join(' ')}`).toBe(1);
    agent.dispose();
  });

  it('resumes from the newest intact checkpoint when the newest is truncated, and removes stale temporary folders first', async () => {
    const runDir = tempDir();
    const first = await train({ config: config(6, 2), ...parts(), runDir });
    first.agent.dispose();
    const checkpoints = runPath(runDir, 'checkpoints');
    const [, p4, p6] = listCheckpoints(checkpoints) as [string, string, string];
    const bytes = statSync(join(p6, 'tensors.bin')).size;
    truncateSync(join(p6, 'tensors.bin'), 10);
    const stale = join(checkpoints, `update-000008.tmp-${2 ** 22 + 1}`);
    mkdirSync(stale);
    const warnings: string[] = [];
    const resumed = await train({ config: config(6, 2), ...parts(), runDir, resume: true, warn: (line) => warnings.push(line) });
    expect(warnings).toEqual([
      `removed ${stale}, left by an interrupted checkpoint write`,
      `warning: checkpoint ${p6} is truncated: tensors.bin has 10 bytes, its manifest lists ${bytes}; using ${p4}`,
    ]);
    expect(resumed.updates).toBe(6);
    resumed.agent.dispose();
    // Updates 5 and 6 ran again from update 4 and rewrote update 6 whole.
    expect(readdirSync(checkpoints)).toEqual(['update-000002', 'update-000004', 'update-000006']);
    expect(statSync(join(p6, 'tensors.bin')).size).toBe(bytes);
  });
});
