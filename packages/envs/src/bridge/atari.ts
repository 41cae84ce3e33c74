import { GymBridgeEnv, type BridgeOptions } from './gymBridgeEnv.js';

/** Settings of `makeAtariEnv`; defaults are the standard preprocessing of spec/envs.md ("Atari"). */
export interface AtariEnvArgs extends BridgeOptions {
  /** ROM name: `breakout`, `ms_pacman`; `Breakout`, `ALE/Breakout-v5` and `BreakoutNoFrameskip-v4` also work. */
  game: string;
  /** Number of envs P in the batch (stepped in ALE's C++ threads). */
  numEnvs: number;
  /** Frames stacked per observation: 1 for recurrent cores, 4 or 8 for feed-forward baselines. Default 4. */
  stack?: number;
  /**
   * Flicker probability p (IAM paper: 0.5); default 0 (no flicker). The worker sends each env's newest frame,
   * which is flickered here and then stacked as ALE stacks (spec/envs.md, "Flicker"), so a run with flicker
   * sees the same stacks as one without, but for the zeroed frames.
   */
  flicker?: number;
  /** Seed of the flicker stream until the first seeded `reset` (which reseeds it). Default 0. */
  flickerSeed?: number;
  /** Emulator frames per agent step, the last two max-pooled. Default 4. */
  frameskip?: number;
  /** At most this many no-op steps after each game reset. Default 30. */
  noopMax?: number;
  /** `terminated` on every lost life while the game goes on; episodes in `info` stay whole games. Default true. */
  episodicLife?: boolean;
  /** Rewards clipped to their sign; `info.episodes[].gameScore` stays unclipped. Default true. */
  rewardClipping?: boolean;
  /** Press FIRE after reset in games that need it. Default true. */
  fireReset?: boolean;
  /** Sticky actions. Default 0. */
  repeatActionProbability?: number;
  /** Max-pool the last two frames of a frameskip. Default true. */
  maxPool?: boolean;
  /** Truncate a game after this many emulator frames. Default 108 000 (30 min at 60 Hz). */
  maxEpisodeFrames?: number;
  /** All 18 actions instead of the game's minimal set. Default false. */
  fullActionSpace?: boolean;
  /** ALE stepping threads; 0 = one per core. Default 0. */
  numThreads?: number;
}

/**
 * P Atari games in one Python worker through `ale_py.AtariVectorEnv` (84×84 grayscale, frameskip 4 with
 * max-pool, noop reset ≤ 30, fire reset, episodic life, reward clipping, no sticky actions). Observations are
 * uint8 `[P, stack, 84, 84]`, oldest frame first. `info.episodes` reports whole games: `return` is the sum of
 * the (clipped) rewards, `gameScore` the unclipped score. Env i of a batch reset with `seed` gets `seed + i`.
 *
 * ```ts
 * const env = await makeAtariEnv({ game: 'breakout', numEnvs: 8, stack: 4, flicker: 0.5 });
 * const obs = await env.reset(0); // Uint8Array [8 * 4 * 84 * 84]
 * ```
 */
export async function makeAtariEnv(args: AtariEnvArgs): Promise<GymBridgeEnv> {
  const { game, numEnvs, stack = 4, flicker = 0, flickerSeed = 0, python, startTimeoutMs, callTimeoutMs, spinMicros, ...ale } = args;
  if (typeof game !== 'string' || game.length === 0) throw new Error(`game must be a ROM name such as 'breakout' (got game=${JSON.stringify(game)})`);
  if (!Number.isInteger(stack) || stack < 1) throw new Error(`stack must be a positive integer (got stack=${stack})`);
  if (!(flicker >= 0 && flicker <= 1)) throw new Error(`flicker must be in [0, 1] (got flicker=${flicker})`);
  return GymBridgeEnv.create({
    family: 'atari',
    envId: game,
    numEnvs,
    python,
    startTimeoutMs,
    callTimeoutMs,
    spinMicros,
    frames: 'newest',
    flicker: flicker > 0 ? { p: flicker, seed: flickerSeed } : undefined,
    options: { ...ale, stack },
  });
}
