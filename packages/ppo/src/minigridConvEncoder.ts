import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, LayeredModule, type InitScheme } from '@mempo/core-attention';
import type { Encoder, EncoderConfig } from './encoder.js';
import { MINIGRID_CONV_ENCODER_ARGS, parseEncoderOptions } from './encoderSchema.js';

/** Arguments of {@link MinigridConvEncoder}. */
export interface MinigridConvEncoderArgs {
  /** Seed of the weight initialiser. */
  seed: number;
  /** The convs' initialisation (see {@link Conv2D}); default 'glorot'. torch-ac's model keeps PyTorch's default, 'uniform'. */
  init?: InitScheme;
}

/**
 * The torch-ac / RIM-repository MiniGrid image stack: 7×7×3 raw codes → conv 16 2×2, ReLU, max-pool 2×2,
 * conv 32 2×2, ReLU, conv 64 2×2, ReLU → 64 features as a one-element set `[B, 1, 64]`. Observations are
 * `[B, 7, 7, 3]` codes cast to float, unscaled (the envs README, "MiniGrid"). Weights `conv{1,2,3}/kernel`
 * `[2, 2, in, out]` and `/bias`.
 */
export class MinigridConvEncoder extends LayeredModule implements Encoder {
  readonly obsShape = [7, 7, 3] as const;
  readonly outputShape = [1, 64] as const;
  private readonly args: MinigridConvEncoderArgs;
  protected readonly layers: Record<string, Conv2D>;

  constructor(args: MinigridConvEncoderArgs) {
    super();
    parseEncoderOptions(MINIGRID_CONV_ENCODER_ARGS, args);
    // Only the fields given are kept, so config() of an encoder built without `init` stays as it was.
    this.args = { seed: args.seed, ...(args.init ? { init: args.init } : {}) };
    const init = args.init ? { init: args.init } : {};
    this.layers = {
      conv1: new Conv2D({ inChannels: 3, outChannels: 16, kernelSize: 2, stride: 1, seed: args.seed, ...init }),
      conv2: new Conv2D({ inChannels: 16, outChannels: 32, kernelSize: 2, stride: 1, seed: args.seed + 1, ...init }),
      conv3: new Conv2D({ inChannels: 32, outChannels: 64, kernelSize: 2, stride: 1, seed: args.seed + 2, ...init }),
    };
  }

  apply(obs: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const { conv1, conv2, conv3 } = this.layers as Record<'conv1' | 'conv2' | 'conv3', Conv2D>;
      const x0 = obs as tf.Tensor4D; // [B, 7, 7, 3]
      const x1 = tf.maxPool(tf.relu(conv1.apply(x0)), 2, 2, 'valid'); // [B, 3, 3, 16]
      const x2 = tf.relu(conv2.apply(x1)); // [B, 2, 2, 32]
      const x3 = tf.relu(conv3.apply(x2)); // [B, 1, 1, 64]
      return tf.reshape(x3, [obs.shape[0]!, 1, 64]) as tf.Tensor3D;
    });
  }

  config(): EncoderConfig {
    return { kind: 'minigrid-conv', ...this.args };
  }

  /**
   * Rebuilds the encoder {@link config} describes (fresh weights; load saved ones with `setWeights`).
   *
   * @example
   * const copy = MinigridConvEncoder.fromConfig(encoder.config());
   */
  static fromConfig(config: EncoderConfig): MinigridConvEncoder {
    const { kind, ...args } = config;
    if (kind !== 'minigrid-conv') throw new Error(`MinigridConvEncoder.fromConfig needs kind 'minigrid-conv' (got '${kind}')`);
    return new MinigridConvEncoder(args as unknown as MinigridConvEncoderArgs);
  }
}
