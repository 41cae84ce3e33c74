import { describe, expect, it } from 'vitest';
import { EpisodeTracker } from './episodeStats.js';
import { CueMemoryTask } from './memoryTask/cueMemoryTask.js';
import { Random32 } from './random.js';
import { isResumableVecEnv, type ResumableVecEnv, type VecEnv } from './vecEnv.js';
import { Warehouse } from './warehouse/warehouse.js';
import { FlickerWrapper } from './wrappers/flicker.js';
import { FrameStack } from './wrappers/frameStack.js';

const FIX = 'pass the unmodified result of getState(), after a JSON round trip at most';
const SAME_ARGS = 'build the env with the same args as the one that saved the state';

/** Everything an env returns over `actions`, as plain data. */
async function trace(env: VecEnv, actions: Int32Array[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const a of actions) {
    const r = await env.step(a);
    out.push({
      obs: Array.from(r.obs),
      reward: Array.from(r.reward),
      terminated: Array.from(r.terminated),
      truncated: Array.from(r.truncated),
      episodes: r.info.episodes,
      finalObs: [...r.info.finalObs].map(([i, o]) => [i, Array.from(o)]),
    });
  }
  return out;
}

const roundTrip = (state: unknown): unknown => JSON.parse(JSON.stringify(state));

/**
 * N random steps, save (through JSON), M more steps; a fresh env restored from the save must repeat those M
 * steps exactly, while a fresh env merely reset with the same seed must not (the check is sensitive).
 */
async function expectExactResume(make: () => ResumableVecEnv, seed: number, N: number, M: number): Promise<void> {
  const rng = new Random32(seed + 99);
  const original = make();
  const P = original.numEnvs;
  const actions = (n: number) =>
    Array.from({ length: n }, () => Int32Array.from({ length: P }, () => rng.nextInt(original.actionSpace.n)));
  await original.reset(seed);
  await trace(original, actions(N));
  const saved = roundTrip(original.getState());
  const later = actions(M);
  const straight = await trace(original, later);

  const resumed = make();
  await resumed.setState(saved);
  expect(roundTrip(resumed.getState())).toEqual(saved);
  expect(await trace(resumed, later)).toEqual(straight);

  const control = make();
  await control.reset(seed);
  expect(await trace(control, later)).not.toEqual(straight);
  // The M steps end episodes that began before the save, so their returns and lengths cross it.
  const ended = (straight as { episodes: { length: number }[] }[]).flatMap((s) => s.episodes);
  expect(ended.length).toBeGreaterThan(0);
}

describe('Warehouse getState/setState', () => {
  const make = (legacyItemRemoval: boolean) => () =>
    new Warehouse({ numEnvs: 3, episodeLength: 20, spawnProbability: 0.2, legacyItemRemoval });

  it('continues every episode exactly after a JSON round trip (clean and legacy removal)', async () => {
    await expectExactResume(make(false), 3, 37, 50);
    await expectExactResume(make(true), 4, 37, 50);
  });

  it('rejects a bad state with the field and the fix, and changes nothing', async () => {
    const source = make(false)();
    await source.reset(1);
    for (let t = 0; t < 9; t++) source.stepSync(new Int32Array(3).fill(t % 4));
    const good = source.getState();
    const env = make(false)();
    await env.reset(2);
    const before = env.getState();
    const bad = (patch: object) => expect(() => env.setState({ ...roundTrip(good) as object, ...patch }));

    bad({ row: [3, 7, 3] }).toThrow(`Warehouse.setState: state.row[1] must be an integer in 0..6 (got 7); ${FIX}`);
    bad({ time: [0, 1] }).toThrow(`Warehouse.setState: state.time must be an array of length 3 (got an array of length 2); ${FIX}`);
    bad({ items: [[], [], [0]] }).toThrow(
      `Warehouse.setState: state.items[0] must list each shelf of env 0 whose state.age is ≥ 0 exactly once (${good.items[0]!.length} shelves); ${FIX}`,
    );
    bad({ rng: [1, -1, 2] }).toThrow(`Warehouse.setState: state.rng[1] must be an integer in 0..4294967295 (got -1); ${FIX}`);
    bad({ tracker: { returns: [0, 0, 0] } }).toThrow(
      `Warehouse.setState: state.tracker.lengths must be an array of length 3 (got undefined); ${FIX}`,
    );
    bad({ itemLifetime: 4 }).toThrow(`Warehouse.setState: state.itemLifetime is 4 but this env has itemLifetime=8; ${SAME_ARGS}`);
    expect(env.getState()).toEqual(before);

    expect(() => new Warehouse({ numEnvs: 2 }).setState(good)).toThrow(
      `Warehouse.setState: state.numEnvs is 3 but this env has numEnvs=2; ${SAME_ARGS}`,
    );
    const cue = new CueMemoryTask({ numEnvs: 3 });
    await cue.reset(0);
    expect(() => env.setState(cue.getState())).toThrow(
      "Warehouse.setState: state.kind must be 'Warehouse' (got 'CueMemoryTask'); pass a state saved by a Warehouse",
    );
    expect(() => env.setState([1])).toThrow(`Warehouse.setState: state must be an object (got an array of length 1); ${FIX}`);
    expect(() => new Warehouse({ numEnvs: 3 }).getState()).toThrow('Warehouse.getState called before reset(): call reset(seed) first');
    await env.close();
    expect(() => env.setState(good)).toThrow('Warehouse is closed: create a new env instead of calling it after close()');
    expect(() => env.getState()).toThrow('Warehouse is closed');
  });
});

describe('CueMemoryTask getState/setState', () => {
  const make = () => new CueMemoryTask({ numEnvs: 4, numCues: 3, delay: 4 });

  it('continues every episode exactly after a JSON round trip', async () => {
    await expectExactResume(make, 5, 7, 30);
  });

  it('rejects a bad state with the field and the fix, and changes nothing', async () => {
    const source = make();
    await source.reset(1);
    const good = source.getState();
    const env = make();
    await env.reset(2);
    const before = env.getState();
    expect(() => env.setState({ ...good, time: [0, 0, 5, 0] })).toThrow(
      `CueMemoryTask.setState: state.time[2] must be an integer in 0..4 (got 5); ${FIX}`,
    );
    expect(() => env.setState({ ...good, cue: [0, 3, 0, 0] })).toThrow(
      `CueMemoryTask.setState: state.cue[1] must be an integer in 0..2 (got 3); ${FIX}`,
    );
    expect(() => env.setState({ ...good, tracker: { returns: [0, 0, 0, 'x'], lengths: [0, 0, 0, 0] } })).toThrow(
      `CueMemoryTask.setState: state.tracker.returns[3] must be a finite number (got 'x'); ${FIX}`,
    );
    expect(() => new CueMemoryTask({ numEnvs: 4, numCues: 2, delay: 4 }).setState(good)).toThrow(
      `CueMemoryTask.setState: state.numCues is 3 but this env has numCues=2; ${SAME_ARGS}`,
    );
    expect(env.getState()).toEqual(before);
  });
});

describe('FrameStack getState/setState', () => {
  const make = () => new FrameStack(new Warehouse({ numEnvs: 2, episodeLength: 12, spawnProbability: 0.2 }), { k: 4 });

  it('continues every episode and its stacks exactly after a JSON round trip', async () => {
    await expectExactResume(() => make() as ResumableVecEnv, 6, 13, 40);
    await expectExactResume(
      () => new FrameStack(new CueMemoryTask({ numEnvs: 3, delay: 2 }), { k: 3, order: 'oldest-first' }) as ResumableVecEnv,
      7,
      5,
      20,
    );
  });

  it('is resumable exactly when its inner env is', () => {
    expect(isResumableVecEnv(make())).toBe(true);
    const plain = new FrameStack(new FlickerWrapper(new Warehouse({ numEnvs: 2 }), { p: 0.5 }), { k: 2 });
    expect(isResumableVecEnv(plain)).toBe(false);
    expect(plain.getState).toBeUndefined();
  });

  it('rejects a bad state, its own part or the inner one, and changes nothing', async () => {
    const source = make();
    await source.reset(1);
    for (let t = 0; t < 5; t++) await source.step(new Int32Array(2).fill(t % 4));
    const good = source.getState!();
    const env = make();
    await env.reset(2);
    const before = env.getState!();
    await expect(env.setState!({ ...good, stack: good.stack.slice(1) })).rejects.toThrow(
      `FrameStack.setState: state.stack must be an array of length 584 (got an array of length 583); ${FIX}`,
    );
    await expect(env.setState!({ ...good, inner: { ...(good.inner as object), col: [0, -1] } })).rejects.toThrow(
      `Warehouse.setState: state.col[1] must be an integer in 0..6 (got -1); ${FIX}`,
    );
    await expect(new FrameStack(new Warehouse({ numEnvs: 2, episodeLength: 12, spawnProbability: 0.2 }), { k: 3 }).setState!(good)).rejects.toThrow(
      `FrameStack.setState: state.k is 4 but this env has k=3; ${SAME_ARGS}`,
    );
    expect(env.getState!()).toEqual(before);
    expect(() => make().getState!()).toThrow('FrameStack.getState called before reset(): call reset(seed) first');
  });
});

describe('EpisodeTracker and Random32 state', () => {
  it('restores running counters and generator streams, rejecting bad values', () => {
    const a = new EpisodeTracker(2);
    a.add([1.5, -0.25]);
    const b = new EpisodeTracker(2);
    b.setState(roundTrip(a.getState()));
    a.add([1, 1]);
    b.add([1, 1]);
    expect(b.finish(0)).toEqual(a.finish(0));
    expect(b.finish(1)).toEqual({ env: 1, return: 0.75, length: 2 });
    expect(() => b.setState({ returns: [0, 0], lengths: [0, 1.5] })).toThrow(
      `EpisodeTracker.setState: state.lengths[1] must be an integer in 0..2147483647 (got 1.5); ${FIX}`,
    );
    const rng = new Random32(3);
    const copy = Random32.fromState(rng.state);
    expect(copy.nextUint32()).toBe(rng.nextUint32());
    expect(() => (rng.state = 2 ** 32)).toThrow(
      'state must be an integer in 0..2^32-1, as read from rng.state (got state=4294967296)',
    );
  });
});
