import * as tf from '@tensorflow/tfjs-core';
import { INIT_SCHEMES, SeedStream, initBias, initKernel, initVariable, type InitScheme } from './initializers.js';
import type { NamedVariables } from './namedWeights.js';
import { requirePositiveInt } from './validation.js';
import { WeightedModule } from './weightedModule.js';

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
  /**
   * 'uniform' (default): kernel and bias U(±1/√in), as PyTorch's `nn.Linear`. 'glorot': Glorot-uniform kernel,
   * zero bias. 'torch-ac': unit-norm weight rows, zero bias. 'orthogonal': orthogonal kernel, zero bias.
   * 'variance-scaling': TF 1's fan-in truncated normal, zero bias (see {@link InitScheme}).
   */
  init?: InitScheme;
  /**
   * Multiplies the kernel, e.g. 0.01 for a near-uniform first policy (CleanRL's small-init actor); for
   * 'variance-scaling' it is TF's `factor` (the variance's). Default 1.
   */
  gain?: number;
}

/**
 * A linear map on the last axis, shared by all leading positions: `y = x·kernel + bias`.
 * Weights: `kernel` `[in, out]` (= PyTorch `nn.Linear.weight` transposed), `bias` `[out]`; both
 * U(±1/√in) like `nn.Linear`, or a Glorot-uniform kernel and a zero bias with `init: 'glorot'`.
 *
 * @example
 * const key = new Dense({ inputSize: 64, outputSize: 32, seed: 1 });
 * const k = key.apply(x); // [B, N, 64] → [B, N, 32]
 */
export class Dense extends WeightedModule {
  readonly inputSize: number;
  readonly outputSize: number;
  /** `[in, out]` */
  readonly kernel: tf.Variable;
  /** `[out]`, or null without bias. */
  readonly bias: tf.Variable | null;
  private readonly args: DenseArgs;

  constructor(args: DenseArgs) {
    super('Dense');
    requirePositiveInt('inputSize', args.inputSize);
    requirePositiveInt('outputSize', args.outputSize);
    const { init = 'uniform', gain = 1 } = args;
    if (!INIT_SCHEMES.includes(init)) throw new Error(`init must be one of ${INIT_SCHEMES.map((s) => `'${s}'`).join(', ')} (got init=${String(init)})`);
    if (!(gain > 0 && Number.isFinite(gain))) throw new Error(`gain must be a positive finite number (got gain=${String(gain)})`);
    this.args = { ...args };
    this.inputSize = args.inputSize;
    this.outputSize = args.outputSize;
    const seeds = new SeedStream(args.seed);
    this.kernel = initVariable(() => initKernel(init, [args.inputSize, args.outputSize], gain, seeds.next()));
    // Only 'uniform' draws its bias, so the other schemes leave the seed stream as it was.
    if (args.bias === false) this.bias = null;
    else this.bias = initVariable(() => initBias(init, args.outputSize, args.inputSize, init === 'uniform' ? seeds.next() : undefined));
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

  config(): DenseArgs {
    return { ...this.args };
  }
}
