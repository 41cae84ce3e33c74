import { AleVectorEnv, romName } from '@mempo/ale-node';
import type { AtariOptions } from '../atariOptions.js';
import { NewestFrameStacks } from '../bridge/newestFrameStacks.js';
import { EpisodeTracker } from '../episodeStats.js';
import { assertStateReady, expectKind, expectSame, intArrayField, numberArrayField, STATE_FIX, stateObject } from '../envState.js';
import type { DiscreteActionSpace, EpisodeStats, ObsArray, ObservationSpace, ResumableVecEnv, VecStepResult } from '../vecEnv.js';
import { FlickerDraws } from '../wrappers/flicker.js';

/** Settings of {@link NativeAtariEnv}: {@link AtariOptions}, stepped in this process by the ALE addon. */
export type NativeAtariEnvArgs = AtariOptions;

/** The JSON state of a {@link NativeAtariEnv} (`getState()`). */
export interface NativeAtariEnvState {
  kind: 'NativeAtariEnv';
  /** The args the env was built with (a state only continues an env built alike). */
  args: Required<Omit<NativeAtariEnvArgs, 'flickerSeed' | 'numThreads'>>;
  /** ALE's state of every game (emulator, RNGs, frame buffers, counters), base64. */
  ale: string;
  /** The frame stacks `[P, stack, 84, 84]`, base64. */
  stacks: string;
  /** Lives of each game after the last step (tells a lost life from a game over). */
  lives: number[];
  /** Running clipped return and length of each game. */
  episodes: { returns: number[]; lengths: number[] };
  /** Running unclipped score of each game. */
  scores: number[];
  /** Position of the flicker stream. */
  flickerState: number;
}

const FRAME_SIZE = 84 * 84;

/**
 * P Atari games in ALE's native vector env (`@mempo/ale-node`), no Python: the bridge's Atari env
 * (`makeAtariEnv`) with the same semantics and the same numbers for the same seeds and actions (84×84 grey
 * frames, frameskip 4 with max-pool, noop reset ≤ 30, fire reset, life-loss terminations with whole games in
 * `info.episodes`, reward clipping with the unclipped `gameScore`, same-step autoreset, flicker before
 * stacking, stacks oldest frame first). Unlike the bridge it is resumable: `getState()` saves every game's
 * emulator exactly. Env i of a batch reset with `seed` gets `seed + i`.
 *
 * @example
 * ```ts
 * const env = new NativeAtariEnv({ game: 'breakout', numEnvs: 8, stack: 4, flicker: 0.5 });
 * const obs = await env.reset(0);                    // Uint8Array [8 * 4 * 84 * 84]
 * const { reward, info } = await env.step(new Int32Array(8).fill(1));
 * const saved = JSON.stringify(env.getState());      // continue later with setState(JSON.parse(saved))
 * await env.close();                                 // joins ALE's threads
 * ```
 */
export class NativeAtariEnv implements ResumableVecEnv {
  readonly numEnvs: number;
  readonly observationSpace: ObservationSpace;
  readonly actionSpace: DiscreteActionSpace;
  private readonly args: NativeAtariEnvState['args'];
  private readonly ale: AleVectorEnv;
  private readonly stacks: NewestFrameStacks;
  private readonly flicker: FlickerDraws | null;
  private readonly tracker: EpisodeTracker;
  private readonly scores: Float64Array;
  private readonly lives: Int32Array;
  private readonly clip: boolean;
  private started = false;
  private closed = false;

  constructor(args: NativeAtariEnvArgs) {
    const {
      game,
      numEnvs,
      stack = 4,
      flicker = 0,
      flickerSeed = 0,
      frameskip = 4,
      noopMax = 30,
      episodicLife = true,
      rewardClipping = true,
      fireReset = true,
      repeatActionProbability = 0,
      maxPool = true,
      maxEpisodeFrames = 108_000,
      fullActionSpace = false,
      numThreads = 0,
      ...rest
    } = args;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new Error(`unknown Atari option(s) ${unknown.join(', ')}: see NativeAtariEnvArgs for the allowed ones`);
    if (!Number.isInteger(stack) || stack < 1) throw new Error(`stack must be a positive integer (got stack=${stack})`);
    if (!(flicker >= 0 && flicker <= 1)) throw new Error(`flicker must be in [0, 1] (got flicker=${flicker})`);
    for (const [name, value] of Object.entries({ episodicLife, rewardClipping, fireReset, maxPool, fullActionSpace }))
      if (typeof value !== 'boolean') throw new Error(`option ${name} must be true or false (got ${name}=${JSON.stringify(value)})`);
    // ALE steps with one frame per observation; the stacks are built here so that flicker can zero a frame
    // before it enters them (the envs README, "Flicker"), as the bridge does. ALE's episodic_life restarts the
    // game at every lost life, so life losses come from its life_loss_info, and rewards arrive unclipped so
    // that the unclipped game score can be summed (packages/envs/python/README.md).
    this.ale = new AleVectorEnv({
      game,
      numEnvs,
      numThreads,
      stackNum: 1,
      frameskip,
      noopMax,
      maxpool: maxPool,
      useFireReset: fireReset,
      episodicLife: false,
      lifeLossInfo: episodicLife,
      rewardClipping: false,
      repeatActionProbability,
      maxNumFramesPerEpisode: maxEpisodeFrames,
      fullActionSpace,
      autoresetMode: 'same-step',
    });
    this.args = {
      game: romName(game),
      numEnvs,
      stack,
      flicker,
      frameskip,
      noopMax,
      episodicLife,
      rewardClipping,
      fireReset,
      repeatActionProbability,
      maxPool,
      maxEpisodeFrames,
      fullActionSpace,
    };
    this.numEnvs = numEnvs;
    this.observationSpace = { shape: [stack, 84, 84], dtype: 'uint8' };
    this.actionSpace = { kind: 'discrete', n: this.ale.actionSet.length };
    this.stacks = new NewestFrameStacks(numEnvs, stack, FRAME_SIZE);
    this.flicker = flicker > 0 ? new FlickerDraws({ p: flicker, seed: flickerSeed }) : null;
    this.tracker = new EpisodeTracker(numEnvs);
    this.scores = new Float64Array(numEnvs);
    this.lives = new Int32Array(numEnvs);
    this.clip = rewardClipping;
  }

  /** ALE action ids (ALE's `Action` enum: 0 NOOP, 1 FIRE, 2 UP, …) of the action indices 0..n−1. */
  get aleActions(): readonly number[] {
    return this.ale.actionSet;
  }

  async reset(seed?: number): Promise<ObsArray> {
    this.assertOpen('reset');
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0))
      throw new Error(`seed must be a non-negative integer (got seed=${seed})`);
    const out = this.ale.reset(seed);
    if (seed !== undefined) this.flicker?.reseed(seed);
    this.lives.set(out.lives);
    this.tracker.clear();
    this.scores.fill(0);
    this.started = true;
    return this.stacks.reset(out.obs);
  }

  async step(actions: Int32Array): Promise<VecStepResult> {
    this.assertOpen('step');
    if (!this.started) throw new Error('NativeAtariEnv.step called before reset(): call reset(seed) first');
    if (actions.length !== this.numEnvs) throw new Error(`actions must have length numEnvs=${this.numEnvs} (got ${actions.length})`);
    for (const a of actions) {
      if (!Number.isInteger(a) || a < 0 || a >= this.actionSpace.n)
        throw new Error(`each action must be in 0..${this.actionSpace.n - 1} (got ${a})`);
    }
    const out = this.ale.step(actions instanceof Int32Array ? actions : Int32Array.from(actions));
    const P = this.numEnvs;
    const reward = new Float32Array(P);
    for (let i = 0; i < P; i++) {
      const raw = out.reward[i]!;
      reward[i] = this.clip ? Math.sign(raw) : raw;
      this.scores[i]! += raw;
    }
    this.tracker.add(reward);
    // Flicker zeroes frames in place; without it the stacks copy ALE's frames straight from its buffer.
    const frames = this.flicker ? out.obs.slice() : out.obs;
    const finalEnvs: number[] = [];
    const restarted: number[] = [];
    const episodes: EpisodeStats[] = [];
    for (let i = 0; i < P; i++) {
      const term = out.terminated[i]!;
      const trunc = out.truncated[i]!;
      if (!term && !trunc) continue;
      finalEnvs.push(i);
      // A lost life (terminated, the game goes on) shows as fewer lives; a game over has restarted the game.
      const lifeLost = term && !trunc && out.lives[i]! < this.lives[i]!;
      if (lifeLost) continue;
      restarted.push(i);
      episodes.push({ ...this.tracker.finish(i), gameScore: this.scores[i]! });
      this.scores[i] = 0;
    }
    const finalFrames = new Uint8Array(finalEnvs.length * FRAME_SIZE);
    finalEnvs.forEach((env, row) => {
      // After a lost life ALE resets nothing and writes no final frame: the life's last frame is the one returned.
      const source = restarted.includes(env) ? out.finalObs : out.obs;
      finalFrames.set(source.subarray(env * FRAME_SIZE, (env + 1) * FRAME_SIZE), row * FRAME_SIZE);
    });
    if (this.flicker) {
      for (const env of this.flicker.draw(P)) {
        const row = finalEnvs.indexOf(env);
        if (row >= 0) finalFrames.fill(0, row * FRAME_SIZE, (row + 1) * FRAME_SIZE);
        else frames.fill(0, env * FRAME_SIZE, (env + 1) * FRAME_SIZE);
      }
    }
    this.lives.set(out.lives);
    const { obs, finalObs } = this.stacks.step(frames, finalEnvs, finalFrames, restarted);
    return {
      obs,
      reward,
      terminated: out.terminated.slice(),
      truncated: out.truncated.slice(),
      info: { episodes, finalObs },
    };
  }

  getState(): NativeAtariEnvState {
    this.assertOpen('getState');
    assertStateReady('NativeAtariEnv', this.started);
    const { returns, lengths } = this.tracker.getState();
    return {
      kind: 'NativeAtariEnv',
      args: { ...this.args },
      ale: this.ale.getState().toString('base64'),
      stacks: Buffer.from(this.stacks.snapshot()).toString('base64'),
      lives: Array.from(this.lives),
      episodes: { returns, lengths },
      scores: Array.from(this.scores),
      flickerState: this.flicker?.state ?? 0,
    };
  }

  async setState(value: unknown): Promise<void> {
    this.assertOpen('setState');
    const owner = 'NativeAtariEnv.setState';
    const state = stateObject(owner, 'state', value);
    expectKind(owner, state, 'NativeAtariEnv');
    const args = stateObject(owner, 'state.args', state.args);
    for (const [field, own] of Object.entries(this.args)) expectSame(owner, args, 'state.args', field, own);
    const P = this.numEnvs;
    const lives = intArrayField(owner, state, 'state', 'lives', P, 0, 255);
    const scores = numberArrayField(owner, state, 'state', 'scores', P);
    const episodes = this.tracker.checkState(state.episodes, owner, 'state.episodes');
    const flickerState = intArrayField(owner, { flickerState: [state.flickerState] }, 'state', 'flickerState', 1, 0, 0xffffffff)[0]!;
    const stacks = base64Field(owner, state, 'stacks');
    if (stacks.length !== P * this.args.stack * FRAME_SIZE)
      throw new Error(`${owner}: state.stacks holds ${stacks.length} bytes, expected ${P * this.args.stack * FRAME_SIZE}; ${STATE_FIX}`);
    const ale = base64Field(owner, state, 'ale');
    try {
      this.ale.setState(ale);
    } catch (err) {
      throw new Error(`${owner}: state.ale: ${(err as Error).message}`);
    }
    this.stacks.restore(stacks);
    this.lives.set(lives);
    this.scores.set(scores);
    this.tracker.setState(episodes);
    if (this.flicker) this.flicker.state = flickerState;
    this.started = true;
  }

  /** Joins ALE's threads and frees the games; later calls reject. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    this.ale.close();
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new Error(`NativeAtariEnv: ${op}() on a closed env; create a new one`);
  }
}

function base64Field(owner: string, state: Record<string, unknown>, field: string): Buffer {
  const value = state[field];
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
    throw new Error(`${owner}: state.${field} must be a base64 string; ${STATE_FIX}`);
  return Buffer.from(value, 'base64');
}
