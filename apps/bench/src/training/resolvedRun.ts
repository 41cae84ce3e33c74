import { resolveConfig, updatesFor, type PpoConfig, type PresetName, type ResultConfig } from '@mempo/ppo';
import { resolveAgent, type AgentOverrides, type RunAgent } from './agentOverrides.js';
import { defaultStack, type EnvChoice } from './environments.js';
import { coreSizes, type CoreOverrides, type CoreSizes, type MemoryName } from './memoryCores.js';

/** What a run is asked to be: the part of a training request that decides its results. */
export interface RunRequest {
  env: EnvChoice;
  memory: MemoryName;
  preset: PresetName;
  seed: number;
  /** Agent steps summed over envs; default: the preset's budget. */
  totalSteps?: number;
  /** Parallel envs; default: the preset's. */
  numEnvs?: number;
  /** Frames stacked per observation; default per family and memory. */
  stack?: number;
  core: CoreOverrides;
  /** PPO fields over the preset's (the CLI's generated flags, a study's `ppo` blocks); the four above have their own keys. */
  ppo?: PpoOverrides;
  /** Changes to the preset's agent (a study memory entry's `agent`): heads, encoder init, RIM options. */
  agent?: AgentOverrides;
}

/** PPO fields a request overrides; seed, frames and envs are the request's own keys. */
export type PpoOverrides = Partial<Omit<PpoConfig, 'seed' | 'totalSteps' | 'numEnvs'>>;

/** A run with every default filled in: what it trains, exactly, known before anything is built. */
export interface ResolvedRun {
  env: EnvChoice;
  memory: MemoryName;
  preset: PresetName;
  seed: number;
  /** Agent steps the run trains: a whole number of updates. */
  frames: number;
  envs: number;
  stack: number;
  core: CoreSizes;
  /** The resolved PPO config, less the fields that change no result (ppo's `RESUME_FREE_FIELDS`). */
  ppo: ResultConfig;
  /** The preset's agent (heads, encoder initialisation, core options) with the request's overrides: a different agent is a different run. */
  agent: RunAgent;
}

/** A resolved run and the lines that tell the user what was decided for them (a rounded frame budget). */
export interface Resolution {
  run: ResolvedRun;
  notes: string[];
}

/**
 * Checks a run request against everything known before an env or a backend starts, and fills in its
 * defaults. Flags that do not apply (`--units`/`--k` off RIM, `--stack` on MiniGrid, `--flicker` off Atari)
 * are errors naming the flag. A frame budget must be a safe integer of at least one update; one that is not
 * a whole number of updates (envs × steps per env) is rounded to one by the preset's `updateRounding` (down; up under
 * `minigrid-rim`, as torch-ac's loop), and a note says so, so the run
 * trains and records exactly `frames`.
 *
 * @example
 * const { run, notes } = resolveRun({ env: { family: 'warehouse', id: 'warehouse', flicker: 0 }, memory: 'lstm',
 *   preset: 'iam', seed: 1, totalSteps: 8000, core: {} });
 * run.frames; // 7168 (7 updates of 8 envs × 128 steps); notes[0] says so
 */
export function resolveRun(request: RunRequest): Resolution {
  const { env, memory, core } = request;
  if (memory !== 'rim')
    for (const flag of ['units', 'k', 'referenceQuirks'] as const)
      if (core[flag] !== undefined) throw new Error(`--${flag} applies to --memory rim only (got --memory ${memory}); remove --${flag}`);
  if ((env.family === 'minigrid' || env.family === 'gym') && request.stack !== undefined)
    throw new Error(`--stack applies to Atari and the Warehouse only (${env.family === 'gym' ? 'gym' : 'MiniGrid'} observations are not stacked); remove --stack`);
  if (env.family !== 'atari' && env.flicker !== 0) throw new Error(`--flicker applies to Atari only (got a ${env.family} env); remove --flicker`);
  if (env.family !== 'warehouse' && env.legacyItemRemoval !== undefined)
    throw new Error(`--legacy-item-removal applies to the Warehouse only (got a ${env.family} env); remove --legacy-item-removal`);
  const sizes = coreSizes(memory, env.family, core);

  const base = resolveConfig(request.preset, {
    ...request.ppo,
    seed: request.seed,
    ...(request.numEnvs !== undefined ? { numEnvs: request.numEnvs } : {}),
  });
  const perUpdate = base.numEnvs * base.numSteps;
  const shape = `${base.numEnvs} envs × ${base.numSteps} steps`;
  const requested = request.totalSteps ?? base.totalSteps;
  if (!Number.isSafeInteger(requested)) throw new Error(`--frames must be a positive integer up to 2^53 − 1 (got ${requested})`);
  if (requested < perUpdate) throw new Error(`--frames must be at least one update, ${perUpdate} frames (${shape}) (got ${requested})`);
  // The preset's rule: torch-ac's loop runs until the budget is reached (ceil), the others whole updates within it.
  const updates = updatesFor(requested, perUpdate, base.updateRounding);
  const frames = updates * perUpdate;
  const below = Math.floor(requested / perUpdate) * perUpdate;
  const notes =
    frames === requested
      ? []
      : [
          `--frames ${requested} is not a whole number of updates of ${perUpdate} (${shape}): training ${updates} updates = ${frames} frames ` +
            `(pass --frames ${below} or ${below + perUpdate} to choose exactly)`,
        ];
  const { checkpointEvery: _every, keepCheckpoints: _keep, engine: _engine, ...ppo } = resolveConfig(request.preset, {
    ...request.ppo,
    seed: request.seed,
    numEnvs: base.numEnvs,
    totalSteps: frames,
  });
  const stack = request.stack ?? defaultStack(env.family, memory);
  const agent = resolveAgent(request.preset, memory, request.agent);
  return {
    run: { env, memory, preset: request.preset, seed: request.seed, frames, envs: base.numEnvs, stack, core: sizes, ppo, agent },
    notes,
  };
}
