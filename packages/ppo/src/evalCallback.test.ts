import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GRUCore } from '@mempo/core-attention';
import { afterAll, describe, expect, it } from 'vitest';
import { EvalCallback, type BestMeta, type EvaluationRow } from './evalCallback.js';
import { loadAgent } from './loadAgent.js';
import { MlpEncoder } from './mlpEncoder.js';
import { resolveConfig } from './presets.js';
import { readProgressCsv } from './progressCsv.js';
import { BEST_FILES, runPath } from './runFolder.js';
import { train } from './train.js';
import { RandomEpisodeEnv } from './test-utils/randomEpisodeEnv.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mempo-eval-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// 4 envs × 8 steps = 32 agent steps per update; evaluations when the steps pass a multiple of 48:
// 64 (update 2), 96 (3), 160 (5), 192 (6); 128 (update 4) passes none. Evaluation k resets its 2 envs with 500 + 2k.
const config = resolveConfig('minigrid-rim', {
  numEnvs: 4, numSteps: 8, bpttLength: 4, epochs: 1, seqsPerBatch: 2, learningRate: 3e-2, dropoutWhileActing: false,
  totalSteps: 4 * 8 * 6, checkpointEvery: 3, keepCheckpoints: 5, lrSchedule: 'linear',
});
const parts = () => ({
  env: new RandomEpisodeEnv(4, 6),
  encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
  core: new GRUCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
});
const evalCallback = () => new EvalCallback({ env: new RandomEpisodeEnv(2, 6), every: 48, episodes: 6, seed: 500 });
const readRows = (runDir: string): EvaluationRow[] =>
  readFileSync(runPath(runDir, 'evaluations'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as EvaluationRow);
const readBest = (runDir: string): BestMeta => JSON.parse(readFileSync(join(runPath(runDir, 'best'), BEST_FILES.meta), 'utf8')) as BestMeta;

describe('EvalCallback', () => {
  const straightDir = tempDir();
  const weightsAt = new Map<number, Record<string, Float32Array>>();

  it('evaluates when the steps pass a multiple of every, logs eval/ scalars, keeps the best agent in best/ and leaks no tensors', async () => {
    const scalars: [string, number][] = [];
    const counts: number[] = [];
    const { agent } = await train({
      config, ...parts(), runDir: straightDir,
      scalarWriter: { scalar: (name, _value, step) => void (name.startsWith('eval/') && scalars.push([name, step])) },
      callbacks: [
        evalCallback(),
        {
          onUpdate: (m, a) => {
            const weights = a.getWeights();
            weightsAt.set(m.update!, Object.fromEntries(Object.entries(weights).map(([n, w]) => [n, w.dataSync() as Float32Array])));
            tf.dispose(Object.values(weights));
            counts.push(tf.memory().numTensors);
          },
        },
      ],
    });
    agent.dispose();
    // Updates with an evaluation (and a best/ write) leave as many tensors as those without.
    expect(new Set(counts).size, `tensor counts per update: ${counts.join(' ')}`).toBe(1);
    const rows = readRows(straightDir);
    expect(rows.map((r) => [r.update, r.global_step, r.seed])).toEqual([[2, 64, 502], [3, 96, 504], [5, 160, 506], [6, 192, 508]]);
    expect(rows.every((r) => r.episodes === 6 && r.deterministic === false)).toBe(true);
    // progress.csv carries the evaluation on its update's row, empty elsewhere; TensorBoard gets the same steps.
    const csv = readProgressCsv(runPath(straightDir, 'progress'));
    expect(csv.map((r) => r['eval/mean_return'])).toEqual([NaN, rows[0]!.mean_return, rows[1]!.mean_return, NaN, rows[2]!.mean_return, rows[3]!.mean_return].map((v) => (Number.isNaN(v) ? NaN : Number(v.toPrecision(7)))));
    expect(scalars.filter(([name]) => name === 'eval/mean_return').map(([, step]) => step)).toEqual([64, 96, 160, 192]);
    // `best` marks each evaluation that beat all earlier ones; best/ holds the last of them.
    let max = -Infinity;
    expect(rows.map((r) => r.best)).toEqual(rows.map((r) => (r.mean_return > max ? ((max = r.mean_return), true) : false)));
    const bestRow = rows.filter((r) => r.best).at(-1)!;
    expect(readBest(straightDir)).toMatchObject({ update: bestRow.update, globalStep: bestRow.global_step, meanReturn: bestRow.mean_return, episodes: 6 });
  });

  it("best/ holds the weights of the best evaluation's update: loadAgent(runDir, { which: 'best' })", () => {
    const best = readBest(straightDir);
    const loaded = loadAgent(straightDir, { which: 'best' });
    expect(loaded.update).toBe(best.update);
    expect(loaded.checkpoint).toBe(runPath(straightDir, 'best'));
    const expected = weightsAt.get(best.update)!;
    const got = loaded.agent.getWeights();
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, w] of Object.entries(got)) expect(Array.from(w.dataSync()), name).toEqual(Array.from(expected[name]!));
    tf.dispose(Object.values(got));
    loaded.agent.dispose();
    // The newest checkpoint is a different agent whenever the best came earlier.
    if (best.update !== 6) {
      const latest = loadAgent(straightDir);
      expect(latest.update).toBe(6);
      latest.agent.dispose();
    }
  });

  it('a run continued without evaluation, then with it, keeps the best/ on disk as the best so far', async () => {
    const seven = { ...config, totalSteps: 32 * 7 };
    (await train({ config: seven, ...parts(), runDir: straightDir, resume: true })).agent.dispose();
    const callback = evalCallback();
    // Nothing left to train: only the start, which reads best/meta.json since update 7's checkpoint has no eval state.
    (await train({ config: seven, ...parts(), runDir: straightDir, resume: true, callbacks: callback })).agent.dispose();
    expect(callback.bestSoFar).toEqual(readBest(straightDir));
  });

  it('a run that failed after its checkpoint resumes with the same evaluations, best and no duplicate rows', async () => {
    const runDir = tempDir();
    // Fails in update 5, after its evaluation row: the newest checkpoint is update 3's.
    const failing = train({
      config, ...parts(), runDir,
      callbacks: [evalCallback(), { onUpdate: (m) => { if (m.update === 5) throw new Error('killed'); } }],
    });
    await expect(failing).rejects.toThrow('killed');
    expect(readRows(runDir).map((r) => r.update)).toEqual([2, 3, 5]);
    const resumed = await train({ config, ...parts(), runDir, resume: true, callbacks: evalCallback() });
    resumed.agent.dispose();
    expect(readRows(runDir)).toEqual(readRows(straightDir));
    expect(readBest(runDir)).toEqual(readBest(straightDir));
    // The best so far came back from update 3's checkpoint (its `best` flags match the straight run's above).
    const manifest = JSON.parse(readFileSync(join(runPath(runDir, 'checkpoints'), 'update-000003', 'manifest.json'), 'utf8')) as { meta: { callbacks: { eval: { best: BestMeta } } } };
    expect(manifest.meta.callbacks.eval.best.update).toBe(readRows(straightDir).filter((r) => r.best && r.update <= 3).at(-1)!.update);
  });

  it('refuses bad options and a missing best/ with what to do', () => {
    const env = new RandomEpisodeEnv(1, 3);
    expect(() => new EvalCallback({ env, every: 0, seed: 1 })).toThrow('EvalCallback: every must be a positive integer of agent steps (got 0)');
    expect(() => new EvalCallback({ env, every: 10, episodes: 1.5, seed: 1 })).toThrow('EvalCallback: episodes must be a positive integer (got 1.5)');
    const runDir = tempDir();
    return train({ config: { ...config, totalSteps: 32 }, ...parts(), runDir }).then(({ agent }) => {
      agent.dispose();
      expect(existsSync(runPath(runDir, 'best'))).toBe(false);
      expect(() => loadAgent(runDir, { which: 'best' })).toThrow(
        `${runDir} has no best/: it is written by evaluation during training (--eval-every N, or an EvalCallback); load the newest checkpoint instead`,
      );
    });
  });
});
