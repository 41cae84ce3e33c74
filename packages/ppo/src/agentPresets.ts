import type { InitScheme } from '@mempo/core-attention';
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
      "torch-ac writes the memories computed during an update back into the batch (`exps.memory[inds + i + 1] = memory.detach()`), so later epochs start from refreshed states; ours start from the states stored while acting (also on the half-shifted passes of `sequenceShift`).",
      "The reference model.py passes c := h into its RIM at every step (`hidden[1] = hidden[0]`): the RIM core's referenceQuirks.cellFromHidden, set per study, not by this preset.",
    ],
  },
  atari: {
    // CleanRL ppo_atari_lstm.py: actor layer_init(nn.Linear(128, n), std=0.01), critic layer_init(nn.Linear(128, 1), std=1).
    heads: { actor: linearHead(orthogonal(0.01)), critic: linearHead(orthogonal(1)) },
    // CleanRL: layer_init(nn.Conv2d(...)) with the default std √2; ikostrikov CNNBase: init_ with gain calculate_gain('relu') = √2.
    encoderInit: orthogonal(Math.SQRT2),
    cores: {},
    knownDifferences: [
      "CleanRL's body has Linear(3136, 512)–ReLU (orthogonal √2) before its LSTM(512, 128) (orthogonal weights, zero biases); our cores read the conv map directly with their own initialisation.",
    ],
  },
  iam: {
    // INFLUENCEorg/influence-aware-memory PPO/PPOmodel.py build_actor_critic: logits = tf.layers.dense(hidden,
    // act_size, use_bias=False, kernel_initializer=variance_scaling_initializer(factor=0.01)); value =
    // tf.layers.dense(hidden, 1) with TF's defaults (glorot_uniform kernel, zero bias).
    heads: {
      actor: linearHead({ scheme: 'variance-scaling', gain: 0.01 }, { outputBias: false }),
      critic: linearHead({ scheme: 'glorot' }),
    },
    // Same repository, networks.py fcn: tf.layers.dense with TF's default glorot_uniform kernel, zero bias.
    encoderInit: { scheme: 'glorot' },
    cores: {},
    knownDifferences: [
      "The IAM code decays the entropy coefficient linearly (PPOmodel.py decay_beta); ours is constant.",
    ],
  },
};
