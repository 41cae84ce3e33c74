import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeAtariEnv } from '../bridge/atari.js';
import { liveWorkerCount } from '../bridge/workerProcess.js';
import { Random32 } from '../random.js';
import type { VecEnv, VecStepResult } from '../vecEnv.js';
import { createAtariEnv, defaultAtariBackend } from './atariBackend.js';
import { NativeAtariEnv } from './nativeAtariEnv.js';

const P = 2;

function actionsOf(rng: Random32, n: number): Int32Array {
  return Int32Array.from({ length: P }, () => rng.nextInt(n));
}

/** Everything a step returns, as comparable plain values. */
function plain(r: VecStepResult): unknown {
  return {
    obs: Buffer.from(r.obs.buffer, r.obs.byteOffset, r.obs.byteLength).toString('base64'),
    reward: Array.from(r.reward),
    terminated: Array.from(r.terminated),
    truncated: Array.from(r.truncated),
    episodes: r.info.episodes,
    finalObs: [...r.info.finalObs].map(([env, o]) => [env, Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('base64')]),
  };
}

describe('NativeAtariEnv', () => {
  const open: VecEnv[] = [];
  afterAll(async () => {
    await Promise.all(open.map((e) => e.close()));
    expect(liveWorkerCount()).toBe(0);
  });

  it('is the default backend once the addon is built', () => {
    expect(defaultAtariBackend()).toBe('native');
  });

  it('returns what the bridge returns, step for step, with flicker and 4-frame stacks across lost lives and games', async () => {
    const args = { game: 'breakout', numEnvs: P, stack: 4, flicker: 0.5, numThreads: 1 };
    const bridge = await makeAtariEnv(args);
    const native = await createAtariEnv({ ...args, backend: 'native' });
    open.push(bridge, native);
    expect(native).toBeInstanceOf(NativeAtariEnv);
    expect(native.observationSpace).toEqual(bridge.observationSpace);
    expect(native.actionSpace).toEqual(bridge.actionSpace);
    // Breakout's minimal action set, as ALE's Action ids: NOOP, FIRE, RIGHT, LEFT.
    expect((native as NativeAtariEnv).aleActions).toEqual([0, 1, 3, 4]);
    expect(Array.from(await native.reset(4))).toEqual(Array.from(await bridge.reset(4)));
    const rng = new Random32(4);
    let lifeLosses = 0;
    let games = 0;
    for (let t = 0; t < 1500; t++) {
      const actions = actionsOf(rng, 4);
      const [a, b] = await Promise.all([bridge.step(actions), native.step(actions)]);
      expect(plain(b)).toEqual(plain(a));
      lifeLosses += a.terminated.reduce((s, v) => s + v, 0) - a.info.episodes.length;
      games += a.info.episodes.length;
    }
    expect(lifeLosses).toBeGreaterThan(5);
    expect(games).toBeGreaterThan(1);
  });

  it('resumes mid-episode bit-identically from its JSON state (sticky actions, flicker, unclipped scores)', async () => {
    const args = { game: 'pong', numEnvs: P, stack: 4, flicker: 0.5, repeatActionProbability: 0.25 };
    const a = new NativeAtariEnv(args);
    open.push(a);
    await a.reset(9);
    const rng = new Random32(9);
    for (let t = 0; t < 300; t++) await a.step(actionsOf(rng, 6));
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const b = new NativeAtariEnv(args);
    open.push(b);
    await b.setState(saved);
    let points = 0;
    for (let t = 0; t < 700; t++) {
      const actions = actionsOf(rng, 6);
      const x = await a.step(actions);
      expect(plain(await b.step(actions))).toEqual(plain(x));
      points += x.reward.reduce((s, v) => s + Math.abs(v), 0);
    }
    expect(points).toBeGreaterThan(5);
    expect(b.getState()).toEqual(a.getState());
  });

  it('rejects a state saved with other args, or a damaged one, and changes nothing', async () => {
    const env = new NativeAtariEnv({ game: 'breakout', numEnvs: P, stack: 4 });
    const other = new NativeAtariEnv({ game: 'breakout', numEnvs: P, stack: 2 });
    open.push(env, other);
    await env.reset(1);
    await other.reset(1);
    const before = env.getState();
    await expect(env.setState(other.getState())).rejects.toThrow(
      'NativeAtariEnv.setState: state.args.stack is 2 but this env has stack=4; build the env with the same args as the one that saved the state',
    );
    await expect(env.setState({ ...before, ale: before.ale.slice(0, 200) })).rejects.toThrow(
      'NativeAtariEnv.setState: state.ale: ALE state is truncated at the emulator state; pass the unmodified result of getState()',
    );
    await expect(env.setState({ ...before, kind: 'Warehouse' })).rejects.toThrow(
      "NativeAtariEnv.setState: state.kind must be 'NativeAtariEnv' (got 'Warehouse'); pass a state saved by a NativeAtariEnv",
    );
    expect(env.getState()).toEqual(before);
  });

  it('names a missing ROM, a bad option and a bad action; leaves no threads after close()', async () => {
    expect(() => new NativeAtariEnv({ game: 'no_such_game', numEnvs: 1 })).toThrow(/^no ROM for game 'no_such_game' \(looked for /);
    expect(() => new NativeAtariEnv({ game: 'breakout', numEnvs: 1, stack: 0 })).toThrow('stack must be a positive integer (got stack=0)');
    expect(() => new NativeAtariEnv({ game: 'breakout', numEnvs: 1, frameSkip: 4 } as never)).toThrow(
      'unknown Atari option(s) frameSkip: see NativeAtariEnvArgs for the allowed ones',
    );
    await expect(createAtariEnv({ game: 'breakout', numEnvs: 1, backend: 'gpu' as never })).rejects.toThrow(
      `atari backend must be 'native' or 'bridge' (got "gpu")`,
    );
    const threads = (): number => readdirSync('/proc/self/task').length;
    const before = threads();
    const env = new NativeAtariEnv({ game: 'breakout', numEnvs: 2, numThreads: 2 });
    expect(threads()).toBe(before + 2);
    await env.reset(0);
    await expect(env.step(Int32Array.of(0, 7))).rejects.toThrow('each action must be in 0..3 (got 7)');
    await env.close();
    expect(threads()).toBe(before);
    await expect(env.step(Int32Array.of(0, 0))).rejects.toThrow('NativeAtariEnv: step() on a closed env; create a new one');
  });
});
