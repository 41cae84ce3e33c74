import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ActorCritic } from './actorCritic.js';
import { resolveConfig } from './presets.js';
import { epochMinibatches, gatherMinibatch, sequenceRefs } from './minibatches.js';
import { MlpEncoder } from './mlpEncoder.js';
import { Rng } from './rng.js';
import { Adam } from './adam.js';
import { createAgentEngine } from './agentEngine.js';
import { collectRollout, type RunState } from './rollout.js';
import { RolloutBuffer } from './rolloutBuffer.js';
import { RandomEpisodeEnv } from './test-utils/randomEpisodeEnv.js';
import { StepCounterCore } from './test-utils/stepCounterCore.js';

describe('recurrent minibatches', () => {
  it('cuts every env column into T/L sequences and groups shuffled sequences', () => {
    const refs = sequenceRefs(8, 3, 4);
    expect(refs).toEqual([0, 1, 2].flatMap((env) => [{ env, start: 0 }, { env, start: 4 }]));
    const batches = epochMinibatches(refs, 2, new Rng(1));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 2]);
    expect(new Set(batches.flat().map((r) => `${r.env}:${r.start}`)).size).toBe(6);
    expect(() => sequenceRefs(8, 3, 3)).toThrow('bpttLength must divide numSteps (got 3, 8)');
  });

  it('replays each sequence from its stored state with resets at episode starts: no state leaks', async () => {
    // The step-counter core's output is the number of steps since its last reset. The env's obs carries
    // the true step within the episode (obs[1]·10), so the replayed count must be exactly that + 1:
    // a leak across an episode start, or a wrong stored state, gives a larger or smaller count.
    const P = 4;
    const T = 16;
    const L = 4;
    const config = resolveConfig('minigrid-rim', { numEnvs: P, numSteps: T, bpttLength: L, seqsPerBatch: 4 });
    const env = new RandomEpisodeEnv(P, 5);
    const core = new StepCounterCore(3);
    const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }), core, numActions: 2, seed: 1 });
    const buffer = new RolloutBuffer({ numSteps: T, numEnvs: P, obsShape: [3], obsDtype: 'float32', stateShapes: core.stateShapes });
    const run: RunState = {
      update: 0,
      globalStep: 0,
      obs: await env.reset(3),
      starts: new Uint8Array(P).fill(1),
      state: core.initialState(P),
      recentReturns: [],
      recentLengths: [],
    };
    const rng = new Rng(2);
    // Two rollouts: the second starts with episodes in flight, so the stored states at t = 0 are non-zero.
    const adam = new Adam({ variables: agent.trainableVariables(), epsilon: 1e-8 });
    const engine = createAgentEngine('eager', agent, adam, config);
    await collectRollout(engine, env, buffer, run, config, rng);
    await collectRollout(engine, env, buffer, run, config, rng);
    const zeros = new Float32Array(T * P);

    const stepInEpisode = (t: number, p: number) => Math.round(buffer.obs[(t * P + p) * 3 + 1]! * 10);
    let starts = 0;
    let inFlightAtSequenceStart = 0;
    for (const batch of epochMinibatches(sequenceRefs(T, P, L), config.seqsPerBatch, rng)) {
      const mb = gatherMinibatch(buffer, zeros, zeros, batch, L);
      const outputs = tf.tidy(() => {
        const xs = agent.encoder.apply(tf.tensor(mb.obs, [L * batch.length, 3]));
        const state0 = [tf.tensor(mb.state0[0]!, [batch.length, 1])];
        const { outputs } = core.sequence(tf.reshape(xs, [L, batch.length, 1, 3]) as tf.Tensor4D, state0, tf.tensor2d(mb.starts, [L, batch.length]), { training: true });
        return outputs.dataSync();
      });
      batch.forEach(({ env: p, start }, b) => {
        if (buffer.starts[start * P + p] === 0) inFlightAtSequenceStart += 1;
        for (let i = 0; i < L; i++) {
          const t = start + i;
          starts += mb.starts[i * batch.length + b]!;
          expect(outputs[i * batch.length + b], `env ${p} step ${t}`).toBe(stepInEpisode(t, p) + 1);
        }
      });
    }
    // The test is only meaningful if sequences both contain episode starts and begin mid-episode.
    expect(starts).toBeGreaterThan(4);
    expect(inFlightAtSequenceStart).toBeGreaterThan(2);
    // The stored (pre-reset) state before a non-start step is the count so far: the step within the episode.
    // Only steps where a sequence starts (t % L = 0) are read back from the core and stored.
    for (let t = 0; t < T; t += L)
      for (let p = 0; p < P; p++) if (!buffer.starts[t * P + p]) expect(buffer.states[0]![t * P + p]).toBe(stepInEpisode(t, p));
    tf.dispose(run.state);
    adam.dispose();
    agent.dispose();
  });
});
