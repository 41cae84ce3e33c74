import { describe, expect, it } from 'vitest';
import type { ObsArray, VecEnv, VecStepResult } from '../vecEnv.js';
import { Warehouse } from '../warehouse/warehouse.js';
import { FrameStack } from './frameStack.js';

/**
 * A scripted env: obs of env i is a [2, 2] uint8 block filled with its step counter + 10·i + 1 (never 0);
 * env i's episodes last 3 + i steps; the final obs is 200 + counter.
 */
class CounterEnv implements VecEnv {
  readonly observationSpace = { shape: [2, 2], dtype: 'uint8' as const };
  readonly actionSpace = { kind: 'discrete' as const, n: 2 };
  private t: number[] = [];
  constructor(readonly numEnvs: number) {}
  private frame(i: number, value: number, out: Uint8Array) {
    out.fill(value, i * 4, i * 4 + 4);
  }
  async reset(): Promise<ObsArray> {
    this.t = Array.from({ length: this.numEnvs }, () => 0);
    const obs = new Uint8Array(this.numEnvs * 4);
    for (let i = 0; i < this.numEnvs; i++) this.frame(i, 10 * i + 1, obs);
    return obs;
  }
  async step(): Promise<VecStepResult> {
    const P = this.numEnvs;
    const obs = new Uint8Array(P * 4);
    const terminated = new Uint8Array(P);
    const finalObs = new Map<number, ObsArray>();
    for (let i = 0; i < P; i++) {
      this.t[i]! += 1;
      if (this.t[i] === 3 + i) {
        finalObs.set(i, new Uint8Array(4).fill(200 + this.t[i]!));
        terminated[i] = 1;
        this.t[i] = 0;
      }
      this.frame(i, this.t[i]! + 10 * i + 1, obs);
    }
    return { obs, reward: new Float32Array(P), terminated, truncated: new Uint8Array(P), info: { episodes: [], finalObs } };
  }
  async close(): Promise<void> {}
}

/** First value of each [2,2] block of env i's stack. */
const blocks = (obs: ObsArray, i: number, k: number) => Array.from({ length: k }, (_, b) => obs[(i * k + b) * 4]!);

describe('FrameStack', () => {
  it('stacks newest first, zeroes older blocks at reset and after an episode end, keeps dtype and shape', async () => {
    const env = new FrameStack(new CounterEnv(2), { k: 3 });
    expect(env.observationSpace).toEqual({ shape: [3, 2, 2], dtype: 'uint8' });
    let obs = await env.reset();
    expect(obs).toBeInstanceOf(Uint8Array);
    expect(blocks(obs, 0, 3)).toEqual([1, 0, 0]);
    expect(blocks(obs, 1, 3)).toEqual([11, 0, 0]);
    let r = await env.step(new Int32Array(2));
    expect(blocks(r.obs, 0, 3)).toEqual([2, 1, 0]);
    r = await env.step(new Int32Array(2));
    expect(blocks(r.obs, 0, 3)).toEqual([3, 2, 1]);
    expect(blocks(r.obs, 1, 3)).toEqual([13, 12, 11]);
    r = await env.step(new Int32Array(2)); // env 0 ends (3 steps): final 203 stacked over [3, 2]
    expect(blocks(r.obs, 0, 3)).toEqual([1, 0, 0]);
    expect([...r.info.finalObs.get(0)!].filter((_, j) => j % 4 === 0)).toEqual([203, 3, 2]);
    expect(blocks(r.obs, 1, 3)).toEqual([14, 13, 12]);
    r = await env.step(new Int32Array(2)); // env 1 ends (4 steps)
    expect(blocks(r.obs, 0, 3)).toEqual([2, 1, 0]);
    expect(blocks(r.obs, 1, 3)).toEqual([11, 0, 0]);
    obs = r.obs;
    obs[0] = 99; // the returned stack is a copy: writing to it cannot corrupt the next step
    r = await env.step(new Int32Array(2));
    expect(blocks(r.obs, 0, 3)).toEqual([3, 2, 1]);
  });

  it("'oldest-first' puts the newest frame in the last block", async () => {
    const env = new FrameStack(new CounterEnv(1), { k: 3, order: 'oldest-first' });
    expect(blocks(await env.reset(), 0, 3)).toEqual([0, 0, 1]);
    let r = await env.step(new Int32Array(1));
    expect(blocks(r.obs, 0, 3)).toEqual([0, 1, 2]);
    r = await env.step(new Int32Array(1));
    r = await env.step(new Int32Array(1));
    expect([...r.info.finalObs.get(0)!].filter((_, j) => j % 4 === 0)).toEqual([2, 3, 203]);
    expect(blocks(r.obs, 0, 3)).toEqual([0, 0, 1]);
  });

  it('gives the Warehouse [P, k·73] observations whose block 0 is the unstacked observation', async () => {
    const P = 4;
    const k = 8;
    const plain = new Warehouse({ numEnvs: P });
    const stacked = new FrameStack(new Warehouse({ numEnvs: P }), { k });
    expect(stacked.observationSpace.shape).toEqual([8, 73]);
    const history: Float32Array[] = [await plain.reset(3)];
    let obs = await stacked.reset(3);
    for (let t = 0; t < 120; t++) {
      const actions = Int32Array.from({ length: P }, (_, i) => (t + i) % 4);
      const r1 = await plain.step(actions);
      const r2 = await stacked.step(actions);
      history.push(r1.obs as Float32Array);
      obs = r2.obs;
      const sinceStart = (t + 1) % 100; // all envs restart together at step 100
      for (let i = 0; i < P; i++) {
        for (let b = 0; b < k; b++) {
          const block = [...obs.subarray((i * k + b) * 73, (i * k + b + 1) * 73)];
          const expected = b <= sinceStart ? [...history[t + 1 - b]!.subarray(i * 73, (i + 1) * 73)] : new Array(73).fill(0);
          expect(block).toEqual(expected);
        }
      }
    }
  });

  it('rejects bad options and calls after close', async () => {
    expect(() => new FrameStack(new CounterEnv(1), { k: 0 })).toThrow('k must be a positive integer (got k=0)');
    const env = new FrameStack(new CounterEnv(1), { k: 2 });
    await expect(env.step(new Int32Array(1))).rejects.toThrow('FrameStack.step called before reset()');
    await env.reset();
    await env.close();
    await expect(env.step(new Int32Array(1))).rejects.toThrow('FrameStack is closed');
  });
});
