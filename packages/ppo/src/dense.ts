import * as tf from '@tensorflow/tfjs-core';

/** Arguments of {@link Dense}. */
export interface DenseArgs {
  /** Input width. */
  inputSize: number;
  /** Output width. */
  outputSize: number;
  /** Seed of the weight initialiser. */
  seed: number;
  /** Multiplies the Glorot-uniform kernel (0.01 for a policy head, as CleanRL's small-init actor). */
  gain?: number;
}

/** A fully connected layer `y = x·W + b`; weights `kernel` [in, out] and `bias` [out]. */
export class Dense {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(args: DenseArgs) {
    const { inputSize, outputSize, seed } = args;
    if (!Number.isInteger(inputSize) || inputSize < 1) throw new Error(`inputSize must be a positive integer (got ${inputSize})`);
    if (!Number.isInteger(outputSize) || outputSize < 1) throw new Error(`outputSize must be a positive integer (got ${outputSize})`);
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    const limit = (args.gain ?? 1) * Math.sqrt(6 / (inputSize + outputSize));
    this.kernel = tf.variable(tf.randomUniform([inputSize, outputSize], -limit, limit, 'float32', seed));
    this.bias = tf.variable(tf.zeros([outputSize]));
  }

  /** x `[B, in]` → `[B, out]`. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.kernel), this.bias);
  }

  /** `kernel`, `bias`. */
  getWeights(): Record<string, tf.Tensor> {
    return { kernel: this.kernel, bias: this.bias };
  }

  dispose(): void {
    tf.dispose([this.kernel, this.bias]);
  }
}

/** A conv layer (NHWC, 'valid' padding); weights `kernel` [kh, kw, in, out] and `bias` [out]. */
export class Conv2D {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly stride: number;

  constructor(args: { inChannels: number; outChannels: number; kernelSize: number; stride: number; seed: number }) {
    const { inChannels, outChannels, kernelSize: k, stride, seed } = args;
    const limit = Math.sqrt(6 / (k * k * (inChannels + outChannels)));
    this.kernel = tf.variable(tf.randomUniform([k, k, inChannels, outChannels], -limit, limit, 'float32', seed));
    this.bias = tf.variable(tf.zeros([outChannels]));
    this.stride = stride;
  }

  /** x `[B, H, W, C]` → `[B, H', W', out]`. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.add(tf.conv2d(x, this.kernel as tf.Tensor4D, this.stride, 'valid'), this.bias);
  }

  getWeights(): Record<string, tf.Tensor> {
    return { kernel: this.kernel, bias: this.bias };
  }

  dispose(): void {
    tf.dispose([this.kernel, this.bias]);
  }
}

/** Assigns `weights[prefix + name]` to each target; throws naming the first missing or mis-shaped entry. */
export function assignWeights(targets: Record<string, tf.Variable>, weights: Record<string, tf.Tensor>, prefix = ''): void {
  for (const [name, target] of Object.entries(targets)) {
    const value = weights[prefix + name];
    if (!value) throw new Error(`weights are missing '${prefix + name}'`);
    if (value.shape.join() !== target.shape.join())
      throw new Error(`weight '${prefix + name}' must have shape [${target.shape}] (got [${value.shape}])`);
    target.assign(value);
  }
}

/** The weights of named layers as `layer/weight` entries. */
export function layerWeights(layers: Record<string, Dense | Conv2D>): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const [name, layer] of Object.entries(layers)) {
    out[`${name}/kernel`] = layer.kernel;
    out[`${name}/bias`] = layer.bias;
  }
  return out;
}
