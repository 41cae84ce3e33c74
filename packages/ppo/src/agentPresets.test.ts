import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FNNCore, LSTMCore } from '@mempo/core-attention';
import { CueMemoryTask } from '@mempo/envs';
import { afterAll, describe, expect, it } from 'vitest';
import { ActorCritic } from './actorCritic.js';
import { AGENT_PRESETS } from './agentPresets.js';
import { numUpdates } from './config.js';
import { ActorCriticHeads } from './heads.js';
import { loadAgent } from './loadAgent.js';
import { ppoLoss } from './loss.js';
import { MinigridConvEncoder } from './minigridConvEncoder.js';
import { MlpEncoder } from './mlpEncoder.js';
import { NatureCnnEncoder } from './natureCnnEncoder.js';
import { PRESETS, resolveConfig } from './presets.js';
import { runPath } from './runFolder.js';
import { train } from './train.js';

const root = mkdtempSync(join(tmpdir(), 'mempo-agent-presets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Weight name → shape. */
const shapes = (weights: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(weights).map(([n, t]) => [n, t.shape]));
/** A `[..., out]` kernel as rows of its flattened `[fanIn, out]` matrix. */
const columns = (t: tf.Tensor): number[][] => {
  const out = t.shape[t.rank - 1]!;
  const flat = Array.from(t.dataSync());
  return Array.from({ length: out }, (_, j) => flat.filter((_, i) => i % out === j));
};
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const maxAbs = (t: tf.Tensor) => Math.max(...Array.from(t.dataSync(), Math.abs));

describe("minigrid-rim: torch-ac's ACModel (RIM repository minigrid_experiments/model.py)", () => {
  const spec = AGENT_PRESETS['minigrid-rim'];
  const agent = new ActorCritic({
    encoder: new MinigridConvEncoder({ seed: 1, init: spec.encoderInit.scheme }),
    core: new LSTMCore({ inputSize: 64, hiddenSize: 64, seed: 1 }),
    numActions: 7,
    seed: 1,
    heads: spec.heads,
  });
  const weights = agent.getWeights();

  it('has exactly the reference layers: convs 16/32/64 2×2, actor and critic Linear(64, 64)–tanh–Linear(64, out)', () => {
    const own = Object.fromEntries(Object.entries(shapes(weights)).filter(([n]) => !n.startsWith('core/')));
    expect(own).toEqual({
      'encoder/conv1/kernel': [2, 2, 3, 16], 'encoder/conv1/bias': [16],
      'encoder/conv2/kernel': [2, 2, 16, 32], 'encoder/conv2/bias': [32],
      'encoder/conv3/kernel': [2, 2, 32, 64], 'encoder/conv3/bias': [64],
      'heads/actorHidden0/kernel': [64, 64], 'heads/actorHidden0/bias': [64],
      'heads/actor/kernel': [64, 7], 'heads/actor/bias': [7],
      'heads/criticHidden0/kernel': [64, 64], 'heads/criticHidden0/bias': [64],
      'heads/critic/kernel': [64, 1], 'heads/critic/bias': [1],
    });
  });

  it("starts every head layer as init_params does: unit-norm weight rows (PyTorch's [out, in]), zero biases", () => {
    for (const layer of ['actorHidden0', 'actor', 'criticHidden0', 'critic']) {
      for (const row of columns(weights[`heads/${layer}/kernel`]!)) expect(Math.sqrt(dot(row, row))).toBeCloseTo(1, 5);
      expect(maxAbs(weights[`heads/${layer}/bias`]!)).toBe(0);
    }
  });

  it("keeps PyTorch's default for the convs: kernel and bias U(±1/√fan_in), fan_in = 2·2·in", () => {
    for (const [conv, inChannels] of [['conv1', 3], ['conv2', 16], ['conv3', 32]] as const) {
      const bound = 1 / Math.sqrt(4 * inChannels);
      for (const part of ['kernel', 'bias']) {
        const m = maxAbs(weights[`encoder/${conv}/${part}`]!);
        expect(m).toBeLessThanOrEqual(bound);
        expect(m).toBeGreaterThan(0.5 * bound); // drawn, not zero
      }
    }
  });

  it("scales the value loss as torch-ac: loss = policy − 0.01·entropy + 0.5·mean(max((V−R)², (V_clip−R)²)), no ½", () => {
    const config = PRESETS['minigrid-rim'];
    const batch = { values: [1, 0, 2, -0.5], oldValues: [0.8, 0.3, 1.5, -0.4], returns: [1.2, -0.5, 1.0, 0.3] };
    const terms = tf.tidy(() => {
      const t = ppoLoss(
        {
          logits: tf.tensor2d([[0, 0], [1, -1], [0.5, 0.2], [0, 2]]),
          values: tf.tensor1d(batch.values),
          actions: tf.tensor1d([0, 1, 0, 1], 'int32'),
          oldLogProbs: tf.tensor1d([Math.log(0.5), -1.5, -0.4, -0.2]),
          oldValues: tf.tensor1d(batch.oldValues),
          advantages: tf.tensor1d([1, -1, 0.5, 0.2]),
          returns: tf.tensor1d(batch.returns),
        },
        config,
      );
      return { total: t.total.dataSync()[0]!, policy: t.policyLoss.dataSync()[0]!, entropy: t.entropy.dataSync()[0]! };
    });
    // torch-ac ppo.py, by hand: value_clipped = V_old + clamp(V − V_old, ±clip_eps); value_loss = mean(max(...)).
    const eps = 0.2;
    const valueLoss =
      batch.values.reduce((sum, v, i) => {
        const [old, r] = [batch.oldValues[i]!, batch.returns[i]!];
        const clipped = old + Math.min(Math.max(v - old, -eps), eps);
        return sum + Math.max((v - r) ** 2, (clipped - r) ** 2);
      }, 0) / batch.values.length;
    expect(terms.total).toBeCloseTo(terms.policy - 0.01 * terms.entropy + 0.5 * valueLoss, 6);
  });

  it('runs as many updates as torch-ac for a frame budget (rl-starter-files train.py: while num_frames < frames)', () => {
    const torchAc = (frames: number, perUpdate: number) => {
      let n = 0;
      for (let collected = 0; collected < frames; collected += perUpdate) n++;
      return n;
    };
    for (const frames of [80_000, 300_000, 1_000_000, 2048, 4096 + 1]) {
      expect(numUpdates(resolveConfig('minigrid-rim', { totalSteps: frames }))).toBe(torchAc(frames, 16 * 128));
    }
    expect(numUpdates(resolveConfig('minigrid-rim'))).toBe(40);
    // CleanRL floors: num_updates = total_timesteps // batch_size.
    expect(numUpdates(resolveConfig('atari', { totalSteps: 10_000 }))).toBe(9);
    // A config saved before the field existed floors.
    const { updateRounding: _r, ...old } = resolveConfig('minigrid-rim');
    expect(numUpdates(old)).toBe(39);
  });
});

describe("atari: CleanRL's ppo_atari_lstm / ikostrikov's CNNBase (orthogonal init)", () => {
  const spec = AGENT_PRESETS.atari;
  const encoder = new NatureCnnEncoder({ stack: 1, output: 'flat', seed: 2, init: spec.encoderInit.scheme, gain: spec.encoderInit.gain! });
  const agent = new ActorCritic({ encoder, core: new FNNCore({ inputSize: 3136, hiddenSize: 16, seed: 2 }), numActions: 4, seed: 2, heads: spec.heads });
  const weights = agent.getWeights();

  it('has one linear layer per head: actor [F, A], critic [F, 1], with zero biases', () => {
    expect(shapes(Object.fromEntries(Object.entries(weights).filter(([n]) => n.startsWith('heads/'))))).toEqual({
      'heads/actor/kernel': [16, 4], 'heads/actor/bias': [4], 'heads/critic/kernel': [16, 1], 'heads/critic/bias': [1],
    });
    expect(maxAbs(weights['heads/actor/bias']!) + maxAbs(weights['heads/critic/bias']!)).toBe(0);
  });

  it('is orthogonal with gain √2 in the convs, 0.01 for the actor and 1 for the critic: KᵀK = gain²·I', () => {
    const cases: [string, number][] = [
      ['encoder/conv1/kernel', 2], ['encoder/conv2/kernel', 2], ['encoder/conv3/kernel', 2], ['heads/actor/kernel', 1e-4], ['heads/critic/kernel', 1],
    ];
    for (const [name, gain2] of cases) {
      const cols = columns(weights[name]!);
      cols.forEach((a, i) => cols.forEach((b, j) => expect(dot(a, b) / gain2).toBeCloseTo(i === j ? 1 : 0, 4)));
      if (name.startsWith('encoder/')) expect(maxAbs(weights[name.replace('kernel', 'bias')]!)).toBe(0);
    }
  });
});

describe("iam: the IAM repository's PPOmodel.build_actor_critic", () => {
  const spec = AGENT_PRESETS.iam;
  const agent = new ActorCritic({
    encoder: new MlpEncoder({ obsShape: [73], hiddenSizes: [], seed: 3, init: spec.encoderInit.scheme }),
    core: new LSTMCore({ inputSize: 73, hiddenSize: 64, seed: 3 }),
    numActions: 5,
    seed: 3,
    heads: spec.heads,
  });
  const weights = agent.getWeights();

  it("has a bias-free policy layer with TF 1's variance scaling (factor 0.01) and a Glorot value layer", () => {
    expect(shapes(Object.fromEntries(Object.entries(weights).filter(([n]) => n.startsWith('heads/'))))).toEqual({
      'heads/actor/kernel': [64, 5], 'heads/critic/kernel': [64, 1], 'heads/critic/bias': [1],
    });
    // truncated normal, σ = √(1.3·0.01/64): every draw within 2σ
    expect(maxAbs(weights['heads/actor/kernel']!)).toBeLessThanOrEqual(2 * Math.sqrt(0.013 / 64));
    expect(maxAbs(weights['heads/critic/kernel']!)).toBeLessThanOrEqual(Math.sqrt(6 / 65));
    expect(maxAbs(weights['heads/critic/bias']!)).toBe(0);
  });
});

describe('heads as data survive config.json', () => {
  it('heads.config() records the layers; loadAgent rebuilds the same heads and weights from a run folder', async () => {
    const runDir = join(root, 'torch-ac-heads');
    const config = resolveConfig('minigrid-rim', { numEnvs: 4, numSteps: 8, bpttLength: 4, epochs: 1, seqsPerBatch: 2, checkpointEvery: 1, totalSteps: 64 });
    const { agent } = await train({
      config,
      env: new CueMemoryTask({ numEnvs: 4 }),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
      core: new LSTMCore({ inputSize: 8, hiddenSize: 6, seed: 1 }),
      heads: AGENT_PRESETS['minigrid-rim'].heads,
      runDir,
    });
    const recorded = JSON.parse(readFileSync(runPath(runDir, 'config'), 'utf8')) as { heads: unknown };
    expect(recorded.heads).toEqual({ inputSize: 6, numActions: agent.heads.numActions, seed: 1, ...AGENT_PRESETS['minigrid-rim'].heads });
    const loaded = loadAgent(runDir);
    const [a, b] = [agent.getWeights(), loaded.agent.getWeights()];
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const name of Object.keys(a)) expect(b[name]!.dataSync()).toEqual(a[name]!.dataSync());
    tf.dispose([...Object.values(a), ...Object.values(b)]);
    agent.dispose();
    loaded.agent.dispose();
  });

  it('names a bad head field', () => {
    const head = AGENT_PRESETS['minigrid-rim'].heads.actor;
    expect(() => new ActorCriticHeads({ inputSize: 4, numActions: 3, seed: 1, actor: { ...head, hidden: [0] } })).toThrow(
      'heads.actor.hidden[0] must be a positive integer (got 0)',
    );
    expect(() => new ActorCriticHeads({ inputSize: 4, numActions: 3, seed: 1, critic: { ...head, outputInit: { scheme: 'he' as 'glorot' } } })).toThrow(
      "heads.critic.outputInit.scheme must be one of 'uniform', 'glorot', 'torch-ac', 'orthogonal', 'variance-scaling' (got \"he\")",
    );
  });
});
