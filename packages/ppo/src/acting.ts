import * as tf from '@tensorflow/tfjs-core';
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

/** Draws a ∼ softmax row by inverse CDF with one uniform from `rng`; `logPi` is `[A]` at `offset`. */
export function sampleCategorical(logPi: Float32Array, offset: number, numActions: number, rng: Rng): number {
  const u = rng.next();
  let cumulative = 0;
  for (let a = 0; a < numActions; a++) {
    cumulative += Math.exp(logPi[offset + a]!);
    if (u < cumulative) return a;
  }
  // Rounding can leave the cumulative sum a hair below 1; the last action takes the remainder.
  return numActions - 1;
}

/** Observations as the float32 tensor the encoder reads, `[P, ...obsShape]`. */
export function obsTensor(obs: ObsArray, numEnvs: number, obsShape: readonly number[]): tf.Tensor {
  return tf.tensor(obs instanceof Float32Array ? obs : Float32Array.from(obs), [numEnvs, ...obsShape], 'float32');
}

/**
 * One step of the agent with sampled actions. Log-probabilities and values come back in a single readback
 * (the one device→host transfer per step that sending actions to the env needs).
 */
export function act(agent: ActorCritic, obs: tf.Tensor, state: tf.Tensor[], starts: Uint8Array, training: boolean, rng: Rng): Acted {
  const P = starts.length;
  const A = agent.heads.numActions;
  const startsTensor = tf.tensor1d(Float32Array.from(starts));
  const out = agent.step(obs, state, startsTensor, training);
  startsTensor.dispose();
  const packed = tf.tidy(() => tf.concat([tf.logSoftmax(out.logits), tf.expandDims(out.values, 1)], 1)); // [P, A + 1]
  const data = packed.dataSync() as Float32Array;
  tf.dispose([packed, out.logits, out.values]);
  const actions = new Int32Array(P);
  const logProbs = new Float32Array(P);
  const values = new Float32Array(P);
  for (let p = 0; p < P; p++) {
    const offset = p * (A + 1);
    const a = sampleCategorical(data, offset, A, rng);
    actions[p] = a;
    logProbs[p] = data[offset + a]!;
    values[p] = data[offset + A]!;
  }
  return { actions, logProbs, values, state: out.state, ...(out.diagnostics ? { diagnostics: out.diagnostics } : {}) };
}
