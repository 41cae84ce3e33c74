import * as tf from '@tensorflow/tfjs-core';
import { GRUCore, LSTMCore, type MemoryCore } from '@mempo/core-attention';
import { GraphProgram, activeNativeBackend, type CompiledFunction } from '@mempo/graph';
import { PRESETS } from '@mempo/ppo';
import { RIMCore } from '@mempo/rim';
import { markdownTable } from 'markdown-table';
import { makeCore as makeTrainingCore, type EnvFamily } from '../training/memoryCores.js';
import { timeTensorOp, type TimingOptions } from './timing.js';

/** A size to time the cores at: B envs, a T-step sequence, RIM with U units of H, N input elements of width D. */
export interface CoreSize {
  name: string;
  batch: number;
  /** Sequence length T. Default: the suite's `steps`. */
  steps?: number;
  units: number;
  hiddenPerUnit: number;
  inputSize: number;
  /** RIM's active units. Default U − 1. */
  k?: number;
  /** N: elements per input set (RIM attends over them). Default 1. */
  numElements?: number;
  /**
   * Build the cores exactly as the training commands do for this env family (`makeCore` of
   * training/memoryCores.ts): RIM reads the N regions, LSTM and GRU the flattened `[1, N·D]` input with the
   * family's hidden size. Without it, RIM is built from the fields above (d_value = D) and LSTM/GRU get U·H.
   */
  family?: EnvFamily;
}

/** The `atari` preset's PPO minibatch: seqsPerBatch env columns × a bpttLength-step sequence. */
const ATARI = PRESETS.atari;

/**
 * The sizes: the reference's MiniGrid agent, the paper's copying-task RIM, and the `atari` command's
 * RIM on the Nature CNN's 7×7×64 map (49 regions of 64, U = 6, H = 85, k = 5, GRU dynamics, d_value 400)
 * at the atari preset's minibatch (2 env columns × 128 steps); its LSTM and GRU are the atari command's
 * (512 hidden on the flattened 3136-wide map).
 */
export const CORE_SIZES: CoreSize[] = [
  { name: 'minigrid', batch: 16, units: 4, hiddenPerUnit: 16, inputSize: 64 },
  { name: 'paper', batch: 64, units: 6, hiddenPerUnit: 100, inputSize: 600, k: 4 },
  {
    name: 'atari', family: 'atari', batch: ATARI.seqsPerBatch, steps: ATARI.bpttLength,
    units: 6, hiddenPerUnit: 85, inputSize: 64, numElements: 49, k: 5,
  },
];

/** One measured row: both engines on the same core, size and inputs, timed one after the other. */
export interface CoreSpeedRow {
  /** The tensor backend both engines ran on. */
  backend: string;
  /**
   * TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS as libtensorflow read them (native backend; null: unset,
   * TensorFlow's default of one thread per core). The bench sets intra-op to 1 on ≤ 2 cores unless given.
   */
  intraOpThreads: string | null;
  interOpThreads: string | null;
  size: string;
  core: 'rim' | 'lstm' | 'gru';
  batch: number;
  steps: number;
  /** Eager engine (one native call per kernel), median ms. */
  forwardMs: number;
  forwardBackwardMs: number;
  /** Graph engine (`@mempo/graph`, one session run per call), median ms; null off the native backend. */
  graphForwardMs: number | null;
  graphForwardBackwardMs: number | null;
  /** Eager ÷ graph time (> 1: the graph is faster); null without graph times. */
  forwardSpeedup: number | null;
  forwardBackwardSpeedup: number | null;
  /** One-off seconds to trace and load each compiled function (not in the medians above). */
  graphForwardCompileSeconds: number | null;
  graphForwardBackwardCompileSeconds: number | null;
  /** Nodes of the forward+backward graph. */
  graphForwardBackwardNodes: number | null;
  /** Why the graph engine was not timed, when the backend is native but compiling failed. */
  graphError?: string;
}

/** Options of {@link runCoresSuite}. */
export interface CoresSuiteOptions {
  /** Sequence length of the sizes that set none. Default 32. */
  steps?: number;
  /** Sizes to run. Default {@link CORE_SIZES}. */
  sizes?: CoreSize[];
  /** Cores to run. Default all three. */
  cores?: CoreSpeedRow['core'][];
  /** Time the graph engine too (native backend only). Default true. */
  graph?: boolean;
  /** Repetition control for each timing. */
  timing?: TimingOptions;
  onProgress?: (line: string) => void;
}

/** LSTM and GRU get the same total memory as RIM (U·H), like the paper's baselines; see {@link CoreSize.family}. */
export function makeSuiteCore(kind: CoreSpeedRow['core'], s: CoreSize): MemoryCore {
  const N = s.numElements ?? 1;
  if (s.family) return makeTrainingCore(kind, s.family, kind === 'rim' ? [N, s.inputSize] : [1, N * s.inputSize], {}, 1);
  const total = s.units * s.hiddenPerUnit;
  if (kind === 'rim') {
    // k defaults to U − 1 (MiniGrid k = 3 of 4); d_value = D as in the MiniGrid configuration.
    return new RIMCore({
      inputSize: s.inputSize, numElements: N, hiddenSize: s.hiddenPerUnit, units: s.units, k: s.k ?? s.units - 1,
      inputValueSize: s.inputSize, seed: 1,
    });
  }
  return kind === 'lstm'
    ? new LSTMCore({ inputSize: s.inputSize, numElements: N, hiddenSize: total, seed: 1 })
    : new GRUCore({ inputSize: s.inputSize, numElements: N, hiddenSize: total, seed: 1 });
}

/** The native backend's thread settings as this process passed them to libtensorflow (null when unset). */
export function threadSettings(): Pick<CoreSpeedRow, 'intraOpThreads' | 'interOpThreads'> {
  return { intraOpThreads: process.env.TF_NUM_INTRAOP_THREADS ?? null, interOpThreads: process.env.TF_NUM_INTEROP_THREADS ?? null };
}

type GraphTimes = Pick<
  CoreSpeedRow,
  'graphForwardMs' | 'graphForwardBackwardMs' | 'graphForwardCompileSeconds' | 'graphForwardBackwardCompileSeconds' | 'graphForwardBackwardNodes'
>;

/** Compiles `fn` in a program of its own over `state`, calls it once (the compile), then times it. */
async function timeCompiled(
  state: tf.Variable[],
  name: string,
  fn: (...inputs: tf.Tensor[]) => tf.Tensor[],
  inputs: tf.Tensor[],
  timing: TimingOptions | undefined,
): Promise<{ ms: number; compileSeconds: number; nodes: number }> {
  // Dropout draws come from the seed input (statelessRandomUniform), so the default trace verification holds.
  const program = new GraphProgram({ state });
  try {
    const compiled: CompiledFunction = program.compile(name, fn);
    tf.dispose(compiled.call(inputs));
    const { compileSeconds, nodes } = program.stats;
    const t = await timeTensorOp(() => compiled.call(inputs), timing);
    return { ms: t.medianMs, compileSeconds, nodes };
  } finally {
    program.dispose();
  }
}

/**
 * Times `sequence` over T steps (forward, and forward + backward of mean(outputs) to every weight) for
 * rim / lstm / gru on the active backend, with the eager engine and, on the native backend, the graph engine
 * (`@mempo/graph`: the same call traced into one TensorFlow graph with the weights resident), side by side on
 * the same inputs. Training mode (dropout on, masks drawn from a seed input) as in PPO updates. Compiled:
 * `(xs, starts, seed, ...state0) => [outputs]` and `=> grads` (tf.variableGrads inside the function).
 */
export async function runCoresSuite(opts: CoresSuiteOptions = {}): Promise<CoreSpeedRow[]> {
  const rows: CoreSpeedRow[] = [];
  const graph = (opts.graph ?? true) && activeNativeBackend() !== null;
  for (const s of opts.sizes ?? CORE_SIZES) {
    const steps = s.steps ?? opts.steps ?? 32;
    for (const kind of opts.cores ?? (['rim', 'lstm', 'gru'] as const)) {
      opts.onProgress?.(`${s.name}: ${kind}`);
      const core = makeSuiteCore(kind, s);
      const [N, D] = core.inputShape;
      const xs = tf.randomNormal([steps, s.batch, N, D], 0, 1, 'float32', 3) as tf.Tensor4D;
      const starts = tf.zeros([steps, s.batch]) as tf.Tensor2D;
      // The dropout masks' seed, an input of every call as in PPO's updates (both engines draw them in TF).
      const seed = tf.tensor1d([7, 0], 'int32');
      const state0 = core.initialState(s.batch);
      const vars = core.trainableVariables();
      const forwardOf = (x: tf.Tensor, st: tf.Tensor, sd: tf.Tensor, state: tf.Tensor[]) =>
        core.sequence(x as tf.Tensor4D, state, st as tf.Tensor2D, { training: true, seed: sd }).outputs;
      const gradsOf = (x: tf.Tensor, st: tf.Tensor, sd: tf.Tensor, state: tf.Tensor[]) => {
        const { grads } = tf.variableGrads(() => tf.mean(forwardOf(x, st, sd, state)) as tf.Scalar, vars);
        return vars.map((v) => grads[v.name]!);
      };
      const fwd = await timeTensorOp(() => forwardOf(xs, starts, seed, state0), opts.timing);
      const bwd = await timeTensorOp(() => gradsOf(xs, starts, seed, state0), opts.timing);
      let times: GraphTimes = {
        graphForwardMs: null, graphForwardBackwardMs: null, graphForwardCompileSeconds: null,
        graphForwardBackwardCompileSeconds: null, graphForwardBackwardNodes: null,
      };
      let graphError: string | undefined;
      if (graph) {
        opts.onProgress?.(`${s.name}: ${kind} (graph)`);
        try {
          const inputs = [xs, starts, seed, ...state0];
          const gf = await timeCompiled(vars, 'forward', (x, st, sd, ...state) => [forwardOf(x, st, sd, state)], inputs, opts.timing);
          const gb = await timeCompiled(vars, 'forwardBackward', (x, st, sd, ...state) => gradsOf(x, st, sd, state), inputs, opts.timing);
          times = {
            graphForwardMs: gf.ms, graphForwardBackwardMs: gb.ms, graphForwardCompileSeconds: gf.compileSeconds,
            graphForwardBackwardCompileSeconds: gb.compileSeconds, graphForwardBackwardNodes: gb.nodes,
          };
        } catch (err) {
          graphError = (err as Error).message;
        }
      }
      const ratio = (eager: number, g: number | null) => (g === null ? null : eager / g);
      rows.push({
        backend: tf.getBackend(), ...threadSettings(), size: s.name, core: kind, batch: s.batch, steps, forwardMs: fwd.medianMs, forwardBackwardMs: bwd.medianMs, ...times,
        forwardSpeedup: ratio(fwd.medianMs, times.graphForwardMs),
        forwardBackwardSpeedup: ratio(bwd.medianMs, times.graphForwardBackwardMs),
        ...(graphError === undefined ? {} : { graphError }),
      });
      tf.dispose([xs, starts, seed, ...state0]);
      core.dispose();
    }
  }
  return rows;
}

/**
 * Markdown table of {@link runCoresSuite} rows: each engine's forward and forward+backward medians, the
 * graph's speed-up over eager (eager ÷ graph) and its one-off compile time (forward + forward+backward);
 * the eager forward+backward is also given relative to the LSTM at that size. "—": no graph engine here.
 */
export function coresTable(rows: CoreSpeedRow[]): string {
  const fmt = (ms: number | null) => (ms === null ? '—' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
  const times = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}×`);
  const body = rows.map((r) => {
    const lstm = rows.find((x) => x.size === r.size && x.core === 'lstm');
    const rel = lstm ? ` (${(r.forwardBackwardMs / lstm.forwardBackwardMs).toFixed(1)}× lstm)` : '';
    const compile =
      r.graphForwardCompileSeconds === null || r.graphForwardBackwardCompileSeconds === null
        ? r.graphError ? `n/a (${r.graphError.replace(/\s+/g, ' ').replace(/\|/g, '/').slice(0, 60)})` : '—'
        : `${r.graphForwardCompileSeconds.toFixed(1)} + ${r.graphForwardBackwardCompileSeconds.toFixed(1)}`;
    return [
      r.size, r.core, String(r.batch), String(r.steps),
      fmt(r.forwardMs), fmt(r.graphForwardMs), times(r.forwardSpeedup),
      fmt(r.forwardBackwardMs) + rel, fmt(r.graphForwardBackwardMs), times(r.forwardBackwardSpeedup),
      compile,
    ];
  });
  const header = [
    'size', 'core', 'B', 'T',
    'forward ms eager', 'forward ms graph', 'forward speed-up',
    'forward+backward ms eager', 'forward+backward ms graph', 'forward+backward speed-up',
    'graph compile s (fwd + fwd+bwd)',
  ];
  const table = markdownTable([header, ...body], { align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] });
  const first = rows[0];
  if (!first) return table;
  const threads = (v: string | null) => v ?? 'unset (TensorFlow default: one per core)';
  const note =
    first.backend === 'tensorflow'
      ? `backend tensorflow; TF_NUM_INTRAOP_THREADS=${threads(first.intraOpThreads)}, TF_NUM_INTEROP_THREADS=${threads(first.interOpThreads)}`
      : `backend ${first.backend}: eager engine only (the graph engine needs the native tensorflow backend)`;
  return `${table}\n\n${note}`;
}
