import * as tf from '@tensorflow/tfjs-core';

/**
 * A reproducible stream of seeds derived from one user seed: each weight of a module draws from its own
 * seed, so adding a weight never silently changes another weight's values. Without a user seed every
 * draw is fresh randomness.
 *
 * @example
 * const seeds = new SeedStream(42);
 * const w = uniformInit([4, 8], 0.5, seeds.next());
 */
export class SeedStream {
  private counter = 0;

  constructor(private readonly seed?: number) {}

  /** The next seed, or `undefined` (fresh randomness) when the stream has no seed. */
  next(): number | undefined {
    if (this.seed === undefined) return undefined;
    this.counter += 1;
    // Large co-prime multipliers keep consecutive derived seeds far apart in seedrandom's state space.
    return (Math.abs(Math.trunc(this.seed)) * 1_000_003 + this.counter * 7_919) % 2_147_483_647;
  }
}

/** U(−limit, limit): PyTorch's default for recurrent cells and dense layers (limit = 1/√fanIn or 1/√H). */
export function uniformInit(shape: number[], limit: number, seed?: number): tf.Tensor {
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

/** N(0, std²): the reference's GroupLinear initialisation uses std = 0.01 (spec rim.md, Initialisation). */
export function normalInit(shape: number[], std: number, seed?: number): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', seed);
}

/** Glorot/Xavier uniform, limit √(6 / (fanIn + fanOut)). */
export function glorotUniformInit(shape: number[], fanIn: number, fanOut: number, seed?: number): tf.Tensor {
  return uniformInit(shape, Math.sqrt(6 / (fanIn + fanOut)), seed);
}

/**
 * A variable holding `init()`'s value. `tf.variable(t)` keeps `t` registered beside the variable, so the
 * memory would outlive the variable's `dispose()`; building it inside `tf.tidy` frees that initial handle.
 *
 * @example
 * const w = initVariable(() => uniformInit([4, 8], 0.5, seeds.next()));
 */
export function initVariable(init: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(init()));
}
