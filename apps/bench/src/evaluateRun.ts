import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { VecEnv } from '@mempo/envs';
// Importing the plugin packages registers their cores, which loadAgent rebuilds by name.
import '@mempo/iam';
import '@mempo/rim';
import { Rng, act, readJsonFile, evaluate, loadAgent, obsTensor, type ActorCritic, type EvaluationResult } from '@mempo/ppo';
import { makeEnv, type EnvChoice } from './training/environments.js';
import { RUN_SPEC_FILE, type SavedRunSpec } from './training/runTraining.js';

/** Reads a run folder's `run.json`, failing with what to do when the folder is not a run. */
export function readRunSpec(runDir: string): SavedRunSpec {
  const path = join(runDir, RUN_SPEC_FILE);
  if (!existsSync(path)) throw new Error(`${runDir} has no ${RUN_SPEC_FILE}: --run must be a folder written by a training command or a study`);
  return readJsonFile<SavedRunSpec>(path, 'restore it from a backup, or retrain the run into a new --out');
}

/** An agent rebuilt from a run's newest checkpoint, with the env it acts in; `close` frees both. */
export interface LoadedRun {
  spec: SavedRunSpec;
  agent: ActorCritic;
  env: VecEnv;
  /** The checkpoint's update number. */
  update: number;
  close(): Promise<void>;
}

/**
 * Loads a run's agent ({@link loadAgent}: encoder, core and heads from the run's `config.json`, weights of
 * the newest intact checkpoint, or of `best/` with `which: 'best'`) and builds the env it acts in from
 * `run.json`. The env may differ from the training env (zero-shot evaluation) as long as its observation
 * and action spaces match the agent's.
 */
export async function loadRun(runDir: string, envChoice?: EnvChoice, numEnvs?: number, which: 'latest' | 'best' = 'latest'): Promise<LoadedRun> {
  const spec = readRunSpec(runDir);
  const choice = envChoice ?? spec.env;
  if (choice.family !== spec.env.family)
    throw new Error(`--env must be a ${spec.env.family} env for this run (got a ${choice.family} env '${choice.id}')`);
  const loaded = loadAgent(runDir, { which });
  const { agent } = loaded;
  let env: VecEnv | undefined;
  try {
    env = await makeEnv(choice, spec.memory, numEnvs ?? loaded.config.ppo.numEnvs, spec.seed, spec.stack);
    if (env.observationSpace.shape.join() !== agent.encoder.obsShape.join() || env.actionSpace.n !== agent.heads.numActions)
      throw new Error(
        `'${choice.id}' has observations [${env.observationSpace.shape}] and ${env.actionSpace.n} actions, but the agent of ${runDir} ` +
          `reads [${agent.encoder.obsShape}] and has ${agent.heads.numActions}: evaluate it on an env with the same spaces`,
      );
    const opened = env;
    return {
      spec,
      agent,
      env: opened,
      update: loaded.update,
      close: async () => {
        agent.dispose();
        await opened.close();
      },
    };
  } catch (err) {
    agent.dispose();
    await env?.close();
    throw err;
  }
}

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** The env to evaluate on; default the training env. */
  env?: EnvChoice;
  /** Episodes (the ppo README "Evaluation": default 100). */
  episodes?: number;
  /** Seed of the env resets and action sampling; default 10_000 + the run's seed (never a training seed). */
  seed?: number;
  /** Parallel envs; default as in training. */
  numEnvs?: number;
  /** Record this many steps of env 0's core diagnostics (0: none). */
  diagnosticSteps?: number;
  /** The most likely action instead of a sampled one. Default false. */
  deterministic?: boolean;
  /** The agent of `best/` (the best evaluation during training) instead of the newest checkpoint. Default false. */
  best?: boolean;
}

/** One evaluation of a run's final policy on one env. */
export interface RunEvaluation extends EvaluationResult {
  env: string;
  /** The checkpoint's update number. */
  update: number;
  /** Which weights: the newest checkpoint or `best/`. */
  weights: 'latest' | 'best';
  /** Present when diagnostics were asked for and the core reports some. */
  diagnostics?: DiagnosticsTrace;
}

/** Per-step core diagnostics of env 0 (RIM `activeMask`/`inputAttention`, IAM `alpha`). */
export interface DiagnosticsTrace {
  steps: number;
  /** Steps at which env 0 started a new episode (the memory was zeroed). */
  episodeStarts: number[];
  /** name → per-step shape (env 0's slice) and the per-step values, flattened row-major. */
  series: Record<string, { shape: number[]; values: number[][] }>;
}

/** Evaluates a run's newest checkpoint: mean return over N episodes, optionally the core's diagnostics. */
export async function evaluateRun(runDir: string, options: EvaluateRunOptions = {}): Promise<RunEvaluation> {
  const weights = options.best === true ? 'best' : 'latest';
  const loaded = await loadRun(runDir, options.env, options.numEnvs, weights);
  try {
    const seed = options.seed ?? 10_000 + loaded.spec.seed;
    const result = await evaluate(loaded.agent, loaded.env, { episodes: options.episodes ?? 100, seed, deterministic: options.deterministic === true });
    const steps = options.diagnosticSteps ?? 0;
    const diagnostics = steps > 0 ? await recordDiagnostics(loaded.agent, loaded.env, steps, seed) : undefined;
    return { env: (options.env ?? loaded.spec.env).id, update: loaded.update, weights, ...result, ...(diagnostics ? { diagnostics } : {}) };
  } finally {
    await loaded.close();
  }
}

/**
 * Runs the policy (sampled actions, dropout off) for `steps` steps and keeps env 0's diagnostics; returns
 * undefined for cores that report none (LSTM, GRU, FNN).
 */
export async function recordDiagnostics(agent: ActorCritic, env: VecEnv, steps: number, seed: number): Promise<DiagnosticsTrace | undefined> {
  const P = env.numEnvs;
  const rng = new Rng(seed);
  let obs = await env.reset(seed);
  let state = agent.core.initialState(P);
  let starts = new Uint8Array(P).fill(1);
  const series: DiagnosticsTrace['series'] = {};
  const episodeStarts: number[] = [0];
  try {
    for (let t = 0; t < steps; t++) {
      const x = obsTensor(obs, P, env.observationSpace.shape);
      const acted = act(agent, x, state, starts, false, rng);
      x.dispose();
      tf.dispose(state);
      state = acted.state;
      for (const [name, d] of Object.entries(acted.diagnostics ?? {})) {
        // [P, ...] → env 0's slice
        const perEnv = d.size / P;
        const row = Array.from((d.dataSync() as Float32Array).subarray(0, perEnv));
        (series[name] ??= { shape: d.shape.slice(1), values: [] }).values.push(row);
      }
      tf.dispose(Object.values(acted.diagnostics ?? {}));
      const result = await env.step(acted.actions);
      starts = new Uint8Array(P);
      for (let p = 0; p < P; p++) starts[p] = result.terminated[p]! | result.truncated[p]!;
      if (starts[0] && t + 1 < steps) episodeStarts.push(t + 1);
      obs = result.obs;
    }
  } finally {
    tf.dispose(state);
  }
  return Object.keys(series).length === 0 ? undefined : { steps, episodeStarts, series };
}
