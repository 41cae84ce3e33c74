import * as tf from '@tensorflow/tfjs-core';
import { LSTMCell } from './lstmCell.js';
import type { CoreCallOptions, CoreConfig, CoreSequenceResult, CoreStepResult, MemoryCore } from './memoryCore.js';
import { assignWeights, prefixNames, snapshotWeights, type NamedVariables } from './namedWeights.js';
import { scanWithResets } from './scanSequence.js';
import { flattenSet, requireSetInput, requireSetSequence, requireState } from './setInput.js';
import { requirePositiveInt } from './validation.js';

/** Arguments of the baseline recurrent cores ({@link LSTMCore}, `GRUCore`). */
export interface RecurrentCoreArgs {
  /** F: features per input element. */
  inputSize: number;
  /** N: elements per input set (1 for a flat vector); the core flattens the set to N·F. Default 1. */
  numElements?: number;
  /** Width of h (and c), also the output width. */
  hiddenSize: number;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

/**
 * The LSTM baseline as a {@link MemoryCore}: the set input `[B, N, F]` is flattened to `[B, N·F]` and fed
 * to an {@link LSTMCell}; the output is h. State `[h, c]`, each `[B, H]`.
 * Weights: `cell.kernel` `[N·F, 4H]`, `cell.recurrentKernel` `[H, 4H]`, `cell.bias` `[4H]` (gates i, f, g, o).
 *
 * @example
 * const core = new LSTMCore({ inputSize: 64, hiddenSize: 128, seed: 1 });
 * let state = core.initialState(8);
 * const { output, state: next } = core.step(x, state, { training: false }); // x [8, 1, 64] → [8, 128]
 */
export class LSTMCore implements MemoryCore {
  readonly name = 'lstm';
  readonly inputShape: readonly [number, number];
  readonly outputSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  readonly cell: LSTMCell;
  private readonly args: RecurrentCoreArgs;

  constructor(args: RecurrentCoreArgs) {
    const numElements = args.numElements ?? 1;
    requirePositiveInt('numElements', numElements);
    requirePositiveInt('inputSize', args.inputSize);
    this.args = { ...args, numElements };
    this.inputShape = [numElements, args.inputSize];
    this.outputSize = args.hiddenSize;
    this.stateShapes = [[args.hiddenSize], [args.hiddenSize]];
    this.cell = new LSTMCell({ inputSize: numElements * args.inputSize, hiddenSize: args.hiddenSize, seed: args.seed });
  }

  initialState(batch: number): tf.Tensor[] {
    return [tf.zeros([batch, this.outputSize]), tf.zeros([batch, this.outputSize])];
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    requireSetInput('LSTMCore', x, this.inputShape);
    requireState('LSTMCore', state, this.stateShapes, x.shape[0]);
    return tf.tidy(() => {
      const { h, c } = this.cell.stepProjected(this.cell.projectInput(flattenSet(x)), {
        h: state[0] as tf.Tensor2D,
        c: state[1] as tf.Tensor2D,
      });
      // A separate handle for the output, so disposing the old state never invalidates the features.
      return { output: tf.clone(h), state: [h, c] };
    });
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, _opts: CoreCallOptions): CoreSequenceResult {
    const [T, B] = xs.shape;
    requireSetSequence('LSTMCore', xs, this.inputShape);
    requireState('LSTMCore', state0, this.stateShapes, B);
    // The input projection does not depend on the state: one matmul for all T·B rows.
    const proj = tf.tidy(() => tf.reshape(this.cell.projectInput(tf.reshape(xs, [T * B, -1])), [T, B, -1]));
    const out = scanWithResets([proj], state0, starts, ([p], [h, c]) => {
      const s = this.cell.stepProjected(p as tf.Tensor2D, { h: h as tf.Tensor2D, c: c as tf.Tensor2D });
      return { output: s.h, state: [s.h, s.c] };
    });
    proj.dispose();
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  private namedVariables(): NamedVariables {
    return prefixNames('cell', this.cell.namedVariables());
  }

  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights('LSTMCore', this.namedVariables(), weights);
  }

  config(): CoreConfig {
    return { name: this.name, ...this.args };
  }

  dispose(): void {
    this.cell.dispose();
  }
}
