import { afterAll, describe, expect, it } from 'vitest';
import { makeGymEnv } from './gymEnv.js';
import { describeGymEnvs } from './gymRegistry.js';
import { makeMiniGridEnv } from './miniGrid.js';
import { BridgeError, liveWorkerCount } from './workerProcess.js';

describe('the registry check (describeGymEnvs)', () => {
  afterAll(() => expect(liveWorkerCount()).toBe(0));

  it('answers for every id in one worker call: spaces, or the problem with the fix', async () => {
    const found = await describeGymEnvs(['CartPole-v1', 'CartPole-v9', 'Pendulum-v1', 'MiniGrid-MemoryS7-v0', 'CartPole-v1']);
    expect(Object.keys(found)).toEqual(['CartPole-v1', 'CartPole-v9', 'Pendulum-v1', 'MiniGrid-MemoryS7-v0']);
    const cart = found['CartPole-v1']!;
    expect(cart.problem).toBeNull();
    expect(cart.actionSpace).toEqual({ kind: 'discrete', n: 2, start: 0 });
    expect(cart.observationSpace).toMatchObject({ kind: 'vector', shape: [4], dtype: 'float32', low: null, high: null });
    const unknown = found['CartPole-v9']!;
    expect(unknown.registered).toBe(false);
    expect(unknown.suggestions.slice(0, 2)).toEqual(['CartPole-v1', 'CartPole-v0']);
    expect(unknown.problem).toMatch(/^unknown gymnasium env id 'CartPole-v9' \(\d+ registered\): did you mean 'CartPole-v1', 'CartPole-v0'/);
    expect(found['Pendulum-v1']!.problem).toBe(
      "'Pendulum-v1' has action space Box(-2.0, 2.0, (1,), float32): the bridge hosts Discrete action spaces only " +
        "(e.g. CartPole-v1's Discrete(2)); pick an env with discrete actions",
    );
    expect(found['MiniGrid-MemoryS7-v0']!.observationSpace).toMatchObject({ kind: 'image', shape: [7, 7, 3], dtype: 'uint8', source: { key: 'image' } });
    expect(await describeGymEnvs([])).toEqual({});
  });

  it('names a missing interpreter and the fix', async () => {
    await expect(describeGymEnvs(['CartPole-v1'], { python: '/nonexistent/python' })).rejects.toThrow(
      "no Python interpreter at /nonexistent/python: run 'npm run setup' (or set MEMPO_PYTHON)",
    );
  });
});

describe('any gymnasium env through the bridge', () => {
  afterAll(() => expect(liveWorkerCount()).toBe(0));

  it('steps CartPole-v1 with float32 [P, 4] observations, reward 1 per step and same-step autoreset', async () => {
    const env = await makeGymEnv({ envId: 'CartPole-v1', numEnvs: 3 });
    try {
      expect(env.observationSpace).toEqual({ shape: [4], dtype: 'float32' });
      expect(env.actionSpace).toEqual({ kind: 'discrete', n: 2 });
      const obs = await env.reset(0);
      expect(obs).toBeInstanceOf(Float32Array);
      expect(obs.length).toBe(3 * 4);
      // Gymnasium starts each state uniformly in ±0.05.
      expect(Math.max(...Array.from(obs, Math.abs))).toBeLessThanOrEqual(0.05);
      const ended = new Set<number>();
      for (let t = 0; t < 60; t++) {
        // Always pushing left topples the pole within a few dozen steps.
        const { obs: next, reward, info } = await env.step(new Int32Array(3));
        expect(next).toBeInstanceOf(Float32Array);
        expect(Array.from(reward)).toEqual([1, 1, 1]);
        for (const e of info.episodes) {
          ended.add(e.env);
          expect(e.return).toBe(e.length);
          expect(info.finalObs.get(e.env)).toBeInstanceOf(Float32Array);
          expect(info.finalObs.get(e.env)!.length).toBe(4);
        }
      }
      expect([...ended].sort()).toEqual([0, 1, 2]);
    } finally {
      await env.close();
    }
  });

  it('steps an unlisted MiniGrid id (MemoryS7) with uint8 [P, 7, 7, 3] codes, through both families', async () => {
    const [grid, gym] = await Promise.all([
      makeMiniGridEnv({ envId: 'MiniGrid-MemoryS7-v0', numEnvs: 2 }),
      makeGymEnv({ envId: 'MiniGrid-MemoryS7-v0', numEnvs: 2 }),
    ]);
    try {
      for (const env of [grid, gym]) {
        expect(env.observationSpace).toEqual({ shape: [7, 7, 3], dtype: 'uint8' });
        expect(env.actionSpace.n).toBe(7);
      }
      const [a, b] = [await grid.reset(5), await gym.reset(5)];
      expect(a).toBeInstanceOf(Uint8Array);
      expect(Array.from(b)).toEqual(Array.from(a));
      const step = await grid.step(new Int32Array([2, 1]));
      expect(step.obs.length).toBe(2 * 7 * 7 * 3);
    } finally {
      await Promise.all([grid.close(), gym.close()]);
    }
  });

  it('sends a larger picture (ALE/Breakout-v5, 210×160×3 RGB) as grayscale uint8 [P, 1, 84, 84]', async () => {
    const env = await makeGymEnv({ envId: 'ALE/Breakout-v5', numEnvs: 2 });
    try {
      expect(env.observationSpace).toEqual({ shape: [1, 84, 84], dtype: 'uint8' });
      expect(env.actionSpace.n).toBe(4);
      const obs = await env.reset(0);
      expect(obs).toBeInstanceOf(Uint8Array);
      expect(obs.length).toBe(2 * 84 * 84);
      // Breakout's walls and bricks are drawn from the first frame: the picture is not blank.
      expect(new Set(obs.subarray(0, 84 * 84)).size).toBeGreaterThan(2);
      const step = await env.step(new Int32Array([1, 1]));
      expect(step.obs.length).toBe(2 * 84 * 84);
    } finally {
      await env.close();
    }
  });

  it('refuses an unknown id and continuous actions when the env is made', async () => {
    const unknown = await makeGymEnv({ envId: 'CartPol-v1', numEnvs: 1 }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(BridgeError);
    expect((unknown as BridgeError).details.remoteKind).toBe('unknown_env');
    expect((unknown as BridgeError).message).toMatch(/^CartPol-v1 worker: unknown gymnasium env id 'CartPol-v1' \(\d+ registered\): did you mean 'CartPole-v1'/);
    await expect(makeGymEnv({ envId: 'Pendulum-v1', numEnvs: 1 })).rejects.toThrow(
      "Pendulum-v1 worker: 'Pendulum-v1' has action space Box(-2.0, 2.0, (1,), float32): the bridge hosts Discrete action spaces only",
    );
    await expect(makeGymEnv({ envId: '', numEnvs: 1 })).rejects.toThrow(`envId must be a registered gymnasium id such as 'CartPole-v1' (got envId="")`);
    await expect(makeGymEnv({ envId: 'CartPole-v1', numEnvs: 1, flicker: { p: 0.5 } })).rejects.toThrow(
      "flicker blanks image frames: 'CartPole-v1' observes float32 vectors; remove flicker",
    );
  });
});
