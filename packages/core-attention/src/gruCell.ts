import * as tf from '@tensorflow/tfjs-core';
import { GatedCellBase } from './gatedCellBase.js';
import type { NamedVariables } from './namedWeights.js';
import { requireShape } from './validation.js';

/** Arguments of {@link GRUCell}. */
export interface GRUCellArgs {
  /** Width of the input vector x. */
  inputSize: number;
  /** Width of h. */
  hiddenSize: number;
  /** Seed for reproducible initialisation; omitted = fresh randomness. */
  seed?: number;
}

/**
 * A dense GRU cell in PyTorch's reset-after form with gate order **r, z, n**:
 * `r = σ(Wr·x + br + Ur·h + cr)`, `z = σ(Wz·x + bz + Uz·h + cz)`, `n = tanh(Wn·x + bn + r ⊙ (Un·h + cn))`,
 * `h' = (1 − z) ⊙ n + z ⊙ h`.
 *
 * Weights (H = hiddenSize):
 * - `kernel` `[inputSize, 3H]` = PyTorch `weight_ih_l0` transposed
 * - `recurrentKernel` `[H, 3H]` = PyTorch `weight_hh_l0` transposed
 * - `bias` `[3H]` = PyTorch `bias_ih_l0`
 * - `recurrentBias` `[3H]` = PyTorch `bias_hh_l0` (kept apart: its n part sits inside r ⊙ (…))
 *
 * @example
 * const cell = new GRUCell({ inputSize: 8, hiddenSize: 16, seed: 1 });
 * const h1 = cell.step(x, h0); // x [B, 8], h0 [B, 16]
 */
export class GRUCell extends GatedCellBase {
  /** `[3H]` */
  readonly recurrentBias: tf.Variable;
  private readonly seed: number | undefined;

  constructor(args: GRUCellArgs) {
    super('GRUCell', args, 3);
    this.recurrentBias = this.newWeight([3 * args.hiddenSize]);
    this.seed = args.seed;
  }

  /** x·kernel + bias for any number of rows at once: `[R, inputSize]` → `[R, 3H]`. */
  projectInput(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.addBias(tf.matMul(x, this.kernel)) as tf.Tensor2D);
  }

  /** One step from an already projected input `xProj` `[B, 3H]`; h `[B, H]`. */
  stepProjected(xProj: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const hProj = tf.add(tf.matMul(h, this.recurrentKernel), this.recurrentBias); // [B, 3H]
      const [xr, xz, xn] = tf.split(xProj, 3, 1);
      const [hr, hz, hn] = tf.split(hProj, 3, 1);
      const r = tf.sigmoid(tf.add(xr!, hr!));
      const z = tf.sigmoid(tf.add(xz!, hz!));
      const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
      // (1 − z)·n + z·h written as n + z·(h − n): one op fewer, same value.
      return tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
    });
  }

  /** One step: x `[B, inputSize]`, h `[B, H]`. */
  step(x: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    requireShape('GRUCell', 'x', x, [-1, this.inputSize]);
    requireShape('GRUCell', 'h', h, [x.shape[0], this.hiddenSize]);
    return tf.tidy(() => this.stepProjected(this.projectInput(x), h));
  }

  /** Variables by name: `kernel`, `recurrentKernel`, `bias`, `recurrentBias`. */
  override namedVariables(): NamedVariables {
    return { ...super.namedVariables(), recurrentBias: this.recurrentBias };
  }

  /** JSON args that rebuild this cell. */
  config(): GRUCellArgs {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, ...(this.seed !== undefined ? { seed: this.seed } : {}) };
  }
}
