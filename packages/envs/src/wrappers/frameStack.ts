import { assertStateReady, expectKind, expectSame, intArrayField, numberArrayField, stateObject } from '../envState.js';
import { assertOpen } from '../nativeEnv.js';
import {
  isResumableVecEnv,
  type DiscreteActionSpace,
  type ObsArray,
  type ObservationSpace,
  type ResumableVecEnv,
  type StepInfo,
  type VecEnv,
  type VecStepResult,
} from '../vecEnv.js';

/** Options of the {@link FrameStack} wrapper. */
export interface FrameStackArgs {
  /** Number of observations stacked, k ≥ 1 (Warehouse "FNN 8 obs": 8; Atari feed-forward: 4 or 8). */
  k: number;
  /**
   * Block order along the new leading axis. 'newest-first' (default; the Warehouse README: the newest frame is
   * block 0) or 'oldest-first' (the usual Atari convention: the newest frame is block k−1).
   */
  order?: 'newest-first' | 'oldest-first';
}

/** The JSON state of a {@link FrameStack} over a resumable env: its args, its stacks and the inner env's state. */
export interface FrameStackState {
  kind: 'FrameStack';
  numEnvs: number;
  k: number;
  order: 'newest-first' | 'oldest-first';
  dtype: 'float32' | 'uint8';
  /** Values in one inner observation. */
  frameSize: number;
  /** `[P·k·frameSize]` the current stacks. */
  stack: number[];
  /** The inner env's `getState()`. */
  inner: unknown;
}

const NAME = 'FrameStack';

/**
 * Stacks the last k observations of any {@link VecEnv} along a new leading axis: an env with observation
 * shape `S` becomes `[k, ...S]` (same dtype; flat for a vector obs: `[P, k·73]` for the Warehouse). At
 * reset, and for an env whose episode just ended (same-step autoreset), the blocks older than the first
 * observation are zeros, so no frame leaks across episodes. `info.finalObs` holds the stacked final
 * observation.
 *
 * Resumable exactly when the inner env is: `getState` / `setState` are then present (saving the stacks and
 * the inner env's state, {@link FrameStackState}), else absent, so `isResumableVecEnv(stack)` tells a
 * trainer whether a checkpoint can hold the episodes in flight. (Always having them and throwing for a
 * plain inner env would make every checkpoint of such a run fail instead of falling back to a reset.)
 *
 * ```ts
 * const env = new FrameStack(new Warehouse({ numEnvs: 8 }), { k: 8 });
 * const obs = await env.reset(0);          // Float32Array [8 * 8 * 73], newest block first
 * if (isResumableVecEnv(env)) saved = JSON.stringify(env.getState());
 * ```
 */
export class FrameStack implements VecEnv {
  readonly numEnvs: number;
  readonly observationSpace: ObservationSpace;
  readonly actionSpace: DiscreteActionSpace;
  readonly k: number;
  readonly order: 'newest-first' | 'oldest-first';
  /** Values in one inner observation. */
  private readonly frameSize: number;
  /** [P, k, frameSize] the current stacks, allocated at the first reset with the inner env's dtype. */
  private stack: ObsArray | undefined;
  private closed = false;
  /** Present exactly when the inner env is resumable: the stacks and the inner env's state as plain JSON. */
  readonly getState?: () => FrameStackState;
  /**
   * Present exactly when the inner env is resumable: restores a {@link getState} result of a FrameStack built
   * with the same args over the same kind of env. Validates its own part, then the inner env's setState
   * validates its part, and only then are the stacks written: on a bad state nothing changes.
   */
  readonly setState?: (state: unknown) => Promise<void>;

  constructor(
    readonly inner: VecEnv,
    args: FrameStackArgs,
  ) {
    const { k, order = 'newest-first' } = args;
    if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer (got k=${k})`);
    if (order !== 'newest-first' && order !== 'oldest-first')
      throw new Error(`order must be 'newest-first' or 'oldest-first' (got order=${String(order)})`);
    this.k = k;
    this.order = order;
    this.numEnvs = inner.numEnvs;
    this.actionSpace = inner.actionSpace;
    this.observationSpace = { shape: [k, ...inner.observationSpace.shape], dtype: inner.observationSpace.dtype };
    this.frameSize = inner.observationSpace.shape.reduce((a, b) => a * b, 1);
    if (isResumableVecEnv(inner)) {
      this.getState = () => this.saveState(inner);
      this.setState = (state) => this.restoreState(inner, state);
    }
  }

  async reset(seed?: number): Promise<ObsArray> {
    const first = await this.inner.reset(seed);
    this.checkFrames(first, this.numEnvs, 'reset');
    const stack = first instanceof Uint8Array ? new Uint8Array(this.stackSize) : new Float32Array(this.stackSize);
    this.stack = stack;
    for (let i = 0; i < this.numEnvs; i++) this.startEnv(i, first, i);
    return stack.slice();
  }

  async step(actions: Int32Array): Promise<VecStepResult> {
    if (this.closed) throw new Error('FrameStack is closed: create a new env instead of calling it after close()');
    if (!this.stack) throw new Error('FrameStack.step called before reset(): call reset(seed) first');
    const result = await this.inner.step(actions);
    this.checkFrames(result.obs, this.numEnvs, 'step');
    const finalObs = new Map<number, ObsArray>();
    for (let i = 0; i < this.numEnvs; i++) {
      const ended = result.terminated[i] === 1 || result.truncated[i] === 1;
      const final = result.info.finalObs.get(i);
      if (ended) {
        if (final) {
          this.push(i, final, 0);
          const offset = i * this.k * this.frameSize;
          finalObs.set(i, this.stack.slice(offset, offset + this.k * this.frameSize));
        }
        this.startEnv(i, result.obs, i);
      } else {
        this.push(i, result.obs, i);
      }
    }
    const info: StepInfo = { ...result.info, finalObs };
    return { ...result, obs: this.stack.slice(), info };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inner.close();
  }

  private saveState(inner: ResumableVecEnv): FrameStackState {
    assertOpen(NAME, this.closed);
    assertStateReady(NAME, this.stack !== undefined);
    return {
      kind: NAME,
      numEnvs: this.numEnvs,
      k: this.k,
      order: this.order,
      dtype: this.observationSpace.dtype,
      frameSize: this.frameSize,
      stack: Array.from(this.stack!),
      inner: inner.getState(),
    };
  }

  private async restoreState(inner: ResumableVecEnv, value: unknown): Promise<void> {
    assertOpen(NAME, this.closed);
    const owner = `${NAME}.setState`;
    const state = stateObject(owner, 'state', value);
    expectKind(owner, state, NAME);
    for (const field of ['numEnvs', 'k', 'order', 'frameSize'] as const) expectSame(owner, state, 'state', field, this[field]);
    const dtype = this.observationSpace.dtype;
    expectSame(owner, state, 'state', 'dtype', dtype);
    const values =
      dtype === 'uint8'
        ? intArrayField(owner, state, 'state', 'stack', this.stackSize, 0, 255)
        : numberArrayField(owner, state, 'state', 'stack', this.stackSize);
    await inner.setState(state.inner);
    this.stack = dtype === 'uint8' ? Uint8Array.from(values) : Float32Array.from(values);
  }

  private get stackSize(): number {
    return this.numEnvs * this.k * this.frameSize;
  }

  private checkFrames(obs: ObsArray, frames: number, call: string): void {
    if (obs.length !== frames * this.frameSize)
      throw new Error(
        `FrameStack.${call}: the inner env returned ${obs.length} values, expected numEnvs·frameSize = ${frames * this.frameSize}`,
      );
  }

  /** The slot of the newest frame inside an env's stack. */
  private get newestSlot(): number {
    return this.order === 'newest-first' ? 0 : this.k - 1;
  }

  /** Clears env i's stack and writes frame `frameIndex` of `source` as its only (newest) frame. */
  private startEnv(i: number, source: ObsArray, frameIndex: number): void {
    const stack = this.stack!;
    const F = this.frameSize;
    const base = i * this.k * F;
    stack.fill(0, base, base + this.k * F);
    stack.set(source.subarray(frameIndex * F, (frameIndex + 1) * F), base + this.newestSlot * F);
  }

  /** Shifts env i's stack by one frame (dropping the oldest) and writes the new newest frame. */
  private push(i: number, source: ObsArray, frameIndex: number): void {
    const stack = this.stack!;
    const F = this.frameSize;
    const base = i * this.k * F;
    const end = base + this.k * F;
    if (this.order === 'newest-first') stack.copyWithin(base + F, base, end - F);
    else stack.copyWithin(base, base + F, end);
    stack.set(source.subarray(frameIndex * F, (frameIndex + 1) * F), base + this.newestSlot * F);
  }
}
