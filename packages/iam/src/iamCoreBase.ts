import * as tf from '@tensorflow/tfjs-core';
import {
  assignWeights,
  requirePositiveInt,
  requireSetInput,
  requireSetSequence,
  requireState,
  snapshotWeights,
  type CellInit,
  type CoreCallOptions,
  type CoreConfig,
  type CoreSequenceResult,
  type CoreStepResult,
  type MemoryCore,
  type NamedVariables,
} from '@mempo/core-attention';
import { FeedForwardBranch } from './feedForwardBranch.js';
import { RecurrentBranch, type IAMCellType } from './recurrentBranch.js';

/** The arguments both IAM variants share (the iam README): the two branches and the seed. */
export interface IAMBranchArgs {
  /**
   * Widths of the feed-forward branch's dense layers (ReLU after each). Default [576, 256] (static, the
   * Warehouse network) or [256] (dynamic).
   */
  fnnSizes?: readonly number[];
  /**
   * Biases in the feed-forward branch. Default false for the static core (the paper-era network has none),
   * true for the dynamic one (a dense layer on the CNN map, as in the paper's code).
   */
  fnnBias?: boolean;
  /** Width of the recurrent state h (and c). Default 64 (static) or 256 (dynamic; a later config used 16). */
  hiddenSize?: number;
  /** Recurrent cell. Default 'lstm' (the paper); 'gru' as in a public reproduction. */
  cell?: IAMCellType;
  /**
   * How the LSTM's kernels and bias start (core-attention's `CellInit`). Default `'uniform'` (PyTorch's); the IAM
   * code's `BasicLSTMCell` is `'glorot'` (the iam README, "Recurrent cell"). LSTM only.
   */
  cellInit?: CellInit;
  /** Added to the LSTM's forget gate pre-activation at every step (BasicLSTMCell's `forget_bias`). Default 0. LSTM only. */
  forgetBias?: number;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

/**
 * An IAM core's arguments with every default filled in (the seed and the LSTM's init options stay optional,
 * so a core made without them records its config as before they existed).
 */
export type ResolvedArgs<A extends IAMBranchArgs> = Required<Omit<A, 'seed' | 'cellInit' | 'forgetBias'>> & Pick<IAMBranchArgs, 'seed' | 'cellInit' | 'forgetBias'>;

/** The LSTM init options of `args` that are set, under the names the core records them by. */
export function lstmInitArgs(args: Pick<IAMBranchArgs, 'cellInit' | 'forgetBias'>): Pick<IAMBranchArgs, 'cellInit' | 'forgetBias'> {
  return { ...(args.cellInit !== undefined ? { cellInit: args.cellInit } : {}), ...(args.forgetBias !== undefined ? { forgetBias: args.forgetBias } : {}) };
}

/**
 * What the static and dynamic IAM cores share (the iam README): a feed-forward branch on the whole input, a
 * recurrent branch whose state `[h, c]` (LSTM) or `[h]` (GRU) is all that is carried in time, the output
 * `[fnn ‖ h]`, and the weight, config and dispose plumbing. A variant supplies what its recurrent branch
 * reads (the d-set, or the attention's d-patch) and any weights of its own.
 */
export abstract class IAMCoreBase<A extends IAMBranchArgs> implements MemoryCore {
  readonly name = 'iam';
  abstract readonly variant: string;
  readonly inputShape: readonly [number, number];
  readonly outputSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  protected readonly args: ResolvedArgs<A>;
  protected readonly fnn: FeedForwardBranch;
  protected readonly rnn: RecurrentBranch;

  /**
   * @param owner the class name, for error messages
   * @param inputShape `[N, F]` of the input set; the FNN branch reads the flattened `N·F`
   * @param rnnInputSize width of what the recurrent branch reads each step
   */
  protected constructor(
    private readonly owner: string,
    args: ResolvedArgs<A> & ResolvedArgs<IAMBranchArgs>,
    inputShape: readonly [number, number],
    rnnInputSize: number,
  ) {
    requirePositiveInt('hiddenSize', args.hiddenSize);
    this.args = args;
    this.inputShape = inputShape;
    this.fnn = new FeedForwardBranch(inputShape[0] * inputShape[1], args.fnnSizes, args.fnnBias, args.seed);
    this.rnn = new RecurrentBranch(args.cell, rnnInputSize, args.hiddenSize, args.seed, { init: args.cellInit, forgetBias: args.forgetBias });
    this.outputSize = this.fnn.outputSize + args.hiddenSize;
    this.stateShapes = this.rnn.stateShapes;
  }

  abstract step(x: tf.Tensor3D, state: tf.Tensor[], opts: CoreCallOptions): CoreStepResult;
  abstract sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, opts: CoreCallOptions): CoreSequenceResult;

  initialState(batch: number): tf.Tensor[] {
    return this.rnn.initialState(batch);
  }

  /** Throws naming the field unless x is `[B, N, F]` and the state fits the batch. */
  protected checkStep(x: tf.Tensor3D, state: tf.Tensor[]): void {
    requireSetInput(this.owner, x, this.inputShape);
    requireState(this.owner, state, this.stateShapes, x.shape[0]);
  }

  /** Throws naming the field unless xs is `[T, B, N, F]` and the state fits the batch. */
  protected checkSequence(xs: tf.Tensor4D, state0: tf.Tensor[]): void {
    requireSetSequence(this.owner, xs, this.inputShape);
    requireState(this.owner, state0, this.stateShapes, xs.shape[1]);
  }

  /** One recurrent step from its projected input `[B, gates·H]`; output `[fnn ‖ h]` `[B, fnn + H]`. */
  protected recurrentStep(fnnOut: tf.Tensor2D, rnnProj: tf.Tensor2D, state: tf.Tensor[]): { output: tf.Tensor2D; state: tf.Tensor2D[] } {
    const next = this.rnn.stepProjected(rnnProj, state);
    return { output: tf.concat([fnnOut, next[0]!], 1) as tf.Tensor2D, state: next };
  }

  /** Weights of the variant's own modules, named before the branches' (the dynamic core's `attention.*`). */
  protected ownVariables(): NamedVariables {
    return {};
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights(this.owner, this.namedVariables(), weights);
  }

  /** `{ name: 'iam', variant, …args }` (arrays copied); {@link createIAMCore} rebuilds the core from it. */
  config(): CoreConfig {
    const args = Object.entries(this.args).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v]);
    return { name: this.name, variant: this.variant, ...Object.fromEntries(args) };
  }

  dispose(): void {
    this.fnn.dispose();
    this.rnn.dispose();
  }

  private namedVariables(): NamedVariables {
    return { ...this.ownVariables(), ...this.fnn.namedVariables(), ...this.rnn.namedVariables() };
  }
}
