import * as tf from '@tensorflow/tfjs-core';
import type { GroupCellArgs } from './groupLstmCell.js';
import { GatedCellBase } from './gatedCellBase.js';
import type { NamedVariables } from './namedWeights.js';
import { requireShape } from './validation.js';

/**
 * U independent GRU cells in one op, reset-after form with gate order **r, z, n** like {@link GRUCell}
 * (PyTorch's GRU equations: `n = tanh(Wx·x + r ⊙ (Wh·h + bh))`, `h' = (1−z)⊙n + z⊙h`). All weights U(±1/√H) — never
 * all-ones as in the reference's group GRU.
 *
 * Weights: `kernel` `[U, in, 3H]`, `recurrentKernel` `[U, H, 3H]`, `bias` `[U, 3H]`, `recurrentBias` `[U, 3H]`
 * (both biases absent with `bias: false`). The reference's GroupGRUCell (`x2h.w`, `h2h.w`) has the same gate
 * order and no biases (`bias: false`, or give zeros).
 *
 * @example
 * const cell = new GroupGRUCell({ units: 6, inputSize: 400, hiddenSize: 100, seed: 1 });
 * const h1 = cell.step(x, h0); // x [B, 6, 400], h0 [B, 6, 100]
 */
export class GroupGRUCell extends GatedCellBase {
  readonly units: number;
  /** `[U, 3H]`; null with `bias: false`. */
  readonly recurrentBias: tf.Variable | null;
  private readonly args: GroupCellArgs;

  constructor(args: GroupCellArgs) {
    super('GroupGRUCell', args, 3);
    this.recurrentBias = args.bias === false ? null : this.newWeight([3 * args.hiddenSize]);
    this.units = args.units;
    this.args = { ...args };
  }

  /** One step for all units: x `[B, U, in]`, h `[B, U, H]` → `[B, U, H]`. */
  step(x: tf.Tensor3D, h: tf.Tensor3D): tf.Tensor3D {
    requireShape('GroupGRUCell', 'x', x, [-1, this.units, this.inputSize]);
    requireShape('GroupGRUCell', 'h', h, [x.shape[0], this.units, this.hiddenSize]);
    return tf.tidy(() => {
      const zx = this.addBias(tf.transpose(tf.matMul(tf.transpose(x, [1, 0, 2]), this.kernel as tf.Tensor3D), [1, 0, 2]));
      const hProj = tf.transpose(tf.matMul(tf.transpose(h, [1, 0, 2]), this.recurrentKernel as tf.Tensor3D), [1, 0, 2]);
      const zh = this.recurrentBias ? tf.add(hProj, this.recurrentBias) : hProj;
      return this.gates(zx, zh, h);
    });
  }

  /**
   * The reset-after GRU update from the input pre-activations `zx = x·W + b` and the recurrent ones
   * `zh = h·R + bh` (gate blocks r, z, n on the last axis), for callers that compute them themselves (RIM
   * fuses h·R with its query projection). Any layout with the gates last: `[…, 3H]`, h `[…, H]` → `[…, H]`.
   */
  gates<T extends tf.Tensor>(zx: tf.Tensor, zh: tf.Tensor, h: T): T {
    return tf.tidy(() => {
      const [xr, xz, xn] = tf.split(zx, 3, -1);
      const [hr, hz, hn] = tf.split(zh, 3, -1);
      const r = tf.sigmoid(tf.add(xr!, hr!));
      const z = tf.sigmoid(tf.add(xz!, hz!));
      const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
      return tf.add(n, tf.mul(z, tf.sub(h, n))) as T;
    });
  }

  /** Variables by name: `kernel`, `recurrentKernel`, `bias`, `recurrentBias` (the biases unless made without). */
  override namedVariables(): NamedVariables {
    return this.recurrentBias ? { ...super.namedVariables(), recurrentBias: this.recurrentBias } : super.namedVariables();
  }

  config(): GroupCellArgs {
    return { ...this.args };
  }
}
