import * as tf from '@tensorflow/tfjs-core';
import { Dense, LSTMCore, type MemoryCore } from '@mempo/core-attention';
import { RIMCore } from '@mempo/rim';
import { copyingBatch, seededRandom } from './copyingData.js';

/** Options of {@link runCopyTask}; defaults are the paper's (RIM Table 1) except the training length. */
export interface CopyTaskOptions {
  /** 'rim' or 'lstm'. */
  memory: 'rim' | 'lstm';
  /** Digits to copy. Paper: 10. */
  digits?: number;
  /** Distinct digit symbols. Paper: 8 (the digits 1..8). */
  symbols?: number;
  /** Gap during training. Paper: 50. */
  trainGap?: number;
  /** Gap at test time. Paper: 200. */
  testGap?: number;
  /** RIM units. Paper: 6. */
  units?: number;
  /** RIM active units. Paper: 4. */
  k?: number;
  /** Total hidden size (RIM: units × per-unit H; LSTM: H). Paper: 600. */
  hiddenSize?: number;
  /** Minibatch size. Default 64. */
  batchSize?: number;
  /** Adam updates. Default 200 (the paper trains far longer; raise it for a real reproduction). */
  steps?: number;
  /** Adam learning rate. Default 1e-3 (the reference's). */
  learningRate?: number;
  /** Global gradient-norm clip. Default 1 (the reference's). */
  clipNorm?: number;
  /** Test batches of `batchSize`. Default 4. */
  testBatches?: number;
  /** Seed for weights and data. Default 1. */
  seed?: number;
  /** Called every `logEvery` steps with the step and the training loss over the last `digits` steps. */
  onProgress?: (step: number, lastDigitsLoss: number) => void;
  /** Default 20. */
  logEvery?: number;
}

/** Result of {@link runCopyTask}: cross-entropy (nats) over the last `digits` steps. */
export interface CopyTaskResult {
  memory: 'rim' | 'lstm';
  trainGap: number;
  testGap: number;
  steps: number;
  /** On fresh sequences with the training gap. */
  trainGapLoss: number;
  /** On fresh sequences with the test gap (generalisation to longer gaps). */
  testGapLoss: number;
  seconds: number;
}

/**
 * Trains RIM or an LSTM on the copying task with Adam on the active backend and reports cross-entropy
 * over the last `digits` steps at the train and the test gap (the paper's Table 1 metric).
 */
export async function runCopyTask(opts: CopyTaskOptions): Promise<CopyTaskResult> {
  const o = {
    digits: 10, symbols: 8, trainGap: 50, testGap: 200, units: 6, k: 4, hiddenSize: 600, batchSize: 64,
    steps: 200, learningRate: 1e-3, clipNorm: 1, testBatches: 4, seed: 1, logEvery: 20, ...opts,
  };
  if (o.memory === 'rim' && o.hiddenSize % o.units !== 0) {
    throw new Error(`hiddenSize must be a multiple of units for RIM (got hiddenSize=${o.hiddenSize}, units=${o.units})`);
  }
  const inputSize = o.symbols + 2;
  const core: MemoryCore =
    o.memory === 'rim'
      ? new RIMCore({ inputSize, hiddenSize: o.hiddenSize / o.units, units: o.units, k: o.k, seed: o.seed })
      : new LSTMCore({ inputSize, hiddenSize: o.hiddenSize, seed: o.seed });
  const readout = new Dense({ inputSize: core.outputSize, outputSize: o.symbols + 1, seed: o.seed + 1 });
  const vars = [...core.trainableVariables(), ...Object.values(readout.namedVariables())];
  const optimizer = tf.train.adam(o.learningRate);
  const rng = seededRandom(o.seed);
  const losses = (gap: number, training: boolean) => {
    const { x, y, T } = copyingBatch(o.batchSize, o.digits, o.symbols, gap, rng);
    const s0 = core.initialState(o.batchSize);
    const { outputs } = core.sequence(x, s0, tf.zeros([T, o.batchSize]) as tf.Tensor2D, { training });
    const logits = readout.apply(outputs);
    const all = tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    const tail = tf.losses.softmaxCrossEntropy(tf.slice(y, [T - o.digits], [o.digits]), tf.slice(logits, [T - o.digits], [o.digits]));
    return { all, tail: tail as tf.Scalar };
  };
  const start = performance.now();
  for (let step = 1; step <= o.steps; step++) {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => losses(o.trainGap, true).all, vars);
      // Global-norm clipping as in the reference's training loop, kept on the device (no read-back).
      const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(1, tf.div(o.clipNorm, tf.maximum(norm, 1e-12)));
      optimizer.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])));
      value.dispose();
    });
    if (o.onProgress && step % o.logEvery === 0) o.onProgress(step, evaluate(o.trainGap, 1));
  }
  function evaluate(gap: number, batches: number): number {
    let sum = 0;
    for (let i = 0; i < batches; i++) sum += tf.tidy(() => losses(gap, false).tail.arraySync() as number);
    return sum / batches;
  }
  const result: CopyTaskResult = {
    memory: o.memory,
    trainGap: o.trainGap,
    testGap: o.testGap,
    steps: o.steps,
    trainGapLoss: evaluate(o.trainGap, o.testBatches),
    testGapLoss: evaluate(o.testGap, o.testBatches),
    seconds: (performance.now() - start) / 1000,
  };
  core.dispose();
  readout.dispose();
  optimizer.dispose();
  return result;
}
