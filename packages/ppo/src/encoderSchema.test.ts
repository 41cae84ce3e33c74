import { describe, expect, it } from 'vitest';
import type { EncoderConfig } from './encoder.js';
import { encoderFromConfig } from './encoderFromConfig.js';
import { ENCODER_OPTIONS, parseEncoderOptions } from './encoderSchema.js';
import { MinigridConvEncoder } from './minigridConvEncoder.js';
import { MlpEncoder } from './mlpEncoder.js';
import { NatureCnnEncoder } from './natureCnnEncoder.js';

const rebuild = (config: Record<string, unknown>) => () => encoderFromConfig(config as EncoderConfig);

describe('ENCODER_OPTIONS', () => {
  it('accepts each kind with every optional field', () => {
    const configs = [
      { kind: 'mlp', obsShape: [7, 7, 3], hiddenSizes: [], activation: 'relu', seed: 3, init: 'orthogonal', gain: Math.SQRT2, bias: false },
      { kind: 'minigrid-conv', seed: 0, init: 'uniform' },
      { kind: 'nature-cnn', stack: 4, output: 'flat', seed: -2, init: 'orthogonal', gain: Math.SQRT2 },
    ];
    for (const config of configs) expect(parseEncoderOptions(ENCODER_OPTIONS, config)).toEqual(config);
  });

  it('a corrupt config names encoder.<field>, the value and the range, for each kind', () => {
    expect(rebuild({ kind: 'mlp', obsShape: [73], hiddenSizes: [64, 0], seed: 1 })).toThrow(
      new Error('encoder.hiddenSizes[1]: 0 is out of range; must be an integer ≥ 1'),
    );
    expect(rebuild({ kind: 'mlp', obsShape: [], hiddenSizes: [64], seed: 1 })).toThrow(
      new Error('encoder.obsShape: [] is empty; must be a list of integers ≥ 1, at least one'),
    );
    expect(rebuild({ kind: 'mlp', obsShape: 73, hiddenSizes: [64], seed: 1 })).toThrow(
      new Error('encoder.obsShape: 73 is not a list; must be a list of integers ≥ 1, at least one'),
    );
    expect(rebuild({ kind: 'minigrid-conv', seed: 1.5 })).toThrow(new Error('encoder.seed: 1.5 is not an integer; must be an integer'));
    expect(rebuild({ kind: 'minigrid-conv', seed: 1, init: 'he' })).toThrow(
      new Error(`encoder.init: "he" is not allowed; must be one of 'uniform', 'glorot', 'torch-ac', 'orthogonal', 'variance-scaling'`),
    );
    expect(rebuild({ kind: 'nature-cnn', stack: 4, output: 'grid', seed: 1, gain: 0 })).toThrow(
      new Error(`encoder.output: "grid" is not allowed; must be one of 'regions', 'flat'\nencoder.gain: 0 is out of range; must be > 0`),
    );
  });

  it('a field the encoder does not take is named with the fields it does', () => {
    expect(rebuild({ kind: 'mlp', obsShape: [73], hiddenSize: [64], seed: 1 })).toThrow(
      new Error(
        'encoder.hiddenSizes: missing; must be a list of integers ≥ 1\n' +
          'encoder: "hiddenSize" is not a field; must be among kind, obsShape, hiddenSizes, activation, seed, init, gain, bias',
      ),
    );
    expect(rebuild({ kind: 'minigrid-conv', seed: 1, gain: 2, stack: 1 })).toThrow(
      new Error('encoder: "gain", "stack" are not fields; must be among kind, seed, init'),
    );
  });

  it('an unknown or missing kind lists the allowed ones', () => {
    const allowed = `one of 'mlp', 'minigrid-conv', 'nature-cnn'`;
    expect(rebuild({ kind: 'vit', seed: 1 })).toThrow(new Error(`encoder.kind: "vit" is not allowed; must be ${allowed}`));
    expect(rebuild({ seed: 1 })).toThrow(new Error(`encoder.kind: missing; must be ${allowed}`));
    expect(rebuild(null as unknown as Record<string, unknown>)).toThrow(
      new Error(`encoder: null is not an object; must be an encoder config with a kind, ${allowed}`),
    );
  });

  it('the constructors check their arguments with the same schema', () => {
    expect(() => new MlpEncoder({ obsShape: [73], hiddenSizes: [8], activation: 'gelu' as 'relu', seed: 1 })).toThrow(
      new Error(`encoder.activation: "gelu" is not allowed; must be one of 'tanh', 'relu'`),
    );
    expect(() => new MinigridConvEncoder({ seed: Number.NaN })).toThrow(new Error('encoder.seed: NaN is not a number; must be an integer'));
    expect(() => new NatureCnnEncoder({ stack: 0, output: 'regions', seed: 1 })).toThrow(
      new Error('encoder.stack: 0 is out of range; must be an integer ≥ 1'),
    );
  });

  it('a valid config round-trips: encoderFromConfig(e.config()) has the same config', () => {
    const encoders = [
      new MlpEncoder({ obsShape: [4, 2], hiddenSizes: [5, 3], activation: 'relu', seed: 2, init: 'orthogonal', gain: 2, bias: false }),
      new MinigridConvEncoder({ seed: 7, init: 'uniform' }),
      new NatureCnnEncoder({ stack: 2, output: 'regions', seed: 1, gain: Math.SQRT2 }),
    ];
    for (const encoder of encoders) {
      const copy = encoderFromConfig(encoder.config());
      expect([copy.constructor.name, copy.config(), copy.obsShape, copy.outputShape]).toEqual([
        encoder.constructor.name,
        encoder.config(),
        encoder.obsShape,
        encoder.outputShape,
      ]);
      copy.dispose();
      encoder.dispose();
    }
  });
});
