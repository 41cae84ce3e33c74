import * as tf from '@tensorflow/tfjs-core';
import { isResumableVecEnv, type ObsArray, type VecEnv } from '@mempo/envs';
import { obsTensor } from './acting.js';
import type { ActorCritic } from './actorCritic.js';
import type { Adam } from './adam.js';
import { saveCheckpoint, type CheckpointContents } from './checkpoint.js';
import { CONFIG_FIELDS, numUpdates, type PpoConfig } from './config.js';
import type { Rng } from './rng.js';
import type { RunState } from './rollout.js';

/** Fields that may differ between a checkpoint's config and the resumed one (they change no result). */
export const RESUME_FREE_FIELDS = ['checkpointEvery', 'keepCheckpoints', 'engine'] as const satisfies readonly (keyof PpoConfig)[];

/** The config fields that change a run's results: every field but {@link RESUME_FREE_FIELDS}. */
export type ResultConfig = Omit<PpoConfig, (typeof RESUME_FREE_FIELDS)[number]>;

/** What a run checkpoint's `meta` holds besides the tensors (ppo README, "Run folders"). */
export interface RunCheckpointMeta {
  version: 1;
  config: PpoConfig;
  update: number;
  globalStep: number;
  rng: number[];
  adamIterations: number;
  starts: number[];
  recentReturns: number[];
  recentLengths: number[];
  envState: unknown;
  /** Each named callback's state (`TrainCallbacks.state`); absent in checkpoints written before callbacks kept state. */
  callbacks?: Record<string, unknown>;
}

/** The parts of a training run a checkpoint saves and restores. */
export interface RunParts {
  config: PpoConfig;
  env: VecEnv;
  agent: ActorCritic;
  adam: Adam;
  rng: Rng;
  /** The named callbacks' states, written into each checkpoint. */
  callbackState?: () => Record<string, unknown>;
}

/**
 * A config field as it acts on the run. `chunkLength` acts as min(chunkLength, bpttLength), and checkpoints
 * written before the field existed ran every sequence as one chunk; those written before `updateRounding`,
 * `sequenceShift`, `gaeHorizon` or `minibatchGrouping` existed ran as 'floor', 'none', null and 'sequences'.
 */
export function resumeValue(config: PpoConfig, field: keyof PpoConfig): unknown {
  // Checkpoints written before updateRounding existed ran whole updates only.
  if (field === 'updateRounding') return config.updateRounding ?? 'floor';
  // Checkpoints written before sequenceShift existed started every sequence at a multiple of bpttLength.
  if (field === 'sequenceShift') return config.sequenceShift ?? 'none';
  // Checkpoints written before memoryWriteBack existed ran without it.
  if (field === 'memoryWriteBack') return config.memoryWriteBack ?? false;
  // Checkpoints written before gaeHorizon existed ran GAE over the whole rollout.
  if (field === 'gaeHorizon') return config.gaeHorizon ?? null;
  // Checkpoints written before minibatchGrouping existed shuffled sequences one by one.
  if (field === 'minibatchGrouping') return config.minibatchGrouping ?? 'sequences';
  if (field !== 'chunkLength') return config[field];
  return Math.min(config.chunkLength ?? config.bpttLength, config.bpttLength);
}

/**
 * Everything that makes a resumed run continue exactly (ppo README, "Run folders"). The tensors are the caller's:
 * copies of the weights and moments (getWeights' rule), a copy of the obs, and the run's own state tensors,
 * which stay the run's. {@link writeCheckpoint} frees all but the state.
 */
export function snapshotRun(run: RunState, parts: RunParts): CheckpointContents {
  const { config, env, agent, adam, rng } = parts;
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, w] of Object.entries(agent.getWeights())) tensors[`model/${name}`] = w;
  const opt = adam.getState();
  for (const [name, w] of Object.entries(opt.tensors)) tensors[`adam/${name}`] = w;
  run.state.forEach((s, k) => (tensors[`state/${k}`] = s));
  tensors['obs'] = obsTensor(run.obs, config.numEnvs, env.observationSpace.shape);
  const meta: RunCheckpointMeta = {
    version: 1,
    config,
    update: run.update,
    globalStep: run.globalStep,
    rng: rng.getState(),
    adamIterations: opt.iterations,
    starts: Array.from(run.starts),
    recentReturns: run.recentReturns,
    recentLengths: run.recentLengths,
    envState: isResumableVecEnv(env) ? env.getState() : null,
    ...(parts.callbackState ? { callbacks: parts.callbackState() } : {}),
  };
  return { meta: { ...meta }, tensors };
}

/**
 * Writes a checkpoint of the run to `dir/update-<update>/` and returns its path. The copies made for it
 * (weights, moments, obs) are freed once written, also when the write fails, so checkpoints leak nothing.
 */
export function writeCheckpoint(dir: string, run: RunState, parts: RunParts): string {
  const snapshot = snapshotRun(run, parts);
  try {
    return saveCheckpoint(dir, run.update, snapshot, parts.config.keepCheckpoints);
  } finally {
    tf.dispose(Object.entries(snapshot.tensors).filter(([name]) => !name.startsWith('state/')).map(([, t]) => t));
  }
}

/**
 * Restores a run from {@link snapshotRun}'s checkpoint into the parts (weights, moments, RNG, env); throws
 * when the config differs in a field that matters. `totalSteps` may differ (continuing a run with another
 * budget, the ppo README "Continuing a run") but not fall below the steps the checkpoint has done. Frees
 * the checkpoint's tensors.
 */
export async function restoreRun(saved: CheckpointContents, parts: RunParts): Promise<RunState> {
  const { config, env, agent, adam, rng } = parts;
  const meta = saved.meta as unknown as RunCheckpointMeta;
  try {
    for (const field of CONFIG_FIELDS) {
      if ((RESUME_FREE_FIELDS as readonly string[]).includes(field)) continue;
      if (field === 'totalSteps') {
        if (numUpdates(config) < meta.update)
          throw new Error(
            `cannot resume: totalSteps ${config.totalSteps} (${numUpdates(config)} updates) is less than the ${meta.globalStep} agent steps (${meta.update} updates) ` +
              `the checkpoint has done; pass a totalSteps of at least ${meta.globalStep} to continue the run, or start a new run folder`,
          );
        continue;
      }
      if (JSON.stringify(resumeValue(meta.config, field)) !== JSON.stringify(resumeValue(config, field)))
        throw new Error(
          `cannot resume: ${field} is ${JSON.stringify(resumeValue(config, field))} but the checkpoint was written with ${JSON.stringify(resumeValue(meta.config, field))}; ` +
            'use the same config or start a new run folder',
        );
    }
    const weights: Record<string, tf.Tensor> = {};
    const moments: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(saved.tensors)) {
      if (name.startsWith('model/')) weights[name.slice('model/'.length)] = t;
      if (name.startsWith('adam/')) moments[name.slice('adam/'.length)] = t;
    }
    agent.setWeights(weights);
    adam.setState({ iterations: meta.adamIterations, tensors: moments });
    rng.setState(meta.rng);
    const P = config.numEnvs;
    let obs: ObsArray;
    let starts: Uint8Array;
    let state: tf.Tensor[];
    if (isResumableVecEnv(env) && meta.envState !== null) {
      await env.reset(config.seed);
      await env.setState(meta.envState);
      const data = saved.tensors['obs']!.dataSync() as Float32Array;
      obs = env.observationSpace.dtype === 'uint8' ? Uint8Array.from(data) : Float32Array.from(data);
      starts = Uint8Array.from(meta.starts);
      state = agent.core.stateShapes.map((_, k) => tf.clone(saved.tensors[`state/${k}`]!));
    } else {
      // Without an env snapshot the episodes in flight are lost: start fresh ones, with a seed that differs
      // from the run's first reset so the resumed run does not replay the same episodes.
      obs = await env.reset(config.seed + meta.update * P);
      starts = new Uint8Array(P).fill(1);
      state = agent.core.initialState(P);
    }
    return {
      update: meta.update,
      globalStep: meta.globalStep,
      obs,
      starts,
      state,
      recentReturns: meta.recentReturns,
      recentLengths: meta.recentLengths,
    };
  } finally {
    tf.dispose(Object.values(saved.tensors));
  }
}
