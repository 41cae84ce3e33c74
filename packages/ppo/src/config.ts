/**
 * How updates and acting steps execute: `graph` compiles each into one TensorFlow graph (native backend only),
 * `eager` runs tfjs ops one by one (every backend), `auto` picks graph on the native backend, eager elsewhere.
 */
export type EngineChoice = 'auto' | 'graph' | 'eager';

/**
 * How a frame budget becomes a number of updates: 'floor' runs only whole updates within the budget;
 * 'ceil' runs updates while fewer frames than the budget have been collected (torch-ac's / rl-starter-files'
 * `while num_frames < args.frames` loop), so 80k frames at 16 × 128 are 40 updates, not 39.
 */
export type UpdateRounding = 'floor' | 'ceil';

/**
 * Where an update's training sequences start. 'none': at multiples of bpttLength on every pass.
 * 'half-on-odd-epochs': torch-ac's `PPOAlgo._get_batches_starting_indexes`, which on every odd-numbered pass
 * over the rollout (counted over the whole run, torch-ac's `batch_num`; with an even `epochs` these are the
 * odd epochs of every update) starts them half a sequence later, at L/2 + k·L, dropping the one per env column
 * that would then run past the column's end. bpttLength must then be even.
 */
export type SequenceShift = 'none' | 'half-on-odd-epochs';

/** How a scheduled hyperparameter moves over the run (the ppo README, "Schedules"). */
export type Schedule = 'constant' | 'linear';

/**
 * Every PPO setting of a run, in one typed structure (the ppo README). A preset fills all of them with the
 * values of the paper it reproduces; a user overrides single fields.
 */
export interface PpoConfig {
  /** P: envs stepped together. The env handed to `train` must have exactly this many. */
  numEnvs: number;
  /** T: steps per env per update; the buffers are `[T, P, …]`. */
  numSteps: number;
  /** L: BPTT length. Columns are cut into T / L sequences (L = T: whole columns). Must divide T. */
  bpttLength: number;
  /** Passes over the rollout per update. */
  epochs: number;
  /**
   * Where sequences start on each pass ({@link SequenceShift}). A shifted pass has P fewer sequences, so its
   * last minibatch may be smaller than `seqsPerBatch`.
   */
  sequenceShift: SequenceShift;
  /** Sequences per minibatch; P·T/L sequences must be a multiple of it. One optimizer step per minibatch. */
  seqsPerBatch: number;
  /**
   * The update runs each minibatch's L steps through encoder and core in chunks of at most this many steps,
   * so that the graph engine encodes one chunk while the core steps through the previous one (README,
   * "Engines"). The gradient still flows through all L steps; only the dropout masks are drawn per chunk.
   */
  chunkLength: number;
  /** Adam learning rate at the start of the run. */
  learningRate: number;
  /** 'linear' decays the learning rate to 0 at the last update. */
  lrSchedule: Schedule;
  /** Adam's ε (torch-ac 1e-8, CleanRL 1e-5). */
  adamEpsilon: number;
  /** Clip range ε of the policy ratio, and of the value change when `clipValue` is on. */
  clipEpsilon: number;
  /** 'linear' decays ε to 0 at the last update (IAM). */
  clipSchedule: Schedule;
  /** Discount γ. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
  /** c_v, the weight of the value loss. */
  valueCoef: number;
  /** Multiply the value loss by 0.5 (CleanRL's `0.5 * v_loss_max.mean()` does; torch-ac and the IAM code do not). */
  valueLossHalf: boolean;
  /** Clipped value loss `max((V−R)², (V_old + clip(V−V_old, ±ε) − R)²)`; plain MSE when false. */
  clipValue: boolean;
  /** c_e, the weight of the entropy bonus. */
  entropyCoef: number;
  /** Global gradient-norm clip; null for none. */
  maxGradNorm: number | null;
  /** Normalise advantages to zero mean, unit std over each update's rollout. */
  normalizeAdvantages: boolean;
  /** Keep the core's dropout on while collecting the rollout (the MiniGrid reference did). */
  dropoutWhileActing: boolean;
  /** Time-limit truncation: bootstrap with γ·V(final obs) instead of treating it as terminal. */
  bootstrapTruncated: boolean;
  /** Length of the run in agent steps summed over all envs (transitions, not emulator frames). */
  totalSteps: number;
  /** Whole updates within `totalSteps` ('floor') or until it is reached ('ceil'); see {@link numUpdates}. */
  updateRounding: UpdateRounding;
  /** Seed of the run's RNG (weights, sampling, shuffling); env i is reset with `seed + i`. */
  seed: number;
  /** Write a checkpoint every this many updates (0: never; the last update is always written when > 0). */
  checkpointEvery: number;
  /** How many checkpoints to keep on disk (oldest are deleted first). */
  keepCheckpoints: number;
  /** Episodes whose statistics make the "recent" return and length in the log. */
  statsWindow: number;
  /** Execution engine; results agree between engines within float32 rounding (tested per core). */
  engine: EngineChoice;
}

type Check = (value: unknown) => string | null;

const positiveInt: Check = (v) => (Number.isInteger(v) && (v as number) > 0 ? null : 'a positive integer');
const nonNegativeInt: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 ? null : 'a non-negative integer');
const positive: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : 'a positive number');
const nonNegative: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'a number ≥ 0');
const unit: Check = (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? null : 'a number in [0, 1]');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const schedule: Check = (v) => (v === 'constant' || v === 'linear' ? null : "'constant' or 'linear'");
const integer: Check = (v) => (Number.isInteger(v) ? null : 'an integer');
const engine: Check = (v) => (v === 'auto' || v === 'graph' || v === 'eager' ? null : "'auto', 'graph' or 'eager'");
const rounding: Check = (v) => (v === 'floor' || v === 'ceil' ? null : "'floor' or 'ceil'");
const shift: Check = (v) => (v === 'none' || v === 'half-on-odd-epochs' ? null : "'none' or 'half-on-odd-epochs'");
const optionalPositive: Check = (v) => (v === null ? null : positive(v) && 'a positive number or null');

const CHECKS: Record<keyof PpoConfig, Check> = {
  numEnvs: positiveInt,
  numSteps: positiveInt,
  bpttLength: positiveInt,
  sequenceShift: shift,
  epochs: positiveInt,
  seqsPerBatch: positiveInt,
  chunkLength: positiveInt,
  learningRate: positive,
  lrSchedule: schedule,
  adamEpsilon: positive,
  clipEpsilon: positive,
  clipSchedule: schedule,
  gamma: unit,
  gaeLambda: unit,
  valueCoef: nonNegative,
  valueLossHalf: bool,
  clipValue: bool,
  entropyCoef: nonNegative,
  maxGradNorm: optionalPositive,
  normalizeAdvantages: bool,
  dropoutWhileActing: bool,
  bootstrapTruncated: bool,
  totalSteps: positiveInt,
  updateRounding: rounding,
  seed: integer,
  checkpointEvery: nonNegativeInt,
  keepCheckpoints: positiveInt,
  statsWindow: positiveInt,
  engine,
};

/** The names of all config fields, in declaration order. */
export const CONFIG_FIELDS = Object.keys(CHECKS) as (keyof PpoConfig)[];

/**
 * Checks every field and the relations between them; throws an Error naming the first bad field and what
 * it must be. Returns the config unchanged.
 */
export function validateConfig(config: PpoConfig): PpoConfig {
  for (const key of Object.keys(config)) {
    if (!(key in CHECKS)) throw new Error(`unknown PPO config field '${key}' (known: ${CONFIG_FIELDS.join(', ')})`);
  }
  for (const field of CONFIG_FIELDS) {
    const value = config[field];
    if (value === undefined) throw new Error(`PPO config field '${field}' is missing`);
    const expected = CHECKS[field](value);
    if (expected) throw new Error(`${field} must be ${expected} (got ${JSON.stringify(value)})`);
  }
  const { numEnvs, numSteps, bpttLength, seqsPerBatch } = config;
  if (numSteps % bpttLength !== 0)
    throw new Error(`bpttLength must divide numSteps (got bpttLength=${bpttLength}, numSteps=${numSteps})`);
  if (config.sequenceShift === 'half-on-odd-epochs' && bpttLength % 2 !== 0)
    throw new Error(`bpttLength must be even with sequenceShift 'half-on-odd-epochs', which starts sequences at bpttLength/2 (got bpttLength=${bpttLength})`);
  const sequences = (numEnvs * numSteps) / bpttLength;
  if (sequences % seqsPerBatch !== 0)
    throw new Error(
      `seqsPerBatch must divide the ${sequences} sequences of an update (numEnvs·numSteps/bpttLength) (got seqsPerBatch=${seqsPerBatch})`,
    );
  if (config.totalSteps < numEnvs * numSteps)
    throw new Error(`totalSteps must be at least one update, numEnvs·numSteps=${numEnvs * numSteps} (got ${config.totalSteps})`);
  return config;
}

/**
 * Number of PPO updates a config runs: ⌊totalSteps / (P·T)⌋, or ⌈totalSteps / (P·T)⌉ with
 * `updateRounding: 'ceil'` (torch-ac). A config without the field (one saved before it existed) floors.
 *
 * @example
 * numUpdates(resolveConfig('minigrid-rim', { totalSteps: 80_000 })); // 40 (16 envs × 128 steps, torch-ac's loop)
 */
export function numUpdates(config: Pick<PpoConfig, 'totalSteps' | 'numEnvs' | 'numSteps'> & { updateRounding?: UpdateRounding }): number {
  return updatesFor(config.totalSteps, config.numEnvs * config.numSteps, config.updateRounding ?? 'floor');
}

/**
 * Updates of `perUpdate` frames that a budget of `frames` makes under `rounding`.
 *
 * @example
 * updatesFor(80_000, 2048, 'ceil'); // 40
 */
export function updatesFor(frames: number, perUpdate: number, rounding: UpdateRounding): number {
  return rounding === 'ceil' ? Math.ceil(frames / perUpdate) : Math.floor(frames / perUpdate);
}
