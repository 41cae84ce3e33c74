import * as tf from '@tensorflow/tfjs-core';
import { timeSteps } from '@mempo/core-attention';

/**
 * The per-unit map `y_t = x_t·W (+ b)` applied at every step t of one sequence, with the weight gradient
 * taken once for the whole sequence: `dW = Σ_t x_tᵀ·dy_t` as one `[U, T·R, din]ᵀ·[U, T·R, dout]` matmul (and
 * `db = Σ dy`). Plain autodiff would take one outer product per step and add it to a running sum of the
 * weight's size; on a CPU backend those two ops per step and weight were the largest cost of a RIM
 * backward pass (the ppo README's Atari preset runs 128-step sequences). Same math; only the summation order
 * of the weight gradient differs.
 *
 * How: a zero "tap" `[T, U, R, dout]` is made from W and b before the steps; step t's op takes the tap's
 * slice t as an input whose gradient is dy_t, so the tap's gradient is every step's dy, stacked. Each step
 * op saves its x_t for the backward pass and hands it over when its own gradient runs; the tap's gradient
 * (computed after every step's, being upstream of them) then forms dW from all of them at once.
 */
export class SequenceLinear {
  private readonly taps: tf.Tensor[];
  /** x_t as saved by step t's op, filled in while the backward pass runs. */
  private readonly inputs: (tf.Tensor | undefined)[];

  /**
   * @param weight `[U, din, dout]`
   * @param bias `[U, 1, dout]` or null
   * @param steps T
   * @param rows R, the rows of each step's `[U, R, din]` input
   */
  constructor(
    private readonly weight: tf.Tensor3D,
    private readonly bias: tf.Tensor3D | null,
    steps: number,
    rows: number,
  ) {
    const [U, din, dout] = weight.shape;
    this.inputs = new Array<tf.Tensor | undefined>(steps);
    const inputs = this.inputs;
    const tap = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.zeros([steps, U, rows, dout]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const dys = tf.reshape(tf.transpose(dy as tf.Tensor, [1, 0, 2, 3]), [U, steps * rows, dout]);
        // A step whose output reaches no loss gets no backward pass and has a zero dy: a zero x adds nothing.
        const xs = tf.stack(Array.from(inputs, (x) => x ?? tf.zeros([U, rows, din]))); // [T, U, R, din]
        const x = tf.reshape(tf.transpose(xs, [1, 0, 2, 3]), [U, steps * rows, din]);
        const dW = tf.matMul(x, dys, true, false);
        return args.length === 3 ? [dW, tf.sum(dys, 1, true)] : [dW];
      },
    }));
    this.taps = timeSteps(bias ? tap(weight, bias) : tap(weight));
  }

  /** Step t: x `[U, R, din]` → `[U, R, dout]`. */
  apply(t: number, x: tf.Tensor3D): tf.Tensor3D {
    const { weight, bias, inputs } = this;
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [input, , save] = args as [tf.Tensor3D, tf.Tensor, tf.GradSaveFunc];
      // Saved (not closed over): the engine keeps saved tensors alive until the whole backward pass is done.
      save([input, weight]);
      const y = tf.matMul(input, weight);
      return {
        value: bias ? tf.add(y, bias) : y,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          inputs[t] = saved[0];
          return [tf.matMul(dy as tf.Tensor, saved[1]!, false, true), dy as tf.Tensor];
        },
      };
    });
    return op(x, this.taps[t]!) as tf.Tensor3D;
  }
}
