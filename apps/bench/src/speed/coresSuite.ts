import * as tf from '@tensorflow/tfjs-core';
import { GRUCore, LSTMCore, type MemoryCore } from '@mempo/core-attention';
import { RIMCore } from '@mempo/rim';
import { markdownTable } from 'markdown-table';
import { timeTensorOp, type TimingOptions } from './timing.js';

/** A size to time the cores at: B envs, a T-step sequence, RIM with U units of H, inputs of width D. */
export interface CoreSize {
  name: string;
  batch: number;
  units: number;
  hiddenPerUnit: number;
  inputSize: number;
  /** RIM's active units. Default U − 1. */
  k?: number;
}

/** The sizes: the reference's MiniGrid agent and the paper's copying/Atari RIM. */
export const CORE_SIZES: CoreSize[] = [
  { name: 'minigrid', batch: 16, units: 4, hiddenPerUnit: 16, inputSize: 64 },
  { name: 'paper', batch: 64, units: 6, hiddenPerUnit: 100, inputSize: 600, k: 4 },
];

/** One measured row. */
export interface CoreSpeedRow {
  size: string;
  core: 'rim' | 'lstm' | 'gru';
  batch: number;
  steps: number;
  forwardMs: number;
  forwardBackwardMs: number;
}

/** Options of {@link runCoresSuite}. */
export interface CoresSuiteOptions {
  /** Sequence length. Default 32. */
  steps?: number;
  /** Sizes to run. Default {@link CORE_SIZES}. */
  sizes?: CoreSize[];
  /** Cores to run. Default all three. */
  cores?: CoreSpeedRow['core'][];
  /** Repetition control for each timing. */
  timing?: TimingOptions;
  onProgress?: (line: string) => void;
}

/** LSTM and GRU get the same total memory as RIM (U·H), like the paper's baselines. */
function makeCore(kind: CoreSpeedRow['core'], s: CoreSize): MemoryCore {
  const total = s.units * s.hiddenPerUnit;
  if (kind === 'rim') {
    // k defaults to U − 1 (MiniGrid k = 3 of 4); d_value = D as in the MiniGrid configuration.
    return new RIMCore({
      inputSize: s.inputSize, hiddenSize: s.hiddenPerUnit, units: s.units, k: s.k ?? s.units - 1, inputValueSize: s.inputSize, seed: 1,
    });
  }
  return kind === 'lstm'
    ? new LSTMCore({ inputSize: s.inputSize, hiddenSize: total, seed: 1 })
    : new GRUCore({ inputSize: s.inputSize, hiddenSize: total, seed: 1 });
}

/**
 * Times `sequence` over `steps` steps (forward, and forward + backward of a scalar loss to every weight)
 * for rim / lstm / gru on the active backend. Training mode (dropout on) as in PPO updates.
 */
export async function runCoresSuite(opts: CoresSuiteOptions = {}): Promise<CoreSpeedRow[]> {
  const steps = opts.steps ?? 32;
  const rows: CoreSpeedRow[] = [];
  for (const s of opts.sizes ?? CORE_SIZES) {
    for (const kind of opts.cores ?? (['rim', 'lstm', 'gru'] as const)) {
      opts.onProgress?.(`${s.name}: ${kind}`);
      const core = makeCore(kind, s);
      const xs = tf.randomNormal([steps, s.batch, 1, s.inputSize], 0, 1, 'float32', 3) as tf.Tensor4D;
      const starts = tf.zeros([steps, s.batch]) as tf.Tensor2D;
      const state0 = core.initialState(s.batch);
      const vars = core.trainableVariables();
      const forward = () => core.sequence(xs, state0, starts, { training: true }).outputs;
      const loss = () => tf.mean(forward()) as tf.Scalar;
      const fwd = await timeTensorOp(forward, opts.timing);
      const bwd = await timeTensorOp(() => Object.values(tf.variableGrads(loss, vars).grads), opts.timing);
      rows.push({ size: s.name, core: kind, batch: s.batch, steps, forwardMs: fwd.medianMs, forwardBackwardMs: bwd.medianMs });
      tf.dispose([xs, starts, ...state0]);
      core.dispose();
    }
  }
  return rows;
}

/** Markdown table of {@link runCoresSuite} rows, with each core's time relative to the LSTM at that size. */
export function coresTable(rows: CoreSpeedRow[]): string {
  const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
  const body = rows.map((r) => {
    const lstm = rows.find((x) => x.size === r.size && x.core === 'lstm');
    const rel = lstm ? ` (${(r.forwardBackwardMs / lstm.forwardBackwardMs).toFixed(1)}× lstm)` : '';
    return [r.size, r.core, String(r.batch), String(r.steps), fmt(r.forwardMs), fmt(r.forwardBackwardMs) + rel];
  });
  return markdownTable([['size', 'core', 'B', 'T', 'forward ms', 'forward+backward ms'], ...body], {
    align: ['l', 'l', 'r', 'r', 'r', 'r'],
  });
}
