import * as tf from '@tensorflow/tfjs-core';
import { GatedCellBase, type CellInit } from './gatedCellBase.js';
import { splitGates } from './gateOrder.js';
import { LSTM_CELL_OPTIONS } from './lstmOptions.js';
import { parseOptions } from './optionFields.js';
import { requireShape } from './validation.js';

/** How an LSTM cell starts (the core-attention README, "LSTM initialisation"); unset = PyTorch's `nn.LSTM`. */
export interface LSTMInitArgs {
  /** Kernel and bias initialisation. Default `'uniform'` (PyTorch's U(±1/√H)). */
  init?: CellInit;
  /**
   * Added to the forget gate's pre-activation at every step, `c' = σ(f + forgetBias) ⊙ c + …`, as TF 1's
   * `BasicLSTMCell(forget_bias=1.0)` does (a constant in the step, not a trained bias). Default 0 (none).
   */
  forgetBias?: number;
}

/** Arguments of {@link LSTMCell}. */
export interface LSTMCellArgs extends LSTMInitArgs {
  /** Width of the input vector x. */
  inputSize: number;
  /** Width of h and c. */
  hiddenSize: number;
  /** Seed for reproducible initialisation; omitted = fresh randomness. */
  seed?: number;
}

/** An LSTM state pair (a type alias, so it is a tfjs `TensorContainer` and can leave `tf.tidy`). */
export type LSTMState<T extends tf.Tensor = tf.Tensor2D> = {
  h: T;
  c: T;
};

/**
 * A dense LSTM cell with PyTorch's gate order **i, f, g, o** (input, forget, cell candidate, output).
 * With `[i, f, g, o] = x·W + h·R + b`: `c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)`, `h' = σ(o) ⊙ tanh(c')`.
 *
 * Weights (names and shapes; H = hiddenSize):
 * - `kernel` `[inputSize, 4H]` = PyTorch `weight_ih_l0` transposed
 * - `recurrentKernel` `[H, 4H]` = PyTorch `weight_hh_l0` transposed
 * - `bias` `[4H]` = PyTorch `bias_ih_l0 + bias_hh_l0` (the two biases only ever appear summed)
 *
 * Initialisation U(±1/√H) like PyTorch by default; `init` and `forgetBias` start it as TF 1's `BasicLSTMCell`
 * (`'glorot'`, 1) or CleanRL's LSTM (`'orthogonal'`) do.
 *
 * @example
 * const cell = new LSTMCell({ inputSize: 8, hiddenSize: 16, seed: 1 });
 * const { h, c } = cell.step(x, h0, c0); // x [B, 8], h0/c0 [B, 16]
 * const basic = new LSTMCell({ inputSize: 8, hiddenSize: 16, seed: 1, init: 'glorot', forgetBias: 1 }); // TF 1 BasicLSTMCell
 */
export class LSTMCell extends GatedCellBase {
  private readonly seed: number | undefined;
  private readonly init: LSTMInitArgs;
  /** The constant added to the forget gate's pre-activation (0 = none). */
  readonly forgetBias: number;

  constructor(args: LSTMCellArgs) {
    const init = parseOptions(LSTM_CELL_OPTIONS, { init: args.init, forgetBias: args.forgetBias }, 'LSTMCell');
    super('LSTMCell', args, 4, init.init);
    this.seed = args.seed;
    // Only the options given, so a cell made without them records (and rebuilds) as before they existed.
    this.init = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined));
    this.forgetBias = init.forgetBias ?? 0;
  }

  /** x·kernel + bias for any number of rows at once: `[R, inputSize]` → `[R, 4H]` (sequences: all T at once). */
  projectInput(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.addBias(tf.matMul(x, this.kernel)) as tf.Tensor2D);
  }

  /** One step from an already projected input `xProj` `[B, 4H]`. */
  stepProjected(xProj: tf.Tensor2D, state: LSTMState): LSTMState {
    return tf.tidy(() => {
      const z = tf.add(xProj, tf.matMul(state.h, this.recurrentKernel)); // [B, 4H]
      const { i, f, g, o } = splitGates(z);
      // TF 1 BasicLSTMCell.call: sigmoid(f + forget_bias); no op without it, so such a cell computes as before.
      const forget = this.forgetBias === 0 ? f : tf.add(f, this.forgetBias);
      const c = tf.add(tf.mul(tf.sigmoid(forget), state.c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      const h = tf.mul(tf.sigmoid(o), tf.tanh(c));
      return { h: h as tf.Tensor2D, c: c as tf.Tensor2D };
    });
  }

  /** One step: x `[B, inputSize]`, h and c `[B, H]`. */
  step(x: tf.Tensor2D, state: LSTMState): LSTMState {
    requireShape('LSTMCell', 'x', x, [-1, this.inputSize]);
    requireShape('LSTMCell', 'h', state.h, [x.shape[0], this.hiddenSize]);
    requireShape('LSTMCell', 'c', state.c, [x.shape[0], this.hiddenSize]);
    return tf.tidy(() => this.stepProjected(this.projectInput(x), state));
  }

  /** JSON args that rebuild this cell. */
  config(): LSTMCellArgs {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, ...(this.seed !== undefined ? { seed: this.seed } : {}), ...this.init };
  }
}
