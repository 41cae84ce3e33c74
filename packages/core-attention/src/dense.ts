import * as tf from '@tensorflow/tfjs-core';
import { SeedStream, uniformInit } from './initializers.js';
import { assignWeights, snapshotWeights, type NamedVariables } from './namedWeights.js';
import { requirePositiveInt } from './validation.js';

/** Arguments of {@link Dense}. */
export interface DenseArgs {
  /** Input width (last axis). */
  inputSize: number;
  /** Output width. */
  outputSize: number;
  /** Adds a bias. Default true. */
  bias?: boolean;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

/**
 * A linear map on the last axis, shared by all leading positions: `y = x·kernel + bias`.
 * Weights: `kernel` `[in, out]` (= PyTorch `nn.Linear.weight` transposed), `bias` `[out]`; both
 * U(±1/√in) like `nn.Linear`.
 *
 * @example
 * const key = new Dense({ inputSize: 64, outputSize: 32, seed: 1 });
 * const k = key.apply(x); // [B, N, 64] → [B, N, 32]
 */
export class Dense {
  readonly inputSize: number;
  readonly outputSize: number;
  /** `[in, out]` */
  readonly kernel: tf.Variable;
  /** `[out]`, or null without bias. */
  readonly bias: tf.Variable | null;
  private readonly args: DenseArgs;

  constructor(args: DenseArgs) {
    requirePositiveInt('inputSize', args.inputSize);
    requirePositiveInt('outputSize', args.outputSize);
    this.args = { ...args };
    this.inputSize = args.inputSize;
    this.outputSize = args.outputSize;
    const limit = 1 / Math.sqrt(args.inputSize);
    const seeds = new SeedStream(args.seed);
    this.kernel = tf.variable(uniformInit([args.inputSize, args.outputSize], limit, seeds.next()));
    this.bias = args.bias === false ? null : tf.variable(uniformInit([args.outputSize], limit, seeds.next()));
  }

  /** x `[…, in]` → `[…, out]` in one matmul over all leading positions. */
  apply(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.inputSize) {
      throw new Error(`Dense: input width must be inputSize=${this.inputSize} (got shape [${x.shape.join(',')}])`);
    }
    return tf.tidy(() => {
      const y = tf.matMul(tf.reshape(x, [-1, this.inputSize]), this.kernel);
      const yb = this.bias ? tf.add(y, this.bias) : y;
      return tf.reshape(yb, [...x.shape.slice(0, -1), this.outputSize]);
    });
  }

  /** Variables by name: `kernel` (and `bias`). */
  namedVariables(): NamedVariables {
    return this.bias ? { kernel: this.kernel, bias: this.bias } : { kernel: this.kernel };
  }

  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights('Dense', this.namedVariables(), weights);
  }

  config(): DenseArgs {
    return { ...this.args };
  }

  dispose(): void {
    tf.dispose(Object.values(this.namedVariables()));
  }
}
