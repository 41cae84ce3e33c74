import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LSTMCore } from '@mempo/core-attention';
import { CueMemoryTask, type VecEnv } from '@mempo/envs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActorCritic } from './actorCritic.js';
import { evaluate } from './evaluate.js';
import { loadAgent } from './loadAgent.js';
import { MlpEncoder } from './mlpEncoder.js';
import { resolveConfig } from './presets.js';
import { Rng } from './rng.js';
import { runPath } from './runFolder.js';
import { train } from './train.js';

const root = mkdtempSync(join(tmpdir(), 'mempo-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const runDir = join(root, 'run');
const EVAL_SEED = 77;
let trainedReturns: number[] = [];

/** evaluate()'s loop written as a user would with predict: same seed for resets and sampling. */
async function predictReturns(agent: ActorCritic, env: VecEnv, episodes: number, seed: number): Promise<number[]> {
  const rng = new Rng(seed);
  let obs = await env.reset(seed);
  let state: tf.Tensor[] | null = null;
  let starts = new Uint8Array(env.numEnvs).fill(1);
  const returns: number[] = [];
  while (returns.length < episodes) {
    const prediction = agent.predict(obs, state, starts, { rng });
    if (state) tf.dispose(state);
    state = prediction.state;
    const result = await env.step(prediction.actions);
    for (const ep of result.info.episodes) if (returns.length < episodes) returns.push(ep.gameScore ?? ep.return);
    starts = Uint8Array.from(result.terminated, (t, p) => t | result.truncated[p]!);
    obs = result.obs;
  }
  tf.dispose(state ?? []);
  return returns;
}

beforeAll(async () => {
  const config = resolveConfig('minigrid-rim', {
    numEnvs: 4, numSteps: 8, bpttLength: 4, epochs: 1, seqsPerBatch: 2, learningRate: 1e-2, checkpointEvery: 2, totalSteps: 4 * 8 * 4,
  });
  const { agent } = await train({
    config,
    env: new CueMemoryTask({ numEnvs: 4 }),
    encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
    core: new LSTMCore({ inputSize: 8, hiddenSize: 6, seed: 1 }),
    runDir,
  });
  trainedReturns = (await evaluate(agent, new CueMemoryTask({ numEnvs: 4 }), { episodes: 24, seed: EVAL_SEED })).returns;
  agent.dispose();
});

describe('loadAgent', () => {
  it("rebuilds the trained agent from the run folder alone; predict reproduces the run's evaluation returns", async () => {
    const before = tf.memory().numTensors;
    const { agent, update, config, checkpoint } = loadAgent(runDir);
    expect([update, checkpoint]).toEqual([4, join(runPath(runDir, 'checkpoints'), 'update-000004')]);
    expect(config.heads).toEqual({ inputSize: 6, numActions: 2, seed: 1 });
    expect(await predictReturns(agent, new CueMemoryTask({ numEnvs: 4 }), 24, EVAL_SEED)).toEqual(trainedReturns);
    agent.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('predict: deterministic takes the argmax and draws nothing; tensors in; bad shapes named', () => {
    const { agent } = loadAgent(runDir);
    const obs = tf.tensor2d([[1, 0, 1], [0, 0.5, 0]]);
    const rng = new Rng(5);
    const a = agent.predict(obs, null, [1, 1], { deterministic: true, rng });
    const logits = tf.tidy(() => agent.step(obs, agent.core.initialState(2), tf.ones([2]) as tf.Tensor1D, false).logits);
    expect(Array.from(a.actions)).toEqual(Array.from(tf.tidy(() => tf.argMax(logits, 1)).dataSync()));
    expect(rng.getState()).toEqual(new Rng(5).getState());
    const b = agent.predict(obs, a.state, null, { deterministic: true });
    expect(b.state.map((s) => s.shape)).toEqual([[2, 6], [2, 6]]);
    expect(() => agent.predict(new Float32Array(4), null, null)).toThrow('predict: obs must hold B × 3 values (obsShape [3]), got 4');
    expect(() => agent.predict(obs, null, [1])).toThrow('predict: episodeStart must have one entry per env (2), got 1');
    expect(() => agent.predict(obs, [a.state[0]!], null)).toThrow("predict: state must be the 2 tensors of the core's state (got 1); pass null to start");
    tf.dispose([obs, logits, ...a.state, ...b.state]);
    agent.dispose();
  });

  it('loads a run written before config.json recorded the heads (they follow from the checkpoint)', () => {
    const old = join(root, 'old');
    cpSync(runDir, old, { recursive: true });
    const { heads: _heads, ...rest } = JSON.parse(readFileSync(runPath(old, 'config'), 'utf8')) as Record<string, unknown>;
    writeFileSync(runPath(old, 'config'), JSON.stringify(rest));
    const { agent, config } = loadAgent(old);
    expect(config.heads).toEqual({ inputSize: 6, numActions: 2, seed: 1 });
    agent.dispose();
  });

  it('fails with what to do: no checkpoint, corrupt or missing config.json, an unregistered core', () => {
    const fresh = join(root, 'fresh');
    cpSync(runPath(runDir, 'config'), runPath(fresh, 'config'));
    expect(() => loadAgent(fresh)).toThrow(new Error(`${fresh} has no checkpoint yet: train the run first (it is resumed from the same folder)`));
    const broken = join(root, 'broken');
    cpSync(runDir, broken, { recursive: true });
    writeFileSync(runPath(broken, 'config'), '{"ppo": ');
    expect(() => loadAgent(broken)).toThrow(
      new Error(`${runPath(broken, 'config')} is not valid JSON (Unexpected end of JSON input); it is written by training; retrain the run into a new folder`),
    );
    rmSync(runPath(broken, 'config'));
    expect(() => loadAgent(broken)).toThrow(new Error(`${runPath(broken, 'config')} is missing; it is written by training; retrain the run into a new folder`));
    const config = JSON.parse(readFileSync(runPath(runDir, 'config'), 'utf8')) as { core: Record<string, unknown> };
    writeFileSync(runPath(broken, 'config'), JSON.stringify({ ...config, core: { ...config.core, name: 'rim' } }));
    const tensors = tf.memory().numTensors;
    expect(() => loadAgent(broken)).toThrow(new Error("core 'rim' is not registered: import '@mempo/rim' before loadAgent"));
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
