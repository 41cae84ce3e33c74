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

/**
 * How each epoch's sequences are shuffled into minibatches. 'sequences': one by one (CleanRL, ikostrikov,
 * torch-ac). 'time-blocks': the T/L time blocks are shuffled and each keeps its P env sequences together, as
 * the IAM code's `SerialSampling.shuffle` shuffles `seq_len`-step slices of the buffer holding all workers;
 * seqsPerBatch must then be a multiple of numEnvs.
 */
export type MinibatchGrouping = 'sequences' | 'time-blocks';

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
  /**
   * Optional. torch-ac's memory write-back (`algos/ppo.py`, `PPOAlgo.update_parameters`: for each step
   * i < recurrence − 1 of a minibatch's sequences, `exps.memory[inds + i + 1] = memory.detach()`): after each
   * minibatch, the core states its forward pass computed (with the weights before its step, stop-gradient)
   * replace the stored ones, so later minibatches and passes start from refreshed states instead of those
   * stored while acting. Only the states where a sequence can start are kept (`writeBackOffsets`: the middle
   * of each sequence under `sequenceShift: 'half-on-odd-epochs'`, so the shifted passes start from states
   * the previous pass computed, and the next unshifted pass from states the shifted one computed; without the
   * shift no stored state is read again and it changes nothing). It ends the update's core chunks there, so
   * dropout draws differ from a run without it. They live in one update's rollout buffer: nothing crosses a
   * checkpoint. Configs written before the field existed (without it) ran off.
   */
  memoryWriteBack: boolean;
  /** Sequences per minibatch; P·T/L sequences must be a multiple of it. One optimizer step per minibatch. */
  seqsPerBatch: number;
  /** How sequences are shuffled into minibatches ({@link MinibatchGrouping}). */
  minibatchGrouping: MinibatchGrouping;
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
  /**
   * GAE runs within blocks of this many steps of each env column, every block bootstrapped with the value of
   * the step after it (the IAM code's `time_horizon`, PPOcontroller.bootstrap; the ppo README, "Advantages").
   * Must divide numSteps. null: one block, the whole rollout (CleanRL, ikostrikov, torch-ac).
   */
  gaeHorizon: number | null;
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

export { CONFIG_FIELDS, validateConfig } from './configSchema.js';

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
