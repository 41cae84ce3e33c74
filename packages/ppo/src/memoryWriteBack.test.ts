import * as tf from '@tensorflow/tfjs-core';
import { LSTMCore } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { ActorCritic } from './actorCritic.js';
import { Adam } from './adam.js';
import { createAgentEngine, type AgentEngine } from './agentEngine.js';
import type { PpoConfig } from './config.js';
import { writeBackMemory, writeBackOffsets } from './memoryWriteBack.js';
import type { MinibatchArrays } from './minibatches.js';
import { sequenceRefs } from './minibatches.js';
import type { MinibatchTensors } from './minibatchUpdate.js';
import { MlpEncoder } from './mlpEncoder.js';
import { PRESETS, resolveConfig } from './presets.js';
import { Rng } from './rng.js';
import { resumeValue } from './runCheckpoint.js';
import { RolloutBuffer } from './rolloutBuffer.js';
import { learn } from './train.js';

const P = 2;
const T = 8;
const L = 4;
const H = 5;
/** torch-ac's order on a small rollout: 3 passes (unshifted, shifted, unshifted), one sequence per minibatch. */
const config = (overrides: Partial<PpoConfig> = {}): PpoConfig =>
  resolveConfig('minigrid-rim', {
    numEnvs: P, numSteps: T, bpttLength: L, epochs: 3, seqsPerBatch: 1, learningRate: 1e-2, dropoutWhileActing: false, totalSteps: P * T,
    ...overrides,
  });

/** A rollout whose obs name their env and step (obs = [env, t, noise]), so a minibatch tells where its sequences come from. */
function rollout(core: LSTMCore): RolloutBuffer {
  const buffer = new RolloutBuffer({ numSteps: T, numEnvs: P, obsShape: [3], obsDtype: 'float32', stateShapes: core.stateShapes });
  const rng = new Rng(9);
  for (let t = 0; t < T; t++) {
    const obs = Float32Array.from({ length: P * 3 }, (_, i) => (i % 3 === 0 ? Math.floor(i / 3) : i % 3 === 1 ? t : rng.next()));
    // Acting states that no forward pass reproduces: random, so a refreshed state is told apart.
    const states = core.stateShapes.map(() => Float32Array.from({ length: P * H }, () => rng.next() - 0.5));
    buffer.storeInputs(t, obs, new Uint8Array(P).fill(t === 0 ? 1 : 0), states);
    buffer.storeOutcome(t, Int32Array.from({ length: P }, () => rng.int(3)), new Float32Array(P).fill(-1.1), new Float32Array(P), new Float32Array(P), new Uint8Array(P));
  }
  return buffer;
}

interface Seen {
  /** `env:start` of each sequence of the minibatch. */
  keys: string[];
  /** Each state tensor's values per sequence. */
  state0: number[][][];
  /** The state each sequence reaches at L/2 under the weights before this step: `env:start+L/2` → values. */
  reached: Map<string, number[][]>;
}

/** An eager engine that records each minibatch's sequences, initial states and the states they reach at L/2. */
function recordingEngine(agent: ActorCritic, engine: AgentEngine, seen: Seen[]): AgentEngine {
  return Object.assign(Object.create(engine) as AgentEngine, {
    update(mb: MinibatchTensors) {
      const [, B] = mb.obs.shape as [number, number];
      const obs = mb.obs.arraySync() as number[][][];
      const keys = Array.from({ length: B }, (_, b) => `${obs[0]![b]![0]}:${obs[0]![b]![1]}`);
      // By hand, step by step from the fed state: the state before step L/2 (before its reset).
      let state = mb.state0.map((s) => tf.clone(s));
      for (let t = 0; t < L / 2; t++) {
        const x = tf.tidy(() => agent.encoder.apply(tf.squeeze(tf.slice(mb.obs, [t], [1]), [0])) as tf.Tensor3D);
        const starts = tf.tidy(() => tf.squeeze(tf.slice(mb.starts, [t], [1]), [0]) as tf.Tensor1D);
        const masked = state.map((s) => tf.tidy(() => tf.mul(s, tf.reshape(tf.sub(1, starts), [B, 1]))));
        const out = agent.core.step(x, masked, { training: true });
        tf.dispose([x, starts, ...masked, ...state, out.output, ...Object.values(out.diagnostics ?? {})]);
        state = out.state;
      }
      const values = state.map((s) => s.arraySync() as number[][]);
      tf.dispose(state);
      const reached = new Map(keys.map((key, b) => {
        const [env, start] = key.split(':').map(Number);
        return [`${env}:${start! + L / 2}`, values.map((v) => v[b]!)];
      }));
      seen.push({ keys, state0: mb.state0.map((s) => s.arraySync() as number[][]), reached });
      return engine.update(mb);
    },
  });
}

/** Runs one update's 3 passes through `learn` and returns what each minibatch saw and the weights after. */
function runLearn(cfg: PpoConfig) {
  const core = new LSTMCore({ inputSize: 3, hiddenSize: H, seed: 1 });
  const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }), core, numActions: 3, seed: 1 });
  const adam = new Adam({ variables: agent.trainableVariables(), epsilon: cfg.adamEpsilon });
  const buffer = rollout(core);
  const acting = buffer.states.map((s) => s.slice());
  const seen: Seen[] = [];
  const engine = recordingEngine(agent, createAgentEngine('eager', agent, adam, cfg), seen);
  const advantages = Float32Array.from({ length: P * T }, (_, i) => Math.sin(i));
  const returns = Float32Array.from({ length: P * T }, (_, i) => Math.cos(i));
  const before = tf.memory().numTensors;
  const metrics = learn(engine, adam, buffer, advantages, returns, sequenceRefs(T, P, L), new Rng(3), cfg, cfg.learningRate, cfg.clipEpsilon, new Map<number, MinibatchArrays>(), 0);
  const leaked = tf.memory().numTensors - before;
  const weights = Object.fromEntries(Object.entries(agent.getWeights()).map(([n, w]) => [n, Array.from(w.dataSync())]));
  const actingState = (key: string) => {
    const [env, t] = key.split(':').map(Number);
    return acting.map((s) => Array.from(s.subarray((t! * P + env!) * H, (t! * P + env! + 1) * H)));
  };
  agent.dispose();
  adam.dispose();
  return { seen, metrics, weights, leaked, actingState };
}

const close = (a: number[][], b: number[][]) => a.every((row, k) => row.every((v, i) => Math.abs(v - b[k]![i]!) < 1e-5));

describe("memoryWriteBack (torch-ac algos/ppo.py: exps.memory[inds + i + 1] = memory.detach())", () => {
  it('stores the states at L/2 only, and only with the half shift', () => {
    expect(writeBackOffsets(PRESETS['minigrid-rim'])).toEqual([16]);
    expect(writeBackOffsets({ memoryWriteBack: true, sequenceShift: 'half-on-odd-epochs', bpttLength: 4 })).toEqual([2]);
    expect(writeBackOffsets({ memoryWriteBack: true, sequenceShift: 'none', bpttLength: 4 })).toEqual([]);
    expect(writeBackOffsets({ memoryWriteBack: false, sequenceShift: 'half-on-odd-epochs', bpttLength: 4 })).toEqual([]);
    expect(writeBackOffsets({ sequenceShift: 'half-on-odd-epochs', bpttLength: 4 })).toEqual([]);
    // A checkpoint written before the field existed resumes as off (and only as off).
    const { memoryWriteBack: _w, ...old } = PRESETS['minigrid-rim'];
    expect(resumeValue(old as PpoConfig, 'memoryWriteBack')).toBe(false);
    expect(resumeValue(PRESETS['minigrid-rim'], 'memoryWriteBack')).toBe(true);
  });

  it("later passes start from the states earlier minibatches computed, not the acting ones (eager)", () => {
    const { seen, leaked, actingState } = runLearn(config({ memoryWriteBack: true }));
    expect(leaked).toBe(0);
    // 3 passes: 4 sequences, then 2 shifted ones (starts 2; the column ends drop), then 4.
    expect(seen.map((s) => s.keys.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(seen.slice(4, 6).flatMap((s) => s.keys).sort()).toEqual(['0:2', '1:2']);
    const latest = new Map<string, number[][]>();
    let refreshed = 0;
    for (const s of seen) {
      const key = s.keys[0]!;
      const expected = latest.get(key) ?? actingState(key);
      const fed = s.state0.map((rows) => rows[0]!);
      expect(close(fed, expected), `${key} starts from ${latest.has(key) ? 'the refreshed state' : 'the acting state'}`).toBe(true);
      if (latest.has(key)) {
        refreshed += 1;
        expect(close(fed, actingState(key)), `${key} no longer the acting state`).toBe(false);
      }
      for (const [at, values] of s.reached) latest.set(at, values);
    }
    // Every shifted start (2) and every later start at 4 read a refreshed state; the column starts (0) never do.
    expect(refreshed).toBe(4);
  });

  it('off, absent, or without the shift: every pass starts from the acting states and the update is the same bytes', () => {
    const off = runLearn(config({ memoryWriteBack: false }));
    const { memoryWriteBack: _w, ...withoutField } = config();
    const absent = runLearn(withoutField as PpoConfig); // a config written before the field existed
    for (const s of off.seen) expect(s.state0.map((rows) => rows[0]!)).toEqual(off.actingState(s.keys[0]!));
    expect(absent.weights).toEqual(off.weights);
    expect(absent.metrics).toEqual(off.metrics);
    // On, the same update differs (the shifted passes start elsewhere).
    const on = runLearn(config({ memoryWriteBack: true }));
    expect(on.metrics['losses/value_loss']).not.toBe(off.metrics['losses/value_loss']);
    // Without the shift nothing written back is read again: the same bytes as off.
    const unshiftedOn = runLearn(config({ memoryWriteBack: true, sequenceShift: 'none' }));
    const unshiftedOff = runLearn(config({ memoryWriteBack: false, sequenceShift: 'none' }));
    expect(unshiftedOn.weights).toEqual(unshiftedOff.weights);
  });

  it('writeBackMemory puts each row at its sequence start + offset and refuses mis-sized memory', () => {
    const core = new LSTMCore({ inputSize: 3, hiddenSize: 2, seed: 1 });
    const buffer = new RolloutBuffer({ numSteps: 8, numEnvs: 3, obsShape: [3], obsDtype: 'float32', stateShapes: core.stateShapes });
    const h = tf.tensor2d([[1, 2], [3, 4]]);
    const c = tf.tensor2d([[5, 6], [7, 8]]);
    writeBackMemory(buffer, [{ env: 2, start: 4 }, { env: 0, start: 2 }], [2], [h, c]);
    const at = (k: number, t: number, env: number) => Array.from(buffer.states[k]!.subarray((t * 3 + env) * 2, (t * 3 + env + 1) * 2));
    expect([at(0, 6, 2), at(1, 6, 2), at(0, 4, 0), at(1, 4, 0)]).toEqual([[1, 2], [5, 6], [3, 4], [7, 8]]);
    expect(buffer.states[0]!.reduce((a, b) => a + Math.abs(b), 0)).toBe(10);
    expect(() => writeBackMemory(buffer, [{ env: 0, start: 0 }], [2], [h])).toThrow('memory must hold 2 state tensors per offset (1 offsets), got 1');
    expect(() => writeBackMemory(buffer, [{ env: 0, start: 6 }, { env: 0, start: 0 }], [2], [h, c])).toThrow(
      "write-back position 8 (sequence start 6 + offset 2) is past the rollout's 8 steps",
    );
    tf.dispose([h, c]);
    core.dispose();
  });

  it('ActorCritic.sequence captureAt: the state before step j, the same outputs, checked offsets', () => {
    const core = new LSTMCore({ inputSize: 3, hiddenSize: H, seed: 2 });
    const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 2 }), core, numActions: 3, seed: 2 });
    const obs = tf.randomNormal([6, 2, 3], 0, 1, 'float32', 4);
    const starts = tf.tensor2d([[1, 1], [0, 0], [0, 0], [0, 1], [0, 0], [0, 0]]);
    const state0 = core.initialState(2);
    const plain = agent.sequence(obs, state0, starts, true);
    const split = agent.sequence(obs, state0, starts, true, undefined, undefined, [3]);
    const head = agent.sequence(tf.slice(obs, [0], [3]), state0, tf.slice(starts, [0], [3]) as tf.Tensor2D, true, undefined, undefined, []);
    expect(plain.captured).toEqual([]);
    expect(split.captured).toHaveLength(2);
    // Step 3 resets env 1: the captured state is the one before that reset (as the rollout stores it).
    const direct = core.sequence(tf.reshape(agent.encoder.apply(tf.reshape(tf.slice(obs, [0], [3]), [6, 3])), [3, 2, 1, 3]) as tf.Tensor4D, state0, tf.slice(starts, [0], [3]) as tf.Tensor2D, { training: true });
    split.captured.forEach((s, k) => expect(Array.from(s.dataSync())).toEqual(Array.from(direct.state[k]!.dataSync())));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(split.logits, plain.logits))).dataSync()[0]!)).toBeLessThan(1e-6);
    expect(Array.from(head.values.dataSync())).toEqual(Array.from(split.values.dataSync().slice(0, 6)));
    for (const bad of [[0], [6], [3, 3], [2.5]])
      expect(() => agent.sequence(obs, state0, starts, true, undefined, undefined, bad)).toThrow(
        `captureAt must be ascending integer offsets in 1..5 (got [${bad.join(', ')}])`,
      );
    agent.dispose();
  });
});
