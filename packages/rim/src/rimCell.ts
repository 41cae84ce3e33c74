import * as tf from '@tensorflow/tfjs-core';
import {
  Dense,
  blockGradient,
  GroupGRUCell,
  GroupLinear,
  GroupLSTMCell,
  SeedStream,
  assignWeights,
  mergeHeads,
  prefixNames,
  requirePositiveInt,
  requireRate,
  requireShape,
  scaledDotProductAttention,
  snapshotWeights,
  splitHeads,
  type NamedVariables,
} from '@mempo/core-attention';
import { topKMask } from './topKMask.js';

/** The independent dynamics of each unit. */
export type RIMCellKind = 'lstm' | 'gru';

/**
 * How units compete (spec rim.md, Competition): `'null-attention'` (paper) scores a unit by
 * 1 − its attention to the null element; `'real-logit'` (reference code) by its pre-softmax logit on the
 * real input (max over elements). They agree while the input key bias is zero.
 */
export type SelectionRule = 'null-attention' | 'real-logit';

/** Arguments of {@link RIMCell}; defaults are the paper's / reference's. */
export interface RIMCellArgs {
  /** D: width of each input element. */
  inputSize: number;
  /** H: hidden size per unit. */
  hiddenSize: number;
  /** U: number of units (paper Kt). */
  units: number;
  /** Active units per step (paper Ka), 1 ≤ k ≤ U. */
  k: number;
  /** Unit dynamics. Default 'lstm'. */
  cell?: RIMCellKind;
  /** Competition rule. Default 'null-attention'. */
  selection?: SelectionRule;
  /** Input-attention key (and query) size per head. Default 64. */
  inputKeySize?: number;
  /** Width of what a unit reads, the cell's input width (d_value). Default 400. */
  inputValueSize?: number;
  /** Input-attention heads (logits and values are averaged over them). Default 1. */
  numInputHeads?: number;
  /** Dropout on the input-attention probabilities when training. Default 0.1. */
  inputDropout?: number;
  /** Communication key (and query) size per head. Default 32. */
  commKeySize?: number;
  /** Communication value size per head; must equal hiddenSize (the residual adds it to h). Default H. */
  commValueSize?: number;
  /** Communication heads. Default 4. */
  numCommHeads?: number;
  /** Dropout on the communication probabilities when training. Default 0.1. */
  commDropout?: number;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

/** A RIM state: h `[B, U, H]`, and c `[B, U, H]` for the LSTM dynamics. */
export type RIMState = { h: tf.Tensor3D; c?: tf.Tensor3D };

/** One RIM step: the next state and what a study plots. */
export type RIMStepResult = RIMState & {
  /** `[B, U]` 0/1, exactly k ones per row. */
  mask: tf.Tensor2D;
  /** `[B, U, N+1]` input-attention probabilities; the last element is the null element. */
  attention: tf.Tensor3D;
};

/** Input keys and values for all elements plus the null element (they do not depend on the state). */
export type RIMInputProjection = {
  /** `[…, N+1, heads·dk]` */
  keys: tf.Tensor;
  /** `[…, N+1, dv]`, averaged over heads */
  values: tf.Tensor;
};

type Resolved = Required<Omit<RIMCellArgs, 'seed'>> & { seed?: number };

/**
 * One Recurrent Independent Mechanisms step (Goyal et al. 2019; spec rim.md, "One RIMCell step"):
 * null element, input attention, top-k competition, masked read, independent group dynamics, blocked
 * gradient, communication with residual, masked update.
 *
 * Weights (names, shapes; h = numInputHeads, hc = numCommHeads):
 * - `inputKey.kernel` `[D, h·dk]`, `inputKey.bias` `[h·dk]`; `inputValue.kernel` `[D, h·dv]`, `inputValue.bias` `[h·dv]`
 * - `inputQuery.kernel` `[U, H, h·dk]`
 * - `cell.kernel` `[U, dv, 4H]`, `cell.recurrentKernel` `[U, H, 4H]`, `cell.bias` `[U, 4H]` (LSTM, gates i,f,g,o);
 *   GRU: `[U, dv, 3H]`, `[U, H, 3H]`, `[U, 3H]` and `cell.recurrentBias` `[U, 3H]` (gates r,z,n)
 * - `commQuery.kernel`, `commKey.kernel` `[U, H, hc·ck]`; `commValue.kernel` `[U, H, hc·H]`; `commOutput.kernel` `[U, hc·H, H]`
 *
 * @example
 * const rim = new RIMCell({ inputSize: 64, hiddenSize: 16, units: 4, k: 3, inputValueSize: 64, seed: 1 });
 * const state = rim.initialState(8);
 * const { h, c, mask } = rim.step(x, state, { training: false }); // x [8, N, 64] → h, c [8, 4, 16]
 */
export class RIMCell {
  readonly inputKey: Dense;
  readonly inputValue: Dense;
  readonly inputQuery: GroupLinear;
  readonly cell: GroupLSTMCell | GroupGRUCell;
  readonly commQuery: GroupLinear;
  readonly commKey: GroupLinear;
  readonly commValue: GroupLinear;
  readonly commOutput: GroupLinear;
  private readonly a: Resolved;

  constructor(args: RIMCellArgs) {
    const a: Resolved = {
      cell: 'lstm',
      selection: 'null-attention',
      inputKeySize: 64,
      inputValueSize: 400,
      numInputHeads: 1,
      inputDropout: 0.1,
      commKeySize: 32,
      commValueSize: args.hiddenSize,
      numCommHeads: 4,
      commDropout: 0.1,
      ...args,
    };
    const sizes = ['inputSize', 'hiddenSize', 'units', 'inputKeySize', 'inputValueSize', 'numInputHeads'] as const;
    for (const f of sizes) requirePositiveInt(f, a[f]);
    for (const f of ['commKeySize', 'commValueSize', 'numCommHeads'] as const) requirePositiveInt(f, a[f]);
    if (!Number.isInteger(a.k) || a.k < 1 || a.k > a.units) {
      throw new Error(`k must be an integer in 1..units (got k=${a.k}, units=${a.units})`);
    }
    if (a.commValueSize !== a.hiddenSize) {
      throw new Error(
        `commValueSize must equal hiddenSize (got commValueSize=${a.commValueSize}, hiddenSize=${a.hiddenSize}): ` +
          'the communication residual adds its output to h',
      );
    }
    if (a.cell !== 'lstm' && a.cell !== 'gru') throw new Error(`cell must be 'lstm' or 'gru' (got '${String(a.cell)}')`);
    if (a.selection !== 'null-attention' && a.selection !== 'real-logit') {
      throw new Error(`selection must be 'null-attention' or 'real-logit' (got '${String(a.selection)}')`);
    }
    requireRate('inputDropout', a.inputDropout);
    requireRate('commDropout', a.commDropout);
    this.a = a;
    const { units: U, hiddenSize: H, inputSize: D, numInputHeads: hi, numCommHeads: hc } = a;
    const seeds = new SeedStream(a.seed);
    // Spec rim.md, Initialisation: shared key/value like a dense layer (their biases are the null element's
    // key and value, so they are kept), GroupLinear maps N(0, 0.01²), cell weights U(±1/√H).
    this.inputKey = new Dense({ inputSize: D, outputSize: hi * a.inputKeySize, seed: seeds.next() });
    this.inputValue = new Dense({ inputSize: D, outputSize: hi * a.inputValueSize, seed: seeds.next() });
    this.inputQuery = new GroupLinear({ units: U, inputSize: H, outputSize: hi * a.inputKeySize, seed: seeds.next() });
    const cellArgs = { units: U, inputSize: a.inputValueSize, hiddenSize: H, seed: seeds.next() };
    this.cell = a.cell === 'lstm' ? new GroupLSTMCell(cellArgs) : new GroupGRUCell(cellArgs);
    this.commQuery = new GroupLinear({ units: U, inputSize: H, outputSize: hc * a.commKeySize, seed: seeds.next() });
    this.commKey = new GroupLinear({ units: U, inputSize: H, outputSize: hc * a.commKeySize, seed: seeds.next() });
    this.commValue = new GroupLinear({ units: U, inputSize: H, outputSize: hc * H, seed: seeds.next() });
    this.commOutput = new GroupLinear({ units: U, inputSize: hc * H, outputSize: H, seed: seeds.next() });
  }

  get units(): number {
    return this.a.units;
  }
  get hiddenSize(): number {
    return this.a.hiddenSize;
  }
  get inputSize(): number {
    return this.a.inputSize;
  }
  get k(): number {
    return this.a.k;
  }
  get kind(): RIMCellKind {
    return this.a.cell;
  }

  /** Zero state for `batch` envs (never random, unlike the reference). */
  initialState(batch: number): RIMState {
    const shape: [number, number, number] = [batch, this.a.units, this.a.hiddenSize];
    return this.a.cell === 'lstm' ? { h: tf.zeros(shape), c: tf.zeros(shape) } : { h: tf.zeros(shape) };
  }

  /**
   * Steps 1–2 that depend only on the input (RIM §2.1): append the null element and project keys and
   * values. Works on `[B, N, D]` and on a whole sequence `[T, B, N, D]` at once.
   */
  projectInput(x: tf.Tensor): RIMInputProjection {
    if (x.shape[x.rank - 1] !== this.a.inputSize) {
      throw new Error(`RIMCell: input width must be inputSize=${this.a.inputSize} (got x with shape [${x.shape.join(',')}])`);
    }
    return tf.tidy(() => {
      // The null element is an all-zero row, so its key and value are the projections' biases.
      const nullShape = [...x.shape.slice(0, -2), 1, this.a.inputSize];
      const withNull = tf.concat([tf.cast(x, 'float32'), tf.zeros(nullShape)], x.rank - 2); // […, N+1, D]
      const keys = this.inputKey.apply(withNull);
      const rawValues = this.inputValue.apply(withNull); // […, N+1, h·dv]
      const hi = this.a.numInputHeads;
      const values =
        hi === 1
          ? rawValues
          : tf.mean(tf.reshape(rawValues, [...rawValues.shape.slice(0, -1), hi, this.a.inputValueSize] as number[]), -2);
      return { keys, values };
    });
  }

  /** One step: x `[B, N, D]` (N = 1 for a flat vector). */
  step(x: tf.Tensor3D, state: RIMState, opts: { training: boolean }): RIMStepResult {
    requireShape('RIMCell', 'input x [B, N, D]', x, [-1, -1, this.a.inputSize]);
    return tf.tidy(() => this.stepProjected(this.projectInput(x), state, opts));
  }

  /** Steps 2–8 from a precomputed {@link projectInput} of this step (keys `[B, N+1, h·dk]`, values `[B, N+1, dv]`). */
  stepProjected(input: RIMInputProjection, state: RIMState, opts: { training: boolean }): RIMStepResult {
    const { units: U, hiddenSize: H, k } = this.a;
    const B = input.keys.shape[0]!;
    requireShape('RIMCell', 'state h', state.h, [B, U, H]);
    if (this.a.cell === 'lstm') {
      if (!state.c) throw new Error('RIMCell: state c is required for the LSTM cell');
      requireShape('RIMCell', 'state c', state.c, [B, U, H]);
    }
    return tf.tidy(() => {
      const { probs, mask, read } = this.inputAttention(input, state.h, opts.training, k);
      // Step 5: every unit runs its own dynamics; inactive units read an exact zero vector.
      let hNew: tf.Tensor3D;
      let cNew: tf.Tensor3D | undefined;
      if (this.cell instanceof GroupLSTMCell) {
        ({ h: hNew, c: cNew } = this.cell.step(read, { h: state.h, c: state.c! }));
      } else {
        hNew = this.cell.step(read, state.h);
      }
      const active = tf.cast(tf.broadcastTo(tf.reshape(mask, [B, U, 1]), [B, U, H]), 'bool');
      // Step 6 (blocked gradient): communication sees inactive units' fresh h̃ but sends them no gradient.
      const hBlocked = blockGradient(hNew, tf.reshape(mask, [B, U, 1]));
      const hComm = this.communication(hBlocked, mask, opts.training);
      // Step 8: inactive units keep h and c bit-exactly (a select, not an arithmetic blend).
      const h = tf.where(active, hComm, state.h) as tf.Tensor3D;
      const out: RIMStepResult = { h, mask, attention: probs };
      if (cNew) out.c = tf.where(active, cNew, state.c!) as tf.Tensor3D;
      return out;
    });
  }

  /** Steps 2–4: logits `[B, U, N+1]`, competition, masked read `[B, U, dv]`. */
  private inputAttention(input: RIMInputProjection, h: tf.Tensor3D, training: boolean, k: number) {
    const { numInputHeads: hi, inputKeySize: dk } = this.a;
    const q = splitHeads(this.inputQuery.apply(h), hi); // [B, hi, U, dk]
    const keys = splitHeads(input.keys, hi); // [B, hi, N+1, dk]
    const perHead = tf.div(tf.matMul(q, keys, false, true), Math.sqrt(dk)); // [B, hi, U, N+1]
    const logits = (hi === 1 ? tf.squeeze(perHead, [1]) : tf.mean(perHead, 1)) as tf.Tensor3D; // [B, U, N+1]
    const probs = tf.softmax(logits) as tf.Tensor3D;
    const n = logits.shape[2] - 1; // index of the null element
    const scores =
      this.a.selection === 'null-attention'
        ? tf.sub(1, tf.squeeze(tf.slice(probs, [0, 0, n], [-1, -1, 1]), [2]))
        : tf.max(tf.slice(logits, [0, 0, 0], [-1, -1, n]), 2);
    const mask = topKMask(scores as tf.Tensor2D, k); // [B, U]
    const p = training && this.a.inputDropout > 0 ? tf.dropout(probs, this.a.inputDropout) : probs;
    const read = tf.mul(tf.matMul(p, input.values as tf.Tensor3D), tf.expandDims(mask, 2)) as tf.Tensor3D; // [B, U, dv]
    return { probs, mask, read };
  }

  /** Step 7: attention among units; only active units (queries) read; residual. `[B, U, H]` → `[B, U, H]`. */
  private communication(hBlocked: tf.Tensor3D, mask: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const { numCommHeads: hc, units: U } = this.a;
    const { output } = scaledDotProductAttention(
      splitHeads(this.commQuery.apply(hBlocked), hc),
      splitHeads(this.commKey.apply(hBlocked), hc),
      splitHeads(this.commValue.apply(hBlocked), hc),
      {
        softmaxAxis: 'keys',
        probMask: tf.reshape(mask, [-1, 1, U, 1]),
        dropout: this.a.commDropout,
        training,
      },
    ); // [B, hc, U, H]
    return tf.add(this.commOutput.apply(mergeHeads(output)), hBlocked) as tf.Tensor3D;
  }

  /** Variables by their documented names. */
  namedVariables(): NamedVariables {
    return {
      ...prefixNames('inputKey', this.inputKey.namedVariables()),
      ...prefixNames('inputValue', this.inputValue.namedVariables()),
      ...prefixNames('inputQuery', this.inputQuery.namedVariables()),
      ...prefixNames('cell', this.cell.namedVariables()),
      ...prefixNames('commQuery', this.commQuery.namedVariables()),
      ...prefixNames('commKey', this.commKey.namedVariables()),
      ...prefixNames('commValue', this.commValue.namedVariables()),
      ...prefixNames('commOutput', this.commOutput.namedVariables()),
    };
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  /** Copies of the weights by name (the caller disposes them). */
  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  /** Assigns every weight by name; throws naming a missing, unknown or mis-shaped entry. */
  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights('RIMCell', this.namedVariables(), weights);
  }

  /** The resolved args (defaults filled in); `new RIMCell(cell.config())` rebuilds it. */
  config(): RIMCellArgs {
    return { ...this.a };
  }

  dispose(): void {
    tf.dispose(Object.values(this.namedVariables()));
  }
}
