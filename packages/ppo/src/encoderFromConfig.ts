import type { Encoder, EncoderConfig } from './encoder.js';
import { ENCODER_OPTIONS, parseEncoderOptions, type EncoderOptions } from './encoderSchema.js';
import { MinigridConvEncoder } from './minigridConvEncoder.js';
import { MlpEncoder } from './mlpEncoder.js';
import { NatureCnnEncoder } from './natureCnnEncoder.js';

const ENCODERS: { [K in EncoderOptions['kind']]: (args: Omit<Extract<EncoderOptions, { kind: K }>, 'kind'>) => Encoder } = {
  mlp: (args) => new MlpEncoder(args),
  'minigrid-conv': (args) => new MinigridConvEncoder(args),
  'nature-cnn': (args) => new NatureCnnEncoder(args),
};

/**
 * Rebuilds one of ppo's encoders from its `config()` JSON, picked by `kind` (fresh weights). The config is
 * parsed with {@link ENCODER_OPTIONS} first, so a corrupt or hand-edited config.json fails naming the field,
 * e.g. `encoder.hiddenSizes[0]: 0 is out of range; must be an integer ≥ 1`.
 *
 * @example
 * const copy = encoderFromConfig(encoder.config());
 */
export function encoderFromConfig(config: EncoderConfig): Encoder {
  const { kind, ...args } = parseEncoderOptions(ENCODER_OPTIONS, config);
  return (ENCODERS[kind] as (args: object) => Encoder)(args);
}
