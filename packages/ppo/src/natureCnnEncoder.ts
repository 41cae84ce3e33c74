import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, LayeredModule, type InitScheme } from '@mempo/core-attention';
import type { Encoder, EncoderConfig } from './encoder.js';
import { NATURE_CNN_ENCODER_ARGS, parseEncoderOptions } from './encoderSchema.js';

/** Arguments of {@link NatureCnnEncoder}. */
export interface NatureCnnEncoderArgs {
  /** Frames stacked on the leading observation axis (`[stack, 84, 84]`, the envs README "Atari"). */
  stack: number;
  /** 'regions': the 7×7×64 map as a set of 49 regions `[B, 49, 64]` (RIM, IAM); 'flat': `[B, 1, 3136]` (LSTM, FNN). */
  output: 'regions' | 'flat';
  /** Seed of the weight initialiser. */
  seed: number;
  /** The convs' initialisation (see {@link Conv2D}); default 'glorot'. CleanRL: 'orthogonal' with gain √2. */
  init?: InitScheme;
  /** Multiplies the convs' kernels. Default 1. */
  gain?: number;
}

/**
 * The Nature DQN convolutions (Mnih et al. 2015): uint8 frames / 255 → conv 32 8×8/4, ReLU, conv 64 4×4/2,
 * ReLU, conv 64 3×3/1, ReLU → a 7×7×64 map. The fully connected 512 layer of the Nature net is left to the
 * core, because RIM and IAM attend over the 49 regions directly. Weights `conv{1,2,3}/kernel` and `/bias`.
 *
 * @example
 * const encoder = new NatureCnnEncoder({ stack: 1, output: 'regions', seed: 1 }); // → [B, 49, 64]
 */
export class NatureCnnEncoder extends LayeredModule implements Encoder {
  readonly obsShape: readonly number[];
  readonly outputShape: readonly [number, number];
  private readonly args: NatureCnnEncoderArgs;
  protected readonly layers: Record<'conv1' | 'conv2' | 'conv3', Conv2D>;

  constructor(args: NatureCnnEncoderArgs) {
    super();
    parseEncoderOptions(NATURE_CNN_ENCODER_ARGS, args);
    this.args = { ...args };
    this.obsShape = [args.stack, 84, 84];
    this.outputShape = args.output === 'regions' ? [49, 64] : [1, 49 * 64];
    const init = { ...(args.init ? { init: args.init } : {}), ...(args.gain !== undefined ? { gain: args.gain } : {}) };
    this.layers = {
      conv1: new Conv2D({ inChannels: args.stack, outChannels: 32, kernelSize: 8, stride: 4, seed: args.seed, ...init }),
      conv2: new Conv2D({ inChannels: 32, outChannels: 64, kernelSize: 4, stride: 2, seed: args.seed + 1, ...init }),
      conv3: new Conv2D({ inChannels: 64, outChannels: 64, kernelSize: 3, stride: 1, seed: args.seed + 2, ...init }),
    };
  }

  apply(obs: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const batch = obs.shape[0]!;
      const x0 = tf.div(tf.transpose(obs, [0, 2, 3, 1]), 255) as tf.Tensor4D; // [B, 84, 84, stack]
      const x1 = tf.relu(this.layers.conv1.apply(x0)); // [B, 20, 20, 32]
      const x2 = tf.relu(this.layers.conv2.apply(x1)); // [B, 9, 9, 64]
      const x3 = tf.relu(this.layers.conv3.apply(x2)); // [B, 7, 7, 64]
      return tf.reshape(x3, [batch, ...this.outputShape]) as tf.Tensor3D;
    });
  }

  config(): EncoderConfig {
    return { kind: 'nature-cnn', ...this.args };
  }

  /**
   * Rebuilds the encoder {@link config} describes (fresh weights; load saved ones with `setWeights`).
   *
   * @example
   * const copy = NatureCnnEncoder.fromConfig(encoder.config());
   */
  static fromConfig(config: EncoderConfig): NatureCnnEncoder {
    const { kind, ...args } = config;
    if (kind !== 'nature-cnn') throw new Error(`NatureCnnEncoder.fromConfig needs kind 'nature-cnn' (got '${kind}')`);
    return new NatureCnnEncoder(args as unknown as NatureCnnEncoderArgs);
  }
}
