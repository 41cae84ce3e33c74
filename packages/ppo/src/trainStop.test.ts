import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRUCore } from '@mempo/core-attention';
import { CueMemoryTask } from '@mempo/envs';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckpoints } from './checkpoint.js';
import { MlpEncoder } from './mlpEncoder.js';
import { resolveConfig } from './presets.js';
import { readProgressCsv } from './progressCsv.js';
import { runPath } from './runFolder.js';
import { train, type TrainOptions } from './train.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mempo-stop-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const P = 4;
const T = 8;
const config = resolveConfig('minigrid-rim', {
  numEnvs: P,
  numSteps: T,
  bpttLength: 4,
  epochs: 2,
  seqsPerBatch: 2,
  learningRate: 1e-3,
  dropoutWhileActing: false,
  checkpointEvery: 3,
  keepCheckpoints: 2,
  totalSteps: P * T * 8,
});

/** The cue task, aborting `controller` in the middle of its `abortAtStep`-th step call (inside a rollout). */
function cueEnv(controller?: AbortController, abortAtStep = Infinity): CueMemoryTask {
  const env = new CueMemoryTask({ numEnvs: P });
  let steps = 0;
  const step = env.step.bind(env);
  env.step = (actions) => {
    if (++steps === abortAtStep) controller?.abort();
    return step(actions);
  };
  return env;
}

const parts = (env: CueMemoryTask): Pick<TrainOptions, 'env' | 'encoder' | 'core'> => ({
  env,
  encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
  core: new GRUCore({ inputSize: 8, hiddenSize: 8, seed: 1 }),
});

describe('train stops safely', () => {
  it('on an aborted signal finishes the update in progress, checkpoints it and resumes with every update logged once', async () => {
    const runDir = tempDir();
    const controller = new AbortController();
    // Step 4 of update 5's rollout: update 5 is finished, then the run stops.
    const first = await train({ config, ...parts(cueEnv(controller, 4 * T + 4)), runDir, signal: controller.signal, resume: true });
    first.agent.dispose();
    expect([first.stopped, first.updates, first.globalStep]).toEqual([true, 5, 5 * P * T]);
    expect(first.checkpoint).toBe(join(runPath(runDir, 'checkpoints'), 'update-000005'));
    expect(listCheckpoints(runPath(runDir, 'checkpoints')).map((p) => p.slice(-13))).toEqual(['update-000003', 'update-000005']);
    expect(existsSync(runPath(runDir, 'lock'))).toBe(false);

    const purged: number[] = [];
    const second = await train({
      config,
      ...parts(cueEnv()),
      runDir,
      resume: true,
      scalarWriter: { scalar: () => undefined, purgeAfter: (step) => void purged.push(step) },
    });
    second.agent.dispose();
    expect([second.stopped, second.updates]).toEqual([false, 8]);
    expect(purged).toEqual([5 * P * T]);
    expect(readProgressCsv(runPath(runDir, 'progress')).map((r) => r['update'])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('returns at once, writing nothing new, when the signal is aborted before the first update', async () => {
    const runDir = tempDir();
    const controller = new AbortController();
    controller.abort();
    const result = await train({ config, ...parts(cueEnv()), runDir, signal: controller.signal });
    result.agent.dispose();
    expect([result.stopped, result.updates, result.checkpoint]).toEqual([true, 0, null]);
    expect(listCheckpoints(runPath(runDir, 'checkpoints'))).toEqual([]);
  });

  it('refuses a second trainer of a run folder while the first trains, and frees the folder when the first ends', async () => {
    const runDir = tempDir();
    // Settled into a value at once: a rejection left pending until the first run ends is an unhandled one.
    let second: Promise<unknown> | undefined;
    const first = await train({
      config: { ...config, totalSteps: P * T * 2 },
      ...parts(cueEnv()),
      runDir,
      callbacks: {
        onUpdate: (m) => {
          if (m.update === 1) second = train({ config, ...parts(cueEnv()), runDir, resume: true }).then(() => 'trained', (err: unknown) => err);
        },
      },
    });
    first.agent.dispose();
    const refusal = await second;
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toContain(
      `cannot use ${runDir}: it is being trained by pid ${process.pid} on ${hostname()} (${process.argv.join(' ')}), since `,
    );
    expect(readProgressCsv(runPath(runDir, 'progress')).map((r) => r['update'])).toEqual([1, 2]);
    expect(existsSync(runPath(runDir, 'lock'))).toBe(false);
  });
});
