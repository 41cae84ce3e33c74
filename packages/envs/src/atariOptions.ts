/**
 * What an Atari env is, whichever backend steps it (the native ALE addon or the Python bridge): the game, the
 * batch, our flicker and frame stack, and ALE's preprocessing. Defaults are the standard preprocessing
 * (README, "Atari"), as ale-py's `AtariVectorEnv` has them.
 */
export interface AtariOptions {
  /** ROM name: `breakout`, `ms_pacman`; `Breakout`, `ALE/Breakout-v5` and `BreakoutNoFrameskip-v4` also work. */
  game: string;
  /** Number of envs P in the batch (stepped in ALE's C++ threads). */
  numEnvs: number;
  /** Frames stacked per observation: 1 for recurrent cores, 4 or 8 for feed-forward baselines. Default 4. */
  stack?: number;
  /**
   * Flicker probability p (IAM paper: 0.5); default 0 (no flicker). Each env's newest frame is flickered and
   * then stacked as ALE stacks, so a run with flicker sees the same stacks as one without, but for the zeroed
   * frames.
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
  /** ALE stepping threads; 0 lets ALE choose (one per env, at most one per core). Default 0. */
  numThreads?: number;
}
