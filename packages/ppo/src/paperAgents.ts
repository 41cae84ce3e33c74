import type { CoreConfig } from '@mempo/core-attention';
import { AGENT_PRESETS, type AgentSpec } from './agentPresets.js';
import type { PpoConfig } from './config.js';
import type { Encoder } from './encoder.js';
import { MinigridConvEncoder } from './minigridConvEncoder.js';
import { MlpEncoder } from './mlpEncoder.js';
import { NatureCnnEncoder } from './natureCnnEncoder.js';
import { PRESETS, type PresetName } from './presets.js';

/** The env families of the reproduced papers (the ppo README, "Paper agents"). */
export const PAPER_FAMILIES = ['atari', 'minigrid', 'warehouse'] as const;
export type PaperFamily = (typeof PAPER_FAMILIES)[number];

/** The memories every paper family has a row for. */
export const PAPER_MEMORIES = ['rim', 'iam', 'lstm', 'gru', 'fnn'] as const;
export type PaperMemory = (typeof PAPER_MEMORIES)[number];

/** An encoder as data: ppo's encoder kind and the options the paper fixes (obs shape, seed and init come at build time). */
export type EncoderRecipe =
  | { kind: 'nature-cnn'; output: 'regions' | 'flat' }
  | { kind: 'minigrid-conv' }
  | { kind: 'mlp'; hiddenSizes: number[]; activation: 'relu' | 'tanh' };

/**
 * A core as data: the name it is registered under (`registerCore`; ppo names no plugin class) and its options
 * less the input shape and seed, which {@link paperCoreConfig} adds. `noInputRestriction` (IAM static) reads
 * every feature in the recurrent branch and gives the FNN branch one layer as wide as the input.
 */
export interface CoreRecipe {
  name: string;
  hiddenSize: number;
  [option: string]: unknown;
}

/** One row of the recipe table: what a paper trains on a family with a memory. */
export interface PaperAgent {
  family: PaperFamily;
  memory: PaperMemory;
  /** The family's default env id (Atari ROM, MiniGrid id, `warehouse`). */
  env: string;
  /** The PPO preset, and its settings. */
  preset: PresetName;
  ppo: PpoConfig;
  /** Heads, encoder initialisation and per-core options of the preset (`AGENT_PRESETS`). */
  agent: AgentSpec;
  /** Frames stacked per observation. */
  stack: number;
  encoder: EncoderRecipe;
  /** The core's size and paper options, with the agent preset's options for it merged in. */
  core: CoreRecipe;
}

/** Each family's env, preset and core sizes, from the papers (the rim README, the iam README). */
const FAMILY_RECIPES = {
  // RIM paper, Atari: U = 6, k = 5, a GRU-based RIM with 6 × 85 = 510 hidden; LSTM/GRU/FNN 512; IAM's
  // dynamic d-patch over the Nature CNN's 49 regions with LSTM 256. FNN sees 4 stacked frames, the rest 1.
  atari: {
    env: 'breakout',
    preset: 'atari',
    rim: { units: 6, k: 5, hiddenSize: 85, cell: 'gru' },
    iam: { variant: 'dynamic', hiddenSize: 256 },
    hidden: 512,
    fnnStack: 4,
  },
  // RIM reference repository, MiniGrid: U = 4, H = 16, k = 3, d_value 64, LSTM cell; LSTM 64. No published
  // IAM d-set for MiniGrid's 64-d embedding: the IAM paper's "no input restriction" ablation.
  minigrid: {
    env: 'MiniGrid-Empty-5x5-v0',
    preset: 'minigrid-rim',
    rim: { units: 4, k: 3, hiddenSize: 16, cell: 'lstm', inputValueSize: 64 },
    iam: { variant: 'static', hiddenSize: 64, noInputRestriction: true },
    hidden: 64,
    fnnStack: 1,
  },
  // IAM paper, Warehouse: IAM static (FNN 576→256 + LSTM 64 on the d-set); LSTM/GRU/FNN 256 after a 640
  // layer; the FNN baseline sees the last 8 observations ("FNN 8 obs").
  warehouse: {
    env: 'warehouse',
    preset: 'iam',
    rim: { units: 4, k: 3, hiddenSize: 64, cell: 'lstm', inputValueSize: 64 },
    iam: { variant: 'static', hiddenSize: 64 },
    hidden: 256,
    fnnStack: 8,
  },
} as const satisfies Record<PaperFamily, { env: string; preset: PresetName; rim: CoreRecipe | object; iam: object; hidden: number; fnnStack: number }>;

/** The encoder a family's paper puts before `memory` (the ppo README, "Agent"). */
function encoderRecipe(family: PaperFamily, memory: PaperMemory): EncoderRecipe {
  const attends = memory === 'rim' || memory === 'iam';
  if (family === 'atari') return { kind: 'nature-cnn', output: attends ? 'regions' : 'flat' };
  if (family === 'minigrid') return { kind: 'minigrid-conv' };
  // The IAM paper's first layer of 640 (ReLU) for the baselines; IAM's FNN branch (and RIM) read the raw obs.
  return { kind: 'mlp', hiddenSizes: attends ? [] : [640], activation: 'relu' };
}

function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string))
    throw new Error(`${name}: ${JSON.stringify(value)} is not allowed; must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

/**
 * The agent a paper trains on `family` with `memory`: env, PPO preset, agent spec, frame stack, encoder and
 * core, as data, from one table shared by the CLI, the study runner and library users. `preset` swaps the
 * PPO settings and agent spec (default: the family's paper preset) and keeps the paper's sizes.
 *
 * @example
 * const agent = paperAgent('atari', 'rim');
 * agent.core; // { name: 'rim', units: 6, k: 5, hiddenSize: 85, cell: 'gru' }
 * agent.preset; // 'atari'
 */
export function paperAgent(family: PaperFamily, memory: PaperMemory, preset?: PresetName): PaperAgent {
  oneOf('family', family, PAPER_FAMILIES);
  oneOf('memory', memory, PAPER_MEMORIES);
  const row = FAMILY_RECIPES[family];
  const presetName: PresetName = preset ?? row.preset;
  oneOf('preset', presetName, Object.keys(PRESETS));
  const agent = AGENT_PRESETS[presetName];
  return {
    family,
    memory,
    env: row.env,
    preset: presetName,
    ppo: { ...PRESETS[presetName] },
    agent,
    stack: memory === 'fnn' ? row.fnnStack : 1,
    encoder: encoderRecipe(family, memory),
    core: { ...paperCore(family, memory), ...agent.cores[memory] },
  };
}

/**
 * The core a paper puts on `family` for `memory`, without any agent preset's options: its registered name,
 * sizes and the options the paper fixes.
 *
 * @example
 * paperCore('minigrid', 'lstm'); // { name: 'lstm', hiddenSize: 64 }
 */
export function paperCore(family: PaperFamily, memory: PaperMemory): CoreRecipe {
  oneOf('family', family, PAPER_FAMILIES);
  oneOf('memory', memory, PAPER_MEMORIES);
  const row = FAMILY_RECIPES[family];
  if (memory === 'rim') return { name: 'rim', ...row.rim };
  if (memory === 'iam') return { name: 'iam', ...row.iam };
  return { name: memory, hiddenSize: row.hidden };
}

/**
 * The config `coreFromConfig` (core-attention) builds a recipe's core from, given the encoder's output shape
 * `[N, F]`: the recipe's options with the shape in the names that core takes. Import the plugin package
 * (`@mempo/rim`, `@mempo/iam`) first, so its core is registered.
 *
 * @example
 * import '@mempo/rim';
 * const core = coreFromConfig(paperCoreConfig(agent.core, encoder.outputShape, 1));
 */
export function paperCoreConfig(recipe: CoreRecipe, inputShape: readonly [number, number], seed: number): CoreConfig {
  const [numElements, inputSize] = inputShape;
  if (recipe.name === 'iam' && recipe['variant'] === 'dynamic') return { ...recipe, numRegions: numElements, regionSize: inputSize, seed };
  const { noInputRestriction, ...options } = recipe;
  if (noInputRestriction === true)
    return { ...options, inputSize, numElements, dSet: Array.from({ length: numElements * inputSize }, (_, i) => i), fnnSizes: [inputSize], seed };
  return { ...options, inputSize, numElements, seed };
}

/**
 * Builds a recipe's encoder for observations of `obsShape`, initialised as its agent spec says
 * (`agent.encoderInit`, `agent.encoderBias`; without them, each encoder's own default).
 *
 * @example
 * const encoder = paperEncoder(paperAgent('warehouse', 'lstm'), [73], 1); // 73 → 640 (ReLU, no bias: the iam agent)
 */
export function paperEncoder(
  recipe: { encoder: EncoderRecipe; agent: Partial<Pick<AgentSpec, 'encoderInit' | 'encoderBias'>> },
  obsShape: readonly number[],
  seed: number,
): Encoder {
  const init = recipe.agent.encoderInit;
  const scheme = init ? { init: init.scheme } : {};
  const gain = init?.gain !== undefined ? { gain: init.gain } : {};
  const bias = recipe.agent.encoderBias === false ? { bias: false } : {};
  const encoder = recipe.encoder;
  switch (encoder.kind) {
    case 'nature-cnn':
      return new NatureCnnEncoder({ stack: obsShape[0]!, output: encoder.output, seed, ...scheme, ...gain });
    case 'minigrid-conv':
      // The MiniGrid convs take no gain: torch-ac's (PyTorch's default) has none.
      return new MinigridConvEncoder({ seed, ...scheme });
    case 'mlp':
      return new MlpEncoder({ obsShape, hiddenSizes: [...encoder.hiddenSizes], activation: encoder.activation, seed, ...scheme, ...gain, ...bias });
  }
}
