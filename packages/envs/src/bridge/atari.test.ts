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

  it('flickers the newest frame at rate ≈ p before stacking, never a reset frame, and stacks like ALE', async () => {
    // The same games with and without flicker: every frame of a flickered stack is the unflickered one or
    // zeros, and the zeroed frames move through the stack as ALE's frames do, also across lost lives.
    await Promise.all([plain.reset(2), flickering.reset(2)]);
    const rng = new Random32(2);
    const zeroedSlots = Array.from({ length: P }, () => [false, false, false, false]);
    let zeroed = 0;
    let draws = 0;
    let lifeLosses = 0;
    const sameStack = (flick: Uint8Array, base: Uint8Array, slots: boolean[]) =>
      slots.every((z, j) => {
        const f = flick.subarray(j * FRAME, (j + 1) * FRAME);
        return z ? f.every((v) => v === 0) : Buffer.from(f).equals(Buffer.from(base.subarray(j * FRAME, (j + 1) * FRAME)));
      });
    for (let t = 0; t < 600; t++) {
      const actions = randomActions(rng, 4);
      const [a, b] = await Promise.all([plain.step(actions), flickering.step(actions)]);
      expect(Array.from(b.reward)).toEqual(Array.from(a.reward));
      expect(Array.from(b.terminated)).toEqual(Array.from(a.terminated));
      for (let i = 0; i < P; i++) {
        const stack = b.obs.subarray(i * 4 * FRAME, (i + 1) * 4 * FRAME);
        const newestBlank = stack.subarray(3 * FRAME).every((v) => v === 0);
        const slots = zeroedSlots[i]!;
        if (a.terminated[i] || a.truncated[i]) {
          const final = b.info.finalObs.get(i)!;
          const finalBlank = final.subarray(3 * FRAME).every((v) => v === 0);
          draws++;
          if (finalBlank) zeroed++;
          expect(sameStack(final, a.info.finalObs.get(i)!, [...slots.slice(1), finalBlank])).toBe(true);
          // The returned frame starts the next episode: never zeroed.
          expect(newestBlank).toBe(false);
          const gameOver = a.info.episodes.some((e) => e.env === i);
          if (!gameOver) lifeLosses++;
          zeroedSlots[i] = gameOver ? [false, false, false, false] : [...slots.slice(1), false];
        } else {
          draws++;
          if (newestBlank) zeroed++;
          zeroedSlots[i] = [...slots.slice(1), newestBlank];
        }
        expect(sameStack(stack, a.obs.subarray(i * 4 * FRAME, (i + 1) * 4 * FRAME), zeroedSlots[i]!)).toBe(true);
      }
    }
    expect(lifeLosses).toBeGreaterThan(2);
    // p = 0.5 over 1200 draws: standard deviation ≈ 0.014.
    expect(Math.abs(zeroed / draws - 0.5)).toBeLessThan(0.06);
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
