import { cpus } from 'node:os';
import { loadAddon, type NativeOutputs, type NativeVectorEnv, type NativeVectorEnvOptions } from './addon.js';
import { romPath } from './roms.js';

/**
 * Options of {@link AleVectorEnv}: the options of ale-py's `AtariVectorEnv` (ale-py 0.12.1), camel-cased,
 * with the same defaults. `autoresetMode` is `'next-step'` by default, as in ale-py.
 */
export interface AleVectorEnvOptions {
  /** ROM name: `breakout`, `ms_pacman`; `Breakout`, `ALE/Breakout-v5` and `BreakoutNoFrameskip-v4` also work. */
  game: string;
  /** Number of games P. */
  numEnvs: number;
  /** ALE's stepping threads; 0 = min(P, cores). Default 0. */
  numThreads?: number;
  /** Truncate a game after this many agent steps' worth of frames. Default 108 000. */
  maxNumFramesPerEpisode?: number;
  /** Sticky actions: the probability that the emulator repeats the previous action each frame. Default 0. */
  repeatActionProbability?: number;
  /** All 18 actions instead of the game's minimal set. Default false. */
  fullActionSpace?: boolean;
  /** `'same-step'`: an ended game restarts in the step that ended it, its last frame in `finalObs`. Default `'next-step'`. */
  autoresetMode?: 'next-step' | 'same-step';
  /** Frame height after resizing. Default 84. */
  imgHeight?: number;
  /** Frame width after resizing. Default 84. */
  imgWidth?: number;
  /** Grey-scale frames (else RGB, 3 bytes per pixel). Default true. */
  grayscale?: boolean;
  /** Frames stacked per observation, oldest first. Default 4. */
  stackNum?: number;
  /** Emulator frames per agent step. Default 4. */
  frameskip?: number;
  /** Max-pool the last two frames of a frameskip. Default true. */
  maxpool?: boolean;
  /** At most this many no-op steps after each reset. Default 30. */
  noopMax?: number;
  /** End the episode (and restart the game) at every lost life. Default false. */
  episodicLife?: boolean;
  /** `terminated` at every lost life while the game goes on. Default false. */
  lifeLossInfo?: boolean;
  /** Rewards clipped to -1..1. Default true. */
  rewardClipping?: boolean;
  /** Press FIRE after reset in games that need it. Default true. */
  useFireReset?: boolean;
}

const DEFAULTS = {
  numThreads: 0,
  maxNumFramesPerEpisode: 108_000,
  repeatActionProbability: 0,
  fullActionSpace: false,
  autoresetMode: 'next-step',
  imgHeight: 84,
  imgWidth: 84,
  grayscale: true,
  stackNum: 4,
  frameskip: 4,
  maxpool: true,
  noopMax: 30,
  episodicLife: false,
  lifeLossInfo: false,
  rewardClipping: true,
  useFireReset: true,
} as const satisfies Required<Omit<AleVectorEnvOptions, 'game' | 'numEnvs'>>;

const INT_LIMITS: Record<string, [number, number]> = {
  numEnvs: [1, 4096],
  numThreads: [0, 1024],
  maxNumFramesPerEpisode: [1, 2 ** 31 - 1],
  imgHeight: [1, 210],
  imgWidth: [1, 160],
  stackNum: [1, 64],
  frameskip: [1, 1000],
  noopMax: [0, 100_000],
};

const BOOLEANS = ['fullActionSpace', 'grayscale', 'maxpool', 'episodicLife', 'lifeLossInfo', 'rewardClipping', 'useFireReset'] as const;

/** Checks `options` and fills the defaults; every error names the option and what it accepts. */
export function resolveOptions(options: AleVectorEnvOptions): Required<AleVectorEnvOptions> {
  if (typeof options !== 'object' || options === null) throw new Error('AleVectorEnv takes an options object such as { game: "breakout", numEnvs: 8 }');
  const known = new Set(['game', 'numEnvs', ...Object.keys(DEFAULTS)]);
  const unknown = Object.keys(options).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`unknown AleVectorEnv option(s) ${unknown.join(', ')}: use only ${[...known].join(', ')}`);
  const o = { ...DEFAULTS, ...options } as Required<AleVectorEnvOptions>;
  for (const [name, [min, max]] of Object.entries(INT_LIMITS)) {
    const v = (o as unknown as Record<string, unknown>)[name];
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
      throw new Error(`option ${name} must be an integer in ${min}..${max} (got ${name}=${JSON.stringify(v)})`);
  }
  for (const name of BOOLEANS)
    if (typeof o[name] !== 'boolean') throw new Error(`option ${name} must be true or false (got ${name}=${JSON.stringify(o[name])})`);
  const p = o.repeatActionProbability;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new Error(`option repeatActionProbability must be a number in [0, 1] (got repeatActionProbability=${JSON.stringify(p)})`);
  if (o.autoresetMode !== 'next-step' && o.autoresetMode !== 'same-step')
    throw new Error(`option autoresetMode must be 'next-step' or 'same-step' (got autoresetMode=${JSON.stringify(o.autoresetMode)})`);
  return o;
}

/**
 * ALE's vector env (ale-py's `AtariVectorEnv` without Python): P games stepped in ALE's own C++ thread pool,
 * with frame skip, max-pooling, grey-scale, resizing, frame stacking, noop starts, fire reset, sticky
 * actions, life-loss info and reward clipping done by ALE. Every call runs synchronously and returns views
 * of arrays this env reuses: copy what must outlive the next call.
 *
 * @example
 * ```ts
 * const env = new AleVectorEnv({ game: 'breakout', numEnvs: 8, autoresetMode: 'same-step' });
 * env.reset(0);                                   // env i seeded with 0 + i
 * const out = env.step(new Int32Array(8).fill(1));
 * out.obs;                                        // Uint8Array [8, 4, 84, 84]; out.reward Int32Array [8]
 * env.close();                                    // joins ALE's threads
 * ```
 */
export class AleVectorEnv {
  readonly options: Readonly<Required<AleVectorEnvOptions>>;
  readonly numEnvs: number;
  /** Shape of one env's observation: `[stack, h, w]`, or `[stack, h, w, 3]` for RGB. */
  readonly observationShape: readonly number[];
  /** ALE action ids of the action indices 0..n-1 (the game's minimal set, or all 18). */
  readonly actionSet: readonly number[];
  /** The threads stepping the games. */
  readonly numThreads: number;
  private readonly native: NativeVectorEnv;
  private readonly out: NativeOutputs;
  private closed = false;

  constructor(options: AleVectorEnvOptions) {
    const o = resolveOptions(options);
    const path = romPath(o.game);
    const { VectorEnv } = loadAddon();
    const native: NativeVectorEnvOptions = {
      romPath: path,
      numEnvs: o.numEnvs,
      numThreads: o.numThreads,
      sameStepAutoreset: o.autoresetMode === 'same-step',
      imgHeight: o.imgHeight,
      imgWidth: o.imgWidth,
      stackNum: o.stackNum,
      grayscale: o.grayscale,
      frameskip: o.frameskip,
      maxpool: o.maxpool,
      noopMax: o.noopMax,
      useFireReset: o.useFireReset,
      episodicLife: o.episodicLife,
      lifeLossInfo: o.lifeLossInfo,
      rewardClipping: o.rewardClipping,
      maxNumFramesPerEpisode: o.maxNumFramesPerEpisode,
      repeatActionProbability: o.repeatActionProbability,
      fullActionSpace: o.fullActionSpace,
    };
    this.native = new VectorEnv(native);
    this.options = Object.freeze(o);
    this.numEnvs = o.numEnvs;
    this.observationShape = Object.freeze(o.grayscale ? [o.stackNum, o.imgHeight, o.imgWidth] : [o.stackNum, o.imgHeight, o.imgWidth, 3]);
    this.actionSet = Object.freeze(this.native.actionSet());
    this.numThreads = Math.min(o.numThreads > 0 ? o.numThreads : o.numEnvs, navigatorCores());
    const obsSize = this.observationShape.reduce((a, b) => a * b, 1);
    const P = o.numEnvs;
    this.out = {
      obs: new Uint8Array(P * obsSize),
      finalObs: new Uint8Array(P * obsSize),
      reward: new Int32Array(P),
      terminated: new Uint8Array(P),
      truncated: new Uint8Array(P),
      lives: new Int32Array(P),
      frameNumber: new Int32Array(P),
      episodeFrameNumber: new Int32Array(P),
    };
    this.native.setOutputs(this.out);
  }

  /**
   * Resets every game. A number seeds env i with `seed + i`; an Int32Array gives one seed per env; no seed
   * (or -1 in the array) continues each env's generator (a fresh env draws a random one).
   */
  reset(seed?: number | Int32Array): Readonly<NativeOutputs> {
    this.assertOpen('reset');
    let seeds: Int32Array;
    if (seed === undefined) seeds = new Int32Array(this.numEnvs).fill(-1);
    else if (typeof seed === 'number') {
      if (!Number.isInteger(seed) || seed < 0 || seed + this.numEnvs - 1 > 2 ** 31 - 1)
        throw new Error(`seed must be an integer in 0..${2 ** 31 - this.numEnvs} (got seed=${seed})`);
      seeds = Int32Array.from({ length: this.numEnvs }, (_, i) => seed + i);
    } else {
      if (!(seed instanceof Int32Array) || seed.length !== this.numEnvs)
        throw new Error(`seed must be a number or an Int32Array of length numEnvs=${this.numEnvs}`);
      if (seed.some((s) => s < -1)) throw new Error('each seed must be >= 0, or -1 to continue the env\'s generator');
      seeds = seed;
    }
    this.native.reset(seeds);
    return this.out;
  }

  /**
   * Steps every game with `actions` (indices into {@link actionSet}). In same-step mode `finalObs` row i holds
   * the last observation of env i when it ended (`terminated` or `truncated`); other rows are stale.
   */
  step(actions: Int32Array): Readonly<NativeOutputs> {
    this.assertOpen('step');
    if (!(actions instanceof Int32Array)) throw new Error(`actions must be an Int32Array of length numEnvs=${this.numEnvs}`);
    this.native.step(actions);
    return this.out;
  }

  /** Every env's exact state (emulator, RNGs, frame buffers, counters) as bytes; restore with {@link setState}. */
  getState(): Buffer {
    this.assertOpen('getState');
    return this.native.getState();
  }

  /** Restores a {@link getState} result into an env built with the same options; nothing changes when it throws. */
  setState(state: Buffer): void {
    this.assertOpen('setState');
    this.native.setState(state);
  }

  /** Stops and joins ALE's threads and frees the games. Safe to call twice; other calls then throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new Error(`AleVectorEnv: ${op}() on a closed env; create a new one`);
  }
}

/** What ALE's std::thread::hardware_concurrency() counts: the online CPUs. */
function navigatorCores(): number {
  return Math.max(1, cpus().length);
}
