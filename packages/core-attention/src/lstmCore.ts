import type * as tf from '@tensorflow/tfjs-core';
import { LSTMCell, type LSTMInitArgs } from './lstmCell.js';
import { RecurrentCoreBase, type RecurrentCoreArgs } from './recurrentCoreBase.js';

/** Arguments of {@link LSTMCore}: the flat core's and the cell's initialisation (`init`, `forgetBias`). */
export type LSTMCoreArgs = RecurrentCoreArgs & LSTMInitArgs;

/**
 * The LSTM baseline as a `MemoryCore`: the set input `[B, N, F]` is flattened to `[B, N·F]` and fed
 * to an {@link LSTMCell}; the output is h. State `[h, c]`, each `[B, H]`.
 * Weights: `cell.kernel` `[N·F, 4H]`, `cell.recurrentKernel` `[H, 4H]`, `cell.bias` `[4H]` (gates i, f, g, o).
 * `init` and `forgetBias` go to the cell (the core-attention README, "LSTM initialisation") and into `config()`,
 * so `coreFromConfig` rebuilds the same core.
 *
 * @example
 * const core = new LSTMCore({ inputSize: 64, hiddenSize: 128, seed: 1 });
 * let state = core.initialState(8);
 * const { output, state: next } = core.step(x, state, { training: false }); // x [8, 1, 64] → [8, 128]
 * const cleanrl = new LSTMCore({ inputSize: 512, hiddenSize: 128, seed: 1, init: 'orthogonal' });
 */
export class LSTMCore extends RecurrentCoreBase<LSTMCell> {
  readonly name = 'lstm';

  constructor(args: LSTMCoreArgs) {
    const { init, forgetBias } = args;
    const options = { ...(init !== undefined ? { init } : {}), ...(forgetBias !== undefined ? { forgetBias } : {}) };
    super('LSTMCore', args, 2, (inputSize) => new LSTMCell({ inputSize, hiddenSize: args.hiddenSize, seed: args.seed, ...options }));
  }

  protected stepCell(xProj: tf.Tensor2D, [h, c]: tf.Tensor2D[]): tf.Tensor2D[] {
    const next = this.cell.stepProjected(xProj, { h: h!, c: c! });
    return [next.h, next.c];
  }
}
