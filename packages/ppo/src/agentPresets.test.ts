import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FNNCore, LSTMCore } from '@mempo/core-attention';
import { CueMemoryTask } from '@mempo/envs';
import { afterAll, describe, expect, it } from 'vitest';
import { ActorCritic } from './actorCritic.js';
import { computeGae } from './advantages.js';
import { AGENT_PRESETS } from './agentPresets.js';
import { numUpdates } from './config.js';
import { ActorCriticHeads } from './heads.js';
import { loadAgent } from './loadAgent.js';
import { ppoLoss } from './loss.js';
import { MinigridConvEncoder } from './minigridConvEncoder.js';
import { MlpEncoder } from './mlpEncoder.js';
import { NatureCnnEncoder } from './natureCnnEncoder.js';
import { PRESETS, resolveConfig } from './presets.js';
import { Rng } from './rng.js';
import { runPath } from './runFolder.js';
import { scheduledValue } from './schedules.js';
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
const maxAbs = (t: tf.Tensor) => t.dataSync().reduce((m, v) => Math.max(m, Math.abs(v)), 0);

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

describe("CleanRL's LSTM init as an option (ppo_atari_lstm.py Agent.__init__: orthogonal_(weight, 1.0), constant_(bias, 0))", () => {
  it('is not in the atari preset (another LSTM shape there; knownDifferences says why)', () => {
    expect(AGENT_PRESETS.atari.cores['lstm']).toBeUndefined();
    expect(AGENT_PRESETS.atari.knownDifferences.some((d) => d.startsWith('CleanRL initialises its LSTM(512, 128) orthogonally'))).toBe(true);
  });

  it("starts the LSTM core orthogonal per PyTorch weight: weight_ih [4H, in] and weight_hh [4H, H] have orthonormal columns, biases 0", () => {
    // CleanRL's LSTM(512, 128) scaled down (in = 2H < 4H, as there): PyTorch's weight_ih = our kernelᵀ, weight_hh = recurrentKernelᵀ.
    const core = new LSTMCore({ inputSize: 64, hiddenSize: 32, seed: 4, init: 'orthogonal' });
    expect(core.config()).toMatchObject({ init: 'orthogonal' });
    const w = core.getWeights();
    for (const name of ['cell.kernel', 'cell.recurrentKernel']) {
      // Columns of weight_ih = rows of our kernel: each pair of rows has dot product δᵢⱼ.
      const rows = w[name]!.arraySync() as number[][];
      rows.forEach((a, i) => rows.forEach((b, j) => expect(dot(a, b)).toBeCloseTo(i === j ? 1 : 0, 4)));
    }
    expect(maxAbs(w['cell.bias']!)).toBe(0);
    expect(core.cell.forgetBias).toBe(0);
    tf.dispose(Object.values(w));
    core.dispose();
  });
});

describe("iam: the IAM repository's PPOmodel.build_actor_critic and networks.py (bc52bd2, warehouse/RNN.yaml)", () => {
  const spec = AGENT_PRESETS.iam;
  // warehouse/RNN.yaml: fcn [640] (ReLU) → LSTM 256 → heads, on the 73 observations.
  const agent = new ActorCritic({
    encoder: new MlpEncoder({ obsShape: [73], hiddenSizes: [640], activation: 'relu', seed: 3, init: spec.encoderInit.scheme, bias: spec.encoderBias! }),
    core: new LSTMCore({ inputSize: 640, hiddenSize: 256, seed: 3, ...spec.cores['lstm'] }),
    numActions: 5,
    seed: 3,
    heads: spec.heads,
  });
  const weights = agent.getWeights();
  const std = (t: tf.Tensor) => {
    const v = Array.from(t.dataSync());
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  };

  it('has exactly the reference layers: a bias-free fcn layer (use_bias=False), a bias-free policy layer, a value layer with bias', () => {
    const own = Object.fromEntries(Object.entries(shapes(weights)).filter(([n]) => !n.startsWith('core/')));
    expect(own).toEqual({ 'encoder/dense0/kernel': [73, 640], 'heads/actor/kernel': [256, 5], 'heads/critic/kernel': [256, 1], 'heads/critic/bias': [1] });
  });

  it("starts the fcn layer and the value layer Glorot-uniform (TF's default): |w| ≤ √(6/(in+out)), std √(2/(in+out))", () => {
    for (const [name, fanIn, fanOut] of [['encoder/dense0/kernel', 73, 640], ['heads/critic/kernel', 256, 1]] as const) {
      expect(maxAbs(weights[name]!)).toBeLessThanOrEqual(Math.sqrt(6 / (fanIn + fanOut)));
      expect(std(weights[name]!) / Math.sqrt(2 / (fanIn + fanOut))).toBeCloseTo(1, name.startsWith('encoder') ? 1 : 0);
    }
    expect(maxAbs(weights['heads/critic/bias']!)).toBe(0);
  });

  it("starts the policy layer with TF 1's variance_scaling_initializer(factor=0.01): std √(0.01/fan_in), every draw within 2σ", () => {
    const kernel = weights['heads/actor/kernel']!;
    // N(0, σ²) with σ = √(1.3·0.01/256), cut at 2σ: its std is σ·0.880 = √(0.01/256)·1.003.
    expect(maxAbs(kernel)).toBeLessThanOrEqual(2 * Math.sqrt(0.013 / 256));
    expect(Math.abs(std(kernel) / Math.sqrt(0.01 / 256) - 1.003)).toBeLessThan(0.08);
  });

  it("starts the LSTM as BasicLSTMCell(256): one Glorot kernel [640 + 256, 1024] (|w| ≤ √(6/1920), std √(2/1920)), zero bias, forget_bias 1", () => {
    const limit = Math.sqrt(6 / (640 + 256 + 4 * 256));
    for (const name of ['core/cell.kernel', 'core/cell.recurrentKernel']) {
      expect(maxAbs(weights[name]!)).toBeLessThanOrEqual(limit);
      expect(std(weights[name]!) / (limit / Math.sqrt(3))).toBeCloseTo(1, 1);
    }
    expect(maxAbs(weights['core/cell.bias']!)).toBe(0);
    expect((agent.core as LSTMCore).cell.forgetBias).toBe(1);
    expect(spec.cores['iam']).toEqual({ cellInit: 'glorot', forgetBias: 1 });
  });
});

describe("iam: PPO as the IAM code trains (PPOmodel.build_ppo_optimizer, PPOcontroller, bc52bd2's configs)", () => {
  const config = resolveConfig('iam');
  const updates = numUpdates(config);
  // tf.train.polynomial_decay with power 1: (start − end)·(1 − step/max_steps) + end.
  const polynomialDecay = (start: number, step: number, end: number) => (start - end) * (1 - step / 4e6) + end;

  it('runs max_steps 4e6 synchronous steps as 31 250 updates of the 128-step buffer (without the reference episode-end padding), 4 minibatches of 32 sequences of 8 steps', () => {
    expect(updates).toBe(4e6 / 128);
    expect((config.numEnvs * config.numSteps) / config.bpttLength / config.seqsPerBatch).toBe(128 / 32);
  });

  it('anneals the learning rate and ε as polynomial_decay to within one update at the first, middle and last update; keeps the entropy coefficient (decay_beta: 0.01 → 0.01)', () => {
    // The reference's update k (1-based) runs at step 128·k; ours, update u = k − 1 (0-based).
    for (const u of [0, updates / 2, updates - 1]) {
      const step = 128 * (u + 1);
      const lr = scheduledValue(config.lrSchedule, config.learningRate, u, updates);
      const eps = scheduledValue(config.clipSchedule, config.clipEpsilon, u, updates);
      expect(Math.abs(lr - polynomialDecay(2.5e-4, step, 1e-10))).toBeLessThanOrEqual(2.5e-4 / updates + 1e-10);
      expect(Math.abs(eps - polynomialDecay(0.1, step, 1e-5))).toBeLessThanOrEqual(0.1 / updates + 1e-5);
      expect(polynomialDecay(0.01, step, 1e-2)).toBeCloseTo(config.entropyCoef, 15);
    }
    expect(scheduledValue(config.lrSchedule, config.learningRate, 0, updates)).toBe(2.5e-4);
    expect(scheduledValue(config.clipSchedule, config.clipEpsilon, updates / 2, updates)).toBeCloseTo(0.05, 12);
  });

  it('computes advantages as PPOcontroller.bootstrap: GAE every time_horizon = 8 steps, each block bootstrapped with the next value', () => {
    const [T, P] = [32, 3];
    const rng = new Rng(11);
    const rewards = Float32Array.from({ length: T * P }, () => rng.next() - 0.3);
    const values = Float32Array.from({ length: T * P }, () => rng.next());
    const dones = Uint8Array.from({ length: T * P }, () => (rng.next() < 0.1 ? 1 : 0));
    const lastValues = Float32Array.from({ length: P }, () => rng.next());
    // PPOcontroller._compute_advantages over each block of time_horizon steps, next_value = V of the step after it.
    const H = 8;
    const reference = new Float64Array(T * P);
    for (let start = 0; start < T; start += H) {
      for (let p = 0; p < P; p++) {
        let lastValue = start + H < T ? values[(start + H) * P + p]! : lastValues[p]!;
        let lastAdvantage = 0;
        for (let t = start + H - 1; t >= start; t--) {
          const mask = 1 - dones[t * P + p]!;
          lastValue *= mask;
          lastAdvantage *= mask;
          const delta = rewards[t * P + p]! + 0.99 * lastValue - values[t * P + p]!;
          lastAdvantage = delta + 0.99 * 0.95 * lastAdvantage;
          reference[t * P + p] = lastAdvantage;
          lastValue = values[t * P + p]!;
        }
      }
    }
    const gae = (horizon?: number) =>
      computeGae({ rewards, values, dones, lastValues, numEnvs: P, gamma: config.gamma, lambda: config.gaeLambda, ...(horizon ? { horizon } : {}) }).advantages;
    expect(config.gaeHorizon).toBe(H);
    gae(config.gaeHorizon!).forEach((a, i) => expect(a).toBeCloseTo(reference[i]!, 5));
    // The whole-rollout GAE differs from it: the horizon is what makes the match.
    expect(Math.max(...Array.from(gae(), (a, i) => Math.abs(a - reference[i]!)))).toBeGreaterThan(1e-2);
  });
});

describe('iam preset end to end', () => {
  it('trains with GAE blocks of 8 and time-block minibatches: every update finite, the run folder records both', async () => {
    const runDir = join(root, 'iam-blocks');
    const config = resolveConfig('iam', { numEnvs: 4, numSteps: 16, seqsPerBatch: 4, totalSteps: 4 * 16 * 2, checkpointEvery: 0 });
    const spec = AGENT_PRESETS.iam;
    const { agent, updates, lastMetrics } = await train({
      config,
      env: new CueMemoryTask({ numEnvs: 4 }),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], activation: 'relu', seed: 1, init: spec.encoderInit.scheme, bias: spec.encoderBias! }),
      core: new LSTMCore({ inputSize: 8, hiddenSize: 6, seed: 1 }),
      heads: spec.heads,
      runDir,
    });
    expect(updates).toBe(2);
    expect(Number.isFinite(lastMetrics?.['losses/value_loss'])).toBe(true);
    const recorded = JSON.parse(readFileSync(runPath(runDir, 'config'), 'utf8')) as { ppo: { gaeHorizon: number; minibatchGrouping: string } };
    expect([recorded.ppo.gaeHorizon, recorded.ppo.minibatchGrouping]).toEqual([8, 'time-blocks']);
    agent.dispose();
  });
});

describe('atari: PPO as CleanRL (ppo_atari_lstm.py) and ikostrikov (main.py, the RIM code) train', () => {
  const config = resolveConfig('atari');
  const updates = numUpdates(config);

  it('runs total // (8 × 128) updates of 4 minibatches of 2 whole 128-step env columns', () => {
    expect(updates).toBe(Math.floor(10_000_000 / 1024));
    expect([config.bpttLength, (config.numEnvs * config.numSteps) / config.bpttLength / config.seqsPerBatch]).toEqual([config.numSteps, 4]);
  });

  it('anneals the learning rate exactly as both at the first, middle and last update; ε stays 0.1', () => {
    for (const u of [0, Math.floor(updates / 2), updates - 1]) {
      const ours = scheduledValue(config.lrSchedule, config.learningRate, u, updates);
      // CleanRL: frac = 1 − (iteration − 1)/num_iterations, iteration = u + 1.
      expect(ours).toBeCloseTo((1 - (u + 1 - 1) / updates) * 2.5e-4, 15);
      // ikostrikov utils.update_linear_schedule(optimizer, j, num_updates, lr): lr − lr·j/num_updates, j = u.
      expect(ours).toBeCloseTo(2.5e-4 - 2.5e-4 * (u / updates), 15);
      expect(scheduledValue(config.clipSchedule, config.clipEpsilon, u, updates)).toBe(0.1);
    }
  });
});

describe("iam-atari: the IAM repository's Atari configs (bc52bd2 configs/atari/RNN.yaml, IAM_static.yaml; PPOmodel.py, networks.py)", () => {
  const config = resolveConfig('iam-atari');
  const spec = AGENT_PRESETS['iam-atari'];

  it('trains as the IAM code: 8 workers × 128, 3 epochs of 4 minibatches of 64 time-block sequences of 4 steps, 1e7 synchronous steps = 78 125 updates', () => {
    expect(config).toMatchObject({
      numEnvs: 8, numSteps: 128, bpttLength: 4, epochs: 3, seqsPerBatch: 64, minibatchGrouping: 'time-blocks',
      learningRate: 2.5e-4, lrSchedule: 'linear', adamEpsilon: 1e-8, clipEpsilon: 0.1, clipSchedule: 'linear',
      entropyCoef: 0.01, valueCoef: 1, valueLossHalf: false, clipValue: true, maxGradNorm: null, normalizeAdvantages: false,
      gamma: 0.99, gaeLambda: 0.95, gaeHorizon: null, bootstrapTruncated: false, totalSteps: 80_000_000, updateRounding: 'floor',
    });
    expect(numUpdates(config)).toBe(1e7 / 128);
    // batch_size 32 steps of 8 workers: (32 / seq_len 4) blocks × 8 workers sequences, 128 / 32 minibatches.
    expect([config.seqsPerBatch, (config.numEnvs * config.numSteps) / config.bpttLength / config.seqsPerBatch]).toEqual([(32 / 4) * 8, 4]);
  });

  it("builds the IAM code's Atari agent: Nature CNN Glorot with zero biases, iam's heads, BasicLSTMCell(512) on the flattened convs", () => {
    expect(spec.heads).toEqual(AGENT_PRESETS.iam.heads);
    expect(spec.cores).toEqual({ lstm: { init: 'glorot', forgetBias: 1 }, iam: { cellInit: 'glorot', forgetBias: 1, fnnBias: false } });
    const encoder = new NatureCnnEncoder({ stack: 1, output: 'flat', seed: 5, init: spec.encoderInit.scheme });
    const agent = new ActorCritic({ encoder, core: new LSTMCore({ inputSize: 3136, hiddenSize: 512, seed: 5, ...spec.cores['lstm'] }), numActions: 4, seed: 5, heads: spec.heads });
    const weights = agent.getWeights();
    // Keras/TF conv fans count the receptive field: fan_in = k·k·in, fan_out = k·k·out.
    for (const [conv, k, inC, outC] of [['conv1', 8, 1, 32], ['conv2', 4, 32, 64], ['conv3', 3, 64, 64]] as const) {
      const limit = Math.sqrt(6 / (k * k * inC + k * k * outC));
      expect(maxAbs(weights[`encoder/${conv}/kernel`]!)).toBeLessThanOrEqual(limit);
      expect(maxAbs(weights[`encoder/${conv}/kernel`]!)).toBeGreaterThan(0.9 * limit);
      expect(maxAbs(weights[`encoder/${conv}/bias`]!)).toBe(0);
    }
    const lstmLimit = Math.sqrt(6 / (3136 + 512 + 4 * 512));
    expect(maxAbs(weights['core/cell.kernel']!)).toBeLessThanOrEqual(lstmLimit);
    expect(maxAbs(weights['core/cell.recurrentKernel']!)).toBeGreaterThan(0.99 * lstmLimit);
    expect(maxAbs(weights['core/cell.bias']!)).toBe(0);
    expect(Object.keys(weights).filter((n) => n.startsWith('heads/'))).toEqual(['heads/actor/kernel', 'heads/critic/kernel', 'heads/critic/bias']);
    tf.dispose(Object.values(weights));
    agent.dispose();
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
