import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random32 } from '../random.js';
import { GymBridgeEnv } from './gymBridgeEnv.js';

const P = 2;
const STACK = 4 * 84 * 84;

/** Index of the first differing byte (-1: equal), compared natively: toEqual on 56 KiB arrays takes seconds. */
function firstDifference(a: Uint8Array | Float32Array | undefined, b: Uint8Array | Float32Array | undefined): number {
  if (!a || !b) return 0;
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (x.equals(y)) return -1;
  let i = 0;
  while (i < Math.min(x.length, y.length) && x[i] === y[i]) i++;
  return i;
}

describe("stacks rebuilt from the worker's newest frames", () => {
  let full: GymBridgeEnv;
  let newest: GymBridgeEnv;
  beforeAll(async () => {
    const args = { family: 'atari', envId: 'breakout', numEnvs: P, options: { stack: 4, numThreads: 1 } } as const;
    [full, newest] = await Promise.all([GymBridgeEnv.create({ ...args, frames: 'full' }), GymBridgeEnv.create(args)]);
  });
  afterAll(async () => {
    await Promise.all([full?.close(), newest?.close()]);
  });

  it("equal ALE's own stacks, across lost lives and game overs", async () => {
    expect(firstDifference(await newest.reset(7), await full.reset(7))).toBe(-1);
    const rng = new Random32(7);
    let lifeLosses = 0;
    let gameOvers = 0;
    for (let t = 0; t < 900; t++) {
      const actions = Int32Array.from({ length: P }, () => rng.nextInt(4));
      const [a, b] = await Promise.all([full.step(actions), newest.step(actions)]);
      expect(firstDifference(b.obs, a.obs)).toBe(-1);
      expect([...b.info.finalObs.keys()]).toEqual([...a.info.finalObs.keys()]);
      for (const [env, final] of a.info.finalObs) {
        expect(firstDifference(b.info.finalObs.get(env), final)).toBe(-1);
        const gameOver = a.info.episodes.some((e) => e.env === env);
        if (gameOver) {
          gameOvers++;
        } else {
          // A lost life resets nothing: the episode's last observation is the one returned.
          lifeLosses++;
          expect(firstDifference(final, a.obs.subarray(env * STACK, (env + 1) * STACK))).toBe(-1);
        }
      }
    }
    expect(lifeLosses).toBeGreaterThan(4);
    expect(gameOvers).toBeGreaterThan(0);
  });

  it('refuses a bad frames setting, and flicker on whole stacks', async () => {
    await expect(
      GymBridgeEnv.create({ family: 'atari', envId: 'breakout', numEnvs: 1, frames: 'all' as 'full' }),
    ).rejects.toThrow(`frames must be 'newest' or 'full' (got frames="all")`);
    await expect(
      GymBridgeEnv.create({ family: 'atari', envId: 'breakout', numEnvs: 1, frames: 'full', flicker: { p: 0.5 } }),
    ).rejects.toThrow(`flicker must act before stacking: use frames 'newest' with flicker (got frames="full")`);
  });
});
