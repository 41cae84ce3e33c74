import * as tf from '@tensorflow/tfjs-core';
import {
  assignWeights,
  requirePositiveInt,
  requireSetInput,
  requireSetSequence,
  requireState,
  snapshotWeights,
  type CoreCallOptions,
  type CoreConfig,
  type CoreSequenceResult,
  type CoreStepResult,
  type MemoryCore,
} from '@mempo/core-attention';
import { RIMCell, type RIMCellArgs, type RIMState } from './rimCell.js';

/** Arguments of {@link RIMCore}: a {@link RIMCell} whose `inputSize` is F, plus the set size N. */
export interface RIMCoreArgs extends RIMCellArgs {
  /** N: elements per input set; RIM attends over them (plus the null element). Default 1. */
  numElements?: number;
}

/**
 * RIM as a {@link MemoryCore}: the set input `[B, N, F]` is attended to directly (no flattening); the
 * output is all units' h flattened, `[B, U·H]`. State `[h, c]` (LSTM) or `[h]` (GRU), each `[B, U, H]`.
 * Diagnostics per step: `activeMask` `[B, U]` and `inputAttention` `[B, U, N+1]` (null element last).
 * Weight names are the {@link RIMCell}'s.
 *
 * @example
 * const core = new RIMCore({ inputSize: 64, hiddenSize: 16, units: 4, k: 3, inputValueSize: 64, seed: 1 });
 * const { outputs, diagnostics } = core.sequence(xs, core.initialState(16), starts, { training: true });
 * // outputs [T, 16, 64]; diagnostics.activeMask [T, 16, 4]
 */
export class RIMCore implements MemoryCore {
  readonly name = 'rim';
  readonly inputShape: readonly [number, number];
  readonly outputSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  readonly cell: RIMCell;
  private readonly numElements: number;

  constructor(args: RIMCoreArgs) {
    const { numElements = 1, ...cellArgs } = args;
    requirePositiveInt('numElements', numElements);
    this.cell = new RIMCell(cellArgs);
    this.numElements = numElements;
    this.inputShape = [numElements, args.inputSize];
    this.outputSize = args.units * args.hiddenSize;
    const unitState = [args.units, args.hiddenSize];
    this.stateShapes = this.cell.kind === 'lstm' ? [unitState, unitState] : [unitState];
  }

  initialState(batch: number): tf.Tensor[] {
    const s = this.cell.initialState(batch);
    return s.c ? [s.h, s.c] : [s.h];
  }

  private toState(state: tf.Tensor[]): RIMState {
    return state.length === 2
      ? { h: state[0] as tf.Tensor3D, c: state[1] as tf.Tensor3D }
      : { h: state[0] as tf.Tensor3D };
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], opts: CoreCallOptions): CoreStepResult {
    requireSetInput('RIMCore', x, this.inputShape);
    requireState('RIMCore', state, this.stateShapes, x.shape[0]);
    // The cell step is tidy already; the reshape of h is the only new tensor here.
    const r = this.cell.step(x, this.toState(state), opts);
    return {
      output: tf.reshape(r.h, [x.shape[0], this.outputSize]),
      state: r.c ? [r.h, r.c] : [r.h],
      diagnostics: { activeMask: r.mask, inputAttention: r.attention },
    };
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, opts: CoreCallOptions): CoreSequenceResult {
    requireSetSequence('RIMCore', xs, this.inputShape);
    requireState('RIMCore', state0, this.stateShapes, xs.shape[1]);
    const [T, B] = xs.shape;
    const r = this.cell.sequence(xs, this.toState(state0), starts, opts);
    const outputs = tf.reshape(r.hs, [T, B, this.outputSize]) as tf.Tensor3D;
    tf.dispose(r.hs);
    return {
      outputs,
      state: r.state.c ? [r.state.h, r.state.c] : [r.state.h],
      diagnostics: { activeMask: r.mask, inputAttention: r.attention },
    };
  }

  trainableVariables(): tf.Variable[] {
    return this.cell.trainableVariables();
  }

  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.cell.namedVariables());
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights('RIMCore', this.cell.namedVariables(), weights);
  }

  config(): CoreConfig {
    return { name: this.name, ...this.cell.config(), numElements: this.numElements };
  }

  dispose(): void {
    this.cell.dispose();
  }
}
