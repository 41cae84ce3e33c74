import type { CellInit, InitScheme } from '@mempo/core-attention';
import type { HeadSpec, HeadsSpec, LayerInit } from './heads.js';
import type { PresetName } from './presets.js';

/**
 * The agent of the code a preset reproduces, as data (the PPO half is {@link PRESETS}): the heads, the
 * encoder's initialisation and per-core options. Each field cites the file it was read from.
 */
export interface AgentSpec {
  /** Policy and value heads: layers, activation, every layer's initialisation. */
  heads: HeadsSpec;
  /** Initialisation of the encoder's layers (convs or dense layers). */
  encoderInit: LayerInit;
  /** Whether the encoder's dense layers (`MlpEncoder`'s `bias`) have a bias. Default true; convs always have one. */
  encoderBias?: boolean;
  /**
   * Options of a memory core by its name (`rim`, …), merged into the core's arguments by whoever builds it
   * (ppo never names a core). Only options the reproduced model sets differently from the core's default.
   */
  cores: Record<string, Record<string, unknown>>;
  /** What the reproduced code does that this agent or the PPO loop does not, in words. */
  knownDifferences: string[];
}

/**
 * torch-ac's heads (rl-starter-files `model.py` and the RIM repository's `minigrid_experiments/model.py`,
 * `ACModel.__init__`): `nn.Sequential(nn.Linear(F, 64), nn.Tanh(), nn.Linear(64, out))`, then
 * `self.apply(init_params)`: every `nn.Linear` weight row N(0, 1) scaled to unit norm, bias 0.
 */
const TORCH_AC_HEAD: HeadSpec = { hidden: [64], activation: 'tanh', hiddenInit: { scheme: 'torch-ac' }, outputInit: { scheme: 'torch-ac' } };

/**
 * CleanRL's `ppo_atari_lstm.py` (`Agent.__init__`, `layer_init(layer, std, bias_const=0.0)` =
 * `orthogonal_(weight, std)`, zero bias), as ikostrikov's pytorch-a2c-ppo-acktr-gail `model.py` (`init_` with
 * orthogonal, gain √2 on ReLU layers; `Categorical` with gain 0.01; critic gain 1).
 */
const orthogonal = (gain: number): LayerInit => ({ scheme: 'orthogonal', gain });
const linearHead = (outputInit: LayerInit, extra: Partial<HeadSpec> = {}): HeadSpec => ({
  hidden: [],
  activation: 'tanh',
  hiddenInit: outputInit,
  outputInit,
  ...extra,
});

/**
 * The IAM code's LSTMs (bc52bd2 networks.py `rnn`, which builds the LSTM baseline's `rnn` and the influence
 * branch's `inf_rnn` alike): `tf.contrib.rnn.BasicLSTMCell(num_rec_units)`, whose one kernel over [x, h] takes
 * TF's default glorot_uniform, its bias zeros_initializer, and whose step adds forget_bias (default 1.0) to the
 * forget gate (core-attention README, "LSTM initialisation").
 */
const BASIC_LSTM_CORES = {
  lstm: { init: 'glorot' satisfies CellInit, forgetBias: 1 },
  iam: { cellInit: 'glorot' satisfies CellInit, forgetBias: 1 },
};

/** The heads of the IAM code's PPOmodel.build_actor_critic, shared by its Warehouse and Atari configs. */
const IAM_HEADS: HeadsSpec = {
  actor: linearHead({ scheme: 'variance-scaling', gain: 0.01 }, { outputBias: false }),
  critic: linearHead({ scheme: 'glorot' }),
};

/**
 * The agents of the reproduced codes (issue 16, "Agents as the papers built them").
 *
 * @example
 * const { heads, encoderInit, cores } = AGENT_PRESETS['minigrid-rim'];
 * const agent = new ActorCritic({ encoder: new MinigridConvEncoder({ seed: 1, init: encoderInit.scheme }), core, numActions: 7, seed: 1, heads });
 */
export const AGENT_PRESETS: Record<PresetName, AgentSpec> = {
  'minigrid-rim': {
    // RIM repository minigrid_experiments/model.py (torch-ac's ACModel): actor and critic each Linear–Tanh–Linear, init_params.
    heads: { actor: TORCH_AC_HEAD, critic: TORCH_AC_HEAD },
    // Same file: image_conv's nn.Conv2d layers; init_params matches only class names containing "Linear", so
    // the convs keep PyTorch's default (kaiming_uniform_(a=√5) = U(±1/√fan_in), bias U(±1/√fan_in)).
    encoderInit: { scheme: 'uniform' },
    cores: {
      rim: {
        // RIM.py RIMCell.input_attention_mask: topk over the raw score on the real input (element 0).
        selection: 'real-logit',
        // RIM.py RIMCell.__init__: key and value are nn.Linear, so model.py's init_params gives them unit-norm
        // rows and zero bias; query (a GroupLinearLayer, no .weight) keeps 0.01·randn.
        inputInit: 'torch-ac' satisfies InitScheme,
        // RIM.py GroupLSTMCell: i2h and h2h are GroupLinearLayers (no bias), so the cell trains no bias.
        cellBias: false,
      },
    },
    knownDifferences: [
      "The reference model.py passes c := h into its RIM at every step (`hidden[1] = hidden[0]`): the RIM core's referenceQuirks.cellFromHidden, set per study, not by this preset.",
    ],
  },
  atari: {
    // CleanRL ppo_atari_lstm.py Agent.__init__: actor layer_init(nn.Linear(128, n), std=0.01), critic
    // layer_init(nn.Linear(128, 1), std=1); ikostrikov model.py: Categorical's linear init_ with gain 0.01,
    // CNNBase.critic_linear init_ with gain 1. Both: zero bias.
    heads: { actor: linearHead(orthogonal(0.01)), critic: linearHead(orthogonal(1)) },
    // CleanRL: layer_init(nn.Conv2d(...)) with the default std √2; ikostrikov CNNBase: init_ with gain calculate_gain('relu') = √2.
    encoderInit: orthogonal(Math.SQRT2),
    // CleanRL's LSTM init (orthogonal_ weights, zero biases) is not taken: see knownDifferences.
    cores: {},
    knownDifferences: [
      "CleanRL initialises its LSTM(512, 128) orthogonally (Agent.__init__: orthogonal_(weight_ih_l0 / weight_hh_l0, 1.0), biases 0). Our Atari LSTM has another shape (it reads the 3136-wide conv map, 512 units), so its init would not be CleanRL's anyway, and an exact orthogonal [3136, 2048] input kernel costs ~35 s of Gram–Schmidt on 2 cores at every build (training start, loadAgent, evaluate): it keeps PyTorch's default U(±1/√H). `init: 'orthogonal'` is an LSTM core option for those who want it.",
      "Both bodies put a dense layer between the convs and the memory (CleanRL: Linear(3136, 512)–ReLU before its LSTM(512, 128); ikostrikov's and the RIM code's CNNBase: Linear(32·7·7, hidden)–ReLU, their third conv having 32 filters, not 64), orthogonal √2; our cores read the conv map (64 filters) directly.",
      "ikostrikov's model.py (the RIM code's) initialises its GRU orthogonally with zero biases; our GRU core keeps PyTorch's default U(±1/√H).",
      "CleanRL normalises the advantages per minibatch (ε 1e-8); ikostrikov's PPO.update (the RIM code's) over the whole rollout (ε 1e-5). Ours: the whole rollout, ε 1e-8.",
      "Frame stacking is the study's (`stack`), not the preset's: ikostrikov's envs.py (the RIM code's) stacks 4 frames, CleanRL's LSTM agent 1.",
      "The RIM repository's blocks_atari runs 40e6 agent steps (its --num-env-steps default; its logs sum to 40.1M), ikostrikov and CleanRL 10M, as this preset.",
      "The RIM repository's NNBase._forward_gru returns its input instead of the RIM's output on multi-step batches (`rnn_scores = x[start_idx:end_idx]`), so its updates train the heads on the RIM's input (the body's features) while acting reads the RIM's output; not reproduced.",
    ],
  },
  iam: {
    // The IAM repository at bc52bd2 (the ppo presets.ts), PPO/PPOmodel.py build_actor_critic: logits =
    // tf.layers.dense(hidden, act_size, use_bias=False, kernel_initializer=variance_scaling_initializer(factor=0.01));
    // value = tf.layers.dense(hidden, 1) with TF's defaults (glorot_uniform kernel, zero bias).
    heads: IAM_HEADS,
    // networks.py fcn: tf.layers.dense(…, use_bias=False) with TF's default glorot_uniform kernel (the 640 layer
    // before the LSTM in warehouse/RNN.yaml). The IAM core's own FNN branch ([576, 256], fnnBias false) is this by default.
    encoderInit: { scheme: 'glorot' },
    encoderBias: false,
    cores: BASIC_LSTM_CORES,
    knownDifferences: [
      "The schedules: the IAM code decays the learning rate to 1e-10 and ε to 1e-5 with polynomial_decay over max_steps, evaluated at the step of each update (update k of N at k/N); ours anneal as start·(1 − (k − 1)/N), one update earlier, ending at start/N.",
      "At bc52bd2 PPOcontroller.add_to_memory pads the buffer with masked zero rows after every episode end up to the next multiple of seq_len (4 rows per 100-step Warehouse episode), so its sequences and GAE blocks start with each episode, its 128-row buffer holds ~123 real steps and 4e6 steps make 32 500 updates; ours has no padding (episode starts zero the state inside a sequence), blocks at multiples of 8 from the rollout's start, 31 250 updates of 128 steps.",
      "The IAM code forms the ratio from probabilities, π/(π_old + 1e-10), and the entropy with log(π + 1e-10); ours from log-probabilities (equal but for those 1e-10).",
    ],
  },
  'iam-atari': {
    // The IAM repository at bc52bd2 with configs/atari/*.yaml (the ppo presets.ts): the same
    // PPOmodel.build_actor_critic as `iam` (actor without bias, variance scaling 0.01; critic glorot, zero bias).
    heads: IAM_HEADS,
    // networks.py cnn: tf.layers.conv2d(…) with TF's defaults, glorot_uniform kernel and a zero bias; filters
    // [32, 64, 64], kernels [8, 4, 3], strides [4, 2, 1] (every Atari config): the Nature CNN.
    encoderInit: { scheme: 'glorot' },
    // networks.py rnn: BasicLSTMCell for RNN.yaml's LSTM (512, on the flattened convs) and IAM's inf_rnn;
    // networks.py fcn (IAM_*.yaml's fully connected branch of 256): tf.layers.dense(…, use_bias=False).
    cores: { ...BASIC_LSTM_CORES, iam: { ...BASIC_LSTM_CORES.iam, fnnBias: false } },
    knownDifferences: [
      "The schedules end as in `iam`: polynomial_decay to 1e-10 (lr) and 1e-5 (ε) at max_steps, evaluated at the step of each update; ours anneal as start·(1 − (k − 1)/N).",
      "PPOcontroller.add_to_memory pads the buffer with masked zero rows after every episode end up to the next multiple of the sequence length (at most 3 rows with sequences of 4), so sequences start with each episode; ours zero the state inside a sequence.",
      "The IAM code forms the ratio from probabilities, π/(π_old + 1e-10), and the entropy with log(π + 1e-10); ours from log-probabilities.",
      "IAM_dynamic.yaml trains IAM on sequences of 8 (inf_seq_len 8), RNN.yaml and IAM_static.yaml on 4; this preset has one bpttLength, 4.",
      "IAM_dynamic.yaml's influence branch is small: one attention head of 32 units and an inf_rnn LSTM of 16, its FNN branch one layer of 256 (no bias, as this preset sets); the Atari recipe builds the paper's sizes (attention 256, LSTM 256).",
      "FNN.yaml's baseline is 4 stacked frames → the convs → one dense layer of 512 without bias (networks.py fcn, use_bias=False), glorot_uniform; our FNN core's layer has a bias and PyTorch's U(±1/√fan_in).",
      "The RIM and GRU rows have no IAM config: they train with this PPO and these heads, their cores at their own defaults.",
    ],
  },
};
