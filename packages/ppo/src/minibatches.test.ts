import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ActorCritic } from './actorCritic.js';
import { resolveConfig } from './presets.js';
import { epochMinibatches, gatherMinibatch, isShiftedPass, sequenceRefs } from './minibatches.js';
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

  it("groups whole time blocks with 'time-blocks', as the IAM code's SerialSampling.shuffle: every env of a block in one minibatch", () => {
    // T = 16, L = 4, 3 envs: 4 time blocks of 3 sequences; 6 sequences per minibatch = 2 blocks.
    const refs = sequenceRefs(16, 3, 4);
    const batches = epochMinibatches(refs, 6, new Rng(2), undefined, 'time-blocks');
    expect(batches.map((b) => b.length)).toEqual([6, 6]);
    for (const batch of batches) {
      // Each minibatch is two blocks, each block's envs 0, 1, 2 in order.
      const starts = [...new Set(batch.map((r) => r.start))];
      expect(starts).toHaveLength(2);
      expect(batch).toEqual(starts.flatMap((start) => [0, 1, 2].map((env) => ({ env, start }))));
    }
    expect(batches.flat().map((r) => `${r.env}:${r.start}`).sort()).toEqual(refs.map((r) => `${r.env}:${r.start}`).sort());
    // The block order is the RNG's: other seeds give other orders.
    const orders = [1, 2, 3, 4, 5].map((seed) => JSON.stringify(epochMinibatches(refs, 6, new Rng(seed), undefined, 'time-blocks').flat().map((r) => r.start)));
    expect(new Set(orders).size).toBeGreaterThan(1);
    // One by one, a minibatch mixes blocks and envs.
    const mixed = epochMinibatches(refs, 6, new Rng(2)).some((b) => new Set(b.map((r) => r.start)).size > 2);
    expect(mixed).toBe(true);
  });

  it("starts a shifted pass's sequences as torch-ac does: L/2 + k·L, none crossing its column's end", () => {
    // T = 16, L = 4, 3 envs: torch-ac's indexes 0, 4, …, 44 (env-major frames) lose those with
    // (i + 4) % 16 = 0 (12, 28, 44: the last sequence of each column) and gain 2.
    const refs = sequenceRefs(16, 3, 4);
    const key = (r: { env: number; start: number }) => `${r.env}:${r.start}`;
    const shifted = epochMinibatches(refs, 4, new Rng(5), { length: 4, numSteps: 16 });
    expect(shifted.flat().map(key).sort()).toEqual(['0:10', '0:2', '0:6', '1:10', '1:2', '1:6', '2:10', '2:2', '2:6']);
    // 9 sequences in groups of 4: the last minibatch is smaller.
    expect(shifted.map((b) => b.length)).toEqual([4, 4, 1]);
    // The RNG draws the same as an unshifted pass: the same order, less the column ends, each 2 later.
    const plain = epochMinibatches(refs, 4, new Rng(5));
    expect(plain.map((b) => b.length)).toEqual([4, 4, 4]);
    expect(plain.flat().map(key).sort()).toEqual(refs.map(key).sort());
    const expected = plain.flat().filter((r) => r.start !== 12).map((r) => ({ env: r.env, start: r.start + 2 }));
    expect(shifted.flat()).toEqual(expected);
    // Odd passes of the run shift (torch-ac's batch_num % 2 == 1); even passes and 'none' never do.
    expect([0, 1, 2, 3, 4, 5].map((pass) => isShiftedPass('half-on-odd-epochs', pass))).toEqual([false, true, false, true, false, true]);
    expect([0, 1, 2, 3].some((pass) => isShiftedPass('none', pass))).toBe(false);
    expect(() => epochMinibatches(refs, 4, new Rng(5), { length: 3, numSteps: 15 })).toThrow('a shifted pass needs an even sequence length (got 3)');
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

describe('shifted sequences (sequenceShift half-on-odd-epochs)', () => {
  const P = 4;
  const T = 16;
  const L = 4;

  async function rollout(sequenceShift: 'none' | 'half-on-odd-epochs') {
    const config = resolveConfig('minigrid-rim', { numEnvs: P, numSteps: T, bpttLength: L, seqsPerBatch: 4, sequenceShift });
    const env = new RandomEpisodeEnv(P, 5);
    const core = new StepCounterCore(3);
    const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }), core, numActions: 2, seed: 1 });
    const buffer = new RolloutBuffer({ numSteps: T, numEnvs: P, obsShape: [3], obsDtype: 'float32', stateShapes: core.stateShapes });
    const run: RunState = { update: 0, globalStep: 0, obs: await env.reset(3), starts: new Uint8Array(P).fill(1), state: core.initialState(P), recentReturns: [], recentLengths: [] };
    const rng = new Rng(2);
    const adam = new Adam({ variables: agent.trainableVariables(), epsilon: 1e-8 });
    const engine = createAgentEngine('eager', agent, adam, config);
    // Two rollouts: the second starts with episodes in flight.
    await collectRollout(engine, env, buffer, run, config, rng);
    await collectRollout(engine, env, buffer, run, config, rng);
    const dispose = () => (tf.dispose(run.state), adam.dispose(), agent.dispose());
    return { config, core, agent, buffer, rng, dispose };
  }

  it('gathers the stored state of step L/2 and the stored starts, and replays every shifted sequence exactly', async () => {
    const { config, core, agent, buffer, rng, dispose } = await rollout('half-on-odd-epochs');
    const stepInEpisode = (t: number, p: number) => Math.round(buffer.obs[(t * P + p) * 3 + 1]! * 10);
    const zeros = new Float32Array(T * P);
    const batches = epochMinibatches(sequenceRefs(T, P, L), config.seqsPerBatch, rng, { length: L, numSteps: T });
    // 12 shifted sequences (16 less one per column) in groups of 4.
    expect(batches.map((b) => b.length)).toEqual([4, 4, 4]);
    let inFlight = 0;
    let starts = 0;
    for (const batch of batches) {
      const mb = gatherMinibatch(buffer, zeros, zeros, batch, L);
      const B = batch.length;
      batch.forEach(({ env: p, start }, b) => {
        expect(start % L).toBe(L / 2);
        // Step 0 keeps the stored flag, and state0 is the state stored before step `start`.
        expect(mb.starts[b]).toBe(buffer.starts[start * P + p]);
        expect(mb.state0[0]![b]).toBe(buffer.states[0]![start * P + p]);
        if (!buffer.starts[start * P + p]) {
          inFlight += 1;
          expect(mb.state0[0]![b], `env ${p} step ${start}`).toBe(stepInEpisode(start, p));
        }
      });
      const outputs = tf.tidy(() => {
        const xs = agent.encoder.apply(tf.tensor(mb.obs, [L * B, 3]));
        const state0 = [tf.tensor(mb.state0[0]!, [B, 1])];
        return core.sequence(tf.reshape(xs, [L, B, 1, 3]) as tf.Tensor4D, state0, tf.tensor2d(mb.starts, [L, B]), { training: true }).outputs.dataSync();
      });
      batch.forEach(({ env: p, start }, b) => {
        for (let i = 0; i < L; i++) {
          starts += mb.starts[i * B + b]!;
          expect(outputs[i * B + b], `env ${p} step ${start + i}`).toBe(stepInEpisode(start + i, p) + 1);
        }
      });
    }
    expect(inFlight).toBeGreaterThan(2);
    expect(starts).toBeGreaterThan(4);
    dispose();
  });

  it("stores the state at t % (L/2) = 0 only when the shift is on ('none' leaves step L/2's state unread)", async () => {
    const on = await rollout('half-on-odd-epochs');
    const off = await rollout('none');
    let checked = 0;
    for (let t = L / 2; t < T; t += L)
      for (let p = 0; p < P; p++) {
        const i = t * P + p;
        expect(Array.from(on.buffer.obs.subarray(i * 3, i * 3 + 3))).toEqual(Array.from(off.buffer.obs.subarray(i * 3, i * 3 + 3)));
        const step = Math.round(on.buffer.obs[i * 3 + 1]! * 10);
        if (on.buffer.starts[i] || step === 0) continue;
        expect(on.buffer.states[0]![i]).toBe(step);
        expect(off.buffer.states[0]![i]).toBe(0);
        checked += 1;
      }
    expect(checked).toBeGreaterThan(2);
    on.dispose();
    off.dispose();
  });
});
