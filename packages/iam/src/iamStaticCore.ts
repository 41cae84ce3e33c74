import * as tf from '@tensorflow/tfjs-core';
import {
  assignWeights,
  flattenSet,
  requirePositiveInt,
  requireSetInput,
  requireSetSequence,
  requireState,
  scanWithResets,
  snapshotWeights,
  type CoreCallOptions,
  type CoreConfig,
  type CoreSequenceResult,
  type CoreStepResult,
  type MemoryCore,
  type NamedVariables,
} from '@mempo/core-attention';
import { WAREHOUSE_D_SET, selectDSet, validateDSet } from './dSet.js';
import { FeedForwardBranch } from './feedForwardBranch.js';
import { RecurrentBranch, type IAMCellType } from './recurrentBranch.js';

/** Arguments of {@link IAMStaticCore}; every default is the paper-era Warehouse network. */
export interface IAMStaticCoreArgs {
  /** F: features per input element (73 for the Warehouse). Default 73. */
  inputSize?: number;
  /** N: elements per input set; the core reads the flattened `N·F` vector. Default 1. */
  numElements?: number;
  /**
   * Indices of the flattened observation the recurrent branch reads. Default {@link WAREHOUSE_D_SET}
   * `[0, 49, …, 72]` (as published; see spec/iam.md). All indices 0..N·F−1 = the "no input restriction" ablation.
   */
  dSet?: readonly number[];
  /** Widths of the feed-forward branch's dense layers (ReLU after each). Default [576, 256]. */
  fnnSizes?: readonly number[];
  /** Biases in the feed-forward branch. Default false (the paper-era network has none). */
  fnnBias?: boolean;
  /** Width of the recurrent state h (and c). Default 64. */
  hiddenSize?: number;
  /** Recurrent cell. Default 'lstm' (the paper); 'gru' as in a public reproduction. */
  cell?: IAMCellType;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

const OWNER = 'IAMStaticCore';

/**
 * Influence-Aware Memory with a static d-set (spec/iam.md): a feed-forward branch reads the whole flat
 * observation, a recurrent branch reads only the d-set entries; output = `[fnn ‖ h]`. Only the recurrent
 * state is carried in time: `[h, c]` (LSTM) or `[h]` (GRU), each `[B, hiddenSize]`.
 *
 * Weights: `fnn.<i>.kernel` `[in_i, out_i]` (`fnn.<i>.bias` with `fnnBias`), `rnn.kernel` `[|dSet|, gates·H]`,
 * `rnn.recurrentKernel` `[H, gates·H]`, `rnn.bias` `[gates·H]` (+ `rnn.recurrentBias` for a GRU);
 * gates = 4 (LSTM i, f, g, o) or 3 (GRU r, z, n).
 *
 * @example
 * const core = new IAMStaticCore({ seed: 1 });          // Warehouse: 73 → FNN 576 → 256, LSTM 64 on 25 bits
 * let state = core.initialState(8);
 * const { output } = core.step(obs, state, { training: false }); // obs [8, 1, 73] → [8, 320]
 */
export class IAMStaticCore implements MemoryCore {
  readonly name = 'iam';
  readonly variant = 'static';
  readonly inputShape: readonly [number, number];
  readonly outputSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  readonly dSet: readonly number[];
  private readonly args: Required<Omit<IAMStaticCoreArgs, 'seed'>> & { seed?: number };
  private readonly dSetIndices: tf.Tensor1D;
  private readonly fnn: FeedForwardBranch;
  private readonly rnn: RecurrentBranch;

  constructor(args: IAMStaticCoreArgs = {}) {
    const {
      inputSize = 73,
      numElements = 1,
      dSet = WAREHOUSE_D_SET,
      fnnSizes = [576, 256],
      fnnBias = false,
      hiddenSize = 64,
      cell = 'lstm',
      seed,
    } = args;
    requirePositiveInt('inputSize', inputSize);
    requirePositiveInt('numElements', numElements);
    requirePositiveInt('hiddenSize', hiddenSize);
    const width = inputSize * numElements;
    validateDSet(dSet, width);
    this.args = { inputSize, numElements, dSet: [...dSet], fnnSizes: [...fnnSizes], fnnBias, hiddenSize, cell, ...(seed !== undefined ? { seed } : {}) };
    this.dSet = [...dSet];
    this.inputShape = [numElements, inputSize];
    this.fnn = new FeedForwardBranch(width, fnnSizes, fnnBias, seed);
    this.rnn = new RecurrentBranch(cell, dSet.length, hiddenSize, seed);
    this.dSetIndices = tf.tensor1d([...dSet], 'int32');
    this.outputSize = this.fnn.outputSize + hiddenSize;
    this.stateShapes = this.rnn.stateShapes;
  }

  initialState(batch: number): tf.Tensor[] {
    return this.rnn.initialState(batch);
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    requireSetInput(OWNER, x, this.inputShape);
    requireState(OWNER, state, this.stateShapes, x.shape[0]);
    return tf.tidy(() => {
      const flat = flattenSet(x); // [B, N·F]
      const next = this.rnn.stepProjected(this.rnn.projectInput(selectDSet(flat, this.dSetIndices)), state);
      const output = tf.concat([this.fnn.apply(flat), next[0]!], 1) as tf.Tensor2D; // [B, fnn + H]
      return { output, state: next };
    });
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, _opts: CoreCallOptions): CoreSequenceResult {
    requireSetSequence(OWNER, xs, this.inputShape);
    const [T, B] = xs.shape;
    requireState(OWNER, state0, this.stateShapes, B);
    // Neither branch's input side depends on the state: the FNN and the d-set projection run once on T·B rows.
    const [fnnOut, proj] = tf.tidy(() => {
      const flat = tf.reshape(xs, [T * B, -1]) as tf.Tensor2D;
      return [
        tf.reshape(this.fnn.apply(flat), [T, B, this.fnn.outputSize]),
        tf.reshape(this.rnn.projectInput(selectDSet(flat, this.dSetIndices)), [T, B, -1]),
      ];
    });
    const out = scanWithResets([fnnOut, proj], state0, starts, ([f, p], state) => {
      const next = this.rnn.stepProjected(p as tf.Tensor2D, state);
      return { output: tf.concat([f as tf.Tensor2D, next[0]!], 1) as tf.Tensor2D, state: next };
    });
    tf.dispose([fnnOut, proj]);
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  private namedVariables(): NamedVariables {
    return { ...this.fnn.namedVariables(), ...this.rnn.namedVariables() };
  }

  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights(OWNER, this.namedVariables(), weights);
  }

  /** `{ name: 'iam', variant: 'static', …args }`; {@link createIAMCore} rebuilds the core from it. */
  config(): CoreConfig {
    return { name: this.name, variant: this.variant, ...this.args, dSet: [...this.args.dSet], fnnSizes: [...this.args.fnnSizes] };
  }

  dispose(): void {
    this.fnn.dispose();
    this.rnn.dispose();
    this.dSetIndices.dispose();
  }
}
