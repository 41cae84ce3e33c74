import * as tf from '@tensorflow/tfjs-core';
import { Dense, LayeredModule, type InitScheme } from '@mempo/core-attention';
import type { Encoder, EncoderConfig } from './encoder.js';
import { MLP_ENCODER_ARGS, parseEncoderOptions } from './encoderSchema.js';

/** Arguments of {@link MlpEncoder}. */
export interface MlpEncoderArgs {
  /** Shape of one observation; it is flattened. */
  obsShape: readonly number[];
  /** Widths of the hidden layers; `[]` passes the flat observation through unchanged. */
  hiddenSizes: number[];
  /** Activation after every hidden layer. Default 'tanh'. */
  activation?: 'tanh' | 'relu';
  /** Seed of the weight initialiser. */
  seed: number;
  /** The layers' initialisation (core-attention's `InitScheme`). Default 'glorot' (zero bias). */
  init?: InitScheme;
  /** Multiplies the layers' kernels (e.g. √2 for an orthogonal ReLU body). Default 1. */
  gain?: number;
  /** The layers have a bias. Default true; the IAM code's `networks.py` `fcn` layers have none. */
  bias?: boolean;
}

/**
 * Vector observations (Warehouse's 73 floats, the memory task) → a one-element set `[B, 1, F]`. Weights
 * `dense{i}/kernel` `[in, hiddenSizes[i]]`, `dense{i}/bias` (none with `bias: false`).
 *
 * @example
 * const encoder = new MlpEncoder({ obsShape: [73], hiddenSizes: [64], seed: 1 });
 */
export class MlpEncoder extends LayeredModule implements Encoder {
  readonly obsShape: readonly number[];
  readonly outputShape: readonly [number, number];
  private readonly args: MlpEncoderArgs;
  protected readonly layers: Record<string, Dense> = {};

  constructor(args: MlpEncoderArgs) {
    super();
    parseEncoderOptions(MLP_ENCODER_ARGS, args);
    this.args = { ...args, obsShape: [...args.obsShape], hiddenSizes: [...args.hiddenSizes] };
    this.obsShape = this.args.obsShape;
    let width = args.obsShape.reduce((a, b) => a * b, 1);
    args.hiddenSizes.forEach((h, i) => {
      this.layers[`dense${i}`] = new Dense({
        inputSize: width,
        outputSize: h,
        init: args.init ?? 'glorot',
        ...(args.gain !== undefined ? { gain: args.gain } : {}),
        ...(args.bias !== undefined ? { bias: args.bias } : {}),
        seed: args.seed + i,
      });
      width = h;
    });
    this.outputShape = [1, width];
  }

  apply(obs: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const batch = obs.shape[0]!;
      let x = tf.reshape(obs, [batch, -1]); // [B, in]
      for (const layer of Object.values(this.layers)) {
        const y = layer.apply(x);
        x = this.args.activation === 'relu' ? tf.relu(y) : tf.tanh(y);
      }
      return tf.expandDims(x, 1) as tf.Tensor3D; // [B, 1, F]
    });
  }

  config(): EncoderConfig {
    return { kind: 'mlp', ...this.args };
  }

  /**
   * Rebuilds the encoder {@link config} describes (fresh weights; load saved ones with `setWeights`).
   *
   * @example
   * const copy = MlpEncoder.fromConfig(encoder.config());
   */
  static fromConfig(config: EncoderConfig): MlpEncoder {
    const { kind, ...args } = config;
    if (kind !== 'mlp') throw new Error(`MlpEncoder.fromConfig needs kind 'mlp' (got '${kind}')`);
    return new MlpEncoder(args as unknown as MlpEncoderArgs);
  }
}
