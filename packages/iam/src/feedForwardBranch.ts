import * as tf from '@tensorflow/tfjs-core';
import { Dense, prefixNames, type NamedVariables } from '@mempo/core-attention';

/**
 * The memoryless branch of IAM (the iam README): dense layers with ReLU after each, reading the whole input
 * every step. Weights `fnn.<i>.kernel` `[in_i, out_i]` (and `fnn.<i>.bias` `[out_i]` when biased).
 */
export class FeedForwardBranch {
  readonly outputSize: number;
  private readonly layers: Dense[];

  constructor(inputSize: number, sizes: readonly number[], bias: boolean, seed?: number) {
    if (sizes.length === 0) throw new Error('fnnSizes must list at least one layer width (e.g. [576, 256])');
    let width = inputSize;
    this.layers = sizes.map((size, i) => {
      if (!Number.isInteger(size) || size < 1)
        throw new Error(`fnnSizes[${i}] must be a positive integer (got ${String(size)})`);
      const layer = new Dense({ inputSize: width, outputSize: size, bias, seed: seed === undefined ? undefined : seed + 101 * (i + 1) });
      width = size;
      return layer;
    });
    this.outputSize = width;
  }

  /** `[R, in]` → `[R, out]` */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.layers.reduce<tf.Tensor>((h, layer) => tf.relu(layer.apply(h)), x) as tf.Tensor2D);
  }

  namedVariables(): NamedVariables {
    return Object.assign({}, ...this.layers.map((layer, i) => prefixNames(`fnn.${i}`, layer.namedVariables())));
  }

  dispose(): void {
    for (const layer of this.layers) layer.dispose();
  }
}
