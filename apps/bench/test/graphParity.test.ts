import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { MemoryCore } from '@mempo/core-attention';
import { CueMemoryTask } from '@mempo/envs';
import {
  ActorCritic,
  Adam,
  AGENT_PRESETS,
  createAgentEngine,
  MlpEncoder,
  readProgressCsv,
  resolveConfig,
  Rng,
  train,
  UPDATE_TERMS,
  type AgentEngine,
  type Metrics,
  type MinibatchTensors,
  type PpoConfig,
  type PresetName,
} from '@mempo/ppo';
import { RIMCore, type RIMCellKind, type SelectionRule } from '@mempo/rim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { defaultStack, makeEncoder } from '../src/training/environments.js';
import { makeCore, type EnvFamily, type MemoryName } from '../src/training/memoryCores.js';

// The graph engine against the eager one on the native backend: the same agent, Adam and inputs through
// createAgentEngine('graph') and createAgentEngine('eager') give the same loss terms, weights, Adam moments and
// acting outputs, for every core and encoder pairing the bench trains.
//
// Tolerances, elementwise: |graph − eager| ≤ RTOL·max(|graph|, |eager|) + floor, where the floor is
// - ATOL = 1e-6 for the loss terms and the acting outputs (log-probs, values, next state, diagnostics);
// - WEIGHT_FLOOR × learning rate for the weights (a hundredth of one Adam step);
// - MOMENT_FLOOR × the largest |m| (resp. |v|) over all variables for Adam's moments.
// Measured on the 2-core dev machine (TF 2.15.1 CPU, oneDNN on, the seeds below): 9 of the 18 cases are
// bit-identical (LSTM, GRU, FNN and IAM static on the Warehouse MLP and the MiniGrid conv encoder), and so are
// the two BasicLSTMCell cases (forgetBias 1) added since. The others
// differ at rounding level, because TensorFlow rewrites the graph but runs the eager ops as they are:
// - Atari (every core): Grappler's constant folding turns the Nature CNN's `x / 255` into `x · (1/255)`
//   (ReduceDivToReciprocalMul): 1 ulp on about half the pixels, with or without oneDNN;
// - RIM (every family): oneDNN replaces `Softmax` (the input attention) by its own kernel in graphs only
//   (~1e-7 relative; bit-identical with TF_ENABLE_ONEDNN_OPTS=0), and Grappler regroups the cell's
//   `(read·W + b) + recurrent` sum (also with oneDNN off; fetching the inner sum as an output removes it).
// Largest differences seen in those cases: loss terms 5.3e-6 relative (a policy loss of 1.4e-3; the others
// ≤ 6.6e-7), so at most 0.07 of their budget; acting outputs 0.14 of theirs; weights 2.7e-3 × lr (0.27 of
// the budget, Warehouse RIM with the minibatch in chunks of 3); moments 0.12 of theirs. Weights and moments
// need the floors: a gradient element that is zero in exact arithmetic (RIM's input-key bias, which the
// attention softmax cancels) or nearly so (sums that cancel over the batch) is rounding noise in both engines,
// noise of different sign, and Adam's normalised step turns it into steps of different sign, so those elements
// agree to a fraction of one step, not to RTOL of the weight.
// MEMPO_PARITY_REPORT=1 prints the fraction of the budget every case used.
const RTOL = 1e-5;
const ATOL = 1e-6;
const WEIGHT_FLOOR = 1e-2;
const MOMENT_FLOOR = 1e-6;

const LEARNING_RATE = 1e-3;
const SEED = 3;
/** Minibatch: L steps of B sequences (small, so that the Nature CNN cases stay quick). */
const L = 8;
const B = 2;
/** Envs of an acting step. */
const P = 3;

/** Observations, actions and PPO preset of each env family, as the bench trains it (trainingCommands.ts). */
const FAMILY: Record<EnvFamily, { preset: PresetName; numActions: number; obsShape: (memory: MemoryName) => number[]; obsValue: (rng: Rng) => number }> = {
  // Warehouse: 73 bits; the FNN baseline sees the last 8 observations.
  warehouse: {
    preset: 'iam',
    numActions: 4,
    obsShape: (m) => (defaultStack('warehouse', m) > 1 ? [defaultStack('warehouse', m), 73] : [73]),
    obsValue: (r) => r.int(2),
  },
  // MiniGrid: 7×7×3 codes (object < 11, colour < 6, state < 3).
  minigrid: { preset: 'minigrid-rim', numActions: 7, obsShape: () => [7, 7, 3], obsValue: (r) => r.int(6) },
  // Atari: 84×84 frames of bytes; the FNN baseline sees 4.
  atari: { preset: 'atari', numActions: 4, obsShape: (m) => [defaultStack('atari', m), 84, 84], obsValue: (r) => r.int(256) },
};

interface ParityCase {
  name: string;
  family: EnvFamily;
  memory: MemoryName;
  /** Builds the core for the encoder's output shape; default: the bench's makeCore. */
  core?: (inputShape: readonly [number, number], seed: number) => MemoryCore;
}

/** makeCore's MiniGrid RIM with the other cell and selection rule. */
const minigridRim = (cell: RIMCellKind, selection: SelectionRule) => (inputShape: readonly [number, number], seed: number) =>
  new RIMCore({ inputSize: inputShape[1], numElements: inputShape[0], units: 4, k: 3, hiddenSize: 16, cell, selection, inputValueSize: 64, seed });

const ALL = ['rim', 'iam', 'lstm', 'gru', 'fnn'] as const;
const CASES: ParityCase[] = [
  // Warehouse: RIM (LSTM cell) and IAM static read the raw 73 floats; LSTM, GRU and FNN a 640 ReLU layer.
  ...ALL.map((memory) => ({ name: `warehouse ${memory}`, family: 'warehouse' as const, memory })),
  // MiniGrid conv encoder; IAM static with every feature in its d-set; RIM with both cells and both rules.
  ...(['iam', 'lstm', 'gru', 'fnn'] as const).map((memory) => ({ name: `minigrid ${memory}`, family: 'minigrid' as const, memory })),
  ...(['lstm', 'gru'] as const).flatMap((cell) =>
    (['null-attention', 'real-logit'] as const).map((selection) => ({
      name: `minigrid rim ${cell} ${selection}`,
      family: 'minigrid' as const,
      memory: 'rim' as const,
      core: minigridRim(cell, selection),
    })),
  ),
  // Atari Nature CNN: 49 regions for RIM (GRU cell) and IAM dynamic, the flat map for LSTM, GRU, FNN.
  ...ALL.map((memory) => ({ name: `atari ${memory}`, family: 'atari' as const, memory })),
  // The IAM code's BasicLSTMCell (init 'glorot', forgetBias 1: the `iam` agent preset), in the LSTM core and IAM's branch.
  ...(['lstm', 'iam'] as const).map((memory) => ({
    name: `warehouse ${memory} forgetBias`,
    family: 'warehouse' as const,
    memory,
    core: (inputShape: readonly [number, number], seed: number) => makeCore(memory, 'warehouse', inputShape, {}, seed, AGENT_PRESETS.iam.cores[memory]),
  })),
];

interface Built {
  agent: ActorCritic;
  adam: Adam;
  engine: AgentEngine;
}

function build(c: ParityCase, kind: 'graph' | 'eager', config: PpoConfig): Built {
  const spec = FAMILY[c.family];
  const encoder = makeEncoder(c.family, c.memory, spec.obsShape(c.memory), SEED);
  const core = c.core ? c.core(encoder.outputShape, SEED) : makeCore(c.memory, c.family, encoder.outputShape, {}, SEED);
  const agent = new ActorCritic({ encoder, core, numActions: spec.numActions, seed: SEED });
  const adam = new Adam({ variables: agent.trainableVariables(), epsilon: config.adamEpsilon });
  return { agent, adam, engine: createAgentEngine(kind, agent, adam, config) };
}

function dispose(b: Built): void {
  b.engine.dispose();
  b.adam.dispose();
  b.agent.dispose();
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.next();
const randomArray = (n: number, draw: () => number) => Float32Array.from({ length: n }, draw);
const seedTensor = (rng: Rng) => tf.tensor1d([rng.nextUint32() | 0, rng.nextUint32() | 0], 'int32');
const randomObs = (c: ParityCase, rng: Rng, batch: number[]) => {
  const spec = FAMILY[c.family];
  const shape = [...batch, ...spec.obsShape(c.memory)];
  return tf.tensor(randomArray(size(shape), () => spec.obsValue(rng)), shape);
};
const randomState = (core: MemoryCore, rng: Rng, batch: number) =>
  core.stateShapes.map((shape) => tf.tensor(randomArray(batch * size(shape), () => uniform(rng, -0.5, 0.5)), [batch, ...shape]));

/**
 * A random minibatch in range: obs of the family, starts with some 1s, a random state0, random actions, and
 * old log-probs, old values and returns near the agent's own, so that some ratios are clipped and some not.
 */
function randomMinibatch(c: ParityCase, agent: ActorCritic, rng: Rng, iteration: number, clipEpsilon: number): MinibatchTensors {
  const numActions = FAMILY[c.family].numActions;
  const obs = randomObs(c, rng, [L, B]);
  const starts = tf.tensor2d(randomArray(L * B, () => (rng.next() < 0.2 ? 1 : 0)), [L, B]);
  const state0 = randomState(agent.core, rng, B);
  const actions = tf.tensor1d(Int32Array.from({ length: L * B }, () => rng.int(numActions)), 'int32');
  const [logProbs, values] = tf.tidy(() => {
    const out = agent.sequence(obs, state0, starts, false);
    const logPi = tf.sum(tf.mul(tf.logSoftmax(out.logits), tf.oneHot(actions, numActions)), 1);
    return [logPi.dataSync() as Float32Array, out.values.dataSync() as Float32Array];
  });
  const near = (x: Float32Array, spread: number) => tf.tensor1d(x.map((v) => v + uniform(rng, -spread, spread)));
  return {
    obs,
    starts,
    state0,
    actions,
    oldLogProbs: near(logProbs, 0.15),
    oldValues: near(values, 0.2),
    advantages: tf.tensor1d(randomArray(L * B, () => uniform(rng, -1, 1))),
    returns: near(values, 1),
    learningRate: tf.scalar(LEARNING_RATE),
    clipEpsilon: tf.scalar(clipEpsilon),
    iteration: tf.scalar(iteration),
    seed: seedTensor(rng),
  };
}

/** Per case and kind of value, the largest |graph − eager| as a fraction of its allowed difference (≤ 1 passes). */
const usage: Record<string, Record<string, number>> = {};

/** Elementwise |graph − eager| ≤ RTOL·max(|graph|, |eager|) + floor, reporting the first worst element. */
function expectClose(caseName: string, what: string, graph: ArrayLike<number>, eager: ArrayLike<number>, floor = ATOL): void {
  expect(graph.length, `${caseName}: ${what} length`).toBe(eager.length);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < eager.length; i++) {
    const g = graph[i]!;
    const e = eager[i]!;
    const used = Math.abs(g - e) / (RTOL * Math.max(Math.abs(g), Math.abs(e)) + floor);
    if (!(used <= worst)) {
      worst = Number.isNaN(used) ? Infinity : used;
      at = i;
    }
  }
  const kind = what.split(' ')[0]!;
  const entry = (usage[caseName] ??= {});
  entry[kind] = Math.max(entry[kind] ?? 0, worst);
  expect(worst, `${caseName}: ${what}[${at}] graph ${graph[at]} vs eager ${eager[at]}`).toBeLessThanOrEqual(1);
}

function sameBits(a: tf.Tensor, b: tf.Tensor): boolean {
  const x = a.dataSync();
  const y = b.dataSync();
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

/** One `act` and one `values` of both engines on the same obs, starts, state and seed. */
function expectSameActing(c: ParityCase, eager: Built, graph: Built, rng: Rng, label: string): void {
  const obs = randomObs(c, rng, [P]);
  const starts = tf.tensor1d([1, 0, 0]);
  const state = randomState(eager.agent.core, rng, P);
  const seed = seedTensor(rng);
  const e = eager.engine.act(obs, starts, state, seed);
  const g = graph.engine.act(obs, starts, state, seed);
  const ve = eager.engine.values(obs, starts, state, seed);
  const vg = graph.engine.values(obs, starts, state, seed);
  const diagnostics = (r: typeof e) => [...Object.values(r.diagnostics ?? {}), ...(r.diagnosticSummary ? [r.diagnosticSummary] : [])];
  try {
    const [actionsE, logProbsE, valuesE] = e.sample.arraySync();
    const [actionsG, logProbsG, valuesG] = g.sample.arraySync();
    expect(actionsG, `${c.name}: actions (${label})`).toEqual(actionsE);
    expectClose(c.name, `acting log-probs (${label})`, logProbsG!, logProbsE!);
    expectClose(c.name, `acting values (${label})`, valuesG!, valuesE!);
    expectClose(c.name, `acting values() (${label})`, vg.dataSync(), ve.dataSync());
    expect(g.state).toHaveLength(e.state.length);
    e.state.forEach((s, k) => expectClose(c.name, `acting state ${k} (${label})`, g.state[k]!.dataSync(), s.dataSync()));
    expect(Object.keys(g.diagnostics ?? {})).toEqual(Object.keys(e.diagnostics ?? {}));
    for (const [name, value] of Object.entries(e.diagnostics ?? {}))
      expectClose(c.name, `acting ${name} (${label})`, g.diagnostics![name]!.dataSync(), value.dataSync());
    if (e.diagnosticSummary) expectClose(c.name, `acting diagnostic summary (${label})`, g.diagnosticSummary!.dataSync(), e.diagnosticSummary.dataSync());
  } finally {
    tf.dispose([obs, starts, ...state, seed, ve, vg, e.sample, g.sample, ...e.state, ...g.state, ...diagnostics(e), ...diagnostics(g)]);
  }
}

beforeAll(async () => {
  await useBackend('tensorflow');
});

afterAll(() => {
  // MEMPO_PARITY_REPORT=1: how much of each tolerance every case used (to retune the comment above).
  if (process.env.MEMPO_PARITY_REPORT) console.table(usage);
});

describe('graph engine = eager engine, per core and encoder of the bench (native backend)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: two updates, weights, Adam moments, acting', (_, c) => {
    // Dropout on in training (RIM's default 0.1) and while acting: the seeds fed decide every mask. The L = 8
    // steps run as chunks of 3, 3 and 2 (the path the Atari preset's 128 steps take as 4 chunks of 32).
    // bpttLength = the minibatches' L: minigrid-rim's memory write-back then returns the states at L/2 = 4.
    const config = resolveConfig(FAMILY[c.family].preset, { dropoutWhileActing: true, seed: SEED, chunkLength: 3, bpttLength: L });
    const eager = build(c, 'eager', config);
    const graph = build(c, 'graph', config);
    try {
      expect(graph.engine.kind).toBe('graph');
      const initial = eager.agent.getWeights();
      const initialGraph = graph.agent.getWeights();
      expect(Object.keys(initialGraph)).toEqual(Object.keys(initial));
      for (const name of Object.keys(initial)) expect(sameBits(initialGraph[name]!, initial[name]!), `${c.name}: initial ${name}`).toBe(true);
      const before = Object.fromEntries(Object.entries(initial).map(([name, w]) => [name, w.dataSync().slice()]));
      // getWeights hands out copies (the MemoryCore rule): this test owns them.
      tf.dispose([...Object.values(initial), ...Object.values(initialGraph)]);

      const rng = new Rng(17);
      expectSameActing(c, eager, graph, rng, 'initial weights');
      for (let iteration = 1; iteration <= 2; iteration++) {
        const minibatch = randomMinibatch(c, eager.agent, rng, iteration, config.clipEpsilon);
        const { terms: termsE, memory: memoryE } = eager.engine.update(minibatch);
        const { terms: termsG, memory: memoryG } = graph.engine.update(minibatch);
        const e = termsE.dataSync();
        const g = termsG.dataSync();
        UPDATE_TERMS.forEach((term, i) => expectClose(c.name, `terms ${term} (update ${iteration})`, [g[i]!], [e[i]!]));
        // minigrid-rim writes back the states at L/2 (memoryWriteBack): both engines return the same ones.
        expect(memoryE, `${c.name}: written-back states`).toHaveLength(config.memoryWriteBack ? eager.agent.core.stateShapes.length : 0);
        expect(memoryG).toHaveLength(memoryE.length);
        memoryE.forEach((m, k) => expectClose(c.name, `memory ${k} (update ${iteration})`, memoryG[k]!.dataSync(), m.dataSync()));
        tf.dispose([termsE, termsG, ...memoryE, ...memoryG, ...Object.values(minibatch).flat()]);
      }
      // Acting reads the graph's resident weights, updated twice.
      expectSameActing(c, eager, graph, rng, 'updated weights');

      graph.engine.syncModel();
      const weightsE = eager.agent.getWeights();
      const weightsG = graph.agent.getWeights();
      for (const name of Object.keys(weightsE)) {
        const w = weightsE[name]!.dataSync();
        // Every variable took a step (a parity of untouched weights would prove nothing).
        if (!name.includes('inputKey.bias')) expect(w.some((x, i) => x !== before[name]![i]), `${c.name}: ${name} unchanged`).toBe(true);
        expectClose(c.name, `weights ${name}`, weightsG[name]!.dataSync(), w, WEIGHT_FLOOR * LEARNING_RATE);
      }
      const momentsE = eager.adam.getState().tensors;
      const momentsG = graph.adam.getState().tensors;
      expect(Object.keys(momentsG)).toEqual(Object.keys(momentsE));
      for (const kind of ['m', 'v']) {
        const names = Object.keys(momentsE).filter((name) => name.startsWith(`${kind}/`));
        const largest = Math.max(...names.map((name) => tf.tidy(() => tf.max(tf.abs(momentsE[name]!)).dataSync()[0]!)));
        expect(largest).toBeGreaterThan(0);
        for (const name of names) expectClose(c.name, `moments ${name}`, momentsG[name]!.dataSync(), momentsE[name]!.dataSync(), MOMENT_FLOOR * largest);
      }
      tf.dispose([...Object.values(weightsE), ...Object.values(weightsG), ...Object.values(momentsE), ...Object.values(momentsG)]);
    } finally {
      dispose(eager);
      dispose(graph);
    }
  });

  it('the seed fed decides the dropout masks: another seed gives other values (RIM, dropout while acting)', () => {
    // Guards the parity above against a dropout that the seed does not reach (both engines would then agree
    // with themselves, not with each other, or drop nothing at all).
    const c = CASES.find((x) => x.name === 'minigrid rim lstm null-attention')!;
    const config = resolveConfig('minigrid-rim', { dropoutWhileActing: true, seed: SEED });
    const eager = build(c, 'eager', config);
    const graph = build(c, 'graph', config);
    const rng = new Rng(5);
    const obs = randomObs(c, rng, [P]);
    const starts = tf.tensor1d([1, 1, 1]);
    const state = randomState(eager.agent.core, rng, P);
    const seeds = [tf.tensor1d([1, 2], 'int32'), tf.tensor1d([1, 3], 'int32')];
    try {
      const values = seeds.map((seed) => [eager, graph].map((b) => tf.tidy(() => Array.from(b.engine.values(obs, starts, state, seed).dataSync()))));
      // Same seed: the engines agree (within tolerance); other seed: the values move far beyond it.
      expectClose(c.name, 'acting values() seed [1, 2]', values[0]![1]!, values[0]![0]!);
      expectClose(c.name, 'acting values() seed [1, 3]', values[1]![1]!, values[1]![0]!);
      const moved = Math.max(...values[0]![0]!.map((v, i) => Math.abs(v - values[1]![0]![i]!)));
      expect(moved).toBeGreaterThan(100 * (RTOL + ATOL));
    } finally {
      tf.dispose([obs, starts, ...state, ...seeds]);
      dispose(eager);
      dispose(graph);
    }
  });
});

describe('graph engine resources and runs', () => {
  it('keeps tf.memory().numTensors flat over graph updates, acts and values (RIM and LSTM on MiniGrid)', () => {
    for (const name of ['minigrid rim gru real-logit', 'minigrid lstm']) {
      const c = CASES.find((x) => x.name === name)!;
      // bpttLength = the minibatches' L, so the update also returns the written-back states (disposed below).
      const config = resolveConfig('minigrid-rim', { dropoutWhileActing: true, seed: SEED, bpttLength: L });
      const graph = build(c, 'graph', config);
      const rng = new Rng(9);
      const counts: number[] = [];
      try {
        for (let iteration = 1; iteration <= 5; iteration++) {
          const minibatch = randomMinibatch(c, graph.agent, rng, iteration, config.clipEpsilon);
          const { terms, memory } = graph.engine.update(minibatch);
          tf.dispose([terms, ...memory, ...Object.values(minibatch).flat()]);
          const obs = randomObs(c, rng, [P]);
          const starts = tf.tensor1d([1, 0, 1]);
          const state = randomState(graph.agent.core, rng, P);
          const seed = seedTensor(rng);
          const acted = graph.engine.act(obs, starts, state, seed);
          const values = graph.engine.values(obs, starts, acted.state, seed);
          tf.dispose([obs, starts, ...state, seed, acted.sample, ...acted.state, ...Object.values(acted.diagnostics ?? {}), ...(acted.diagnosticSummary ? [acted.diagnosticSummary] : []), values]);
          // The eager agent between graph calls: sync, read the weights, then carry on in the graph.
          if (iteration === 3) graph.engine.syncModel();
          counts.push(tf.memory().numTensors);
        }
        expect(new Set(counts).size, `${name}: tensors after each round ${counts.join(' ')}`).toBe(1);
      } finally {
        dispose(graph);
      }
    }
  });

  it('resumes a graph run exactly: 4 updates straight = 2, stop, resume, 2 (RIM with dropout on the cue task)', async () => {
    const dirs: string[] = [];
    const tempDir = () => {
      const dir = mkdtempSync(join(tmpdir(), 'mempo-graph-resume-'));
      dirs.push(dir);
      return dir;
    };
    const config = resolveConfig('minigrid-rim', {
      numEnvs: 4,
      numSteps: 8,
      bpttLength: 4,
      epochs: 2,
      seqsPerBatch: 2,
      learningRate: 1e-3,
      lrSchedule: 'linear',
      clipSchedule: 'linear',
      normalizeAdvantages: true,
      dropoutWhileActing: true,
      totalSteps: 4 * 8 * 4,
      checkpointEvery: 2,
      engine: 'graph',
      seed: 2,
    });
    // A fresh process would build new parts and find the checkpoint written at the stop.
    const parts = () => ({
      env: new CueMemoryTask({ numEnvs: 4, numCues: 2, delay: 2 }),
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
      core: new RIMCore({ inputSize: 8, hiddenSize: 8, units: 4, k: 2, inputKeySize: 8, inputValueSize: 8, seed: 1 }),
    });
    const deterministic = (rows: Metrics[]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('time/') && k !== 'charts/fps')));
    try {
      const straightDir = tempDir();
      const straightRows: Metrics[] = [];
      const straight = await train({ config, ...parts(), runDir: straightDir, callbacks: { onUpdate: (m) => void straightRows.push(m) } });
      expect(straight.engine).toBe('graph');
      expect(straight.updates).toBe(4);

      const resumedDir = tempDir();
      const resumedRows: Metrics[] = [];
      const first = await train({
        config,
        ...parts(),
        runDir: resumedDir,
        callbacks: { onUpdate: (m) => (resumedRows.push(m), m.update === 2 ? 'stop' : undefined) },
      });
      expect([first.stopped, first.updates, first.engine]).toEqual([true, 2, 'graph']);
      first.agent.dispose();
      const second = await train({ config, ...parts(), runDir: resumedDir, resume: true, callbacks: { onUpdate: (m) => void resumedRows.push(m) } });
      expect(second.updates).toBe(4);

      // Exact, not within a tolerance: given the same seeds and inputs a session computes the same bits, and the
      // checkpoint carries the weights, Adam's moments, the RNG and the episodes in flight.
      expect(deterministic(resumedRows)).toEqual(deterministic(straightRows));
      expect(deterministic(readProgressCsv(join(resumedDir, 'progress.csv')))).toEqual(deterministic(readProgressCsv(join(straightDir, 'progress.csv'))));
      const a = straight.agent.getWeights();
      const b = second.agent.getWeights();
      expect(Object.keys(b)).toEqual(Object.keys(a));
      for (const name of Object.keys(a)) expect(sameBits(b[name]!, a[name]!), name).toBe(true);
      tf.dispose([...Object.values(a), ...Object.values(b)]);
      straight.agent.dispose();
      second.agent.dispose();
    } finally {
      dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    }
  });
});
