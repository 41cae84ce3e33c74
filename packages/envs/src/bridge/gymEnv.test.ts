import { afterAll, describe, expect, it } from 'vitest';
import { makeGymEnv } from './gymEnv.js';
import { describeGymEnvs, parseGymEnvDescriptions } from './gymRegistry.js';
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
    expect(found['MiniGrid-MemoryS7-v0']!.observationSpace).toMatchObject({ kind: 'image', shape: [7, 7, 3], dtype: 'uint8', source: { key: 'image' }, flattened: false });
    expect(await describeGymEnvs([])).toEqual({});
  });

  it('describes Discrete and Tuple observations as the float32 vectors gymnasium flattens them to', async () => {
    const found = await describeGymEnvs(['FrozenLake-v1', 'Blackjack-v1']);
    expect(found['FrozenLake-v1']).toEqual({
      envId: 'FrozenLake-v1',
      registered: true,
      suggestions: [],
      problem: null,
      actionSpace: { kind: 'discrete', n: 4, start: 0 },
      observationSpace: {
        kind: 'vector',
        shape: [16],
        dtype: 'float32',
        source: { text: 'Discrete(16)', shape: [], dtype: 'int64', key: null },
        flattened: true,
        low: 0,
        high: 1,
      },
    });
    expect(found['Blackjack-v1']!.problem).toBeNull();
    expect(found['Blackjack-v1']!.observationSpace).toMatchObject({
      kind: 'vector',
      shape: [45],
      source: { text: 'Tuple(Discrete(32), Discrete(11), Discrete(2))', shape: null, dtype: null },
      flattened: true,
    });
  });

  it('refuses a malformed describe answer, naming the entry and the field', () => {
    const lake = {
      envId: 'FrozenLake-v1',
      registered: true,
      suggestions: [],
      problem: null,
      actionSpace: { kind: 'discrete', n: 4, start: 0 },
      observationSpace: { kind: 'vector', shape: [16], dtype: 'float32', source: { text: 'Discrete(16)', shape: [], dtype: 'int64', key: null }, flattened: true, low: 0, high: 1 },
    };
    const parse = (entry: unknown) => () => parseGymEnvDescriptions([entry], ['FrozenLake-v1'], 'w');
    expect(parse(lake)()).toEqual({ 'FrozenLake-v1': lake });
    const malformed = (what: string) => `w: malformed 'describe' reply: ${what}`;
    expect(() => parseGymEnvDescriptions({}, ['FrozenLake-v1'], 'w')).toThrow(malformed('expected envs, a list of 1 entries (got {})'));
    expect(parse({ ...lake, envId: 'Taxi-v3' })).toThrow(malformed("entry 0 is not the description of 'FrozenLake-v1'"));
    expect(parse({ ...lake, problem: 3 })).toThrow(malformed("'FrozenLake-v1' lacks registered, suggestions or problem"));
    expect(parse({ ...lake, actionSpace: { kind: 'discrete', n: 0, start: 0 } })).toThrow(
      malformed("'FrozenLake-v1' actionSpace is neither 'unsupported' nor 'discrete' with an integer n >= 1 and start"),
    );
    const observation = (change: Record<string, unknown>) => parse({ ...lake, observationSpace: { ...lake.observationSpace, ...change } });
    expect(observation({ kind: 'onehot' })).toThrow(malformed(`'FrozenLake-v1' observationSpace has kind "onehot", not one of image, nature, vector or unsupported`));
    expect(observation({ shape: [0] })).toThrow(malformed("'FrozenLake-v1' observationSpace has no shape of positive sizes"));
    expect(observation({ dtype: 'int64' })).toThrow(malformed(`'FrozenLake-v1' observationSpace has dtype "int64", not uint8 or float32`));
    expect(observation({ source: { shape: [], dtype: 'int64', key: null } })).toThrow(malformed("'FrozenLake-v1' observationSpace has no source { text, shape, dtype, key }"));
    expect(observation({ flattened: undefined })).toThrow(malformed("'FrozenLake-v1' observationSpace has no flattened flag (true only for a vector)"));
    expect(observation({ kind: 'image', shape: [7, 7, 3], dtype: 'uint8' })).toThrow(malformed("'FrozenLake-v1' observationSpace has no flattened flag (true only for a vector)"));
    expect(observation({ high: 'Infinity' })).toThrow(malformed("'FrozenLake-v1' observationSpace has a low or high that is neither a number nor null"));
    expect(parse({ ...lake, observationSpace: { kind: 'unsupported', text: 'Text(1, 4, charset=ab)' } })()['FrozenLake-v1']!.observationSpace).toEqual({
      kind: 'unsupported',
      text: 'Text(1, 4, charset=ab)',
    });
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

  it('steps FrozenLake-v1 with float32 [P, 16] one-hot states (gymnasium flattens its Discrete(16))', async () => {
    const env = await makeGymEnv({ envId: 'FrozenLake-v1', numEnvs: 3 });
    try {
      expect(env.observationSpace).toEqual({ shape: [16], dtype: 'float32' });
      expect(env.actionSpace).toEqual({ kind: 'discrete', n: 4 });
      const oneHotRows = (obs: Float32Array) =>
        Array.from({ length: 3 }, (_, row) => {
          const values = Array.from(obs.subarray(row * 16, (row + 1) * 16));
          return values.filter((v) => v === 1).length === 1 && values.filter((v) => v === 0).length === 15;
        });
      const start = await env.reset(0);
      expect(start).toBeInstanceOf(Float32Array);
      expect(start.length).toBe(3 * 16);
      expect(oneHotRows(start as Float32Array)).toEqual([true, true, true]);
      // Every episode starts on the lake's top-left tile, state 0.
      expect([0, 1, 2].map((row) => start[row * 16])).toEqual([1, 1, 1]);
      for (let t = 0; t < 5; t++) {
        const { obs, info } = await env.step(new Int32Array([1, 2, 2])); // down, right, right
        expect(oneHotRows(obs as Float32Array)).toEqual([true, true, true]);
        for (const e of info.episodes) expect(info.finalObs.get(e.env)!.reduce((a, b) => a + b, 0)).toBe(1);
      }
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
