import { loadavg } from 'node:os';
import type { VecEnv } from '@mempo/envs';
import { resolveConfig, resolveEngine, train, type EngineKind, type Metrics, type PresetName, type TrainCallbacks } from '@mempo/ppo';
import { markdownTable } from 'markdown-table';
import { useBackend, type BackendName } from '../backend.js';
import { makeEncoder, makeEnv, type EnvChoice } from '../training/environments.js';
import { makeCore } from '../training/memoryCores.js';

/** The memory cores the train suite measures. */
export const TRAIN_SUITE_CORES = ['fnn', 'lstm', 'gru', 'rim', 'iam'] as const;
export type TrainSuiteCore = (typeof TRAIN_SUITE_CORES)[number];

/** The engines every case runs on, in this order (graph only where it can run: the native backend). */
export const TRAIN_SUITE_ENGINES = ['eager', 'graph'] as const satisfies readonly EngineKind[];

/** One env of the suite: what to build, the study preset it trains with, and how many updates to time. */
export interface TrainSuiteCase {
  env: EnvChoice;
  preset: PresetName;
  numEnvs: number;
  /** Timed PPO updates after the warm-up update (overridden by {@link TrainSuiteOptions.updates}). */
  updates: number;
}

/**
 * The environments of the train suite, agents sized as in the studies: Warehouse (`iam`, 8 envs × 128),
 * MiniGrid Empty-5x5 (`minigrid-rim`, 16 × 128, through the gymnasium bridge) and flickering Breakout
 * (`atari`, 8 × 128 = 1024 agent steps per update, flicker 0.5, through the bridge; one timed update, as
 * each takes tens of seconds on a small CPU).
 */
export const TRAIN_SUITE_CASES = {
  warehouse: { env: { family: 'warehouse', id: 'warehouse', flicker: 0 }, preset: 'iam', numEnvs: 8, updates: 2 },
  'minigrid-empty-5x5': { env: { family: 'minigrid', id: 'MiniGrid-Empty-5x5-v0', flicker: 0 }, preset: 'minigrid-rim', numEnvs: 16, updates: 2 },
  'breakout-flicker': { env: { family: 'atari', id: 'breakout', flicker: 0.5 }, preset: 'atari', numEnvs: 8, updates: 2 },
} as const satisfies Record<string, TrainSuiteCase>;
export type TrainSuiteEnv = keyof typeof TRAIN_SUITE_CASES;
export const TRAIN_SUITE_ENVS = Object.keys(TRAIN_SUITE_CASES) as TrainSuiteEnv[];

/** Options of {@link runTrainSuite}. */
export interface TrainSuiteOptions {
  /** Tensor backend name (default: MEMPO_BACKEND, else the best that loads); checked by `useBackend`. */
  backend?: string;
  /** Envs to measure (default all three). */
  envs?: readonly TrainSuiteEnv[];
  /** Cores to measure (default all five). */
  cores?: readonly TrainSuiteCore[];
  /** Engines to measure (default both; `graph` is skipped off the native backend). */
  engines?: readonly EngineKind[];
  /** Timed PPO updates per case after one untimed warm-up update (default: each env's own, see {@link TRAIN_SUITE_CASES}). */
  updates?: number;
  /** Progress lines. */
  onProgress?: (line: string) => void;
}

/** A timed case: end-to-end training speed on one engine, where the time went, and the graph's one-off compile. */
export interface TrainMeasurement {
  /** Agent steps (summed over envs) per second of wall time over the timed updates (the warm-up excluded). */
  fps: number;
  /** Mean shares of each timed update's time spent stepping envs, acting (agent forward + sampling) and learning. */
  envShare: number;
  actShare: number;
  learnShare: number;
  /** Timed updates. */
  updates: number;
  /** Wall seconds from calling `train` to the end of the warm-up update (env reset, agent set-up, graph compile). */
  warmupSeconds: number;
  /** Graph engine: seconds spent tracing and loading its graphs over the run (paid in the warm-up); null for eager. */
  compileSeconds: number | null;
  /** Graph engine: signatures compiled over the run, and the nodes of its final session; null for eager. */
  compiles: number | null;
  graphNodes: number | null;
  /** Graph rows: this fps ÷ the eager fps of the same (env, core) in the same run (> 1: faster); null otherwise. */
  speedup: number | null;
  /** The host's 1-minute load average when the case ended (other work on the machine makes the figures noisy). */
  loadAverage: number;
}

/** One row of the suite (and of its table): an (env, core, engine) case, timed or with the error that stopped it. */
export type TrainSpeedResult = {
  env: TrainSuiteEnv;
  core: TrainSuiteCore;
  engine: EngineKind;
  backend: BackendName;
  numEnvs: number;
  /** Agent steps of one update (envs × the preset's rollout length). */
  stepsPerUpdate: number;
} & (TrainMeasurement | { error: string });

/**
 * End-to-end PPO training speed of every core on each env (`speed --suite train`), on the eager and the graph
 * engine side by side: per case, one warm-up update (it pays for kernel selection, allocation and the graph
 * engine's compile, reported apart as `compileSeconds`), then the env's timed updates with its study preset.
 * A case that cannot run (e.g. no Python env, a graph TensorFlow rejects) reports its error; the rest go on.
 */
export async function runTrainSuite(options: TrainSuiteOptions = {}): Promise<TrainSpeedResult[]> {
  if (options.updates !== undefined && (!Number.isInteger(options.updates) || options.updates < 1))
    throw new Error(`updates must be a positive integer (got ${options.updates})`);
  const { name: backend } = await useBackend(options.backend);
  const graphRuns = resolveEngine('auto') === 'graph';
  const engines = (options.engines ?? TRAIN_SUITE_ENGINES).filter((e) => e === 'eager' || graphRuns);
  const results: TrainSpeedResult[] = [];
  for (const envName of options.envs ?? TRAIN_SUITE_ENVS) {
    const envCase = TRAIN_SUITE_CASES[envName];
    const updates = options.updates ?? envCase.updates;
    const stepsPerUpdate = envCase.numEnvs * resolveConfig(envCase.preset).numSteps;
    for (const coreName of options.cores ?? TRAIN_SUITE_CORES) {
      let eagerFps: number | undefined;
      for (const engine of engines) {
        options.onProgress?.(`${backend}: ${coreName} on ${envName}, ${engine} engine`);
        const base = { env: envName, core: coreName, engine, backend, numEnvs: envCase.numEnvs, stepsPerUpdate };
        let env: VecEnv | undefined;
        try {
          env = await makeEnv(envCase.env, coreName, envCase.numEnvs, 1);
          const m = await measure(envCase, coreName, engine, env, updates);
          if (engine === 'eager') eagerFps = m.fps;
          else if (eagerFps !== undefined) m.speedup = m.fps / eagerFps;
          results.push({ ...base, ...m });
        } catch (err) {
          results.push({ ...base, error: (err as Error).message.split('\n')[0]! });
        } finally {
          await env?.close();
        }
      }
    }
  }
  return results;
}

async function measure(envCase: TrainSuiteCase, coreName: TrainSuiteCore, engine: EngineKind, env: VecEnv, updates: number): Promise<TrainMeasurement> {
  const preset = resolveConfig(envCase.preset);
  const stepsPerUpdate = envCase.numEnvs * preset.numSteps;
  const config = resolveConfig(envCase.preset, {
    numEnvs: envCase.numEnvs,
    totalSteps: stepsPerUpdate * (updates + 1),
    checkpointEvery: 0,
    engine,
  });
  const encoder = makeEncoder(envCase.env.family, coreName, env.observationSpace.shape, 1);
  const core = makeCore(coreName, envCase.env.family, encoder.outputShape, {}, 1);
  // Stamped through onProgress, as a training command's progress bar sees the run: an onUpdate callback
  // would make the graph engine read its weights back every update, which real runs do not.
  const stamps: number[] = [];
  const rows: Metrics[] = [];
  const progress: TrainCallbacks = {
    onProgress: (m) => {
      stamps.push(performance.now());
      rows.push(m);
    },
  };
  const start = performance.now();
  const result = await train({ config, env, encoder, core, callbacks: progress });
  result.agent.dispose();
  if (rows.length !== updates + 1) throw new Error(`expected ${updates + 1} updates, got ${rows.length}`);
  if (result.engine !== engine) throw new Error(`asked for the ${engine} engine, the run used ${result.engine}`);
  // The first update pays for kernel selection, allocation and compiling; time from its end to the last update's end.
  const timed = rows.slice(1);
  const share = (key: string) => timed.reduce((a, r) => a + (r[key] ?? 0), 0) / timed.length;
  const stats = result.engineStats;
  return {
    fps: (stepsPerUpdate * updates) / ((stamps[stamps.length - 1]! - stamps[0]!) / 1000),
    envShare: share('time/env_share'),
    actShare: share('time/act_share'),
    learnShare: share('time/learn_share'),
    updates,
    warmupSeconds: (stamps[0]! - start) / 1000,
    compileSeconds: stats?.compileSeconds ?? null,
    compiles: stats?.compiles ?? null,
    graphNodes: stats?.nodes ?? null,
    speedup: null,
    loadAverage: loadavg()[0]!,
  };
}

/**
 * The train-suite table: one row per (env, core, engine) with FPS, the env / act / learn shares of the time,
 * the graph engine's one-off compile seconds (not in its FPS) and its speed-up over eager in the same run.
 */
export function trainTable(results: readonly TrainSpeedResult[]): string {
  const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
  const rows = results.map((r) => {
    const head = [r.env, String(r.numEnvs), r.core, r.engine];
    if ('error' in r) return [...head, `n/a (${r.error.slice(0, 60)})`, '', '', '', '', ''];
    return [
      ...head,
      r.fps.toFixed(0),
      percent(r.envShare),
      percent(r.actShare),
      percent(r.learnShare),
      r.compileSeconds === null ? '—' : r.compileSeconds.toFixed(1),
      r.speedup === null ? '—' : `${r.speedup.toFixed(2)}×`,
    ];
  });
  const table = markdownTable([['env', 'envs', 'core', 'engine', 'steps/s', 'env', 'act', 'learn', 'compile s', 'graph/eager'], ...rows], {
    align: ['l', 'r', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
  });
  const first = results[0];
  if (!first) return table;
  const loads = results.flatMap((r) => ('loadAverage' in r ? [r.loadAverage] : []));
  const load = loads.length > 0 ? `; 1-min load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} over the cases` : '';
  const engines =
    first.backend === 'tensorflow'
      ? 'steps/s over the timed updates after one warm-up update, which absorbs the graph compile (compile s)'
      : 'eager engine only (the graph engine needs the native tensorflow backend)';
  return `${table}\n\nbackend ${first.backend}: ${engines}${load}`;
}
