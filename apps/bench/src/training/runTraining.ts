import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AGENT_PRESETS, ConsoleProgress, RUN_FILES, assertRunNotLocked, resolveConfig, runPath, train, writeJsonAtomic, type EngineChoice, type PpoConfig, type PresetName, type ScalarWriter, type TrainResult } from '@mempo/ppo';
import { purgeEventsAfter } from './tensorBoardEvents.js';
import { makeCore, type CoreOverrides, type MemoryName } from './memoryCores.js';
import { makeEncoder, makeEnv, type EnvChoice } from './environments.js';
import { resolveRun, type ResolvedRun } from './resolvedRun.js';
import { checkBuiltAgent, checkRunFolder } from './runFolderCheck.js';
import { nativeProvider } from '../backend.js';

/** One training run (DESIGN.md, "Runs"): env × memory × seed × preset. */
export interface RunSpec {
  env: EnvChoice;
  memory: MemoryName;
  preset: PresetName;
  seed: number;
  /** Execution engine (default 'auto': graph on the native backend, eager elsewhere). */
  engine?: EngineChoice;
  /** Agent steps summed over envs; default: the preset's budget. */
  totalSteps?: number;
  /** Parallel envs; default: the preset's. */
  numEnvs?: number;
  /** Frames stacked per observation; default per family and memory (see environments.ts). */
  stack?: number;
  core: CoreOverrides;
  /** Run folder; default `runs/<env>-<memory>-s<seed>`. */
  runDir?: string;
  /** Show the console progress bar (default true). */
  progress?: boolean;
  /** Stops training at the next safe point, with a checkpoint (see `train`'s `signal`). */
  signal?: AbortSignal;
}

/** The default run folder name: readable and unique per (env, memory, seed). */
export function defaultRunDir(spec: Pick<RunSpec, 'env' | 'memory' | 'seed'>): string {
  const env = spec.env.family === 'atari' && spec.env.flicker > 0 ? `${spec.env.id}-flicker${spec.env.flicker}` : spec.env.id;
  return join('runs', `${env}-${spec.memory}-s${spec.seed}`);
}

/** The spec file of a run folder: what `evaluate` needs to rebuild the agent from a checkpoint. */
export const RUN_SPEC_FILE = RUN_FILES.spec;

/** The part of a {@link RunSpec} saved as `run.json` (the rest only steers the process). */
export type SavedRunSpec = Omit<RunSpec, 'runDir' | 'progress' | 'engine' | 'signal'>;

/** Writes `run.json` with the frames the run really trains (a whole number of updates). */
function writeRunSpec(runDir: string, spec: RunSpec, resolved: ResolvedRun): void {
  const saved: SavedRunSpec = { env: spec.env, memory: spec.memory, preset: spec.preset, seed: spec.seed, core: spec.core, totalSteps: resolved.frames };
  if (spec.numEnvs !== undefined) saved.numEnvs = spec.numEnvs;
  if (spec.stack !== undefined) saved.stack = spec.stack;
  writeJsonAtomic(runPath(runDir, 'spec'), saved);
}

/** TensorBoard event files through tfjs-node's writer; only the native backend has one. */
async function tensorBoardWriter(dir: string): Promise<ScalarWriter | undefined> {
  const provider = nativeProvider();
  if (tf.getBackend() !== 'tensorflow' || provider === null) return undefined;
  // The loaded build's own module: importing the other build would load a second libtensorflow.
  const { node } = (await import(provider)) as typeof import('@tensorflow/tfjs-node');
  // Opened at the first scalar, after the purge, so that the purge never rewrites the file being written.
  let writer: ReturnType<typeof node.summaryFileWriter> | undefined;
  return {
    purgeAfter: (step) => void purgeEventsAfter(dir, step),
    scalar: (name, value, step) => (writer ??= node.summaryFileWriter(dir)).scalar(name, value, step),
    flush: () => writer?.flush(),
  };
}

/**
 * Builds env, encoder and core for a run and trains them with recurrent PPO, writing `config.json`,
 * `run.json` (the spec), `progress.csv`, TensorBoard events (`tb/`) and `checkpoints/` to the run folder. A run folder that already
 * has checkpoints is resumed from the newest one. The request is checked first ({@link resolveRun}, then against what the folder
 * holds: {@link checkRunFolder}, {@link checkBuiltAgent}), so a refused request writes nothing.
 */
export async function runTraining(spec: RunSpec): Promise<TrainResult & { runDir: string; config: PpoConfig }> {
  const { run: resolved } = resolveRun(spec);
  const config = resolveConfig(spec.preset, { seed: spec.seed, engine: spec.engine ?? 'auto', totalSteps: resolved.frames, numEnvs: resolved.envs });
  const runDir = spec.runDir ?? defaultRunDir(spec);
  // Refuse a run being trained by another process before building anything; train takes the lock itself.
  assertRunNotLocked(runDir);
  checkRunFolder(runDir, resolved);
  const env = await makeEnv(spec.env, spec.memory, config.numEnvs, spec.seed, spec.stack);
  try {
    const agent = AGENT_PRESETS[spec.preset];
    const encoder = makeEncoder(spec.env.family, spec.memory, env.observationSpace.shape, spec.seed, agent.encoderInit);
    const core = makeCore(spec.memory, spec.env.family, encoder.outputShape, spec.core, spec.seed, agent.cores[spec.memory]);
    checkBuiltAgent(runDir, encoder, core);
    if (!existsSync(runPath(runDir, 'spec'))) writeRunSpec(runDir, spec, resolved);
    const scalarWriter = await tensorBoardWriter(join(runDir, 'tb'));
    const result = await train({
      config,
      env,
      encoder,
      core,
      heads: agent.heads,
      runDir,
      resume: true,
      ...(scalarWriter ? { scalarWriter } : {}),
      ...(spec.signal ? { signal: spec.signal } : {}),
      ...(spec.progress === false ? {} : { progress: new ConsoleProgress(`${spec.env.id} ${spec.memory}`) }),
    });
    return { ...result, runDir, config };
  } finally {
    await env.close();
  }
}
