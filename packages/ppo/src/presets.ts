import { type PpoConfig, validateConfig } from './config.js';

const shared = {
  // 32 steps: Atari's 128-step sequences run as 4 chunks (319 vs 244 agent steps/s for RIM on 2 cores, README
  // "Engines"); MiniGrid's 32 and the Warehouse's 8 are one chunk each.
  chunkLength: 32,
  gamma: 0.99,
  gaeLambda: 0.95,
  gaeHorizon: null,
  entropyCoef: 0.01,
  clipValue: true,
  bootstrapTruncated: false,
  seed: 1,
  checkpointEvery: 10,
  keepCheckpoints: 3,
  statsWindow: 100,
  engine: 'auto',
  sequenceShift: 'none',
  memoryWriteBack: false,
  minibatchGrouping: 'sequences',
} as const;

/**
 * What the IAM repository's PPO does for every env (INFLUENCEorg/influence-aware-memory at bc52bd2: configs/
 * default.yaml and the warehouse/ and atari/ configs, PPO/PPOmodel.py build_ppo_optimizer, PPO/PPOcontroller.py
 * update and bootstrap, buffer.py SerialSampling, experimentor.py run): the `iam` and `iam-atari` presets add
 * their sequence length, minibatch size, GAE horizon and budget.
 */
const iamCode = {
  ...shared,
  // num_workers 8; memory_size 128 steps of all workers per update (buffer.full, experimentor.run).
  numEnvs: 8,
  numSteps: 128,
  // num_epoch 3.
  epochs: 3,
  // SerialSampling.shuffle shuffles the seq_len-step slices of the buffer, each holding all 8 workers.
  minibatchGrouping: 'time-blocks',
  // learning_rate 2.5e-4, polynomial_decay(…, max_steps, 1e-10, power=1): linear to ~0 over the run.
  learningRate: 2.5e-4,
  lrSchedule: 'linear',
  // tf.train.AdamOptimizer with TF's default epsilon 1e-8.
  adamEpsilon: 1e-8,
  // epsilon 0.1, decay_epsilon = polynomial_decay(epsilon, step, max_steps, 1e-5, power=1), also the value clip.
  clipEpsilon: 0.1,
  clipSchedule: 'linear',
  // gamma 0.99, lambda 0.95.
  gamma: 0.99,
  gaeLambda: 0.95,
  // beta 1e-2 and decay_beta = polynomial_decay(beta, step, max_steps, 1e-2): from 0.01 to 0.01, constant.
  entropyCoef: 0.01,
  // loss = policy_loss + c1·value_loss − decay_beta·entropy, c1 1, value_loss = mean(max(v1, v2)) (no ½).
  valueCoef: 1,
  valueLossHalf: false,
  clipValue: true,
  // optimizer.minimize(loss): no gradient clipping.
  maxGradNorm: null,
  // PPOmodel.build_ppo_optimizer feeds the advantages as computed (no normalisation at bc52bd2; at HEAD the line is commented out).
  normalizeAdvantages: false,
  dropoutWhileActing: false,
  // Every episode end is `done` (PPOcontroller.bootstrap's TODO: no bootstrap at time limits).
  bootstrapTruncated: false,
  // experimentor.run: while step < max_steps, an update each time the buffer is full.
  updateRounding: 'floor',
} as const;

/**
 * The PPO settings of the reproduced papers' codes (the ppo README, "Presets"), as data; the agent they train
 * (heads, initialisation, core options) is `AGENT_PRESETS` (agentPresets.ts) under the same name.
 *
 * - `minigrid-rim`: the RIM repository's torch-ac settings for MiniGrid (80k steps is its Empty budget).
 * - `atari`: the RIM paper's Atari settings (ikostrikov's PPO, which the RIM code runs, and CleanRL's
 *   `ppo_atari_lstm.py`, which agree field by field but for where advantages are normalised), 10M agent steps.
 * - `iam`: the IAM repository's Warehouse settings, 4M synchronous steps of 8 workers = 32M transitions, GAE
 *   in blocks of 8 steps.
 * - `iam-atari`: the same repository's Atari settings (`configs/atari/*.yaml`, the flickering Atari of the IAM
 *   paper): sequences of 4, 10M synchronous steps of 8 workers = 80M transitions, GAE over the whole rollout.
 *
 * Each field cites the reference file and function it was read from.
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
    // torch-ac ppo.py update_parameters: `exps.memory[inds + i + 1] = memory.detach()` after each step i <
    // recurrence − 1, so the (shifted) sequences of later minibatches and epochs start from refreshed states.
    memoryWriteBack: true,
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
  // CleanRL = vwxyzjn/cleanrl ppo_atari_lstm.py (Args, the main loop); ikostrikov = pytorch-a2c-ppo-acktr-gail
  // README's Atari PPO command, arguments.py, algo/ppo.py PPO.update, storage.py recurrent_generator; the RIM
  // repository's blocks_atari is ikostrikov's code run with that command (experiment.sh). Where they differ,
  // the agent preset's knownDifferences say so.
  atari: {
    ...shared,
    // CleanRL num_envs 8, num_steps 128; ikostrikov --num-processes 8 --num-steps 128.
    numEnvs: 8,
    numSteps: 128,
    // Both train whole 128-step env columns: CleanRL takes all steps of num_envs / num_minibatches envs,
    // ikostrikov's recurrent_generator num_processes / num_mini_batch columns.
    bpttLength: 128,
    // CleanRL update_epochs 4; ikostrikov --ppo-epoch default 4.
    epochs: 4,
    // CleanRL num_minibatches 4, ikostrikov --num-mini-batch 4: 8 columns / 4 = 2 per minibatch.
    seqsPerBatch: 2,
    // CleanRL learning_rate 2.5e-4, anneal_lr: lr = (1 − (iteration − 1)/num_iterations)·lr;
    // ikostrikov --lr 2.5e-4 --use-linear-lr-decay, utils.update_linear_schedule: lr − lr·j/num_updates.
    learningRate: 2.5e-4,
    lrSchedule: 'linear',
    // CleanRL optim.Adam(eps=1e-5); ikostrikov --eps default 1e-5.
    adamEpsilon: 1e-5,
    // CleanRL clip_coef 0.1; ikostrikov --clip-param 0.1; neither anneals it.
    clipEpsilon: 0.1,
    clipSchedule: 'constant',
    // CleanRL vf_coef 0.5, v_loss = 0.5·mean(max(...)); ikostrikov --value-loss-coef 0.5, value_loss = 0.5·mean(max(...)).
    valueCoef: 0.5,
    valueLossHalf: true,
    // CleanRL max_grad_norm 0.5; ikostrikov --max-grad-norm default 0.5.
    maxGradNorm: 0.5,
    // ikostrikov PPO.update normalises over the whole rollout (the RIM code's); CleanRL per minibatch (knownDifferences).
    normalizeAdvantages: true,
    dropoutWhileActing: false,
    // CleanRL total_timesteps 10M; ikostrikov --num-env-steps default 10e6 (the RIM repository's copy: 40e6).
    totalSteps: 10_000_000,
    // CleanRL: num_iterations = total_timesteps // batch_size; ikostrikov: num_env_steps // num_steps // num_processes.
    updateRounding: 'floor',
  },
  // The IAM repository INFLUENCEorg/influence-aware-memory at its "final commit" bc52bd2 (the Warehouse with 73
  // observations this repository reproduces): configs/default.yaml with configs/warehouse/*.yaml over it,
  // PPO/PPOmodel.py build_ppo_optimizer, PPO/PPOcontroller.py update and bootstrap, buffer.py SerialSampling,
  // experimentor.py run.
  iam: {
    ...iamCode,
    // seq_len 8 (warehouse/RNN.yaml), inf_seq_len 8 (warehouse/IAM_*.yaml).
    bpttLength: 8,
    // batch_size 32 steps × 8 workers per minibatch (sample: 32 / seq_len = 4 blocks of 8 steps of every
    // worker), 128 / 32 = 4 minibatches per epoch: 32 sequences each.
    seqsPerBatch: 32,
    // time_horizon 8 in every warehouse/*.yaml: PPOcontroller.bootstrap computes GAE every 8 steps, each block
    // bootstrapped with the value of the next observation.
    gaeHorizon: 8,
    // max_steps 4e6 synchronous steps of 8 workers = 32M transitions: 4e6 / 128 = 31 250 updates of 128 steps.
    // (The reference's buffer also holds the rows it pads after each episode, so it runs 32 500 of ~123 real
    // steps: the agent preset's knownDifferences.)
    totalSteps: 32_000_000,
  },
  // The IAM repository at bc52bd2, its Atari configs: configs/atari/RNN.yaml (the LSTM baseline), IAM_static.yaml,
  // IAM_dynamic.yaml and FNN.yaml (each a whole config, not over default.yaml), with the same PPOmodel.py,
  // PPOcontroller.py, buffer.py and experimentor.py as `iam`. Where the four configs differ, the agent preset's
  // knownDifferences say so.
  'iam-atari': {
    ...iamCode,
    // seq_len 4 (RNN.yaml), inf_seq_len 4 (IAM_static.yaml); IAM_dynamic.yaml's inf_seq_len 8 is a known difference.
    bpttLength: 4,
    // batch_size 32 steps of all 8 workers per minibatch: PPOcontroller.update samples batch_size // seq_len = 8
    // blocks of 4 steps × 8 workers = 64 sequences; 128 / 32 = 4 minibatches per epoch.
    seqsPerBatch: 64,
    // time_horizon 128 = memory_size: PPOcontroller.bootstrap computes GAE once over the whole 128-step rollout.
    gaeHorizon: null,
    // max_steps 1.0e+7 synchronous steps (experimentor.run counts one per step of all workers) × 8 workers = 80M
    // agent steps (×4 frames with skip_frames 4): 1e7 / 128 = 78 125 updates.
    totalSteps: 80_000_000,
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
