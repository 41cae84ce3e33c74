import { describe, expect, it } from 'vitest';
import { numUpdates, validateConfig } from './config.js';
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
  it('names the bad field and what it must be', () => {
    expect(() => resolveConfig('atari', { gamma: 2 })).toThrow('gamma must be a number in [0, 1] (got 2)');
    expect(() => resolveConfig('atari', { numEnvs: 2.5 })).toThrow('numEnvs must be a positive integer (got 2.5)');
    expect(() => resolveConfig('atari', { lrSchedule: 'cosine' as never })).toThrow(`lrSchedule must be 'constant' or 'linear' (got "cosine")`);
    expect(() => resolveConfig('atari', { chunkLength: 0 })).toThrow('chunkLength must be a positive integer (got 0)');
    expect(() => resolveConfig('atari', { maxGradNorm: -1 })).toThrow('maxGradNorm must be a positive number or null (got -1)');
    expect(() => resolveConfig('atari', { bpttLength: 100 })).toThrow('bpttLength must divide numSteps (got bpttLength=100, numSteps=128)');
    expect(() => resolveConfig('atari', { seqsPerBatch: 3 })).toThrow('seqsPerBatch must divide the 8 sequences of an update');
    expect(() => resolveConfig('atari', { totalSteps: 10 })).toThrow('totalSteps must be at least one update, numEnvs·numSteps=1024 (got 10)');
    expect(() => resolveConfig('atari', { sequenceShift: 'half' as never })).toThrow(`sequenceShift must be 'none' or 'half-on-odd-epochs' (got "half")`);
    expect(() => resolveConfig('minigrid-rim', { numSteps: 120, bpttLength: 15, seqsPerBatch: 4 })).toThrow(
      "bpttLength must be even with sequenceShift 'half-on-odd-epochs', which starts sequences at bpttLength/2 (got bpttLength=15)",
    );
    expect(() => resolveConfig('minigrid-rim', { numSteps: 120, bpttLength: 15, seqsPerBatch: 4, sequenceShift: 'none' })).not.toThrow();
    expect(() => resolveConfig('atari', { lr: 1 } as never)).toThrow("unknown PPO config field 'lr'");
    expect(() => resolveConfig('dqn' as never)).toThrow("preset must be one of minigrid-rim, atari, iam (got 'dqn')");
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
