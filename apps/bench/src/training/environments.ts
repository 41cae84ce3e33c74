import {
  ATARI_BACKENDS,
  FrameStack,
  Warehouse,
  createAtariEnv,
  defaultAtariBackend,
  makeGymEnv,
  makeMiniGridEnv,
  type AtariBackend,
  type VecEnv,
} from '@mempo/envs';
import { MinigridConvEncoder, MlpEncoder, NatureCnnEncoder, paperAgent, paperEncoder, type Encoder, type LayerInit } from '@mempo/ppo';
import type { EnvFamily, MemoryName } from './memoryCores.js';

/** Which env to train or evaluate on, as the CLI and study files name it. */
export interface EnvChoice {
  family: EnvFamily;
  /** MiniGrid id (`MiniGrid-MemoryS7-v0`), Atari ROM (`breakout`), `warehouse`, or a gymnasium id (`CartPole-v1`). */
  id: string;
  /** Atari: flicker probability (IAM paper: 0.5). */
  flicker: number;
  /**
   * Warehouse: the original code's item-removal loop (the envs README, "Warehouse"), under which the published
   * curves were made; absent means the clean rule, so a run's run.json says which rule it used.
   */
  legacyItemRemoval?: true;
}

/**
 * Frames stacked per observation unless a request sets them: the paper agent's (`paperAgent(…).stack`: the
 * FNN baseline sees 4 Atari frames, 8 Warehouse observations; recurrent cores 1); MiniGrid and gym envs 1.
 */
export function defaultStack(family: EnvFamily, memory: MemoryName): number {
  return family === 'atari' || family === 'warehouse' ? paperAgent(family, memory).stack : 1;
}

/**
 * Where Atari games run: `MEMPO_ATARI_BACKEND` (the CLI's `--atari-backend` sets it, so study runs in child
 * processes inherit it), else native when the ale-node addon is built, else the Python bridge. Both give the
 * same numbers for the same seeds, so the choice is not part of a run's identity; only the native env is
 * resumed exactly (the bridge's envs restart their episodes on resume).
 */
export function atariBackend(): AtariBackend {
  const chosen = process.env.MEMPO_ATARI_BACKEND;
  if (chosen === undefined || chosen === '') return defaultAtariBackend();
  if (!(ATARI_BACKENDS as readonly string[]).includes(chosen))
    throw new Error(`MEMPO_ATARI_BACKEND must be one of ${ATARI_BACKENDS.join(', ')} (got '${chosen}'); or unset it for the default`);
  return chosen as AtariBackend;
}

/** Builds P envs of the chosen family; env i is seeded with `seed + i` at reset. */
export async function makeEnv(
  choice: EnvChoice,
  memory: MemoryName,
  numEnvs: number,
  seed: number,
  stack?: number,
): Promise<VecEnv> {
  switch (choice.family) {
    case 'atari':
      return createAtariEnv({
        game: choice.id,
        numEnvs,
        stack: stack ?? defaultStack('atari', memory),
        flicker: choice.flicker,
        flickerSeed: seed,
        backend: atariBackend(),
      });
    case 'minigrid':
      // Any registered MiniGrid id: the worker checks the registry (envIds.ts checks it before a run starts).
      return makeMiniGridEnv({ envId: choice.id, numEnvs });
    case 'gym':
      return makeGymEnv({ envId: choice.id, numEnvs });
    case 'warehouse': {
      const env = new Warehouse({ numEnvs, legacyItemRemoval: choice.legacyItemRemoval === true });
      const k = stack ?? defaultStack('warehouse', memory);
      return k > 1 ? new FrameStack(env, { k, order: 'newest-first' }) : env;
    }
  }
}

/**
 * The encoder of the paper agent (ppo's `paperAgent(family, memory).encoder`, the ppo README "Paper agents"):
 * the Nature CNN for Atari (its 7×7×64 map as 49 regions for RIM/IAM, flattened for LSTM/GRU/FNN), the
 * MiniGrid conv stack, and for the Warehouse the IAM paper's first layer of 640 (ReLU) for LSTM/GRU/FNN, none
 * for IAM (its FNN branch reads the raw obs). Any other gymnasium env gets the encoder its observation calls
 * for ({@link observationEncoder}). `init` is the agent preset's `encoderInit` (default: each encoder's own,
 * Glorot); `bias: false` (its `encoderBias`) drops the Warehouse layer's bias, as the IAM code's `networks.py` `fcn`.
 */
export function makeEncoder(family: EnvFamily, memory: MemoryName, obsShape: readonly number[], seed: number, init?: LayerInit, bias?: boolean): Encoder {
  if (family === 'gym') return observationEncoder(memory, obsShape, seed, init);
  const agent = { ...(init ? { encoderInit: init } : {}), ...(bias !== undefined ? { encoderBias: bias } : {}) };
  return paperEncoder({ encoder: paperAgent(family, memory).encoder, agent }, obsShape, seed);
}

/** Width of the hidden layer the MLP encoder gives a vector observation: CleanRL's `ppo.py` body (64, tanh). */
export const VECTOR_HIDDEN = 64;

/**
 * The encoder an observation calls for, as the bridge sends it (the envs README, "Any gymnasium env"):
 * a float vector `[D]` → the MLP encoder (one tanh layer of {@link VECTOR_HIDDEN}); MiniGrid's `[7, 7, 3]`
 * codes → the MiniGrid conv stack; a picture, which the bridge sends as grayscale `[1, 84, 84]` → the
 * Nature CNN (its 49 regions for RIM and IAM, flattened for the others, as on Atari).
 *
 * @example
 * observationEncoder('lstm', [4], 1).config(); // { kind: 'mlp', obsShape: [4], hiddenSizes: [64], activation: 'tanh', seed: 1 }
 */
export function observationEncoder(memory: MemoryName, obsShape: readonly number[], seed: number, init?: LayerInit): Encoder {
  const scheme = init ? { init: init.scheme } : {};
  const gain = init?.gain !== undefined ? { gain: init.gain } : {};
  if (obsShape.length === 1) return new MlpEncoder({ obsShape, hiddenSizes: [VECTOR_HIDDEN], activation: 'tanh', seed, ...scheme, ...gain });
  if (obsShape.join() === '7,7,3') return new MinigridConvEncoder({ seed, ...scheme });
  if (obsShape.length === 3 && obsShape[1] === 84 && obsShape[2] === 84)
    return new NatureCnnEncoder({ stack: obsShape[0]!, output: memory === 'rim' || memory === 'iam' ? 'regions' : 'flat', seed, ...scheme, ...gain });
  throw new Error(
    `no encoder reads observations of shape [${obsShape}]: the bridge sends a vector [D], MiniGrid's [7, 7, 3] codes or a grayscale [1, 84, 84] picture`,
  );
}
