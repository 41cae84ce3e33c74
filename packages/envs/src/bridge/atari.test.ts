import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random32 } from '../random.js';
import type { VecEnv } from '../vecEnv.js';
import { makeAtariEnv } from './atari.js';
import { liveWorkerCount } from './workerProcess.js';

const FRAME = 84 * 84;
const P = 2;

function randomActions(rng: Random32, n: number): Int32Array {
  return Int32Array.from({ length: P }, () => rng.nextInt(n));
}

describe('Atari Breakout through the bridge', () => {
  let plain: VecEnv;
  let flickering: VecEnv;
  beforeAll(async () => {
    [plain, flickering] = await Promise.all([
      makeAtariEnv({ game: 'breakout', numEnvs: P, stack: 4, numThreads: 1, spinMicros: 50 }),
      makeAtariEnv({ game: 'ALE/Breakout-v5', numEnvs: P, stack: 4, flicker: 0.5, numThreads: 1 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), flickering?.close()]);
    expect(liveWorkerCount()).toBe(0);
  });

  it('observes [stack, 84, 84] uint8 frames, with and without flicker', async () => {
    for (const env of [plain, flickering]) {
      expect(env.observationSpace).toEqual({ shape: [4, 84, 84], dtype: 'uint8' });
      expect(env.actionSpace).toEqual({ kind: 'discrete', n: 4 });
      const obs = await env.reset(0);
      expect(obs).toBeInstanceOf(Uint8Array);
      expect(obs.length).toBe(P * 4 * FRAME);
      // The newest frame (last block) shows the walls; the blocks before the first frame are zeros.
      expect(obs.subarray(3 * FRAME, 4 * FRAME).some((v) => v > 0)).toBe(true);
      expect(obs.subarray(0, FRAME).every((v) => v === 0)).toBe(true);
    }
  });

  it('clips rewards to {−1, 0, 1} and reports whole games with the unclipped score', async () => {
    await plain.reset(1);
    const rng = new Random32(1);
    const sinceGame = Array.from({ length: P }, () => ({ ret: 0, len: 0 }));
    let lifeEnds = 0;
    const games: { return: number; length: number; gameScore: number }[] = [];
    for (let t = 0; t < 700; t++) {
      const r = await plain.step(randomActions(rng, 4));
      for (let i = 0; i < P; i++) {
        expect([-1, 0, 1]).toContain(r.reward[i]);
        sinceGame[i]!.ret += r.reward[i]!;
        sinceGame[i]!.len += 1;
        if (r.terminated[i]) lifeEnds++;
      }
      for (const e of r.info.episodes) {
        expect(e.return).toBe(sinceGame[e.env]!.ret);
        expect(e.length).toBe(sinceGame[e.env]!.len);
        games.push({ return: e.return, length: e.length, gameScore: e.gameScore! });
        sinceGame[e.env] = { ret: 0, len: 0 };
      }
    }
    expect(games.length).toBeGreaterThan(0);
    // Episodic life: each lost life terminates, but a game spans its 5 lives.
    expect(lifeEnds).toBeGreaterThanOrEqual(5 * games.length);
    for (const g of games) expect(g.gameScore).toBeGreaterThanOrEqual(g.return);
  });

  it('flickers the newest frame at rate ≈ p and never a reset frame', async () => {
    await flickering.reset(2);
    const rng = new Random32(2);
    let zeroed = 0;
    let steps = 0;
    for (let t = 0; t < 400; t++) {
      const r = await flickering.step(randomActions(rng, 4));
      for (let i = 0; i < P; i++) {
        const newest = r.obs.subarray((i * 4 + 3) * FRAME, (i * 4 + 4) * FRAME);
        const blank = newest.every((v) => v === 0);
        if (r.terminated[i] || r.truncated[i]) {
          expect(blank).toBe(false);
        } else {
          steps++;
          if (blank) zeroed++;
        }
      }
    }
    // p = 0.5 over ~800 draws: standard deviation ≈ 0.018.
    expect(Math.abs(zeroed / steps - 0.5)).toBeLessThan(0.07);
  });

  it('replays the same frames for the same seed', async () => {
    const first = Uint8Array.from(await plain.reset(5));
    const actions = Int32Array.from({ length: P }, (_, i) => 1 + i);
    let a = (await plain.step(actions)).obs;
    for (let t = 0; t < 10; t++) a = (await plain.step(actions)).obs;
    expect(Array.from(await plain.reset(5))).toEqual(Array.from(first));
    let b = (await plain.step(actions)).obs;
    for (let t = 0; t < 10; t++) b = (await plain.step(actions)).obs;
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('names an unknown game in one line with the fix', async () => {
    await expect(makeAtariEnv({ game: 'no_such_game', numEnvs: 1 })).rejects.toThrow(
      /^no_such_game worker: unknown Atari game 'no_such_game': use a ROM name such as 'breakout', 'pong' or 'ALE\/Breakout-v5'$/,
    );
    await expect(makeAtariEnv({ game: 'breakout', numEnvs: 1, stack: 0 })).rejects.toThrow('stack must be a positive integer (got stack=0)');
  });
});
