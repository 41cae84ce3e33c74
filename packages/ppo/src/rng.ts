/**
 * The run's random number generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 128 bits
 * of state that fit in a checkpoint as four integers. Every random choice PPO makes itself (action sampling,
 * minibatch shuffling, weight-init seeds) draws from one instance, so a resumed run continues the very same
 * stream.
 *
 * @example
 * const rng = new Rng(1);
 * const u = rng.next();          // [0, 1)
 * const saved = rng.getState();  // into the checkpoint
 * new Rng(0).setState(saved);    // continues exactly where `rng` is
 */
export class Rng {
  private s: Uint32Array = new Uint32Array(4);

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer (got ${seed})`);
    this.s[0] = 0x9e3779b9;
    this.s[1] = 0x243f6a88;
    this.s[2] = 0xb7e15162;
    this.s[3] = seed >>> 0;
    // sfc32's recommended warm-up: decorrelates nearby seeds before the first draw.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const t = (((s[0]! + s[1]!) >>> 0) + s[3]!) >>> 0;
    s[3] = (s[3]! + 1) >>> 0;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) >>> 0;
    s[2] = (s[2]! + t) >>> 0;
    return t;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** The four state words, for a checkpoint. */
  getState(): number[] {
    return Array.from(this.s);
  }

  /** Restores a state from {@link getState}. */
  setState(state: readonly number[]): this {
    if (state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff))
      throw new Error(`rng state must be 4 unsigned 32-bit integers (got ${JSON.stringify(state)})`);
    this.s = Uint32Array.from(state);
    return this;
  }
}
