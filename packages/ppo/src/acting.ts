import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, statelessRandomUniform } from '@mempo/graph';
import type { ObsArray } from '@mempo/envs';
import type { ActorCritic } from './actorCritic.js';
import type { Rng } from './rng.js';

/** What one acting step hands back to the rollout, in JS arrays (`[P]` each). */
export interface Acted {
  actions: Int32Array;
  /** log π(a_t). */
  logProbs: Float32Array;
  values: Float32Array;
  /** The core's state after the step (caller owns it). */
  state: tf.Tensor[];
  /** Per-env diagnostics tensors (caller owns them). */
  diagnostics?: Record<string, tf.Tensor>;
}

/** The tensors of one acting step (caller owns them). */
export interface ActStepResult {
  /** Rows: sampled action, its log π, V; `[3, P]` float32, so one readback brings all three to JS. */
  sample: tf.Tensor2D;
  /** The core's state after the step. */
  state: tf.Tensor[];
  diagnostics?: Record<string, tf.Tensor>;
  /**
   * The diagnostics as the rollout logs them, concatenated in `diagnostics`' key order
   * ({@link summarizeDiagnostics}). Computed in the step so a compiled step returns it with no extra kernels
   * from JS.
   */
  diagnosticSummary?: tf.Tensor1D;
}

/** Salt of the action-sampling stream within a step's seed (the core's dropout uses salts 1 and 2). */
const SAMPLING_SALT = 1000;

/**
 * One acting step as tensor math only (the ppo README "Acting"), so the same function runs eagerly or compiled
 * into one graph: reset the state at episode starts, encoder → core → heads, then a ∼ softmax(logits) by
 * inverse CDF of one uniform per env drawn from `seed` (int32 `[2]`, fed per step from the run's RNG).
 *
 * @param obs `[P, ...obsShape]` float32
 * @param starts `[P]`, 1 where obs starts an episode
 * @param state the core's state before the reset
 */
export function actStep(agent: ActorCritic, obs: tf.Tensor, starts: tf.Tensor1D, state: tf.Tensor[], seed: tf.Tensor, training: boolean): ActStepResult {
  return tf.tidy(() => {
    const out = agent.step(obs, state, starts, training, seed);
    const logPi = tf.logSoftmax(out.logits); // [P, A]
    const actions = sampleActions(logPi, deriveSeed(seed, SAMPLING_SALT));
    const logProbs = tf.sum(tf.mul(logPi, tf.oneHot(actions, agent.heads.numActions)), 1);
    const sample = tf.stack([tf.cast(actions, 'float32'), logProbs, out.values]) as tf.Tensor2D;
    if (!out.diagnostics || Object.keys(out.diagnostics).length === 0) return { sample, state: out.state };
    return { sample, state: out.state, diagnostics: out.diagnostics, diagnosticSummary: summarizeDiagnostics(out.diagnostics) };
  });
}

/**
 * a ∼ softmax row by inverse CDF, one uniform per row drawn from `seed`: the index of the first action whose
 * cumulative probability exceeds u. Rounding can leave the sum a hair below 1, so the last action takes the
 * remainder. logPi `[P, A]` → int32 `[P]`.
 */
export function sampleActions(logPi: tf.Tensor2D, seed: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const [P, A] = logPi.shape;
    const u = statelessRandomUniform([P, 1], seed);
    const below = tf.sum(tf.cast(tf.less(tf.cumsum(tf.exp(logPi), 1), u), 'int32'), 1);
    return tf.minimum(below, tf.scalar(A - 1, 'int32')) as tf.Tensor1D;
  });
}

/** A fresh int32 `[2]` seed from the run's RNG (one per compiled call keeps graphs random and runs reproducible). */
export function seedTensor(rng: Rng): tf.Tensor1D {
  return tf.tensor1d([rng.nextUint32() | 0, rng.nextUint32() | 0], 'int32');
}

/** Diagnostics with at most this many values per env are logged per element (RIM's per-unit activity). */
const PER_ELEMENT_LIMIT = 16;

/**
 * The step's diagnostics as the rollout logs them (the ppo README, "Logging"), concatenated in key order: a
 * diagnostic with ≤ 16 values per env is its mean over envs, per element; a larger one is the standard
 * deviation of its values within each env, averaged over envs. Not their mean: the large diagnostics are
 * attention maps whose rows are distributions (RIM's `inputAttention` `[U, N+1]`, IAM's `alpha` `[N]`), so
 * their mean is 1/(N+1) (or 1/N) at every step by construction, while their spread is 0 only when every row
 * is uniform and grows as the attention picks elements.
 *
 * @param diagnostics per-env tensors, env on axis 0
 * @returns `[Σ sizes]` in the layout of {@link summaryLayout}
 */
export function summarizeDiagnostics(diagnostics: Record<string, tf.Tensor>): tf.Tensor1D {
  return tf.tidy(() => {
    const summaries = Object.values(diagnostics).map((value) => {
      const flat = tf.reshape(value, [value.shape[0] ?? 1, -1]);
      if (flat.shape[1]! <= PER_ELEMENT_LIMIT) return tf.mean(flat, 0);
      const { variance } = tf.moments(flat, 1);
      return tf.reshape(tf.mean(tf.sqrt(variance)), [1]);
    });
    return tf.concat(summaries) as tf.Tensor1D;
  });
}

/**
 * Each diagnostic's part of {@link ActStepResult.diagnosticSummary}, in key order: the name it is logged under
 * (`<name>` for one value per env, `<name>_std` for the spread of a large one; per-element ones get `_i`
 * appended by the rollout) and its size.
 */
export function summaryLayout(diagnostics: Record<string, tf.Tensor>): { name: string; size: number }[] {
  return Object.entries(diagnostics).map(([name, value]) => {
    const perEnv = value.size / (value.shape[0] ?? 1);
    return perEnv <= PER_ELEMENT_LIMIT ? { name, size: perEnv } : { name: `${name}_std`, size: 1 };
  });
}

/** Reads an {@link ActStepResult.sample} into JS arrays (the one device→host transfer a step needs). */
export function readSample(sample: tf.Tensor2D, numEnvs: number): Pick<Acted, 'actions' | 'logProbs' | 'values'> {
  const data = sample.dataSync() as Float32Array;
  return {
    actions: Int32Array.from(data.subarray(0, numEnvs)),
    logProbs: data.slice(numEnvs, 2 * numEnvs),
    values: data.slice(2 * numEnvs, 3 * numEnvs),
  };
}

/**
 * Observations as the float32 tensor the encoder reads, `[P, ...obsShape]`. Byte observations (images) are
 * converted into `scratch` when given (the rollout reuses one array instead of allocating 225 KB per Atari
 * step); the tensor must then be consumed before `scratch` is refilled (backends read it on first use).
 */
export function obsTensor(obs: ObsArray, numEnvs: number, obsShape: readonly number[], scratch?: Float32Array): tf.Tensor {
  if (obs instanceof Float32Array) return tf.tensor(obs, [numEnvs, ...obsShape], 'float32');
  const values = scratch && scratch.length === obs.length ? scratch : new Float32Array(obs.length);
  values.set(obs);
  return tf.tensor(values, [numEnvs, ...obsShape], 'float32');
}

/**
 * One eager step of the agent taking the most likely action (argmax of the logits; SB3's `deterministic=True`),
 * dropout off. Returns the actions, the next state and the diagnostics (the caller owns both).
 */
export function actGreedy(agent: ActorCritic, obs: tf.Tensor, state: tf.Tensor[], starts: Uint8Array): Pick<Acted, 'actions' | 'state' | 'diagnostics'> {
  const startsTensor = tf.tensor1d(Float32Array.from(starts));
  const out = agent.step(obs, state, startsTensor, false);
  const best = tf.argMax(out.logits, 1);
  const actions = Int32Array.from(best.dataSync());
  tf.dispose([startsTensor, best, out.logits, out.values]);
  return { actions, state: out.state, ...(out.diagnostics ? { diagnostics: out.diagnostics } : {}) };
}

/** One eager step of the agent with sampled actions (evaluation and other eager callers). */
export function act(agent: ActorCritic, obs: tf.Tensor, state: tf.Tensor[], starts: Uint8Array, training: boolean, rng: Rng): Acted {
  const startsTensor = tf.tensor1d(Float32Array.from(starts));
  const seed = seedTensor(rng);
  const out = actStep(agent, obs, startsTensor, state, seed, training);
  tf.dispose([startsTensor, seed]);
  const sampled = readSample(out.sample, starts.length);
  tf.dispose([out.sample, ...(out.diagnosticSummary ? [out.diagnosticSummary] : [])]);
  return { ...sampled, state: out.state, ...(out.diagnostics ? { diagnostics: out.diagnostics } : {}) };
}
