import type { Encoder, EncoderConfig } from './encoder.js';
import { MinigridConvEncoder } from './minigridConvEncoder.js';
import { MlpEncoder } from './mlpEncoder.js';
import { NatureCnnEncoder } from './natureCnnEncoder.js';

const ENCODERS: Record<EncoderConfig['kind'], (config: EncoderConfig) => Encoder> = {
  mlp: (config) => MlpEncoder.fromConfig(config),
  'minigrid-conv': (config) => MinigridConvEncoder.fromConfig(config),
  'nature-cnn': (config) => NatureCnnEncoder.fromConfig(config),
};

/**
 * Rebuilds one of ppo's encoders from its `config()` JSON, picked by `kind` (fresh weights).
 *
 * @example
 * const copy = encoderFromConfig(encoder.config());
 */
export function encoderFromConfig(config: EncoderConfig): Encoder {
  const build = ENCODERS[config?.kind];
  if (!build) throw new Error(`encoder kind must be one of ${Object.keys(ENCODERS).join(', ')} (got ${JSON.stringify(config?.kind)})`);
  return build(config);
}
