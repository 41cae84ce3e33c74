import { GymBridgeEnv, type BridgeOptions } from './gymBridgeEnv.js';

/**
 * The MiniGrid ids of the reproduction tables (the envs README, "MiniGrid"). `MultiRoom-N4-S5-v1` is the
 * 4-room layout (`-v0` became 6 rooms in minigrid 3.x). Any other registered MiniGrid id works too.
 */
export const MINIGRID_ENV_IDS = [
  'MiniGrid-Empty-5x5-v0',
  'MiniGrid-Empty-16x16-v0',
  'MiniGrid-MultiRoom-N2-S4-v0',
  'MiniGrid-MultiRoom-N4-S5-v1',
  'MiniGrid-MultiRoom-N6-v0',
  'MiniGrid-DoorKey-5x5-v0',
  'MiniGrid-DoorKey-6x6-v0',
  'MiniGrid-DoorKey-8x8-v0',
  'MiniGrid-DoorKey-16x16-v0',
] as const;

/** Settings of `makeMiniGridEnv`. */
export interface MiniGridEnvArgs extends BridgeOptions {
  /** A registered MiniGrid id, e.g. `MiniGrid-DoorKey-5x5-v0` (see `MINIGRID_ENV_IDS`). */
  envId: string;
  /** Number of envs P in the batch. */
  numEnvs: number;
}

/**
 * P MiniGrid envs in one Python worker. Observation: the 7×7×3 egocentric `image` of (object, colour,
 * state) codes, uint8 `[P, 7, 7, 3]`; 7 discrete actions; reward `1 − 0.9·steps/max_steps` on reaching
 * the goal, else 0. Episode return and length arrive in `info.episodes`. Env i of a batch reset with
 * `seed` gets `seed + i`; later autoresets continue each env's seeded generator.
 *
 * ```ts
 * const env = await makeMiniGridEnv({ envId: 'MiniGrid-DoorKey-5x5-v0', numEnvs: 16 });
 * let obs = await env.reset(0);
 * const { reward, terminated, info } = await env.step(new Int32Array(16).fill(2));
 * await env.close();
 * ```
 */
export async function makeMiniGridEnv(args: MiniGridEnvArgs): Promise<GymBridgeEnv> {
  if (typeof args.envId !== 'string' || !args.envId.startsWith('MiniGrid-'))
    throw new Error(`envId must be a MiniGrid id such as '${MINIGRID_ENV_IDS[0]}' (got envId=${JSON.stringify(args.envId)})`);
  return GymBridgeEnv.create({ ...args, family: 'minigrid' });
}
