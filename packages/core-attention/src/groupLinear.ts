import * as tf from '@tensorflow/tfjs-core';
import { SeedStream, initVariable, normalInit } from './initializers.js';
import type { NamedVariables } from './namedWeights.js';
import { requirePositiveInt, requireShape } from './validation.js';
import { WeightedModule } from './weightedModule.js';

/**
 * `y[b, u] = x[b, u] · W[u]` for all units in one batched matmul (the RIM reference's GroupLinearLayer, `RIM.py`):
 * x `[B, U, din]`, W `[U, din, dout]` → `[B, U, dout]`.
 */
export function groupMatMul(x: tf.Tensor3D, w: tf.Tensor3D | tf.Variable): tf.Tensor3D {
  return tf.tidy(() => tf.transpose(tf.matMul(tf.transpose(x, [1, 0, 2]), w as tf.Tensor3D), [1, 0, 2]) as tf.Tensor3D);
}

/** Arguments of {@link GroupLinear}. */
export interface GroupLinearArgs {
  /** U: number of units, each with its own weight matrix. */
  units: number;
  /** din: input width per unit. */
  inputSize: number;
  /** dout: output width per unit. */
  outputSize: number;
  /** Adds a per-unit bias `[U, dout]` (initialised to zero). Default false, like the RIM reference. */
  bias?: boolean;
  /** Standard deviation of the N(0, std²) kernel initialisation. Default 0.01 (the RIM reference). */
  initStd?: number;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

/**
 * One linear map per unit (RIM's per-unit "GroupLinearLayer"), applied to all units in one batched matmul.
 * Weights: `kernel` `[U, din, dout]` (same layout as the PyTorch reference's `w`), `bias` `[U, dout]` when enabled.
 *
 * @example
 * const q = new GroupLinear({ units: 4, inputSize: 16, outputSize: 32, seed: 1 });
 * const y = q.apply(h); // h [B, 4, 16] → [B, 4, 32]
 */
export class GroupLinear extends WeightedModule {
  readonly units: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** `[U, din, dout]` */
  readonly kernel: tf.Variable;
  /** `[U, dout]`, or null without bias. */
  readonly bias: tf.Variable | null;
  private readonly args: GroupLinearArgs;

  constructor(args: GroupLinearArgs) {
    super('GroupLinear');
    requirePositiveInt('units', args.units);
    requirePositiveInt('inputSize', args.inputSize);
    requirePositiveInt('outputSize', args.outputSize);
    this.args = { ...args };
    this.units = args.units;
    this.inputSize = args.inputSize;
    this.outputSize = args.outputSize;
    const seeds = new SeedStream(args.seed);
    this.kernel = initVariable(() => normalInit([args.units, args.inputSize, args.outputSize], args.initStd ?? 0.01, seeds.next()));
    this.bias = args.bias ? initVariable(() => tf.zeros([args.units, args.outputSize])) : null;
  }

  /** x `[B, U, din]` → `[B, U, dout]`. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    requireShape('GroupLinear', 'x', x, [-1, this.units, this.inputSize]);
    return tf.tidy(() => {
      const y = groupMatMul(x, this.kernel);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  /** Variables by name: `kernel` (and `bias`). */
  namedVariables(): NamedVariables {
    return this.bias ? { kernel: this.kernel, bias: this.bias } : { kernel: this.kernel };
  }

  config(): GroupLinearArgs {
    return { ...this.args };
  }
}
