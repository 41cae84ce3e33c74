import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GRUCore, LSTMCore } from '@mempo/core-attention';
import { CueMemoryTask, FrameStack, Warehouse } from '@mempo/envs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from './presets.js';
import { MlpEncoder } from './mlpEncoder.js';
import { readProgressCsv, type Metrics } from './progressCsv.js';
import { train } from './train.js';
import type { TrainStartInfo } from './callbacks.js';
import { RandomEpisodeEnv } from './test-utils/randomEpisodeEnv.js';
import { StepCounterCore } from './test-utils/stepCounterCore.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mempo-ppo-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const small = (overrides = {}) =>
  resolveConfig('minigrid-rim', {
    numEnvs: 4,
    numSteps: 8,
    bpttLength: 4,
    epochs: 2,
    seqsPerBatch: 2,
    learningRate: 1e-3,
    dropoutWhileActing: false,
    checkpointEvery: 2,
    keepCheckpoints: 2,
    ...overrides,
  });

describe('train', () => {
  it('keeps tf.memory().numTensors flat over 20 updates', async () => {
    const counts: number[] = [];
    const config = small({ totalSteps: 4 * 8 * 20 });
    const { agent, updates, engine, engineStats } = await train({
      config,
      env: new CueMemoryTask({ numEnvs: 4 }),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
      core: new LSTMCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
      callbacks: { onUpdate: () => void counts.push(tf.memory().numTensors) },
    });
    expect(updates).toBe(20);
    // 'auto' on the cpu backend: eager, which compiles nothing.
    expect([engine, engineStats]).toEqual(['eager', null]);
    expect(counts).toHaveLength(20);
    expect(new Set(counts).size, `tensor counts per update: ${counts.join(' ')}`).toBe(1);
    agent.dispose();
  });

  it('resumes from a checkpoint exactly: N updates straight = N/2, stop, resume, N/2 (cpu backend)', async () => {
    const config = small({ totalSteps: 4 * 8 * 8, checkpointEvery: 3, bootstrapTruncated: true, normalizeAdvantages: true, clipSchedule: 'linear', lrSchedule: 'linear' });
    const parts = () => ({
      env: new RandomEpisodeEnv(4, 6),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
      core: new GRUCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
    });
    const straightDir = tempDir();
    const straightRows: Metrics[] = [];
    const resumedRows: Metrics[] = [];
    const straight = await train({ config, ...parts(), runDir: straightDir, callbacks: { onUpdate: (m) => void straightRows.push(m) } });
    straight.agent.dispose();

    const resumedDir = tempDir();
    const first = await train({ config, ...parts(), runDir: resumedDir, callbacks: { onUpdate: (m) => (resumedRows.push(m), m.update === 4 ? 'stop' : undefined) } });
    expect(first.stopped).toBe(true);
    expect(first.updates).toBe(4);
    first.agent.dispose();
    // A fresh process would build new parts and find the checkpoint written at the stop.
    const second = await train({ config, ...parts(), runDir: resumedDir, resume: true, callbacks: { onUpdate: (m) => void resumedRows.push(m) } });
    expect(second.updates).toBe(8);
    second.agent.dispose();

    const deterministic = (rows: Metrics[]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('time/') && k !== 'charts/fps')));
    // Bit-identical metrics in memory, and the same rows in progress.csv (the resumed file continues the first).
    expect(deterministic(resumedRows)).toEqual(deterministic(straightRows));
    const a = deterministic(readProgressCsv(join(straightDir, 'progress.csv')));
    const b = deterministic(readProgressCsv(join(resumedDir, 'progress.csv')));
    expect(a).toHaveLength(8);
    expect(b).toEqual(a);
    // keepCheckpoints = 2: only the newest two remain, and no temporary folder is left behind.
    expect(readdirSync(join(resumedDir, 'checkpoints'))).toEqual(['update-000006', 'update-000008']);
    expect(existsSync(join(resumedDir, 'config.json'))).toBe(true);
  });

  it("trains with sequenceShift 'half-on-odd-epochs' on the cue task: flat numTensors, exact resume, old checkpoints read as 'none'", async () => {
    // 3 envs × 8 steps, L = 4: 6 sequences in minibatches of 2; a shifted pass has 3 (minibatches of 2 and 1).
    // 3 epochs: the shifted passes (odd over the run) fall on epoch 1 of even updates, epochs 0 and 2 of odd ones.
    const shiftConfig = (sequenceShift: 'none' | 'half-on-odd-epochs', updates = 8) =>
      small({ numEnvs: 3, epochs: 3, sequenceShift, totalSteps: 3 * 8 * updates, checkpointEvery: 3 });
    const parts = () => ({
      env: new CueMemoryTask({ numEnvs: 3 }),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
      core: new LSTMCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
    });
    const deterministic = (rows: Metrics[]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('time/') && k !== 'charts/fps')));

    const counts: number[] = [];
    const straightRows: Metrics[] = [];
    const straight = await train({
      config: shiftConfig('half-on-odd-epochs'),
      ...parts(),
      runDir: tempDir(),
      callbacks: { onUpdate: (m) => void (straightRows.push(m), counts.push(tf.memory().numTensors)) },
    });
    straight.agent.dispose();
    expect(counts).toHaveLength(8);
    expect(new Set(counts).size, `tensor counts per update: ${counts.join(' ')}`).toBe(1);

    // The shift changes the update: the same run without it differs from the first update on.
    const plainRows: Metrics[] = [];
    (await train({ config: shiftConfig('none'), ...parts(), callbacks: { onUpdate: (m) => void plainRows.push(m) } })).agent.dispose();
    expect(plainRows[0]!['losses/policy_loss']).not.toBe(straightRows[0]!['losses/policy_loss']);

    // Stop after update 3 (an odd number of updates of 3 passes: the resumed update starts on a shifted pass).
    const runDir = tempDir();
    const resumedRows: Metrics[] = [];
    const first = await train({ config: shiftConfig('half-on-odd-epochs'), ...parts(), runDir, callbacks: { onUpdate: (m) => (resumedRows.push(m), m.update === 3 ? 'stop' : undefined) } });
    expect(first.updates).toBe(3);
    first.agent.dispose();
    const second = await train({ config: shiftConfig('half-on-odd-epochs'), ...parts(), runDir, resume: true, callbacks: { onUpdate: (m) => void resumedRows.push(m) } });
    expect(second.updates).toBe(8);
    second.agent.dispose();
    expect(deterministic(resumedRows)).toEqual(deterministic(straightRows));

    // A checkpoint written before the field existed (no sequenceShift in its config) resumes as 'none' only.
    const oldDir = tempDir();
    (await train({ config: shiftConfig('none', 2), ...parts(), runDir: oldDir, callbacks: { onUpdate: () => 'stop' } })).agent.dispose();
    const manifest = join(oldDir, 'checkpoints', 'update-000001', 'manifest.json');
    const saved = JSON.parse(readFileSync(manifest, 'utf8')) as { meta: { config: Record<string, unknown> } };
    delete saved.meta.config.sequenceShift;
    writeFileSync(manifest, JSON.stringify(saved));
    await expect(train({ config: shiftConfig('half-on-odd-epochs', 2), ...parts(), runDir: oldDir, resume: true })).rejects.toThrow(
      'cannot resume: sequenceShift is "half-on-odd-epochs" but the checkpoint was written with "none"',
    );
    const resumedOld = await train({ config: shiftConfig('none', 2), ...parts(), runDir: oldDir, resume: true });
    expect(resumedOld.updates).toBe(2);
    resumedOld.agent.dispose();
  });

  it('resumes a stacked Warehouse mid-episode exactly: its envState continues every episode in flight', async () => {
    // 12-step episodes: the stop after 4 updates (32 steps) falls 8 steps into the third episode.
    const config = small({ totalSteps: 4 * 8 * 8, checkpointEvery: 4 });
    const parts = () => ({
      env: new FrameStack(new Warehouse({ numEnvs: 4, episodeLength: 12, spawnProbability: 0.2 }), { k: 2 }),
      encoder: new MlpEncoder({ obsShape: [2, 73], hiddenSizes: [8], seed: 1 }),
      core: new GRUCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
    });
    const rows = async (stopAt?: number) => {
      const runDir = tempDir();
      const out: Metrics[] = [];
      const onUpdate = (m: Metrics) => (out.push(m), m.update === stopAt ? ('stop' as const) : undefined);
      (await train({ config, ...parts(), runDir, callbacks: { onUpdate } })).agent.dispose();
      if (stopAt !== undefined) (await train({ config, ...parts(), runDir, resume: true, callbacks: { onUpdate } })).agent.dispose();
      return out.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('time/') && k !== 'charts/fps')));
    };
    const straight = await rows();
    expect(straight).toHaveLength(8);
    expect(straight[7]!['charts/episode_length_mean']).toBe(12);
    expect(await rows(4)).toEqual(straight);
  });

  it('writes the spec columns to progress.csv', async () => {
    const runDir = tempDir();
    const { agent } = await train({
      config: small({ totalSteps: 4 * 8 * 2, checkpointEvery: 0 }),
      env: new CueMemoryTask({ numEnvs: 4 }),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }),
      core: new LSTMCore({ inputSize: 3, hiddenSize: 4, seed: 1 }),
      runDir,
    });
    agent.dispose();
    const rows = readProgressCsv(join(runDir, 'progress.csv'));
    expect(rows.map((r) => r.global_step)).toEqual([32, 64]);
    for (const column of [
      'charts/fps',
      'charts/episode_return_mean',
      'charts/episode_return_median',
      'charts/episode_return_min',
      'charts/episode_return_max',
      'charts/episode_length_mean',
      'charts/learning_rate',
      'losses/policy_loss',
      'losses/value_loss',
      'losses/entropy',
      'losses/approx_kl',
      'losses/clip_fraction',
      'losses/explained_variance',
      'losses/grad_norm',
    ])
      expect(Number.isFinite(rows[1]![column]), column).toBe(true);
    expect(rows[1]!['charts/episode_length_mean']).toBe(4); // the cue task's episodes are delay + 1 = 4 steps
    expect(existsSync(join(runDir, 'checkpoints'))).toBe(false);
  });

  it('refuses mismatched parts and configs, naming the field', async () => {
    const parts = {
      env: new CueMemoryTask({ numEnvs: 4 }),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }),
      core: new LSTMCore({ inputSize: 3, hiddenSize: 4, seed: 1 }),
    };
    await expect(train({ config: small({ numEnvs: 8, seqsPerBatch: 2 }), ...parts })).rejects.toThrow(
      "numEnvs must equal the env's number of envs (got numEnvs=8, env has 4)",
    );
    await expect(
      train({ ...parts, config: small(), encoder: new MlpEncoder({ obsShape: [5], hiddenSizes: [], seed: 1 }) }),
    ).rejects.toThrow("the encoder's obsShape [5] must equal the env's observation shape [3]");
    // These package tests run on the cpu backend, where the graph engine cannot run.
    const before = tf.memory().numTensors;
    await expect(train({ config: small({ engine: 'graph' }), ...parts })).rejects.toThrow(
      "engine 'graph' needs the native 'tensorflow' backend (@tensorflow/tfjs-node): use engine 'eager' (or 'auto') on wasm and cpu",
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(() => small({ engine: 'fast' as never })).toThrow(`ppo.engine: "fast" is not allowed; must be one of 'auto', 'graph', 'eager'`);
    const runDir = tempDir();
    const done = await train({ config: small({ totalSteps: 64 }), ...parts, runDir });
    done.agent.dispose();
    await expect(
      train({
        config: small({ totalSteps: 64, gamma: 0.9 }),
        env: new CueMemoryTask({ numEnvs: 4 }),
        encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }),
        core: new LSTMCore({ inputSize: 3, hiddenSize: 4, seed: 1 }),
        runDir,
        resume: true,
      }),
    ).rejects.toThrow('cannot resume: gamma is 0.9 but the checkpoint was written with 0.99');
    // chunkLength acts as min(chunkLength, bpttLength = 4): 2 changes the dropout streams, 100 changes nothing.
    const resumeWith = (chunkLength: number) =>
      train({
        config: small({ totalSteps: 64, chunkLength }),
        env: new CueMemoryTask({ numEnvs: 4 }),
        encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }),
        core: new LSTMCore({ inputSize: 3, hiddenSize: 4, seed: 1 }),
        runDir,
        resume: true,
      });
    await expect(resumeWith(2)).rejects.toThrow('cannot resume: chunkLength is 2 but the checkpoint was written with 4');
    const resumed = await resumeWith(100);
    expect(resumed.updates).toBe(2);
    resumed.agent.dispose();
    // Without resume, an existing run is never overwritten.
    await expect(train({ config: small({ totalSteps: 64 }), ...parts, runDir })).rejects.toThrow(
      `${runDir} already holds a run with checkpoints: pass resume: true to continue it, or use a new runDir`,
    );
  });

  it("logs the core's diagnostics, feeds the scalar writer and reports progress through callbacks", async () => {
    const scalars: [string, number, number][] = [];
    const events: string[] = [];
    let started: TrainStartInfo | undefined;
    const { agent, lastMetrics } = await train({
      config: small({ totalSteps: 4 * 8 * 2, checkpointEvery: 0 }),
      env: new RandomEpisodeEnv(4, 3),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }),
      core: new StepCounterCore(3),
      scalarWriter: { scalar: (name, value, step) => void scalars.push([name, value, step]) },
      callbacks: {
        onTrainStart: (info) => void ((started = info), events.push('start')),
        onProgress: (m) => void events.push(`progress ${m['global_step']}`),
        onTrainEnd: () => void events.push('end'),
      },
    });
    agent.dispose();
    // Episodes of 1..3 steps: the mean count since reset lies strictly between 1 and 3.
    const count = lastMetrics!['core/stepsSinceReset']!;
    expect(count).toBeGreaterThan(1);
    expect(count).toBeLessThan(3);
    expect(scalars).toContainEqual(['core/stepsSinceReset', count, 64]);
    expect(scalars.filter(([name]) => name === 'losses/value_loss').map(([, , step]) => step)).toEqual([32, 64]);
    expect(events).toEqual(['start', 'progress 32', 'progress 64', 'end']);
    expect(started).toEqual({ totalSteps: 64, totalUpdates: 2, startStep: 0, startUpdate: 0, stepsPerUpdate: 32, budgetChange: null });
  });
});
