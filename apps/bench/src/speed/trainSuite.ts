import { FNNCore, GRUCore, LSTMCore, type MemoryCore } from '@mempo/core-attention';
import { Warehouse, makeMiniGridEnv, type VecEnv } from '@mempo/envs';
import { IAMStaticCore } from '@mempo/iam';
import { MinigridConvEncoder, MlpEncoder, resolveConfig, train, type Encoder, type Metrics, type PresetName } from '@mempo/ppo';
import { RIMCore } from '@mempo/rim';
import { markdownTable } from 'markdown-table';
import { useBackend, type BackendName } from '../backend.js';

/** The memory cores the train suite measures. */
export const TRAIN_SUITE_CORES = ['fnn', 'lstm', 'gru', 'rim', 'iam'] as const;
export type TrainSuiteCore = (typeof TRAIN_SUITE_CORES)[number];

/** The environments of the train suite (the issue's: Warehouse with 8 envs, MiniGrid Empty-5x5 with 16). */
export const TRAIN_SUITE_ENVS = ['warehouse', 'minigrid-empty-5x5'] as const;
export type TrainSuiteEnv = (typeof TRAIN_SUITE_ENVS)[number];

/** An env of the suite with its PPO preset and the agent each core gets there. */
interface EnvCase {
  preset: PresetName;
  numEnvs: number;
  make(numEnvs: number): Promise<VecEnv>;
  /** Encoder and core, sized as in the studies that use this env. */
  agent(core: TrainSuiteCore): { encoder: Encoder; core: MemoryCore };
}

const ENV_CASES: Record<TrainSuiteEnv, EnvCase> = {
  // spec/iam.md's Warehouse networks: baselines 73 → 640 → cell 256; IAM 73 → FNN 576 → 256 ‖ LSTM 64 on the d-set.
  warehouse: {
    preset: 'iam',
    numEnvs: 8,
    make: async (numEnvs) => new Warehouse({ numEnvs }),
    agent: (core) => {
      const wide = () => new MlpEncoder({ obsShape: [73], hiddenSizes: [640], activation: 'relu', seed: 1 });
      const raw = () => new MlpEncoder({ obsShape: [73], hiddenSizes: [], seed: 1 });
      switch (core) {
        case 'fnn':
          return { encoder: wide(), core: new FNNCore({ inputSize: 640, hiddenSize: 256, seed: 1 }) };
        case 'lstm':
          return { encoder: wide(), core: new LSTMCore({ inputSize: 640, hiddenSize: 256, seed: 1 }) };
        case 'gru':
          return { encoder: wide(), core: new GRUCore({ inputSize: 640, hiddenSize: 256, seed: 1 }) };
        case 'rim':
          return { encoder: raw(), core: new RIMCore({ inputSize: 73, hiddenSize: 16, units: 4, k: 3, inputValueSize: 64, seed: 1 }) };
        case 'iam':
          return { encoder: raw(), core: new IAMStaticCore({ seed: 1 }) };
      }
    },
  },
  // The RIM repository's MiniGrid agent: conv stack → 64; RIM U = 4, H = 16, k = 3 (spec/rim.md); baselines 64 wide.
  'minigrid-empty-5x5': {
    preset: 'minigrid-rim',
    numEnvs: 16,
    make: (numEnvs) => makeMiniGridEnv({ envId: 'MiniGrid-Empty-5x5-v0', numEnvs }),
    agent: (core) => {
      const encoder = new MinigridConvEncoder({ seed: 1 });
      switch (core) {
        case 'fnn':
          return { encoder, core: new FNNCore({ inputSize: 64, hiddenSize: 64, seed: 1 }) };
        case 'lstm':
          return { encoder, core: new LSTMCore({ inputSize: 64, hiddenSize: 64, seed: 1 }) };
        case 'gru':
          return { encoder, core: new GRUCore({ inputSize: 64, hiddenSize: 64, seed: 1 }) };
        case 'rim':
          return { encoder, core: new RIMCore({ inputSize: 64, hiddenSize: 16, units: 4, k: 3, inputValueSize: 64, seed: 1 }) };
        case 'iam':
          // MiniGrid has no known d-set: the recurrent branch reads all 64 features (no input restriction).
          return {
            encoder,
            core: new IAMStaticCore({ inputSize: 64, dSet: Array.from({ length: 64 }, (_, i) => i), fnnSizes: [64], hiddenSize: 64, seed: 1 }),
          };
      }
    },
  },
};

/** Options of {@link runTrainSuite}. */
export interface TrainSuiteOptions {
  /** Tensor backend (default: MEMPO_BACKEND, else the best that loads). */
  backend?: BackendName;
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
        env = await envCase.make(envCase.numEnvs);
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

async function measure(envCase: EnvCase, coreName: TrainSuiteCore, env: VecEnv, updates: number) {
  const preset = resolveConfig(envCase.preset);
  const stepsPerUpdate = envCase.numEnvs * preset.numSteps;
  const config = resolveConfig(envCase.preset, { numEnvs: envCase.numEnvs, totalSteps: stepsPerUpdate * (updates + 1), checkpointEvery: 0 });
  const { encoder, core } = envCase.agent(coreName);
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
