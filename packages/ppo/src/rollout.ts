import * as tf from '@tensorflow/tfjs-core';
import type { ObsArray, VecEnv } from '@mempo/envs';
import { obsTensor, readSample, seedTensor, summaryLayout } from './acting.js';
import type { AgentEngine } from './agentEngine.js';
import type { PpoConfig } from './config.js';
import type { Metrics } from './progressCsv.js';
import type { Rng } from './rng.js';
import type { RolloutBuffer } from './rolloutBuffer.js';

/** The run's mutable position: what a checkpoint must hold to continue as if nothing stopped. */
export interface RunState {
  update: number;
  globalStep: number;
  /** Next obs to act on. [P, ...obsShape] */
  obs: ObsArray;
  /** 1 where `obs` starts an episode. [P] */
  starts: Uint8Array;
  /** The core's state before acting on `obs` (before the reset). */
  state: tf.Tensor[];
  /** Finished episodes' returns and lengths, newest last, at most `statsWindow`. */
  recentReturns: number[];
  recentLengths: number[];
}

/** Rollout statistics that the log needs. */
export interface RolloutSummary {
  envSeconds: number;
  actSeconds: number;
  /** Episodes finished during the rollout. */
  episodes: number;
  /** The core's diagnostics averaged over envs and steps, as `core/<name>[_i]` scalars. */
  diagnostics: Metrics;
}

/**
 * Fills the buffer with T steps of every env (the ppo README "Rollout"): the state before each step is stored
 * before the episode-start reset, so a training sequence replays it through the same reset. Only the states
 * where a minibatch sequence may start (t % L = 0, or t % (L/2) = 0 under `sequenceShift`) are read back to JS;
 * the others never leave the engine.
 */
export async function collectRollout(
  engine: AgentEngine,
  env: VecEnv,
  buffer: RolloutBuffer,
  run: RunState,
  config: PpoConfig,
  rng: Rng,
): Promise<RolloutSummary> {
  const P = config.numEnvs;
  const obsShape = env.observationSpace.shape;
  let envSeconds = 0;
  let actSeconds = 0;
  let episodes = 0;
  let diagnosticSums: Float64Array | null = null;
  let layout: { name: string; size: number }[] = [];
  const startsArray = new Float32Array(P);
  const obsScratch = new Float32Array(buffer.obs.length / config.numSteps);
  // A shifted pass starts sequences at L/2 + k·L (validateConfig keeps L even then).
  const stateEvery = config.sequenceShift === 'half-on-odd-epochs' ? config.bpttLength / 2 : config.bpttLength;
  for (let t = 0; t < config.numSteps; t++) {
    const actStart = performance.now();
    const sequenceStart = t % stateEvery === 0;
    buffer.storeInputs(t, run.obs, run.starts, sequenceStart ? run.state.map((s) => s.dataSync() as Float32Array) : null);
    const x = obsTensor(run.obs, P, obsShape, obsScratch);
    startsArray.set(run.starts);
    const starts = tf.tensor1d(startsArray);
    const seed = seedTensor(rng);
    const stepped = engine.act(x, starts, run.state, seed);
    const acted = readSample(stepped.sample, P);
    if (stepped.diagnostics && stepped.diagnosticSummary) {
      if (!diagnosticSums) layout = summaryLayout(stepped.diagnostics);
      const summary = stepped.diagnosticSummary.dataSync();
      diagnosticSums ??= new Float64Array(summary.length);
      for (let i = 0; i < summary.length; i++) diagnosticSums[i] = diagnosticSums[i]! + summary[i]!;
    }
    tf.dispose([x, starts, stepped.sample, ...run.state, ...Object.values(stepped.diagnostics ?? {})]);
    stepped.diagnosticSummary?.dispose();
    run.state = stepped.state;
    actSeconds += (performance.now() - actStart) / 1000;

    const envStart = performance.now();
    const result = await env.step(acted.actions);
    envSeconds += (performance.now() - envStart) / 1000;

    const dones = new Uint8Array(P);
    for (let p = 0; p < P; p++) dones[p] = result.terminated[p]! | result.truncated[p]!;
    const rewards = Float32Array.from(result.reward);
    // The step's own seed values the truncations, so bootstrapping leaves the run's random stream unchanged.
    if (config.bootstrapTruncated) bootstrapTruncated(engine, env, run.state, result, rewards, config, seed);
    seed.dispose();
    buffer.storeOutcome(t, acted.actions, acted.logProbs, acted.values, rewards, dones);
    for (const ep of result.info.episodes) {
      run.recentReturns.push(ep.gameScore ?? ep.return);
      run.recentLengths.push(ep.length);
      episodes += 1;
    }
    run.recentReturns.splice(0, Math.max(0, run.recentReturns.length - config.statsWindow));
    run.recentLengths.splice(0, Math.max(0, run.recentLengths.length - config.statsWindow));
    run.obs = result.obs;
    run.starts = dones; // same-step autoreset: obs[t+1] of a finished env starts its next episode
  }
  const diagnostics: Metrics = {};
  let offset = 0;
  for (const { name, size } of layout) {
    if (size === 1) diagnostics[`core/${name}`] = diagnosticSums![offset]! / config.numSteps;
    else for (let i = 0; i < size; i++) diagnostics[`core/${name}_${i}`] = diagnosticSums![offset + i]! / config.numSteps;
    offset += size;
  }
  return { envSeconds, actSeconds, episodes, diagnostics };
}

/**
 * the ppo README "Rollout": with `bootstrapTruncated`, a time-limit cut is not an end of the task, so the reward
 * gets γ·V(final obs), valued under the state the env had reached (SB3's treatment).
 */
function bootstrapTruncated(
  engine: AgentEngine,
  env: VecEnv,
  state: tf.Tensor[],
  result: Awaited<ReturnType<VecEnv['step']>>,
  rewards: Float32Array,
  config: PpoConfig,
  seed: tf.Tensor1D,
): void {
  const P = config.numEnvs;
  const cut = [...result.info.finalObs.keys()].filter((p) => result.truncated[p] && !result.terminated[p]);
  if (cut.length === 0) return;
  const size = result.obs.length / P;
  const finalObs = Float32Array.from(result.obs);
  for (const p of cut) finalObs.set(result.info.finalObs.get(p)!, p * size);
  const values = tf.tidy(() => {
    const x = obsTensor(finalObs, P, env.observationSpace.shape);
    return engine.values(x, tf.zeros([P]) as tf.Tensor1D, state, seed).dataSync();
  });
  for (const p of cut) rewards[p] = rewards[p]! + config.gamma * values[p]!;
}

