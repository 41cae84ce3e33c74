import { describe, expect, it } from 'vitest';
import type { ObsArray, VecEnv, VecStepResult } from '../vecEnv.js';
import { FlickerWrapper } from './flicker.js';

const P = 4;
const F = 6;

/** A fake single-frame env: frames are never zero; env i ends every (i + 2) steps. */
class Countdown implements VecEnv {
  readonly numEnvs = P;
  readonly observationSpace = { shape: [F], dtype: 'uint8' as const };
  readonly actionSpace = { kind: 'discrete' as const, n: 2 };
  t = 0;
  closed = false;
  async reset(): Promise<ObsArray> {
    this.t = 0;
    return new Uint8Array(P * F).fill(9);
  }
  async step(): Promise<VecStepResult> {
    this.t++;
    const terminated = Uint8Array.from({ length: P }, (_, i) => (this.t % (i + 2) === 0 ? 1 : 0));
    const finalObs = new Map<number, ObsArray>();
    terminated.forEach((d, i) => d && finalObs.set(i, new Uint8Array(F).fill(7)));
    return {
      obs: new Uint8Array(P * F).fill(1 + (this.t % 200)),
      reward: new Float32Array(P).fill(0.5),
      terminated,
      truncated: new Uint8Array(P),
      info: { episodes: [], finalObs },
    };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const blank = (obs: ObsArray, i: number) => obs.subarray(i * F, (i + 1) * F).every((v) => v === 0);

async function pattern(env: FlickerWrapper, steps: number): Promise<string> {
  let bits = '';
  for (let t = 0; t < steps; t++) {
    const r = await env.step(new Int32Array(P));
    for (let i = 0; i < P; i++) bits += blank(r.obs, i) ? '1' : '0';
  }
  return bits;
}

describe('FlickerWrapper', () => {
  it('zeroes the newest frame with probability p, never a reset frame, and leaves rewards and dones alone', async () => {
    const env = new FlickerWrapper(new Countdown(), { p: 0.3, seed: 1 });
    const first = await env.reset(11);
    expect(first.every((v) => v === 9)).toBe(true);
    let live = 0;
    let zeroed = 0;
    let ends = 0;
    let finalZeroed = 0;
    for (let t = 0; t < 3000; t++) {
      const r = await env.step(new Int32Array(P));
      expect(Array.from(r.reward)).toEqual([0.5, 0.5, 0.5, 0.5]);
      for (let i = 0; i < P; i++) {
        const z = blank(r.obs, i);
        if (r.terminated[i]) {
          expect(z).toBe(false);
          ends++;
          if (r.info.finalObs.get(i)!.every((v) => v === 0)) finalZeroed++;
        } else {
          live++;
          if (z) zeroed++;
          else expect(r.obs[i * F]).toBe(1 + ((t + 1) % 200));
        }
      }
    }
    expect(Math.abs(zeroed / live - 0.3)).toBeLessThan(0.02);
    // An ended env's own last frame flickers like any other step's frame.
    expect(Math.abs(finalZeroed / ends - 0.3)).toBeLessThan(0.04);
  });

  it('replays the same pattern for the same seed and reseeds on reset(seed)', async () => {
    const a = new FlickerWrapper(new Countdown(), { seed: 3 });
    const b = new FlickerWrapper(new Countdown(), { seed: 3 });
    await Promise.all([a.reset(), b.reset()]);
    const pa = await pattern(a, 50);
    expect(await pattern(b, 50)).toBe(pa);
    await a.reset(5);
    const p5 = await pattern(a, 50);
    await a.reset(5);
    expect(await pattern(a, 50)).toBe(p5);
    expect(p5).not.toBe(pa);
  });

  it('never flickers with p = 0 and always with p = 1', async () => {
    const never = new FlickerWrapper(new Countdown(), { p: 0 });
    const always = new FlickerWrapper(new Countdown(), { p: 1 });
    await never.reset();
    await always.reset();
    expect(await pattern(never, 20)).not.toContain('1');
    const bits = await pattern(always, 1);
    expect(bits).toBe('1111');
  });

  it('validates p and refuses calls after close', async () => {
    expect(() => new FlickerWrapper(new Countdown(), { p: 1.5 })).toThrow('flicker p must be in [0, 1] (got p=1.5)');
    expect(() => new FlickerWrapper(new Countdown(), { seed: 0.5 })).toThrow('flicker seed must be an integer (got seed=0.5)');
    const inner = new Countdown();
    const env = new FlickerWrapper(inner);
    await env.close();
    expect(inner.closed).toBe(true);
    await expect(env.step(new Int32Array(P))).rejects.toThrow('FlickerWrapper: step() on a closed env; create a new one');
  });
});
