import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AleVectorEnv, romName } from '../src/index.js';
import { randomActions } from './aleParity.js';

const threads = (): number => readdirSync('/proc/self/task').length;

describe('AleVectorEnv', () => {
  it("has ale-py's defaults: 4 stacked 84×84 grey frames, the minimal action set", () => {
    const env = new AleVectorEnv({ game: 'ALE/Breakout-v5', numEnvs: 2 });
    expect(env.observationShape).toEqual([4, 84, 84]);
    expect(env.actionSet).toEqual([0, 1, 3, 4]);
    expect(env.options.autoresetMode).toBe('next-step');
    const out = env.reset(0);
    expect(out.obs.length).toBe(2 * 4 * 84 * 84);
    expect(Array.from(out.lives)).toEqual([5, 5]);
    env.close();
    const full = new AleVectorEnv({ game: 'pong', numEnvs: 1, fullActionSpace: true, grayscale: false, stackNum: 2 });
    expect(full.actionSet.length).toBe(18);
    expect(full.observationShape).toEqual([2, 84, 84, 3]);
    full.close();
  });

  it('names ROMs as ale-py does', () => {
    expect(['Breakout', 'ALE/MsPacman-v5', 'BreakoutNoFrameskip-v4', 'space_invaders'].map(romName)).toEqual([
      'breakout',
      'ms_pacman',
      'breakout',
      'space_invaders',
    ]);
  });

  it('rejects a game without a ROM and bad options, naming the option and the fix', () => {
    expect(() => new AleVectorEnv({ game: 'no_such_game', numEnvs: 1 })).toThrow(
      /^no ROM for game 'no_such_game' \(looked for .*\/no_such_game\.bin\): use one of the \d+ ROM names in .*, such as 'breakout' or 'pong'$/,
    );
    expect(() => new AleVectorEnv({ game: 'breakout', numEnvs: 0 })).toThrow('option numEnvs must be an integer in 1..4096 (got numEnvs=0)');
    expect(() => new AleVectorEnv({ game: 'breakout', numEnvs: 1, frameskip: 2.5 })).toThrow(
      'option frameskip must be an integer in 1..1000 (got frameskip=2.5)',
    );
    expect(() => new AleVectorEnv({ game: 'breakout', numEnvs: 1, repeatActionProbability: 2 })).toThrow(
      'option repeatActionProbability must be a number in [0, 1] (got repeatActionProbability=2)',
    );
    expect(() => new AleVectorEnv({ game: 'breakout', numEnvs: 1, grayscale: 'yes' as unknown as boolean })).toThrow(
      'option grayscale must be true or false (got grayscale="yes")',
    );
    expect(() => new AleVectorEnv({ game: 'breakout', numEnvs: 1, stack: 4 } as never)).toThrow(/^unknown AleVectorEnv option\(s\) stack: use only game, numEnvs, numThreads, /);
    expect(() => new AleVectorEnv({ game: 'breakout', numEnvs: 1, autoresetMode: 'never' as never })).toThrow(
      `option autoresetMode must be 'next-step' or 'same-step' (got autoresetMode="never")`,
    );
  });

  it('refuses a bad action without stepping (ALE would hang on it) and keeps working', () => {
    const env = new AleVectorEnv({ game: 'breakout', numEnvs: 2 });
    expect(() => env.step(new Int32Array(2))).toThrow('step() before reset(): call reset first');
    env.reset(0);
    expect(() => env.step(Int32Array.of(0, 4))).toThrow('each action must be in 0..3 (got 4 for env 1)');
    expect(() => env.step(Int32Array.of(0))).toThrow('actions must have length numEnvs=2');
    expect(env.step(Int32Array.of(1, 1)).obs.length).toBe(2 * 4 * 84 * 84);
    env.close();
  });

  it('restores a saved state and continues bit-identically, with sticky actions', () => {
    const options = { game: 'breakout', numEnvs: 3, repeatActionProbability: 0.25, autoresetMode: 'same-step' as const, lifeLossInfo: true };
    const actions = randomActions(400, 3, 4, 9);
    const a = new AleVectorEnv(options);
    a.reset(7);
    for (let t = 0; t < 150; t++) a.step(actions.subarray(t * 3, t * 3 + 3));
    const saved = a.getState();
    const b = new AleVectorEnv(options);
    b.setState(saved);
    for (let t = 150; t < 400; t++) {
      const x = a.step(actions.subarray(t * 3, t * 3 + 3));
      const xs = { obs: Buffer.from(x.obs).toString('base64'), r: Array.from(x.reward), d: Array.from(x.terminated), l: Array.from(x.lives) };
      const y = b.step(actions.subarray(t * 3, t * 3 + 3));
      expect({ obs: Buffer.from(y.obs).toString('base64'), r: Array.from(y.reward), d: Array.from(y.terminated), l: Array.from(y.lives) }).toEqual(xs);
    }
    expect(a.getState().equals(b.getState())).toBe(true);
    a.close();
    b.close();
  });

  it('rejects a state that does not fit, changing nothing', () => {
    const env = new AleVectorEnv({ game: 'breakout', numEnvs: 2 });
    env.reset(1);
    const before = env.getState();
    const other = new AleVectorEnv({ game: 'breakout', numEnvs: 3 });
    other.reset(1);
    expect(() => env.setState(other.getState())).toThrow(
      'ALE state holds 3 envs but this env has numEnvs=2; build the env with the same args as the one that saved the state',
    );
    expect(() => env.setState(before.subarray(0, 100))).toThrow('ALE state is truncated at the emulator state; pass the unmodified result of getState()');
    expect(() => env.setState(Buffer.from('not a state at all'))).toThrow('ALE state has no MPALEv1 header; pass the unmodified result of getState()');
    const stacked = new AleVectorEnv({ game: 'breakout', numEnvs: 2, stackNum: 2 });
    stacked.reset(1);
    expect(() => env.setState(stacked.getState())).toThrow(
      'ALE state: the frame stack holds 14112 bytes but this env\'s is 28224; restore into an env built with the same game and options',
    );
    expect(env.getState().equals(before)).toBe(true);
    for (const e of [env, other, stacked]) e.close();
  });

  it("leaves no threads after close() and every later call says so", () => {
    const before = threads();
    const env = new AleVectorEnv({ game: 'pong', numEnvs: 4, numThreads: 2 });
    expect(threads()).toBe(before + 2);
    env.reset(0);
    env.close();
    expect(threads()).toBe(before);
    expect(() => env.step(new Int32Array(4))).toThrow('AleVectorEnv: step() on a closed env; create a new one');
    env.close();
  });
});
