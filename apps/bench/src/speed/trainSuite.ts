import type { VecEnv } from '@mempo/envs';
import { resolveConfig, train, type Metrics, type PresetName } from '@mempo/ppo';
import { markdownTable } from 'markdown-table';
import { useBackend, type BackendName } from '../backend.js';
import { makeEncoder, makeEnv, type EnvChoice } from '../training/environments.js';
import { makeCore } from '../training/memoryCores.js';

/** The memory cores the train suite measures. */
export const TRAIN_SUITE_CORES = ['fnn', 'lstm', 'gru', 'rim', 'iam'] as const;
export type TrainSuiteCore = (typeof TRAIN_SUITE_CORES)[number];

/** The environments of the train suite (the issue's: Warehouse with 8 envs, MiniGrid Empty-5x5 with 16). */
export const TRAIN_SUITE_ENVS = ['warehouse', 'minigrid-empty-5x5'] as const;
export type TrainSuiteEnv = (typeof TRAIN_SUITE_ENVS)[number];

/** Each env of the suite with its study preset and parallel envs (agents sized as in the studies). */
const ENV_CASES: Record<TrainSuiteEnv, { env: EnvChoice; preset: PresetName; numEnvs: number }> = {
  warehouse: { env: { family: 'warehouse', id: 'warehouse', flicker: 0 }, preset: 'iam', numEnvs: 8 },
  'minigrid-empty-5x5': { env: { family: 'minigrid', id: 'MiniGrid-Empty-5x5-v0', flicker: 0 }, preset: 'minigrid-rim', numEnvs: 16 },
};

/** Options of {@link runTrainSuite}. */
export interface TrainSuiteOptions {
  /** Tensor backend name (default: MEMPO_BACKEND, else the best that loads); checked by `useBackend`. */
  backend?: string;
  /** Envs to measure (default both). */
  envs?: readonly TrainSuiteEnv[];
  /** Cores to measure (default all five). */
  cores?: readonly TrainSuiteCore[];
  /** Measured PPO updates per case, after one untimed warm-up update (default 2). */
  updates?: number;
  /** Progress lines. */
  onProgress?: (line: string) => void;
}

/** One measured case: end-to-end training speed and where the time went. */
export type TrainSpeedResult = { env: TrainSuiteEnv; core: TrainSuiteCore; backend: BackendName; numEnvs: number } & (
  | {
      /** Agent steps (summed over envs) per second of wall time over the measured updates. */
      fps: number;
      /** Shares of the update's time spent stepping envs, acting (agent forward + sampling) and learning. */
      envShare: number;
      actShare: number;
      learnShare: number;
      updates: number;
    }
  | { error: string }
);

/**
 * End-to-end PPO training speed of every core on each env (`speed --suite train`): one warm-up update, then
 * `updates` timed ones with the env's study preset (Warehouse: `iam`, 8 envs × 128; MiniGrid: `minigrid-rim`,
 * 16 envs × 128, through the gymnasium bridge). A case that cannot run (e.g. no Python env) reports its error.
 */
export async function runTrainSuite(options: TrainSuiteOptions = {}): Promise<TrainSpeedResult[]> {
  const { name: backend } = await useBackend(options.backend);
  const updates = options.updates ?? 2;
  if (!Number.isInteger(updates) || updates < 1) throw new Error(`updates must be a positive integer (got ${updates})`);
  const results: TrainSpeedResult[] = [];
  for (const envName of options.envs ?? TRAIN_SUITE_ENVS) {
    const envCase = ENV_CASES[envName];
    for (const coreName of options.cores ?? TRAIN_SUITE_CORES) {
      options.onProgress?.(`${backend}: ${coreName} on ${envName}`);
      const base = { env: envName, core: coreName, backend, numEnvs: envCase.numEnvs };
      let env: VecEnv | undefined;
      try {
        env = await makeEnv(envCase.env, coreName, envCase.numEnvs, 1);
        results.push({ ...base, ...(await measure(envCase, coreName, env, updates)) });
      } catch (err) {
        results.push({ ...base, error: (err as Error).message.split('\n')[0]! });
      } finally {
        await env?.close();
      }
    }
  }
  return results;
}

async function measure(envCase: (typeof ENV_CASES)[TrainSuiteEnv], coreName: TrainSuiteCore, env: VecEnv, updates: number) {
  const preset = resolveConfig(envCase.preset);
  const stepsPerUpdate = envCase.numEnvs * preset.numSteps;
  const config = resolveConfig(envCase.preset, { numEnvs: envCase.numEnvs, totalSteps: stepsPerUpdate * (updates + 1), checkpointEvery: 0 });
  const encoder = makeEncoder(envCase.env.family, coreName, env.observationSpace.shape, 1);
  const core = makeCore(coreName, envCase.env.family, encoder.outputShape, {}, 1);
  const stamps: number[] = [];
  const rows: Metrics[] = [];
  const { agent } = await train({
    config,
    env,
    encoder,
    core,
    callbacks: {
      onUpdate: (m) => {
        stamps.push(performance.now());
        rows.push(m);
      },
    },
  });
  agent.dispose();
  // The first update pays for kernel selection and allocation; time from its end to the last update's end.
  const measured = rows.slice(1);
  const share = (key: string) => measured.reduce((a, r) => a + (r[key] ?? 0), 0) / measured.length;
  return {
    fps: (stepsPerUpdate * updates) / ((stamps[stamps.length - 1]! - stamps[0]!) / 1000),
    envShare: share('time/env_share'),
    actShare: share('time/act_share'),
    learnShare: share('time/learn_share'),
    updates,
  };
}

/** The train-suite table: one row per (env, core) with FPS and the env / act / learn shares of the time. */
export function trainTable(results: readonly TrainSpeedResult[]): string {
  const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
  const rows = results.map((r) =>
    'error' in r
      ? [r.env, String(r.numEnvs), r.core, r.backend, `n/a (${r.error.slice(0, 60)})`, '', '', '']
      : [r.env, String(r.numEnvs), r.core, r.backend, r.fps.toFixed(0), percent(r.envShare), percent(r.actShare), percent(r.learnShare)],
  );
  return markdownTable([['env', 'envs', 'core', 'backend', 'steps/s', 'env', 'act', 'learn'], ...rows], {
    align: ['l', 'r', 'l', 'l', 'r', 'r', 'r', 'r'],
  });
}
