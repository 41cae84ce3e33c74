import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, assertRunNotLocked, readJsonFile, resolveConfig, runPath, train, writeJsonAtomic, type EngineChoice, type PpoConfig, type PresetName, type TrainResult } from '@mempo/ppo';
import { evaluationCallback, type EvaluationSchedule } from './evaluationDuringTraining.js';
import { ConsoleProgress } from './progressBar.js';
import { EventFileWriter, isEventFile, type HParams } from './tensorBoardEvents.js';
import { makeCore, type CoreOverrides, type MemoryName } from './memoryCores.js';
import { makeEncoder, makeEnv, type EnvChoice } from './environments.js';
import type { AgentOverrides } from './agentOverrides.js';
import { resolveRun, type PpoOverrides, type ResolvedRun } from './resolvedRun.js';
import { checkBuiltAgent, checkRunFolder } from './runFolderCheck.js';

/** One training run (README, "Commands"; ppo README, "Run folders"): env × memory × seed × preset. */
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
  /** PPO fields over the preset's (the CLI's PPO flags, a study's `ppo` blocks). */
  ppo?: PpoOverrides;
  /** Changes to the preset's agent (a study memory entry's `agent`; recorded in `run.json`). */
  agent?: AgentOverrides;
  /** Evaluation during training, keeping `best/` (README, "Evaluation during training"); none when absent. */
  evaluation?: EvaluationSchedule;
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
export type SavedRunSpec = Omit<RunSpec, 'runDir' | 'progress' | 'engine' | 'signal' | 'evaluation'>;

/** Writes `run.json` with the frames the run really trains (a whole number of updates). */
function writeRunSpec(runDir: string, spec: RunSpec, resolved: ResolvedRun): void {
  const saved: SavedRunSpec = { env: spec.env, memory: spec.memory, preset: spec.preset, seed: spec.seed, core: spec.core, totalSteps: resolved.frames };
  if (spec.numEnvs !== undefined) saved.numEnvs = spec.numEnvs;
  if (spec.stack !== undefined) saved.stack = spec.stack;
  if (spec.ppo !== undefined && Object.keys(spec.ppo).length > 0) saved.ppo = spec.ppo;
  if (spec.agent !== undefined && Object.keys(spec.agent).length > 0) saved.agent = spec.agent;
  writeJsonAtomic(runPath(runDir, 'spec'), saved);
}

/**
 * TensorBoard event files for the run, on every backend. A run's first writer also records its settings for
 * TensorBoard's hparams tab (a resumed run has them already, and its purge keeps them: they sit at step 0).
 */
function tensorBoardWriter(dir: string, resolved: ResolvedRun): EventFileWriter {
  const writer = new EventFileWriter(dir);
  if (!existsSync(dir) || !readdirSync(dir).some(isEventFile)) writer.hparams(runHParams(resolved), resolved.env.id);
  return writer;
}

/** The settings a run trained with, flattened for TensorBoard's hparams tab (`ppo/…`, `core/…`). */
function runHParams(resolved: ResolvedRun): HParams {
  const values: HParams = { env: resolved.env.id, memory: resolved.memory, preset: resolved.preset, seed: resolved.seed, frames: resolved.frames, envs: resolved.envs, stack: resolved.stack };
  if (resolved.env.family === 'atari') values['flicker'] = resolved.env.flicker;
  if (resolved.env.family === 'warehouse') values['legacyItemRemoval'] = resolved.env.legacyItemRemoval === true;
  for (const [prefix, settings] of [['ppo', resolved.ppo], ['core', resolved.core]] as const)
    for (const [key, value] of Object.entries(settings))
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') values[`${prefix}/${key}`] = value;
      else if (value !== undefined) values[`${prefix}/${key}`] = JSON.stringify(value);
  return values;
}

/**
 * Builds env, encoder and core for a run and trains them with recurrent PPO, writing `config.json`,
 * `run.json` (the spec), `progress.csv`, TensorBoard events (`tb/`) and `checkpoints/` to the run folder. A run folder that already
 * has checkpoints is resumed from the newest one. The request is checked first ({@link resolveRun}, then against what the folder
 * holds: {@link checkRunFolder}, {@link checkBuiltAgent}), so a refused request writes nothing.
 */
export async function runTraining(spec: RunSpec): Promise<TrainResult & { runDir: string; config: PpoConfig }> {
  const { run: resolved } = resolveRun(spec);
  const config = resolveConfig(spec.preset, { ...spec.ppo, seed: spec.seed, engine: spec.engine ?? spec.ppo?.engine ?? 'auto', totalSteps: resolved.frames, numEnvs: resolved.envs });
  const runDir = spec.runDir ?? defaultRunDir(spec);
  // Refuse a run being trained by another process before building anything; train takes the lock itself.
  assertRunNotLocked(runDir);
  checkRunFolder(runDir, resolved);
  const env = await makeEnv(spec.env, spec.memory, config.numEnvs, spec.seed, spec.stack);
  let evaluation: Awaited<ReturnType<typeof evaluationCallback>> | undefined;
  try {
    const agent = resolved.agent;
    const encoder = makeEncoder(spec.env.family, spec.memory, env.observationSpace.shape, spec.seed, agent.encoderInit, agent.encoderBias);
    const core = makeCore(spec.memory, spec.env.family, encoder.outputShape, spec.core, spec.seed, agent.cores[spec.memory]);
    checkBuiltAgent(runDir, encoder, core);
    // A run continued with a larger --frames records its new budget (checkRunFolder allowed it).
    const specPath = runPath(runDir, 'spec');
    if (!existsSync(specPath) || readJsonFile<SavedRunSpec>(specPath, 'move the folder away or pass a new --out').totalSteps !== resolved.frames) writeRunSpec(runDir, spec, resolved);
    const scalarWriter = tensorBoardWriter(runPath(runDir, 'tensorBoard'), resolved);
    evaluation = spec.evaluation ? await evaluationCallback(spec, spec.evaluation, config.numEnvs) : undefined;
    const result = await train({
      config,
      env,
      encoder,
      core,
      heads: agent.heads,
      runDir,
      resume: true,
      scalarWriter,
      ...(spec.signal ? { signal: spec.signal } : {}),
      callbacks: [
        { onTrainStart: (info) => void (info.budgetChange && console.error(info.budgetChange.message)) },
        ...(evaluation ? [evaluation.callback] : []),
        ...(spec.progress === false ? [] : [new ConsoleProgress(`${spec.env.id} ${spec.memory}`)]),
      ],
    });
    return { ...result, runDir, config };
  } finally {
    await evaluation?.close();
    await env.close();
  }
}
