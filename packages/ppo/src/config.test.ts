import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS, numUpdates, validateConfig } from './config.js';
import { PPO_FIELD_SCHEMAS, parsePpoField, parsePpoOverrides } from './configSchema.js';
import { PRESETS, PRESET_NAMES, resolveConfig } from './presets.js';
import { scheduledValue } from './schedules.js';

describe('presets', () => {
  it.each(PRESET_NAMES)('%s is a valid config', (name) => {
    expect(() => validateConfig({ ...PRESETS[name] })).not.toThrow();
  });

  it('carries the papers’ settings (the ppo README table)', () => {
    const rim = PRESETS['minigrid-rim'];
    expect([rim.numEnvs, rim.numSteps, rim.bpttLength, rim.epochs, rim.seqsPerBatch]).toEqual([16, 128, 32, 4, 8]);
    expect([rim.learningRate, rim.lrSchedule, rim.adamEpsilon, rim.clipEpsilon, rim.maxGradNorm]).toEqual([1e-4, 'constant', 1e-8, 0.2, 0.5]);
    expect(rim.dropoutWhileActing).toBe(true);
    // torch-ac's half-sequence shift on odd passes is the MiniGrid preset's only; the others start at k·L.
    expect([rim.sequenceShift, PRESETS.atari.sequenceShift, PRESETS.iam.sequenceShift]).toEqual(['half-on-odd-epochs', 'none', 'none']);
    // 8 sequences of 32 steps = 256 samples per minibatch, 64 sequences per update → 8 minibatches.
    expect((rim.numEnvs * rim.numSteps) / rim.bpttLength / rim.seqsPerBatch).toBe(8);
    const atari = PRESETS.atari;
    expect([atari.bpttLength, atari.seqsPerBatch, atari.adamEpsilon, atari.normalizeAdvantages]).toEqual([128, 2, 1e-5, true]);
    const iam = PRESETS.iam;
    expect([iam.epochs, iam.bpttLength, iam.seqsPerBatch, iam.valueCoef, iam.valueLossHalf, iam.maxGradNorm, iam.clipSchedule]).toEqual([
      3, 8, 32, 1, false, null, 'linear',
    ]);
    // GAE in blocks of 8 steps is the IAM code's only (PPOcontroller.bootstrap, time_horizon 8).
    expect([rim.gaeHorizon, atari.gaeHorizon, iam.gaeHorizon]).toEqual([null, null, 8]);
    // Minibatches of whole time blocks (all 8 workers) are the IAM code's only (buffer.py SerialSampling.shuffle).
    expect([rim.minibatchGrouping, atari.minibatchGrouping, iam.minibatchGrouping]).toEqual(['sequences', 'sequences', 'time-blocks']);
  });

  it('overrides field by field and leaves the rest', () => {
    const config = resolveConfig('iam', { seed: 7, totalSteps: 2048 });
    expect(config.seed).toBe(7);
    expect(config.learningRate).toBe(2.5e-4);
    expect(numUpdates(config)).toBe(2);
    expect(PRESETS.iam.seed).toBe(1);
  });
});

describe('validateConfig', () => {
  it('names the field, the value and the allowed range', () => {
    expect(() => resolveConfig('atari', { clipEpsilon: 1.5 })).toThrow(/^ppo\.clipEpsilon: 1\.5 is out of range; must be in \(0, 1\)$/);
    expect(() => resolveConfig('iam', { seqsPerBatch: 4 })).toThrow(
      /^ppo\.seqsPerBatch: 4 is not a multiple of numEnvs 8; must be one with minibatchGrouping 'time-blocks', which keeps each time block's numEnvs sequences together$/,
    );
    expect(() => resolveConfig('iam', { gaeHorizon: 3 })).toThrow(/^ppo\.gaeHorizon: 3 does not divide numSteps 128; must be a divisor of numSteps$/);
    expect(() => resolveConfig('iam', { gaeHorizon: 0 })).toThrow(/^ppo\.gaeHorizon: 0 is out of range; must be an integer ≥ 1, or null for the whole rollout$/);
    expect(() => resolveConfig('atari', { gamma: 2 })).toThrow('ppo.gamma: 2 is out of range; must be in [0, 1]');
    expect(() => resolveConfig('atari', { numEnvs: 2.5 })).toThrow('ppo.numEnvs: 2.5 is not an integer; must be an integer ≥ 1');
    expect(() => resolveConfig('atari', { totalSteps: 1e99 })).toThrow('ppo.totalSteps: 1e+99 is out of range; must be an integer ≥ 1');
    expect(() => resolveConfig('atari', { lrSchedule: 'cosine' as never })).toThrow(`ppo.lrSchedule: "cosine" is not allowed; must be one of 'constant', 'linear'`);
    expect(() => resolveConfig('atari', { chunkLength: 0 })).toThrow('ppo.chunkLength: 0 is out of range; must be an integer ≥ 1');
    expect(() => resolveConfig('atari', { maxGradNorm: -1 })).toThrow('ppo.maxGradNorm: -1 is out of range; must be > 0, or null for none');
    expect(() => resolveConfig('atari', { learningRate: 'fast' as never })).toThrow('ppo.learningRate: "fast" is not a number; must be > 0');
    expect(() => resolveConfig('atari', { clipValue: 'yes' as never })).toThrow('ppo.clipValue: "yes" is not a boolean; must be true or false');
    expect(() => resolveConfig('atari', { bpttLength: 100 })).toThrow('ppo.bpttLength: 100 does not divide numSteps 128; must be a divisor of numSteps');
    expect(() => resolveConfig('atari', { seqsPerBatch: 3 })).toThrow(
      'ppo.seqsPerBatch: 3 does not divide the 8 sequences of an update (numEnvs·numSteps/bpttLength); must be a divisor of 8',
    );
    expect(() => resolveConfig('atari', { totalSteps: 10 })).toThrow('ppo.totalSteps: 10 is less than one update; must be at least numEnvs·numSteps = 1024');
    expect(() => resolveConfig('atari', { sequenceShift: 'half' as never })).toThrow(
      `ppo.sequenceShift: "half" is not allowed; must be one of 'none', 'half-on-odd-epochs'`,
    );
    expect(() => resolveConfig('minigrid-rim', { numSteps: 120, bpttLength: 15, seqsPerBatch: 4 })).toThrow(
      "ppo.bpttLength: 15 is odd; must be even with sequenceShift 'half-on-odd-epochs', which starts sequences at bpttLength/2",
    );
    expect(() => resolveConfig('minigrid-rim', { numSteps: 120, bpttLength: 15, seqsPerBatch: 4, sequenceShift: 'none' })).not.toThrow();
    expect(() => resolveConfig('atari', { lr: 1 } as never)).toThrow("ppo: unknown field 'lr'; must be one of numEnvs, numSteps,");
    expect(() => resolveConfig('dqn' as never)).toThrow("preset must be one of minigrid-rim, atari, iam, iam-atari (got 'dqn')");
  });

  it('lists every bad field, one line each', () => {
    expect(() => resolveConfig('atari', { gamma: -1, epochs: 0 })).toThrow(
      'ppo.epochs: 0 is out of range; must be an integer ≥ 1\nppo.gamma: -1 is out of range; must be in [0, 1]',
    );
  });

  it('says which field is missing', () => {
    const { epochs: _epochs, ...partial } = PRESETS.atari;
    expect(() => validateConfig(partial as never)).toThrow('ppo.epochs: missing; must be an integer ≥ 1');
  });
});

describe('parsePpoField and parsePpoOverrides', () => {
  it('check single fields with the same wording as a whole config', () => {
    expect(parsePpoField('entropyCoef', 0.02)).toBe(0.02);
    expect(parsePpoField('maxGradNorm', null)).toBeNull();
    expect(() => parsePpoField('clipEpsilon', 1.5)).toThrow(/^ppo\.clipEpsilon: 1\.5 is out of range; must be in \(0, 1\)$/);
    expect(parsePpoOverrides({ epochs: 8, lrSchedule: 'constant' })).toEqual({ epochs: 8, lrSchedule: 'constant' });
    expect(() => parsePpoOverrides({ clipEpsilon: 1.5 })).toThrow(/^ppo\.clipEpsilon: 1\.5 is out of range; must be in \(0, 1\)$/);
    expect(() => parsePpoOverrides({ clipCoef: 0.2 })).toThrow("ppo: unknown field 'clipCoef'; must be one of");
  });

  it('has a schema with a description for every field of the config', () => {
    expect([...CONFIG_FIELDS].sort()).toEqual(Object.keys(PRESETS.atari).sort());
    for (const field of CONFIG_FIELDS) expect(PPO_FIELD_SCHEMAS[field].description, field).toMatch(/\w/);
  });
});

describe('scheduledValue', () => {
  it('is constant or decays linearly towards 0 over the run', () => {
    expect(scheduledValue('constant', 0.2, 50, 100)).toBe(0.2);
    expect(scheduledValue('linear', 0.2, 0, 100)).toBe(0.2);
    expect(scheduledValue('linear', 0.2, 50, 100)).toBeCloseTo(0.1, 12);
    expect(scheduledValue('linear', 0.2, 99, 100)).toBeCloseTo(0.002, 12);
  });
});
