import * as tf from '@tensorflow/tfjs-core';
import { GatedCellBase } from './gatedCellBase.js';
import { splitGates } from './gateOrder.js';
import type { LSTMState } from './lstmCell.js';
import { requireShape } from './validation.js';

/** Arguments of the group cells ({@link GroupLSTMCell}, `GroupGRUCell`). */
export interface GroupCellArgs {
  /** U: independent cells computed together. */
  units: number;
  /** Input width per unit. */
  inputSize: number;
  /** H: hidden width per unit. */
  hiddenSize: number;
  /** Seed for reproducible initialisation. */
  seed?: number;
  /**
   * Whether the cell has its bias (the GRU also its recurrent bias). Default true; false: no bias variables,
   * as the RIM reference's GroupLSTMCell / GroupGRUCell (`RIM.py`, GroupLinearLayer i2h and h2h).
   */
  bias?: boolean;
}

/**
 * U independent LSTM cells in one op (the RIM reference's GroupLSTMCell, `RIM.py`): x `[B, U, in]`, h and c `[B, U, H]`.
 * Gate order **i, f, g, o** like {@link LSTMCell}. All weights U(±1/√H).
 *
 * Weights:
 * - `kernel` `[U, in, 4H]`, `recurrentKernel` `[U, H, 4H]`, `bias` `[U, 4H]` (absent with `bias: false`).
 *
 * The RIM reference's GroupLSTMCell uses gate order i, f, o, g and no bias: permute the last two gate
 * blocks of its `i2h.w` / `h2h.w` and make the cell with `bias: false` (or give a zero bias; see `@mempo/rim`'s
 * `weightsFromReferenceRIMCell`).
 *
 * @example
 * const cell = new GroupLSTMCell({ units: 4, inputSize: 8, hiddenSize: 16, seed: 1 });
 * const { h, c } = cell.step(x, { h: h0, c: c0 }); // x [B, 4, 8], h0/c0 [B, 4, 16]
 */
export class GroupLSTMCell extends GatedCellBase {
  readonly units: number;
  private readonly args: GroupCellArgs;

  constructor(args: GroupCellArgs) {
    super('GroupLSTMCell', args, 4);
    this.units = args.units;
    this.args = { ...args };
  }

  /** One step for all units: x `[B, U, in]` → h, c `[B, U, H]`. */
  step(x: tf.Tensor3D, state: LSTMState<tf.Tensor3D>): LSTMState<tf.Tensor3D> {
    requireShape('GroupLSTMCell', 'x', x, [-1, this.units, this.inputSize]);
    requireShape('GroupLSTMCell', 'h', state.h, [x.shape[0], this.units, this.hiddenSize]);
    requireShape('GroupLSTMCell', 'c', state.c, [x.shape[0], this.units, this.hiddenSize]);
    return tf.tidy(() => {
      // Unit-major for the two batched matmuls, then one transpose back: [U, B, 4H] → [B, U, 4H].
      const zU = tf.add(
        tf.matMul(tf.transpose(x, [1, 0, 2]), this.kernel as tf.Tensor3D),
        tf.matMul(tf.transpose(state.h, [1, 0, 2]), this.recurrentKernel as tf.Tensor3D),
      );
      return this.gates(this.addBias(tf.transpose(zU, [1, 0, 2])), state.c);
    });
  }

  /**
   * The LSTM update from the pre-activations `z = x·W + h·R + b` (gate blocks i, f, g, o on the last axis),
   * for callers that compute z themselves (RIM fuses h·R with its query projection). Any layout with the
   * gates last: z `[…, 4H]`, c `[…, H]` → h, c `[…, H]`.
   */
  gates<T extends tf.Tensor>(z: tf.Tensor, c: T): LSTMState<T> {
    return tf.tidy(() => {
      const { i, f, g, o } = splitGates(z);
      const cNew = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      const h = tf.mul(tf.sigmoid(o), tf.tanh(cNew));
      return { h: h as T, c: cNew as T };
    });
  }

  config(): GroupCellArgs {
    return { ...this.args };
  }
}
