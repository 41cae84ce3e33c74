import * as tf from '@tensorflow/tfjs-core';
import { SeedStream, initKernel, initVariable, uniformInit, type InitScheme } from './initializers.js';
import type { NamedVariables } from './namedWeights.js';
import { requirePositiveInt } from './validation.js';
import { WeightedModule } from './weightedModule.js';

/** Sizes of a gated recurrent cell; `units` only for the group cells. */
export interface GatedCellSizes {
  /** U: independent cells computed together (group cells only). */
  units?: number;
  /** Width of the input x (per unit). */
  inputSize: number;
  /** H: width of h (per unit). */
  hiddenSize: number;
  /** Seed for reproducible initialisation; omitted = fresh randomness. */
  seed?: number;
  /**
   * Whether the cell has a bias. Default true. false: no bias variable at all (nothing to train or save), as
   * the RIM reference's group cells (`RIM.py` GroupLSTMCell / GroupGRUCell: GroupLinearLayer i2h and h2h).
   */
  bias?: boolean;
}

/**
 * How a dense gated cell's weights start (the core-attention README, "LSTM initialisation"):
 * - `'uniform'`: PyTorch's recurrent cells, kernels and bias U(±1/√H).
 * - `'glorot'`: TF 1's `BasicLSTMCell`: one Glorot-uniform kernel over `[x, h]` (`[in + H, G·H]`, so both parts
 *   share the limit √(6 / (in + H + G·H))), zero bias.
 * - `'orthogonal'`: `orthogonal_(weight, 1)` on PyTorch's `weight_ih` and `weight_hh` each (CleanRL's LSTM), zero bias.
 */
export type CellInit = Extract<InitScheme, 'uniform' | 'glorot' | 'orthogonal'>;

/** The {@link CellInit} schemes, for option schemas and messages. */
export const CELL_INITS = ['uniform', 'glorot', 'orthogonal'] as const satisfies readonly CellInit[];

/**
 * The weights every gated cell has, with G gate blocks stacked on the last axis: an input kernel, a
 * recurrent kernel and a bias, all U(±1/√H) like PyTorch's recurrent cells. A group cell (`units` set)
 * gets a leading U axis on each. The gate equations stay in each subclass; a subclass that needs another
 * weight (the GRU's recurrent bias) draws it with {@link GatedCellBase.newWeight} after `super`, so
 * the seeds go kernel, recurrentKernel, bias, then the subclass's own.
 */
export abstract class GatedCellBase extends WeightedModule {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** `[in, G·H]`, or `[U, in, G·H]` */
  readonly kernel: tf.Variable;
  /** `[H, G·H]`, or `[U, H, G·H]` */
  readonly recurrentKernel: tf.Variable;
  /** `[G·H]`, or `[U, G·H]`; null for a cell made with `bias: false`. */
  readonly bias: tf.Variable | null;
  private readonly leadingShape: number[];
  private readonly seeds: SeedStream;

  /**
   * @param owner class name for error messages
   * @param gates G, the number of gate blocks
   * @param init how kernels and bias start; anything but `'uniform'` only for a dense cell (no `units`)
   */
  protected constructor(owner: string, sizes: GatedCellSizes, gates: number, init: CellInit = 'uniform') {
    super(owner);
    if (sizes.units !== undefined) requirePositiveInt('units', sizes.units);
    requirePositiveInt('inputSize', sizes.inputSize);
    requirePositiveInt('hiddenSize', sizes.hiddenSize);
    this.inputSize = sizes.inputSize;
    this.hiddenSize = sizes.hiddenSize;
    this.leadingShape = sizes.units === undefined ? [] : [sizes.units];
    this.seeds = new SeedStream(sizes.seed);
    const GH = gates * sizes.hiddenSize;
    if (init !== 'uniform' && sizes.units !== undefined)
      throw new Error(`${owner}: init '${init}' is for dense cells; a group cell (units=${sizes.units}) takes 'uniform' only`);
    this.kernel = this.newKernel(init, [sizes.inputSize, GH], sizes.inputSize + sizes.hiddenSize);
    this.recurrentKernel = this.newKernel(init, [sizes.hiddenSize, GH], sizes.inputSize + sizes.hiddenSize);
    // Drawn last, so a cell without it has the same kernels as one with it (same seed).
    if (sizes.bias === false) this.bias = null;
    else this.bias = init === 'uniform' ? this.newWeight([GH]) : initVariable(() => tf.zeros([GH]));
  }

  /**
   * A kernel `[rows, G·H]` by `init`; `concatRows` = in + H, the rows of the one kernel over `[x, h]` that TF's
   * `BasicLSTMCell` draws (its Glorot fan-in). `'uniform'` draws exactly as before the option existed.
   */
  private newKernel(init: CellInit, shape: [number, number], concatRows: number): tf.Variable {
    if (init === 'uniform') return this.newWeight(shape);
    const seed = this.seeds.next();
    if (init === 'glorot') return initVariable(() => uniformInit(shape, Math.sqrt(6 / (concatRows + shape[1])), seed));
    return initVariable(() => initKernel('orthogonal', shape, 1, seed));
  }

  /** z + bias, or z itself for a cell without a bias. */
  protected addBias(z: tf.Tensor): tf.Tensor {
    return this.bias ? tf.add(z, this.bias) : z;
  }

  /** A new U(±1/√H) variable of per-unit shape `shape` (U prepended for group cells), from the next seed. */
  protected newWeight(shape: number[]): tf.Variable {
    const limit = 1 / Math.sqrt(this.hiddenSize);
    return initVariable(() => uniformInit([...this.leadingShape, ...shape], limit, this.seeds.next()));
  }

  /** Variables by name: `kernel`, `recurrentKernel`, `bias` unless made without (and a subclass's own after them). */
  namedVariables(): NamedVariables {
    const { kernel, recurrentKernel, bias } = this;
    return bias ? { kernel, recurrentKernel, bias } : { kernel, recurrentKernel };
  }
}
