import * as tf from '@tensorflow/tfjs-core';
import type { GroupCellArgs } from './groupLstmCell.js';
import { SeedStream, uniformInit } from './initializers.js';
import { assignWeights, snapshotWeights, type NamedVariables } from './namedWeights.js';
import { requirePositiveInt, requireShape } from './validation.js';

/**
 * U independent GRU cells in one op, reset-after form with gate order **r, z, n** like {@link GRUCell}
 * (spec rim.md: `n = tanh(Wx·x + r ⊙ (Wh·h + bh))`, `h' = (1−z)⊙n + z⊙h`). All weights U(±1/√H) — never
 * all-ones as in the reference's group GRU.
 *
 * Weights: `kernel` `[U, in, 3H]`, `recurrentKernel` `[U, H, 3H]`, `bias` `[U, 3H]`, `recurrentBias` `[U, 3H]`.
 * The reference's GroupGRUCell (`x2h.w`, `h2h.w`) has the same gate order and no biases (give zeros).
 *
 * @example
 * const cell = new GroupGRUCell({ units: 6, inputSize: 400, hiddenSize: 100, seed: 1 });
 * const h1 = cell.step(x, h0); // x [B, 6, 400], h0 [B, 6, 100]
 */
export class GroupGRUCell {
  readonly units: number;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** `[U, in, 3H]` */
  readonly kernel: tf.Variable;
  /** `[U, H, 3H]` */
  readonly recurrentKernel: tf.Variable;
  /** `[U, 3H]` */
  readonly bias: tf.Variable;
  /** `[U, 3H]` */
  readonly recurrentBias: tf.Variable;
  private readonly args: GroupCellArgs;

  constructor(args: GroupCellArgs) {
    requirePositiveInt('units', args.units);
    requirePositiveInt('inputSize', args.inputSize);
    requirePositiveInt('hiddenSize', args.hiddenSize);
    this.args = { ...args };
    ({ units: this.units, inputSize: this.inputSize, hiddenSize: this.hiddenSize } = args);
    const { units: U, hiddenSize: H } = args;
    const limit = 1 / Math.sqrt(H);
    const seeds = new SeedStream(args.seed);
    this.kernel = tf.variable(uniformInit([U, args.inputSize, 3 * H], limit, seeds.next()));
    this.recurrentKernel = tf.variable(uniformInit([U, H, 3 * H], limit, seeds.next()));
    this.bias = tf.variable(uniformInit([U, 3 * H], limit, seeds.next()));
    this.recurrentBias = tf.variable(uniformInit([U, 3 * H], limit, seeds.next()));
  }

  /** One step for all units: x `[B, U, in]`, h `[B, U, H]` → `[B, U, H]`. */
  step(x: tf.Tensor3D, h: tf.Tensor3D): tf.Tensor3D {
    requireShape('GroupGRUCell', 'x', x, [-1, this.units, this.inputSize]);
    requireShape('GroupGRUCell', 'h', h, [x.shape[0], this.units, this.hiddenSize]);
    return tf.tidy(() => {
      const zx = tf.add(tf.transpose(tf.matMul(tf.transpose(x, [1, 0, 2]), this.kernel as tf.Tensor3D), [1, 0, 2]), this.bias);
      const zh = tf.add(
        tf.transpose(tf.matMul(tf.transpose(h, [1, 0, 2]), this.recurrentKernel as tf.Tensor3D), [1, 0, 2]),
        this.recurrentBias,
      );
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

  /** Variables by name: `kernel`, `recurrentKernel`, `bias`, `recurrentBias`. */
  namedVariables(): NamedVariables {
    return {
      kernel: this.kernel,
      recurrentKernel: this.recurrentKernel,
      bias: this.bias,
      recurrentBias: this.recurrentBias,
    };
  }

  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights('GroupGRUCell', this.namedVariables(), weights);
  }

  config(): GroupCellArgs {
    return { ...this.args };
  }

  dispose(): void {
    tf.dispose(Object.values(this.namedVariables()));
  }
}
