import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GymBridgeEnv } from './gymBridgeEnv.js';
import { makeMiniGridEnv } from './miniGrid.js';
import { BridgeError, liveWorkerCount } from './workerProcess.js';

const OBS = 7 * 7 * 3;
const row = (obs: Uint8Array, i: number) => Array.from(obs.subarray(i * OBS, (i + 1) * OBS));

describe('MiniGrid through the bridge', () => {
  let empty: GymBridgeEnv;
  let doorKey: GymBridgeEnv;
  beforeAll(async () => {
    [empty, doorKey] = await Promise.all([
      makeMiniGridEnv({ envId: 'MiniGrid-Empty-5x5-v0', numEnvs: 2 }),
      makeMiniGridEnv({ envId: 'MiniGrid-DoorKey-5x5-v0', numEnvs: 2 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([empty?.close(), doorKey?.close()]);
    expect(liveWorkerCount()).toBe(0);
  });

  it('observes 7×7×3 uint8 codes and has 7 actions', async () => {
    expect(empty.observationSpace).toEqual({ shape: [7, 7, 3], dtype: 'uint8' });
    expect(empty.actionSpace).toEqual({ kind: 'discrete', n: 7 });
    const obs = await empty.reset(0);
    expect(obs).toBeInstanceOf(Uint8Array);
    expect(obs.length).toBe(2 * OBS);
    // Codes: object index ≤ 10, colour ≤ 5, state ≤ 2; the wall (2) and empty cell (1) appear in view.
    expect(Math.max(...obs)).toBeLessThanOrEqual(10);
    expect(new Set(obs).has(2)).toBe(true);
  });

  it('reaches the goal on Empty-5x5 with reward 1 − 0.9·steps/max_steps, then autoresets', async () => {
    const first = await empty.reset(0);
    // The agent starts at (1,1) facing east; the goal is at (3,3): forward, forward, turn right, forward, forward.
    const script = [2, 2, 1, 2, 2];
    let last = await empty.step(new Int32Array([script[0]!, script[0]!]));
    for (const a of script.slice(1)) {
      expect(Array.from(last.reward)).toEqual([0, 0]);
      expect(Array.from(last.terminated)).toEqual([0, 0]);
      last = await empty.step(new Int32Array([a, a]));
    }
    const expected = 1 - (0.9 * script.length) / 100; // max_steps = 4·5² = 100
    expect(last.reward[0]).toBeCloseTo(expected, 6);
    expect(last.reward[1]).toBeCloseTo(expected, 6);
    expect(Array.from(last.terminated)).toEqual([1, 1]);
    expect(Array.from(last.truncated)).toEqual([0, 0]);
    expect(last.info.episodes.map((e) => [e.env, e.length])).toEqual([
      [0, 5],
      [1, 5],
    ]);
    expect(last.info.episodes[0]!.return).toBeCloseTo(expected, 6);
    // Same-step autoreset: the returned obs already starts the next episode (Empty-5x5 always starts alike),
    // while the final obs (agent on the goal, facing south) is a different view.
    expect(row(last.obs as Uint8Array, 0)).toEqual(row(first as Uint8Array, 0));
    const final = last.info.finalObs.get(0)!;
    expect(final.length).toBe(OBS);
    expect(Array.from(final)).not.toEqual(row(first as Uint8Array, 0));
    const next = await empty.step(new Int32Array([0, 0]));
    expect(next.info.episodes).toEqual([]);
    expect(next.info.finalObs.size).toBe(0);
  });

  it('gives env i the seed seed + i and replays layouts for a seed', async () => {
    const a = (await doorKey.reset(3)) as Uint8Array;
    const rowsA = [row(a, 0), row(a, 1)];
    for (let t = 0; t < 5; t++) await doorKey.step(new Int32Array([t % 3, (t + 1) % 3]));
    const b = (await doorKey.reset(3)) as Uint8Array;
    expect([row(b, 0), row(b, 1)]).toEqual(rowsA);
    const c = (await doorKey.reset(4)) as Uint8Array;
    expect(row(c, 0)).toEqual(rowsA[1]);
    // Different seeds give different layouts somewhere in the first few seeds.
    const views = new Set<string>();
    for (const seed of [10, 20, 30]) views.add(row((await doorKey.reset(seed)) as Uint8Array, 0).join());
    expect(views.size).toBeGreaterThan(1);
  });

  it('renders env i as RGB, tileSize pixels per cell, and follows the agent', async () => {
    await empty.reset(0);
    const before = await empty.render(0, 16);
    // Empty-5x5 is a 5×5 grid (walls included): 80×80 pixels at 16 per cell.
    expect([before.height, before.width, before.rgb.length]).toEqual([80, 80, 80 * 80 * 3]);
    expect((await empty.render(1, 8)).width).toBe(40);
    await empty.step(new Int32Array([2, 2])); // forward: the agent moves one cell east
    expect(Array.from((await empty.render(0, 16)).rgb)).not.toEqual(Array.from(before.rgb));
    await expect(empty.render(2)).rejects.toThrow('render env must be an integer in 0..1 (got env=2)');
    await expect(empty.render(0, 2)).rejects.toThrow('render tileSize must be an integer in 4..128 (got 2)');
  });

  it('rejects bad actions before they reach the worker', async () => {
    await empty.ping();
    await empty.reset(0);
    await expect(empty.step(new Int32Array([0]))).rejects.toThrow('actions must have length numEnvs=2 (got 1)');
    await expect(empty.step(new Int32Array([0, 7]))).rejects.toThrow('each action must be in 0..6 (got 7)');
  });

  it('names an unknown env id in one line with the fix', async () => {
    const err = await makeMiniGridEnv({ envId: 'MiniGrid-DoorKey-5x5-v9', numEnvs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).kind).toBe('rejected');
    expect((err as BridgeError).message).toMatch(
      /^MiniGrid-DoorKey-5x5-v9 worker: unknown MiniGrid env id 'MiniGrid-DoorKey-5x5-v9': use a registered id such as 'MiniGrid-DoorKey-5x5-v0' \(\d+ registered\)$/,
    );
    await expect(makeMiniGridEnv({ envId: 'Breakout', numEnvs: 1 })).rejects.toThrow(
      `envId must be a MiniGrid id such as 'MiniGrid-Empty-5x5-v0' (got envId="Breakout")`,
    );
    await expect(makeMiniGridEnv({ envId: 'MiniGrid-Empty-5x5-v0', numEnvs: 1, spinMicros: 0.5 })).rejects.toThrow(
      'spinMicros must be an integer in 0..100000 (got spinMicros=0.5)',
    );
  });
});
