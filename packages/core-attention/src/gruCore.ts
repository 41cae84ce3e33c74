import * as tf from '@tensorflow/tfjs-core';
import { GRUCell } from './gruCell.js';
import type { RecurrentCoreArgs } from './lstmCore.js';
import type { CoreCallOptions, CoreConfig, CoreSequenceResult, CoreStepResult, MemoryCore } from './memoryCore.js';
import { assignWeights, prefixNames, snapshotWeights, type NamedVariables } from './namedWeights.js';
import { scanWithResets } from './scanSequence.js';
import { flattenSet, requireSetInput, requireSetSequence, requireState } from './setInput.js';
import { requirePositiveInt } from './validation.js';

/**
 * The GRU baseline as a {@link MemoryCore}: the set input `[B, N, F]` is flattened to `[B, N·F]` and fed
 * to a {@link GRUCell}; the output is h. State `[h]`, `[B, H]`.
 * Weights: `cell.kernel` `[N·F, 3H]`, `cell.recurrentKernel` `[H, 3H]`, `cell.bias` `[3H]`,
 * `cell.recurrentBias` `[3H]` (gates r, z, n).
 *
 * @example
 * const core = new GRUCore({ inputSize: 64, hiddenSize: 128, seed: 1 });
 * const { outputs } = core.sequence(xs, core.initialState(8), starts, { training: true }); // [T, 8, 128]
 */
export class GRUCore implements MemoryCore {
  readonly name = 'gru';
  readonly inputShape: readonly [number, number];
  readonly outputSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  readonly cell: GRUCell;
  private readonly args: RecurrentCoreArgs;

  constructor(args: RecurrentCoreArgs) {
    const numElements = args.numElements ?? 1;
    requirePositiveInt('numElements', numElements);
    requirePositiveInt('inputSize', args.inputSize);
    this.args = { ...args, numElements };
    this.inputShape = [numElements, args.inputSize];
    this.outputSize = args.hiddenSize;
    this.stateShapes = [[args.hiddenSize]];
    this.cell = new GRUCell({ inputSize: numElements * args.inputSize, hiddenSize: args.hiddenSize, seed: args.seed });
  }

  initialState(batch: number): tf.Tensor[] {
    return [tf.zeros([batch, this.outputSize])];
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    requireSetInput('GRUCore', x, this.inputShape);
    requireState('GRUCore', state, this.stateShapes, x.shape[0]);
    return tf.tidy(() => {
      const h = this.cell.stepProjected(this.cell.projectInput(flattenSet(x)), state[0] as tf.Tensor2D);
      return { output: tf.clone(h), state: [h] };
    });
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, _opts: CoreCallOptions): CoreSequenceResult {
    const [T, B] = xs.shape;
    requireSetSequence('GRUCore', xs, this.inputShape);
    requireState('GRUCore', state0, this.stateShapes, B);
    // The input projection does not depend on the state: one matmul for all T·B rows.
    const proj = tf.tidy(() => tf.reshape(this.cell.projectInput(tf.reshape(xs, [T * B, -1])), [T, B, -1]));
    const out = scanWithResets([proj], state0, starts, ([p], [h]) => {
      const next = this.cell.stepProjected(p as tf.Tensor2D, h as tf.Tensor2D);
      return { output: next, state: [next] };
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
    assignWeights('GRUCore', this.namedVariables(), weights);
  }

  config(): CoreConfig {
    return { name: this.name, ...this.args };
  }

  dispose(): void {
    this.cell.dispose();
  }
}
