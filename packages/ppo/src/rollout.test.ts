import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ActorCritic } from './actorCritic.js';
import { MlpEncoder } from './mlpEncoder.js';
import { resolveConfig } from './presets.js';
import { Rng } from './rng.js';
import { Adam } from './adam.js';
import { createAgentEngine } from './agentEngine.js';
import { collectRollout, type RunState } from './rollout.js';
import { RolloutBuffer } from './rolloutBuffer.js';
import { RandomEpisodeEnv } from './test-utils/randomEpisodeEnv.js';
import { StepCounterCore } from './test-utils/stepCounterCore.js';

async function rolloutWith(bootstrapTruncated: boolean) {
  const P = 4;
  const T = 24;
  const config = resolveConfig('minigrid-rim', { numEnvs: P, numSteps: T, bpttLength: 8, seqsPerBatch: 4, gamma: 0.5, bootstrapTruncated });
  const env = new RandomEpisodeEnv(P, 4);
  const core = new StepCounterCore(3);
  const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }), core, numActions: 2, seed: 1 });
  // A critic that answers V = 2 everywhere: zero kernel, bias 2.
  const weights = agent.getWeights();
  const zeros = tf.zerosLike(weights['heads/critic/kernel']!);
  const two = tf.fill([1], 2);
  agent.setWeights({ ...weights, 'heads/critic/kernel': zeros, 'heads/critic/bias': two });
  tf.dispose([zeros, two]);
  const buffer = new RolloutBuffer({ numSteps: T, numEnvs: P, obsShape: [3], obsDtype: 'float32', stateShapes: core.stateShapes });
  const run: RunState = { update: 0, globalStep: 0, obs: await env.reset(1), starts: new Uint8Array(P).fill(1), state: core.initialState(P), recentReturns: [], recentLengths: [] };
  const truncatedAt: number[] = [];
  const step = env.step.bind(env);
  let t = 0;
  env.step = async (actions) => {
    const result = await step(actions);
    result.truncated.forEach((v, p) => v && truncatedAt.push(t * P + p));
    t += 1;
    return result;
  };
  const adam = new Adam({ variables: agent.trainableVariables(), epsilon: 1e-8 });
  const summary = await collectRollout(createAgentEngine('eager', agent, adam, config), env, buffer, run, config, new Rng(3));
  tf.dispose(run.state);
  adam.dispose();
  agent.dispose();
  return { buffer, truncatedAt, summary };
}

describe('collectRollout', () => {
  it('bootstraps time-limit truncations with γ·V(final obs) only when asked', async () => {
    const plain = await rolloutWith(false);
    const boot = await rolloutWith(true);
    expect(plain.truncatedAt.length).toBeGreaterThan(2);
    expect(boot.truncatedAt).toEqual(plain.truncatedAt);
    for (let i = 0; i < plain.buffer.rewards.length; i++) {
      const extra = plain.truncatedAt.includes(i) ? 0.5 * 2 : 0;
      expect(boot.buffer.rewards[i]).toBeCloseTo(plain.buffer.rewards[i]! + extra, 6);
      // Either way the truncated step ends the episode for GAE (the ppo README, "Time-limit truncation").
      if (plain.truncatedAt.includes(i)) expect(plain.buffer.dones[i]).toBe(1);
    }
  });

  it('records finished episodes, the next step’s starts and the core diagnostics', async () => {
    const { buffer, summary } = await rolloutWith(false);
    const P = buffer.numEnvs;
    const doneCount = buffer.dones.reduce((a, b) => a + b, 0);
    expect(summary.episodes).toBe(doneCount);
    for (let t = 0; t + 1 < buffer.numSteps; t++)
      for (let p = 0; p < P; p++) expect(buffer.starts[(t + 1) * P + p]).toBe(buffer.dones[t * P + p]);
    expect(Object.keys(summary.diagnostics)).toEqual(['core/stepsSinceReset']);
  });
});
