import type * as tf from '@tensorflow/tfjs-core';
import { GRUCell } from './gruCell.js';
import { RecurrentCoreBase, type RecurrentCoreArgs } from './recurrentCoreBase.js';

/**
 * The GRU baseline as a `MemoryCore`: the set input `[B, N, F]` is flattened to `[B, N·F]` and fed
 * to a {@link GRUCell}; the output is h. State `[h]`, `[B, H]`.
 * Weights: `cell.kernel` `[N·F, 3H]`, `cell.recurrentKernel` `[H, 3H]`, `cell.bias` `[3H]`,
 * `cell.recurrentBias` `[3H]` (gates r, z, n).
 *
 * @example
 * const core = new GRUCore({ inputSize: 64, hiddenSize: 128, seed: 1 });
 * const { outputs } = core.sequence(xs, core.initialState(8), starts, { training: true }); // [T, 8, 128]
 */
export class GRUCore extends RecurrentCoreBase<GRUCell> {
  readonly name = 'gru';

  constructor(args: RecurrentCoreArgs) {
    super('GRUCore', args, 1, (inputSize) => new GRUCell({ inputSize, hiddenSize: args.hiddenSize, seed: args.seed }));
  }

  protected stepCell(xProj: tf.Tensor2D, [h]: tf.Tensor2D[]): tf.Tensor2D[] {
    return [this.cell.stepProjected(xProj, h!)];
  }
}
