import type { AtariOptions } from '../atariOptions.js';
import { GymBridgeEnv, type BridgeOptions } from './gymBridgeEnv.js';

/** Settings of `makeAtariEnv`: {@link AtariOptions} and the worker's. */
export type AtariEnvArgs = AtariOptions & BridgeOptions;

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
