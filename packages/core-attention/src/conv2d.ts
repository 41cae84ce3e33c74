import * as tf from '@tensorflow/tfjs-core';
import { INIT_SCHEMES, initBias, initKernel, initVariable, type InitScheme } from './initializers.js';
import type { NamedVariables } from './namedWeights.js';
import { requirePositiveInt } from './validation.js';

/** Arguments of {@link Conv2D}. */
export interface Conv2DArgs {
  /** Channels of the input map. */
  inChannels: number;
  /** Filters, the channels of the output map. */
  outChannels: number;
  /** Side of the square kernel. */
  kernelSize: number;
  /** Stride on both spatial axes. */
  stride: number;
  /** Seed of the weight initialiser. */
  seed: number;
  /**
   * Kernel and bias initialisation (core-attention's `InitScheme`; fans count the k×k field). Default
   * 'glorot' (zero bias); 'uniform' is PyTorch's `nn.Conv2d` default, 'orthogonal' CleanRL's `layer_init`.
   */
  init?: InitScheme;
  /** Multiplies the kernel (e.g. √2 for CleanRL's ReLU body). Default 1. */
  gain?: number;
}

/**
 * A conv layer (NHWC, 'valid' padding), by default with a Glorot-uniform kernel and a zero bias; weights `kernel`
 * `[k, k, in, out]` and `bias` `[out]`.
 *
 * @example
 * const conv = new Conv2D({ inChannels: 3, outChannels: 16, kernelSize: 2, stride: 1, seed: 1 });
 * const y = conv.apply(x); // [B, 7, 7, 3] → [B, 6, 6, 16]
 */
export class Conv2D {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly stride: number;

  constructor(args: Conv2DArgs) {
    const { inChannels, outChannels, kernelSize: k, stride, seed, init = 'glorot', gain = 1 } = args;
    for (const field of ['inChannels', 'outChannels', 'kernelSize', 'stride'] as const) requirePositiveInt(field, args[field]);
    if (!INIT_SCHEMES.includes(init)) throw new Error(`init must be one of ${INIT_SCHEMES.map((s) => `'${s}'`).join(', ')} (got init=${String(init)})`);
    if (!(gain > 0 && Number.isFinite(gain))) throw new Error(`gain must be a positive finite number (got gain=${String(gain)})`);
    this.kernel = initVariable(() => initKernel(init, [k, k, inChannels, outChannels], gain, seed));
    // The bias draws from its own seed (a far one), so the kernel's draw is the same for every scheme's bias.
    this.bias = initVariable(() => initBias(init, outChannels, k * k * inChannels, seed + 104_729));
    this.stride = stride;
  }

  /** x `[B, H, W, C]` → `[B, H', W', out]`. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.add(tf.conv2d(x, this.kernel as tf.Tensor4D, this.stride, 'valid'), this.bias);
  }

  /** Variables by name: `kernel`, `bias`. */
  namedVariables(): NamedVariables {
    return { kernel: this.kernel, bias: this.bias };
  }

  dispose(): void {
    tf.dispose([this.kernel, this.bias]);
  }
}
