/** Golden-ratio Weyl increment: consecutive states visit all 2^32 values before repeating. */
const WEYL = 0x9e3779b9;

/** A 32-bit avalanche mix (the "lowbias32" finalizer constants of C. Wellons' hash prospector). */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * A small, fast, seedable pseudo-random generator: a 32-bit Weyl sequence passed through an avalanche mix
 * (period 2^32). Deterministic across platforms, so seeded env traces are stable. Not for cryptography.
 *
 * ```ts
 * const rng = new Random32(7);
 * const u = rng.next();        // [0, 1)
 * const a = rng.nextInt(4);    // 0..3
 * ```
 */
export class Random32 {
  private s: number;

  /** @param seed any integer; it is mixed first so that nearby seeds (`seed + i`) give unrelated streams. */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer (got seed=${seed})`);
    this.s = mix32(seed ^ 0x5bd1e995);
  }

  /** A generator continuing a saved {@link state}. */
  static fromState(state: number): Random32 {
    const rng = new Random32(0);
    rng.state = state;
    return rng;
  }

  /** Uniform integer in `0 .. 2^32 - 1`. */
  nextUint32(): number {
    this.s = (this.s + WEYL) >>> 0;
    return mix32(this.s);
  }

  /** Uniform float in `[0, 1)` with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in `0 .. n-1` (n ≤ 2^32). */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer (got n=${n})`);
    return Math.floor(this.next() * n);
  }

  /** The generator's internal state, to save and restore a stream exactly. */
  get state(): number {
    return this.s;
  }

  /** Restores a saved {@link state} (an integer in `0 .. 2^32 - 1`). */
  set state(value: number) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new Error(`state must be an integer in 0..2^32-1, as read from rng.state (got state=${value})`);
    this.s = value;
  }
}
