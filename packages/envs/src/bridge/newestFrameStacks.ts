import type { ObsArray } from '../vecEnv.js';

/**
 * The frame stacks of a bridged env whose worker sends only each env's newest frame (the `make` request's
 * `frames: 'newest'`): a quarter of the bytes per step for 4 stacked Atari frames, which is most of the
 * bridge's cost per step (`nx run bench:speed --suite envs`).
 *
 * Rebuilds exactly what ALE's `AtariVectorEnv` stacks, oldest frame first: a reset stack is zeros and the
 * first frame; each step shifts the stack by one frame, also across a lost life, where the game goes on; a
 * restarted game (game over, truncation) starts a new stack. An ended episode's final stack is the shifted
 * stack with the worker's final frame. The bridge tests compare this with ALE's own stacks.
 */
export class NewestFrameStacks {
  private readonly stacks: Uint8Array;
  private readonly stackSize: number;

  constructor(
    readonly numEnvs: number,
    /** Frames per stack. */
    readonly k: number,
    /** Values in one frame. */
    readonly frameSize: number,
  ) {
    this.stackSize = k * frameSize;
    this.stacks = new Uint8Array(numEnvs * this.stackSize);
  }

  /** Starts every stack from `frames` `[P, frame]`; returns the stacks `[P, k, frame]` (a copy). */
  reset(frames: Uint8Array): Uint8Array {
    this.stacks.fill(0);
    for (let i = 0; i < this.numEnvs; i++) this.writeNewest(i, frames, i);
    return this.stacks.slice();
  }

  /**
   * Advances every stack by the step's newest `frames` `[P, frame]`. `finalFrames` `[K, frame]` holds the
   * last frame of each env in `finalEnvs`; the envs in `restarted` begin new stacks.
   */
  step(
    frames: Uint8Array,
    finalEnvs: readonly number[],
    finalFrames: Uint8Array,
    restarted: readonly number[],
  ): { obs: Uint8Array; finalObs: Map<number, ObsArray> } {
    const F = this.frameSize;
    const finalObs = new Map<number, ObsArray>();
    finalEnvs.forEach((env, row) => {
      const final = new Uint8Array(this.stackSize);
      const base = env * this.stackSize;
      final.set(this.stacks.subarray(base + F, base + this.stackSize));
      final.set(finalFrames.subarray(row * F, (row + 1) * F), this.stackSize - F);
      finalObs.set(env, final);
    });
    for (let i = 0; i < this.numEnvs; i++) {
      const base = i * this.stackSize;
      this.stacks.copyWithin(base, base + F, base + this.stackSize);
      this.writeNewest(i, frames, i);
    }
    for (const env of restarted) {
      const base = env * this.stackSize;
      this.stacks.fill(0, base, base + this.stackSize - F);
    }
    return { obs: this.stacks.slice(), finalObs };
  }

  /** Every stack `[P, k, frame]` (a copy), to save a run mid-episode. */
  snapshot(): Uint8Array {
    return this.stacks.slice();
  }

  /** Continues from a {@link snapshot} of stacks of the same shape. */
  restore(stacks: Uint8Array): void {
    if (stacks.length !== this.stacks.length)
      throw new Error(`frame stacks must hold ${this.stacks.length} bytes (got ${stacks.length})`);
    this.stacks.set(stacks);
  }

  private writeNewest(env: number, frames: Uint8Array, row: number): void {
    const F = this.frameSize;
    this.stacks.set(frames.subarray(row * F, (row + 1) * F), (env + 1) * this.stackSize - F);
  }
}
