import * as tf from '@tensorflow/tfjs-core';
import { requirePositiveInt, type NamedVariables } from '@mempo/core-attention';

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
}

/**
 * A conv layer (NHWC, 'valid' padding) with a Glorot-uniform kernel and a zero bias; weights `kernel`
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
    const { inChannels, outChannels, kernelSize: k, stride, seed } = args;
    for (const field of ['inChannels', 'outChannels', 'kernelSize', 'stride'] as const) requirePositiveInt(field, args[field]);
    const limit = Math.sqrt(6 / (k * k * (inChannels + outChannels)));
    this.kernel = tf.variable(tf.randomUniform([k, k, inChannels, outChannels], -limit, limit, 'float32', seed));
    this.bias = tf.variable(tf.zeros([outChannels]));
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
