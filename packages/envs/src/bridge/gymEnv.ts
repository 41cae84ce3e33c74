import { GymBridgeEnv, type BridgeOptions } from './gymBridgeEnv.js';

/** Settings of `makeGymEnv`. */
export interface GymEnvArgs extends BridgeOptions {
  /** Any registered gymnasium id the bridge can host, e.g. `CartPole-v1` (check first with `describeGymEnvs`). */
  envId: string;
  /** Number of envs P in the batch. */
  numEnvs: number;
}

/**
 * P envs of any gymnasium id with `Discrete` actions and an observation an encoder reads, in one Python worker
 * (the envs README, "Any gymnasium env"). The worker runs the registry check first and refuses an id it cannot
 * host (unknown, with close matches; continuous actions; an unsupported observation) with that one line.
 * Observations: float32 `[P, D]` for a vector env (a flat Box, or gymnasium's `spaces.flatten` of a `Discrete`,
 * `MultiDiscrete`, `MultiBinary`, `Tuple` or `Dict` observation: FrozenLake-v1's state one-hot in 16, Blackjack-v1's
 * hand in 45), uint8 `[P, H, W, C]` for a small image (MiniGrid's
 * codes), uint8 `[P, 1, 84, 84]` grayscale for a larger picture. Env i of a batch reset with `seed` gets
 * `seed + i`; episodes end on the env's own `terminated`/`truncated`, with same-step autoreset.
 *
 * ```ts
 * const env = await makeGymEnv({ envId: 'CartPole-v1', numEnvs: 8 });
 * const obs = await env.reset(0);                         // Float32Array [8 * 4]
 * const { reward, info } = await env.step(new Int32Array(8).fill(1));
 * await env.close();
 * ```
 */
export async function makeGymEnv(args: GymEnvArgs): Promise<GymBridgeEnv> {
  if (typeof args.envId !== 'string' || args.envId.length === 0)
    throw new Error(`envId must be a registered gymnasium id such as 'CartPole-v1' (got envId=${JSON.stringify(args.envId)})`);
  return GymBridgeEnv.create({ ...args, family: 'gym' });
}
