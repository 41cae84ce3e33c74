import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRUCore } from '@mempo/core-attention';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainStartInfo } from './callbacks.js';
import { MlpEncoder } from './mlpEncoder.js';
import { resolveConfig } from './presets.js';
import { readProgressCsv, type Metrics } from './progressCsv.js';
import { runPath } from './runFolder.js';
import { budgetChange } from './schedules.js';
import { train } from './train.js';
import { RandomEpisodeEnv } from './test-utils/randomEpisodeEnv.js';

const root = mkdtempSync(join(tmpdir(), 'mempo-continue-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// 4 envs × 8 steps = 32 agent steps per update; learning rate and clip range annealed linearly.
const config = (updates: number) =>
  resolveConfig('minigrid-rim', {
    numEnvs: 4, numSteps: 8, bpttLength: 4, epochs: 1, seqsPerBatch: 2, learningRate: 1e-3, clipEpsilon: 0.2,
    lrSchedule: 'linear', clipSchedule: 'linear', dropoutWhileActing: false, totalSteps: 32 * updates, checkpointEvery: 2,
  });
const parts = () => ({
  env: new RandomEpisodeEnv(4, 5),
  encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
  core: new GRUCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
});

describe('continuing a finished run with a larger budget', () => {
  const runDir = join(root, 'run');

  it('trains exactly the extra updates; the schedules continue over the new budget (SB3 reset_num_timesteps=False)', async () => {
    (await train({ config: config(4), ...parts(), runDir })).agent.dispose();
    const rows: Metrics[] = [];
    let info: TrainStartInfo | undefined;
    const result = await train({
      config: config(6), ...parts(), runDir, resume: true,
      callbacks: { onTrainStart: (i) => void (info = i), onProgress: (m) => void rows.push(m) },
    });
    result.agent.dispose();
    expect([result.updates, result.globalStep]).toEqual([6, 192]);
    expect(rows.map((r) => r['update'])).toEqual([5, 6]);
    // Update 5 (index 4) under 6 updates: 1e-3 · (1 − 4/6); the old budget's last value was 1e-3 · (1 − 3/4).
    expect(rows[0]!['charts/learning_rate']).toBeCloseTo(1e-3 * (1 - 4 / 6), 12);
    expect(rows[0]!['charts/clip_epsilon']).toBeCloseTo(0.2 * (1 - 4 / 6), 12);
    expect(info).toMatchObject({ startUpdate: 4, startStep: 128, totalUpdates: 6, totalSteps: 192 });
    expect(info!.budgetChange!.message).toBe(
      'budget 128 → 192 agent steps (4 → 6 updates), continuing after update 4: linear schedules now anneal to update 6, as in a run started with 192; ' +
        'at update 5 the learning rate jumps from 0.00025 to 0.0003333 and the clip range jumps from 0.05 to 0.06667',
    );
    expect(readProgressCsv(runPath(runDir, 'progress')).map((r) => r['update'])).toEqual([1, 2, 3, 4, 5, 6]);
    const recorded = JSON.parse(readFileSync(runPath(runDir, 'config'), 'utf8')) as { ppo: { totalSteps: number }; budgets: unknown };
    expect(recorded.ppo.totalSteps).toBe(192);
    expect(recorded.budgets).toEqual([{ totalSteps: 128, fromStep: 0 }, { totalSteps: 192, fromStep: 128 }]);
  });

  it('refuses a budget below the steps done, naming both and the fix', async () => {
    await expect(train({ config: config(5), ...parts(), runDir, resume: true })).rejects.toThrow(
      'cannot resume: totalSteps 160 (5 updates) is less than the 192 agent steps (6 updates) the checkpoint has done; pass a totalSteps of at least 192 to continue the run, or start a new run folder',
    );
  });

  it('says so when the schedules are constant', () => {
    const constant = { lrSchedule: 'constant', clipSchedule: 'constant', learningRate: 1e-3, clipEpsilon: 0.2 } as const;
    expect(budgetChange({ ...constant, totalSteps: 128 }, { ...constant, totalSteps: 256 }, 4, 8, 4).message).toBe(
      'budget 128 → 256 agent steps (4 → 8 updates), continuing after update 4: the learning rate and clip range are constant, nothing else changes',
    );
  });
});
