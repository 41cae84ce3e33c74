import { type PpoConfig, validateConfig } from './config.js';

const shared = {
  // 32 steps: Atari's 128-step sequences run as 4 chunks (319 vs 244 agent steps/s for RIM on 2 cores, README
  // "Engines"); MiniGrid's 32 and the Warehouse's 8 are one chunk each.
  chunkLength: 32,
  gamma: 0.99,
  gaeLambda: 0.95,
  entropyCoef: 0.01,
  clipValue: true,
  bootstrapTruncated: false,
  seed: 1,
  checkpointEvery: 10,
  keepCheckpoints: 3,
  statsWindow: 100,
  engine: 'auto',
  sequenceShift: 'none',
} as const;

/**
 * The PPO settings of the reproduced papers' codes (the ppo README, "Presets"), as data; the agent they train
 * (heads, initialisation, core options) is `AGENT_PRESETS` (agentPresets.ts) under the same name.
 *
 * - `minigrid-rim`: the RIM repository's torch-ac settings for MiniGrid (80k steps is its Empty budget).
 * - `atari`: the RIM paper's Atari settings (CleanRL / ikostrikov), 10M agent steps.
 * - `iam`: the IAM paper's Warehouse settings, 4M synchronous steps of 8 workers = 32M transitions.
 */
export const PRESETS = {
  'minigrid-rim': {
    ...shared,
    numEnvs: 16,
    numSteps: 128,
    bpttLength: 32,
    // torch-ac ppo.py _get_batches_starting_indexes: `if self.batch_num % 2 == 1:` drops the starts whose
    // sequence would cross the end of a process's frames and adds `self.recurrence // 2` to the others.
    sequenceShift: 'half-on-odd-epochs',
    epochs: 4,
    seqsPerBatch: 8,
    learningRate: 1e-4,
    lrSchedule: 'constant',
    adamEpsilon: 1e-8,
    clipEpsilon: 0.2,
    clipSchedule: 'constant',
    // torch-ac ppo.py: loss = policy_loss − entropy_coef·entropy + value_loss_coef·value_loss, value_loss a
    // plain mean of squares (no ½), value_loss_coef 0.5.
    valueCoef: 0.5,
    valueLossHalf: false,
    maxGradNorm: 0.5,
    normalizeAdvantages: false,
    dropoutWhileActing: true,
    totalSteps: 80_000,
    // rl-starter-files train.py: `while num_frames < args.frames` → 40 updates of 2048 frames for 80k.
    updateRounding: 'ceil',
  },
  atari: {
    ...shared,
    numEnvs: 8,
    numSteps: 128,
    bpttLength: 128,
    epochs: 4,
    seqsPerBatch: 2,
    learningRate: 2.5e-4,
    lrSchedule: 'linear',
    adamEpsilon: 1e-5,
    clipEpsilon: 0.1,
    clipSchedule: 'constant',
    valueCoef: 0.5,
    valueLossHalf: true,
    maxGradNorm: 0.5,
    normalizeAdvantages: true,
    dropoutWhileActing: false,
    totalSteps: 10_000_000,
    // CleanRL: num_updates = total_timesteps // batch_size.
    updateRounding: 'floor',
  },
  iam: {
    ...shared,
    numEnvs: 8,
    numSteps: 128,
    bpttLength: 8,
    epochs: 3,
    seqsPerBatch: 32,
    learningRate: 2.5e-4,
    lrSchedule: 'linear',
    adamEpsilon: 1e-8,
    clipEpsilon: 0.1,
    clipSchedule: 'linear',
    valueCoef: 1,
    valueLossHalf: false,
    maxGradNorm: null,
    normalizeAdvantages: false,
    dropoutWhileActing: false,
    totalSteps: 32_000_000,
    // Not read off the IAM code; whole updates within the budget.
    updateRounding: 'floor',
  },
} as const satisfies Record<string, PpoConfig>;

/** Name of a built-in preset. */
export type PresetName = keyof typeof PRESETS;

/** The preset names, for CLIs and study files. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/**
 * A preset with some fields overridden, validated.
 *
 * @example
 * const config = resolveConfig('minigrid-rim', { totalSteps: 300_000, seed: 3 });
 */
export function resolveConfig(preset: PresetName, overrides: Partial<PpoConfig> = {}): PpoConfig {
  const base: PpoConfig | undefined = (PRESETS as Record<string, PpoConfig>)[preset];
  if (!base) throw new Error(`preset must be one of ${PRESET_NAMES.join(', ')} (got '${preset}')`);
  return validateConfig({ ...base, ...overrides });
}
