import type { DiscreteActionSpace, EpisodeStats, ObsArray, ObservationSpace, VecEnv, VecStepResult } from '../vecEnv.js';
import { FlickerDraws, type FlickerArgs } from '../wrappers/flicker.js';
import { NewestFrameStacks } from './newestFrameStacks.js';
import type { Frame } from './protocol.js';
import { BridgeError, WorkerProcess } from './workerProcess.js';

/**
 * The env families the worker hosts: MiniGrid ids, Atari ROMs with ALE's preprocessing, and any other
 * gymnasium id the registry check accepts (`describeGymEnvs`; the envs README, "Any gymnasium env").
 */
export type GymFamily = 'minigrid' | 'atari' | 'gym';

/** Process-level settings of a bridged env. */
export interface BridgeOptions {
  /** Interpreter; default `pythonExecutable()` (MEMPO_PYTHON, else `<repo>/.venv/bin/python`). */
  python?: string;
  /** Longest wait for the worker to start and build the envs, in ms (default 60 000). */
  startTimeoutMs?: number;
  /** Longest wait for one reset or step reply, in ms (default 30 000). */
  callTimeoutMs?: number;
  /**
   * How long the worker polls for the next request before it sleeps, in µs (default 500; 0 sleeps at once).
   * A sleeping worker costs a wake-up per step. The worker polls only while this client's last request came
   * within the window, so a client that runs a policy network between steps costs it no polling.
   */
  spinMicros?: number;
}

/** What to ask the worker to build. */
export interface GymBridgeEnvArgs extends BridgeOptions {
  family: GymFamily;
  /** The gymnasium id (MiniGrid, gym) or ROM name (Atari). */
  envId: string;
  numEnvs: number;
  /** Family-specific options, passed to the worker as JSON. */
  options?: Record<string, unknown>;
  /**
   * How stacked frames cross the bridge: 'newest' (default) sends each env's newest frame and rebuilds the
   * stacks here; 'full' sends whole stacks. Both give identical observations ('full' is there to check it).
   */
  frames?: 'newest' | 'full';
  /**
   * Flicker (the envs README; IAM paper): each step, per env with probability p, the newest frame is zeroed
   * *before* it enters the stack, never a reset frame. Needs `frames: 'newest'`; the stacks then go on as
   * ALE's do (across a lost life too), so only the zeroed frames differ from the same run without flicker.
   */
  flicker?: FlickerArgs;
}

/** Timing of stepping inside the worker alone, with uniform random actions. */
export interface WorkerBenchResult {
  steps: number;
  seconds: number;
}

const DEFAULT_SPIN_MICROS = 500;
const MAX_SPIN_MICROS = 100_000;

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer (got ${name}=${value})`);
  return v;
}

function array<T>(frame: Frame, name: string, ctor: new (...a: never[]) => T): T {
  const entry = frame.arrays.get(name);
  if (!entry || !(entry.data instanceof ctor))
    throw new BridgeError(`bridge reply lacks array '${name}' of the expected dtype`, 'protocol');
  return entry.data as T;
}

/**
 * A batch of gymnasium envs living in one Python worker process (the envs README, "Gymnasium bridge"): one
 * message per batched step, same-step autoreset, episode statistics computed in the worker. Observations
 * are `[P, ...observationSpace.shape]`: uint8 images, or float32 vectors (the `gym` family's vector envs).
 * Env i of a batch reset with `seed` gets `seed + i`.
 *
 * Prefer `makeMiniGridEnv` / `makeAtariEnv` / `makeGymEnv`; this class is their common engine.
 */
export class GymBridgeEnv implements VecEnv {
  readonly numEnvs: number;
  readonly observationSpace: ObservationSpace;
  readonly actionSpace: DiscreteActionSpace;
  private readonly obsSize: number;
  /** Present when the worker sends only the newest frame of each stack. */
  private readonly stacks: NewestFrameStacks | null;
  /** Values in one row of the reply's `obs`: a newest frame when `stacks` is present, else a whole observation. */
  private readonly rowSize: number;
  private closed = false;

  private constructor(
    private readonly worker: WorkerProcess,
    private readonly callTimeoutMs: number,
    numEnvs: number,
    obsShape: number[],
    obsDtype: ObservationSpace['dtype'],
    numActions: number,
    newestFramesOnly: boolean,
    private readonly flicker: FlickerDraws | null,
  ) {
    this.numEnvs = numEnvs;
    this.observationSpace = { shape: obsShape, dtype: obsDtype };
    this.actionSpace = { kind: 'discrete', n: numActions };
    this.obsSize = obsShape.reduce((a, b) => a * b, 1);
    this.stacks = newestFramesOnly ? new NewestFrameStacks(numEnvs, obsShape[0]!, this.obsSize / obsShape[0]!) : null;
    this.rowSize = this.stacks ? this.stacks.frameSize : this.obsSize;
  }

  /** Starts a worker and builds the envs in it; rejects with a one-line fix for setup problems. */
  static async create(args: GymBridgeEnvArgs): Promise<GymBridgeEnv> {
    const numEnvs = positiveInt('numEnvs', args.numEnvs, 1);
    const startTimeoutMs = positiveInt('startTimeoutMs', args.startTimeoutMs, 60_000);
    const callTimeoutMs = positiveInt('callTimeoutMs', args.callTimeoutMs, 30_000);
    if (args.frames !== undefined && args.frames !== 'newest' && args.frames !== 'full')
      throw new Error(`frames must be 'newest' or 'full' (got frames=${JSON.stringify(args.frames)})`);
    const spinMicros = args.spinMicros ?? DEFAULT_SPIN_MICROS;
    if (!Number.isInteger(spinMicros) || spinMicros < 0 || spinMicros > MAX_SPIN_MICROS)
      throw new Error(`spinMicros must be an integer in 0..${MAX_SPIN_MICROS} (got spinMicros=${args.spinMicros})`);
    if (args.flicker && args.frames === 'full')
      throw new Error(`flicker must act before stacking: use frames 'newest' with flicker (got frames="full")`);
    const flicker = args.flicker ? new FlickerDraws(args.flicker) : null;
    const worker = new WorkerProcess({ label: `${args.envId} worker`, python: args.python });
    try {
      const reply = await worker.request(
        'make',
        { family: args.family, envId: args.envId, numEnvs, spinMicros, frames: args.frames ?? 'newest', options: args.options ?? {} },
        {},
        startTimeoutMs,
      );
      const shape = reply.header.obsShape;
      const numActions = reply.header.numActions;
      const frames = reply.header.frames;
      const dtype = reply.header.obsDtype;
      if (
        !Array.isArray(shape) ||
        !shape.every((s) => Number.isInteger(s) && s > 0) ||
        !Number.isInteger(numActions) ||
        (dtype !== 'uint8' && dtype !== 'float32') ||
        (frames !== 'full' && frames !== 'newest')
      )
        throw new BridgeError(`${worker.label}: malformed 'make' reply ${JSON.stringify(reply.header)}`, 'protocol');
      if (flicker && dtype !== 'uint8') throw new Error(`flicker blanks image frames: '${args.envId}' observes ${dtype} vectors; remove flicker`);
      return new GymBridgeEnv(worker, callTimeoutMs, numEnvs, shape as number[], dtype, numActions as number, frames === 'newest', flicker);
    } catch (err) {
      await worker.close();
      throw err;
    }
  }

  /** The worker's process id. */
  get pid(): number | undefined {
    return this.worker.pid;
  }

  async reset(seed?: number): Promise<ObsArray> {
    this.assertOpen('reset');
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0))
      throw new Error(`seed must be a non-negative integer (got seed=${seed})`);
    const reply = await this.worker.request('reset', { seed: seed ?? null }, {}, this.callTimeoutMs);
    if (seed !== undefined) this.flicker?.reseed(seed);
    const obs = this.obsOf(reply, 'obs', this.numEnvs);
    // Stacks and flicker exist only for Atari, whose frames are uint8 (create() refuses flicker otherwise).
    return this.stacks ? this.stacks.reset(obs as Uint8Array) : obs;
  }

  async step(actions: Int32Array): Promise<VecStepResult> {
    this.assertOpen('step');
    if (actions.length !== this.numEnvs)
      throw new Error(`actions must have length numEnvs=${this.numEnvs} (got ${actions.length})`);
    for (const a of actions) {
      if (a < 0 || a >= this.actionSpace.n)
        throw new Error(`each action must be in 0..${this.actionSpace.n - 1} (got ${a})`);
    }
    const reply = await this.worker.request('step', {}, { actions: { data: actions, shape: [actions.length] } }, this.callTimeoutMs);
    const finalEnvs = reply.header.finalEnvs as number[];
    const finalObsAll = this.obsOf(reply, 'finalObs', finalEnvs.length);
    let obs = this.obsOf(reply, 'obs', this.numEnvs);
    if (this.flicker) this.blankFlickered(obs as Uint8Array, finalEnvs, finalObsAll as Uint8Array);
    let finalObs = new Map<number, ObsArray>();
    if (this.stacks) {
      const restarted = reply.header.restartedEnvs;
      if (!Array.isArray(restarted)) throw new BridgeError(`${this.worker.label}: step reply lacks restartedEnvs`, 'protocol');
      ({ obs, finalObs } = this.stacks.step(obs as Uint8Array, finalEnvs, finalObsAll as Uint8Array, restarted as number[]));
    } else {
      finalEnvs.forEach((env, k) => finalObs.set(env, finalObsAll.subarray(k * this.rowSize, (k + 1) * this.rowSize)));
    }
    return {
      obs,
      reward: array(reply, 'reward', Float32Array),
      terminated: array(reply, 'terminated', Uint8Array),
      truncated: array(reply, 'truncated', Uint8Array),
      info: { episodes: reply.header.episodes as EpisodeStats[], finalObs },
    };
  }

  /**
   * Resets with `seed` and steps through `actions` (`steps × numEnvs`, row-major) inside the worker, with no
   * messages in between: the baseline against which the bridge's overhead is measured. Resetting with the
   * same seed and stepping the same actions through the bridge replays the same episodes, so the two
   * timings cover the same work. Leaves the envs mid-episode.
   */
  async benchmarkWorker(actions: Int32Array, seed: number): Promise<WorkerBenchResult> {
    this.assertOpen('benchmarkWorker');
    const steps = actions.length / this.numEnvs;
    if (!Number.isInteger(steps) || steps < 1)
      throw new Error(`actions must hold steps × numEnvs=${this.numEnvs} values (got ${actions.length})`);
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer (got seed=${seed})`);
    const reply = await this.worker.request(
      'bench',
      { seed },
      { actions: { data: actions, shape: [steps, this.numEnvs] } },
      this.callTimeoutMs + steps * 1000,
    );
    return { steps: reply.header.steps as number, seconds: reply.header.seconds as number };
  }

  /** One empty request and reply: what a message costs the bridge without any env work. */
  async ping(): Promise<void> {
    this.assertOpen('ping');
    await this.worker.request('ping', {}, {}, this.callTimeoutMs);
  }

  /**
   * Env `env`'s whole scene as a person sees it, RGB uint8 `[height, width, 3]` row-major, for videos
   * (`mempo record`): MiniGrid's full grid with the agent's view highlighted, `tileSize` pixels per cell
   * (default 32). Atari workers refuse it (their frames are the observation).
   */
  async render(env: number, tileSize = 32): Promise<{ rgb: Uint8Array; height: number; width: number }> {
    this.assertOpen('render');
    if (!Number.isInteger(env) || env < 0 || env >= this.numEnvs)
      throw new Error(`render env must be an integer in 0..${this.numEnvs - 1} (got env=${env})`);
    const reply = await this.worker.request('render', { env, tileSize }, {}, this.callTimeoutMs);
    const entry = reply.arrays.get('rgb');
    if (!entry || !(entry.data instanceof Uint8Array) || entry.shape.length !== 3 || entry.shape[2] !== 3)
      throw new BridgeError(`${this.worker.label}: render reply lacks a uint8 array 'rgb' of shape [H, W, 3]`, 'protocol');
    return { rgb: entry.data, height: entry.shape[0]!, width: entry.shape[1]! };
  }

  /** Stops the worker and releases its envs; later calls reject. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker.close();
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new BridgeError(`${this.worker.label}: ${op}() on a closed env; create a new one`, 'closed');
  }

  private obsOf(reply: Frame, name: string, rows: number): ObsArray {
    const obs: ObsArray = this.observationSpace.dtype === 'float32' ? array(reply, name, Float32Array) : array(reply, name, Uint8Array);
    if (obs.length !== rows * this.rowSize)
      throw new BridgeError(`${this.worker.label}: reply array '${name}' has ${obs.length} values, expected ${rows * this.rowSize}`, 'protocol');
    return obs;
  }

  /**
   * Zeroes this step's flickered frames in the reply, before they are stacked: the newest frame of a
   * running env, or the final frame of one that ended (its returned frame starts the next episode).
   */
  private blankFlickered(frames: Uint8Array, finalEnvs: number[], finalFrames: Uint8Array): void {
    const F = this.rowSize;
    for (const env of this.flicker!.draw(this.numEnvs)) {
      const row = finalEnvs.indexOf(env);
      if (row >= 0) finalFrames.fill(0, row * F, (row + 1) * F);
      else frames.fill(0, env * F, (env + 1) * F);
    }
  }
}
