import {
  ATARI_BACKENDS,
  FrameStack,
  MINIGRID_ENV_IDS,
  Warehouse,
  createAtariEnv,
  defaultAtariBackend,
  makeMiniGridEnv,
  type AtariBackend,
  type VecEnv,
} from '@mempo/envs';
import { MinigridConvEncoder, MlpEncoder, NatureCnnEncoder, type Encoder, type LayerInit } from '@mempo/ppo';
import type { EnvFamily, MemoryName } from './memoryCores.js';

/** Which env to train or evaluate on, as the CLI and study files name it. */
export interface EnvChoice {
  family: EnvFamily;
  /** MiniGrid id (`MiniGrid-Empty-5x5-v0`), Atari ROM (`breakout`), or `warehouse`. */
  id: string;
  /** Atari: flicker probability (IAM paper: 0.5). */
  flicker: number;
}

/** Atari: recurrent cores see one frame; the feed-forward baseline sees 4 (the envs README). */
export function atariStack(memory: MemoryName): number {
  return memory === 'fnn' ? 4 : 1;
}

/** Warehouse: the FNN baseline sees the last 8 observations (IAM paper's "FNN 8 obs"); the rest see 1. */
export function warehouseStack(memory: MemoryName, stack: number | undefined): number {
  return stack ?? (memory === 'fnn' ? 8 : 1);
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
        stack: stack ?? atariStack(memory),
        flicker: choice.flicker,
        flickerSeed: seed,
        backend: atariBackend(),
      });
    case 'minigrid':
      if (!(MINIGRID_ENV_IDS as readonly string[]).includes(choice.id))
        throw new Error(`--env must be one of ${MINIGRID_ENV_IDS.join(', ')} (got '${choice.id}')`);
      return makeMiniGridEnv({ envId: choice.id, numEnvs });
    case 'warehouse': {
      const env = new Warehouse({ numEnvs });
      const k = warehouseStack(memory, stack);
      return k > 1 ? new FrameStack(env, { k, order: 'newest-first' }) : env;
    }
  }
}

/**
 * The encoder of each study preset (ppo README, "Agent"): the Nature CNN for Atari (its 7×7×64 map as
 * 49 regions for RIM/IAM, flattened for LSTM/GRU/FNN), the MiniGrid conv stack, and for the Warehouse the
 * IAM paper's first layer of 640 (ReLU) for LSTM/GRU/FNN, none for IAM (its FNN branch reads the raw obs).
 * `init` is the agent preset's `encoderInit` (default: each encoder's own, Glorot); `bias: false` (its
 * `encoderBias`) drops the Warehouse layer's bias, as the IAM code's `networks.py` `fcn`.
 */
export function makeEncoder(family: EnvFamily, memory: MemoryName, obsShape: readonly number[], seed: number, init?: LayerInit, bias?: boolean): Encoder {
  const scheme = init ? { init: init.scheme } : {};
  const gain = init?.gain !== undefined ? { gain: init.gain } : {};
  switch (family) {
    case 'atari':
      return new NatureCnnEncoder({ stack: obsShape[0]!, output: memory === 'rim' || memory === 'iam' ? 'regions' : 'flat', seed, ...scheme, ...gain });
    case 'minigrid':
      // The MiniGrid convs take no gain: torch-ac's (PyTorch's default) has none.
      return new MinigridConvEncoder({ seed, ...scheme });
    case 'warehouse':
      return new MlpEncoder({ obsShape, hiddenSizes: memory === 'iam' || memory === 'rim' ? [] : [640], activation: 'relu', seed, ...scheme, ...gain, ...(bias === false ? { bias } : {}) });
  }
}
