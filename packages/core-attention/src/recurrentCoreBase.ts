import * as tf from '@tensorflow/tfjs-core';
import { resolveFlatCoreArgs, type FlatCoreArgs } from './flatCoreArgs.js';
import type { CoreCallOptions, CoreConfig, CoreSequenceResult, CoreStepResult, MemoryCore } from './memoryCore.js';
import { prefixNames, type NamedVariables } from './namedWeights.js';
import { scanWithResets } from './scanSequence.js';
import { flattenSet, requireSetInput, requireSetSequence, requireState } from './setInput.js';
import { WeightedModule } from './weightedModule.js';

/** Arguments of the baseline recurrent cores (`LSTMCore`, `GRUCore`). */
export type RecurrentCoreArgs = FlatCoreArgs;

/** What a baseline core needs from its cell: the state-free input projection and its variables. */
export interface ProjectingCell {
  /** x·kernel + bias for any number of rows: `[R, N·F]` → `[R, G·H]`. */
  projectInput(x: tf.Tensor2D): tf.Tensor2D;
  /** The cell's variables by name; the core exposes them as `cell.<name>`. */
  namedVariables(): NamedVariables;
}

/**
 * The plumbing shared by the cell-based baseline cores: the set input `[B, N, F]` is flattened to
 * `[B, N·F]`, projected by the cell's input kernel (for a sequence: all T·B rows in one matmul, since the
 * projection does not depend on the state) and fed to the cell step by step; the output is h = `state[0]`.
 * A subclass supplies the cell and `stepCell`, its recurrence on an already projected input.
 */
export abstract class RecurrentCoreBase<Cell extends ProjectingCell> extends WeightedModule implements MemoryCore {
  abstract readonly name: string;
  readonly inputShape: readonly [number, number];
  readonly outputSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  readonly cell: Cell;
  private readonly args: RecurrentCoreArgs & { numElements: number };

  /**
   * @param owner class name for error messages
   * @param stateCount number of `[B, H]` state tensors (h first)
   * @param makeCell builds the cell for a flattened input of width `inputSize` = N·F
   */
  protected constructor(
    owner: string,
    args: RecurrentCoreArgs,
    stateCount: number,
    makeCell: (inputSize: number) => Cell,
  ) {
    super(owner);
    this.args = resolveFlatCoreArgs(args);
    this.inputShape = [this.args.numElements, args.inputSize];
    this.outputSize = args.hiddenSize;
    this.stateShapes = Array.from({ length: stateCount }, () => [args.hiddenSize]);
    this.cell = makeCell(this.args.numElements * args.inputSize);
  }

  /** One recurrence step from the projected input `xProj` `[B, G·H]`; returns the next state, h first. */
  protected abstract stepCell(xProj: tf.Tensor2D, state: tf.Tensor2D[]): tf.Tensor2D[];

  initialState(batch: number): tf.Tensor[] {
    return this.stateShapes.map(() => tf.zeros([batch, this.outputSize]));
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    requireSetInput(this.owner, x, this.inputShape);
    requireState(this.owner, state, this.stateShapes, x.shape[0]);
    return tf.tidy(() => {
      const next = this.stepCell(this.cell.projectInput(flattenSet(x)), state as tf.Tensor2D[]);
      // A separate handle for the output, so disposing the old state never invalidates the features.
      return { output: tf.clone(next[0]!), state: next };
    });
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, _opts: CoreCallOptions): CoreSequenceResult {
    const [T, B] = xs.shape;
    requireSetSequence(this.owner, xs, this.inputShape);
    requireState(this.owner, state0, this.stateShapes, B);
    const proj = tf.tidy(() => tf.reshape(this.cell.projectInput(tf.reshape(xs, [T * B, -1])), [T, B, -1]));
    const out = scanWithResets([proj], state0, starts, ([p], state) => {
      const next = this.stepCell(p as tf.Tensor2D, state as tf.Tensor2D[]);
      return { output: next[0]!, state: next };
    });
    proj.dispose();
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  protected namedVariables(): NamedVariables {
    return prefixNames('cell', this.cell.namedVariables());
  }

  config(): CoreConfig {
    return { name: this.name, ...this.args };
  }
}
