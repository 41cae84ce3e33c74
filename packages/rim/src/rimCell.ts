import * as tf from '@tensorflow/tfjs-core';
import {
  Dense,
  deriveSeed,
  dropoutScale,
  GroupGRUCell,
  GroupLinear,
  GroupLSTMCell,
  SeedStream,
  assignWeights,
  prefixNames,
  requirePositiveInt,
  requireRate,
  requireShape,
  snapshotWeights,
  timeSteps,
  type CoreCallOptions,
  type InitScheme,
  type NamedVariables,
} from '@mempo/core-attention';
import { SequenceLinear } from './sequenceLinear.js';
import {
  appendNullElement,
  communication,
  competition,
  gruDynamics,
  inputAttention,
  lstmDynamics,
  maskedRead,
  maskedUpdate,
  toFusedGateOrder,
  unitMajorMask,
} from './rimStep.js';

/** The independent dynamics of each unit. */
export type RIMCellKind = 'lstm' | 'gru';

/**
 * How units compete (the competition, step 3 of a {@link RIMCell} step): `'null-attention'` (paper) scores a unit by
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
  /**
   * Initialisation of the shared input key and value maps (core-attention's `InitScheme`). Default
   * 'uniform' (PyTorch's `nn.Linear`); 'torch-ac' is what torch-ac's `init_params` makes of the reference's
   * `key` / `value` layers in its MiniGrid model (unit-norm weight rows, zero bias).
   */
  inputInit?: InitScheme;
  /**
   * Whether the group cell has a bias (LSTM `cell.bias`; GRU also `cell.recurrentBias`). Default true.
   * false: no bias variables at all, as the reference's GroupLSTMCell / GroupGRUCell (`RIM.py`: i2h and h2h
   * are GroupLinearLayers, which have no bias), so none is trained or saved.
   */
  cellBias?: boolean;
  /** Behaviours of the reference code that its published numbers depend on; all off by default. */
  referenceQuirks?: RIMReferenceQuirks;
}

/**
 * Behaviours of the RIM reference code (dido1998/Recurrent-Independent-Mechanisms) that are not in the
 * paper but that the published MiniGrid numbers were made with. Off by default: turn them on to reproduce
 * those numbers, leave them off for new work.
 */
export interface RIMReferenceQuirks {
  /**
   * c := h after every step (LSTM cell only). The reference's MiniGrid model (`minigrid_experiments/model.py`,
   * `forward`) builds the cell state it passes in from h (`hidden[1] = hidden[0].view(...)`), so its RIM
   * carries no LSTM cell state from one step to the next: c starts every step equal to the old h. Here the
   * state's c is set to the new h after each step (and to h at a sequence's start), which gives the next
   * step exactly the reference's input and keeps the stored state honest. Default false.
   */
  cellFromHidden?: boolean;
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

/** {@link RIMCell.sequence} over T steps. */
export type RIMSequenceResult = {
  /** `[T, B, U, H]` every step's h */
  hs: tf.Tensor4D;
  /** The state after the last step. */
  state: RIMState;
  /** `[T, B, U]` 0/1 active units per step. */
  mask: tf.Tensor3D;
  /** `[T, B, U, N+1]` input-attention probabilities per step; the last element is the null element. */
  attention: tf.Tensor4D;
};

/** Work that depends only on the weights, done once per sequence and shared by its steps. */
type Prepared = {
  /** `[U, H, h·dk + G]`: the input query map and the cell's recurrent kernel, both applied to the old h. */
  hWeight: tf.Tensor3D;
  /** `[U, H, hc·(2·ck + H)]`: communication query (pre-scaled by 1/√ck), key and value maps. */
  commWeight: tf.Tensor3D;
  /** `[U, dv, G]` the cell's input kernel; LSTM gate blocks reordered to i, f, o, g (see {@link prepare}). */
  kernel: tf.Tensor3D;
  /** `[U, 1, G]` cell bias (same gate order); GRU also `[U, 1, 3H]` recurrent bias; null without (`cellBias: false`). */
  bias: tf.Tensor3D | null;
  recurrentBias: tf.Tensor3D | null;
  /** `[1, U, U]` v < u, the competition's tie-breaker. */
  lowerIndex: tf.Tensor3D;
};

/** Step t's per-unit maps of one sequence, `[U, B, din]` → `[U, B, dout]`. */
type StepMaps = {
  /** h → input queries and the cell's recurrent pre-activations ({@link Prepared.hWeight}). */
  hMap: (x: tf.Tensor3D) => tf.Tensor3D;
  /** read → the cell's input pre-activations plus bias. */
  inputMap: (x: tf.Tensor3D) => tf.Tensor3D;
  /** ĥ → communication queries, keys, values. */
  commMap: (x: tf.Tensor3D) => tf.Tensor3D;
  /** merged heads → communication output. */
  outputMap: (x: tf.Tensor3D) => tf.Tensor3D;
};

// Quirks, inputInit and cellBias stay absent unless given, so the config (and config.json) of a cell without
// them is unchanged.
type Optional = 'seed' | 'referenceQuirks' | 'inputInit' | 'cellBias';
type Resolved = Required<Omit<RIMCellArgs, Optional>> & Pick<RIMCellArgs, Optional>;

/**
 * One Recurrent Independent Mechanisms step (Goyal et al. 2019, section 2; the parts are rimStep.ts's named functions):
 * null element, input attention, top-k competition, masked read, independent group dynamics, blocked
 * gradient, communication with residual, masked update.
 *
 * Weights (names, shapes; h = numInputHeads, hc = numCommHeads):
 * - `inputKey.kernel` `[D, h·dk]`, `inputKey.bias` `[h·dk]`; `inputValue.kernel` `[D, h·dv]`, `inputValue.bias` `[h·dv]`
 * - `inputQuery.kernel` `[U, H, h·dk]`
 * - `cell.kernel` `[U, dv, 4H]`, `cell.recurrentKernel` `[U, H, 4H]`, `cell.bias` `[U, 4H]` (LSTM, gates i,f,g,o);
 *   GRU: `[U, dv, 3H]`, `[U, H, 3H]`, `[U, 3H]` and `cell.recurrentBias` `[U, 3H]` (gates r,z,n); no biases
 *   with `cellBias: false`
 * - `commQuery.kernel`, `commKey.kernel` `[U, H, hc·ck]`; `commValue.kernel` `[U, H, hc·H]`; `commOutput.kernel` `[U, hc·H, H]`
 *
 * @example
 * const rim = new RIMCell({ inputSize: 64, hiddenSize: 16, units: 4, k: 3, inputValueSize: 64, seed: 1 });
 * const state = rim.initialState(8);
 * const { h, c, mask } = rim.step(x, state, { training: false }); // x [8, N, 64] → h, c [8, 4, 16]
 * const { hs } = rim.sequence(xs, state, starts, { training: true }); // xs [T, 8, N, 64] → hs [T, 8, 4, 16]
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
    if (a.referenceQuirks !== undefined) {
      const known = ['cellFromHidden'];
      for (const key of Object.keys(a.referenceQuirks))
        if (!known.includes(key)) throw new Error(`referenceQuirks.${key} is not a RIM reference quirk (known: ${known.join(', ')})`);
      const { cellFromHidden } = a.referenceQuirks;
      if (cellFromHidden !== undefined && typeof cellFromHidden !== 'boolean')
        throw new Error(`referenceQuirks.cellFromHidden must be true or false (got ${JSON.stringify(cellFromHidden)})`);
      if (cellFromHidden && a.cell !== 'lstm')
        throw new Error(`referenceQuirks.cellFromHidden applies to the LSTM cell only (got cell='${a.cell}'); remove it or use cell 'lstm'`);
    }
    if (a.cellBias !== undefined && typeof a.cellBias !== 'boolean')
      throw new Error(`cellBias must be true or false (got ${JSON.stringify(a.cellBias)})`);
    requireRate('inputDropout', a.inputDropout);
    requireRate('commDropout', a.commDropout);
    this.a = a;
    const { units: U, hiddenSize: H, inputSize: D, numInputHeads: hi, numCommHeads: hc } = a;
    const seeds = new SeedStream(a.seed);
    // Initialisation (the rim README, "Reference quirks"): shared key/value like a dense layer (their biases are the null element's
    // key and value, so they are kept), GroupLinear maps N(0, 0.01²), cell weights U(±1/√H).
    const inputInit = a.inputInit ? { init: a.inputInit } : {};
    this.inputKey = new Dense({ inputSize: D, outputSize: hi * a.inputKeySize, ...inputInit, seed: seeds.next() });
    this.inputValue = new Dense({ inputSize: D, outputSize: hi * a.inputValueSize, ...inputInit, seed: seeds.next() });
    this.inputQuery = new GroupLinear({ units: U, inputSize: H, outputSize: hi * a.inputKeySize, seed: seeds.next() });
    const cellArgs = { units: U, inputSize: a.inputValueSize, hiddenSize: H, seed: seeds.next(), ...(a.cellBias === false ? { bias: false } : {}) };
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

  /** One step: x `[B, N, D]` (N = 1 for a flat vector). */
  step(x: tf.Tensor3D, state: RIMState, opts: CoreCallOptions): RIMStepResult {
    requireShape('RIMCell', 'input x [B, N, D]', x, [-1, -1, this.a.inputSize]);
    return tf.tidy(() => {
      const r = this.sequence(tf.expandDims(x, 0) as tf.Tensor4D, state, null, opts);
      const out: RIMStepResult = {
        h: r.state.h,
        mask: tf.squeeze(r.mask, [0]) as tf.Tensor2D,
        attention: tf.squeeze(r.attention, [0]) as tf.Tensor3D,
      };
      if (r.state.c) out.c = r.state.c;
      return out;
    });
  }

  /**
   * T steps at once: xs `[T, B, N, D]` from `state0`; where `starts[t][b] = 1` env b's state is zeroed
   * before step t (episode starts; `null` for none). Equal to repeated {@link step}, but the work that does
   * not depend on the state (input keys and values, fused weights, dropout masks) is done once, and the
   * state stays unit-major `[U, B, H]` between steps so the per-unit maps need no transposes.
   */
  sequence(xs: tf.Tensor4D, state0: RIMState, starts: tf.Tensor2D | null, opts: CoreCallOptions): RIMSequenceResult {
    const { units: U, hiddenSize: H, inputSize: D } = this.a;
    requireShape('RIMCell', 'input xs [T, B, N, D]', xs, [-1, -1, -1, D]);
    const [T, B, N] = xs.shape;
    requireShape('RIMCell', 'state h', state0.h, [B, U, H]);
    if (this.a.cell === 'lstm') {
      if (!state0.c) throw new Error('RIMCell: state c is required for the LSTM cell');
      requireShape('RIMCell', 'state c', state0.c, [B, U, H]);
    }
    if (starts) requireShape('RIMCell', 'starts [T, B]', starts, [T, B]);
    return tf.tidy(() => {
      const p = this.prepare();
      const { keys, values } = this.projectInput(xs);
      const keySteps = timeSteps(keys);
      const valueSteps = timeSteps(values);
      const keepSteps = starts ? timeSteps(tf.reshape(tf.sub(1, starts), [T, 1, B, 1])) : null;
      // Dropout masks for all steps in one draw each (only in training).
      // Each mask has its own stream of the call's seed (salts 1 and 2).
      const drop = (rate: number, shape: number[], salt: number) =>
        opts.training && rate > 0
          ? timeSteps(dropoutScale([T, ...shape], rate, opts.seed ? deriveSeed(opts.seed, salt) : undefined))
          : null;
      const inputDrop = drop(this.a.inputDropout, [B, U, N + 1], 1);
      const commDrop = drop(this.a.commDropout, [B, this.a.numCommHeads, U, U], 2);
      let h = tf.transpose(state0.h, [1, 0, 2]) as tf.Tensor3D; // [U, B, H]
      const cellFromHidden = this.a.referenceQuirks?.cellFromHidden === true;
      let c = state0.c ? (cellFromHidden ? h : (tf.transpose(state0.c, [1, 0, 2]) as tf.Tensor3D)) : null;
      const hs: tf.Tensor3D[] = [];
      const masks: tf.Tensor2D[] = [];
      const probs: tf.Tensor3D[] = [];
      const maps = this.stepMaps(p, T, B, opts.training);
      for (let t = 0; t < T; t++) {
        if (keepSteps) {
          h = tf.mul(h, keepSteps[t]!) as tf.Tensor3D;
          if (c) c = tf.mul(c, keepSteps[t]!) as tf.Tensor3D;
        }
        const r = this.unitMajorStep(p, maps(t), keySteps[t]!, valueSteps[t]!, h, c, inputDrop?.[t] ?? null, commDrop?.[t] ?? null);
        h = r.h;
        c = cellFromHidden ? h : r.c;
        hs.push(h);
        masks.push(r.mask);
        probs.push(r.probs);
      }
      const state: RIMState = { h: tf.transpose(h, [1, 0, 2]) as tf.Tensor3D };
      if (c) state.c = tf.transpose(c, [1, 0, 2]) as tf.Tensor3D;
      return {
        hs: tf.transpose(tf.stack(hs), [0, 2, 1, 3]) as tf.Tensor4D, // [T, U, B, H] → [T, B, U, H]
        state,
        mask: tf.stack(masks) as tf.Tensor3D,
        attention: tf.stack(probs) as tf.Tensor4D,
      };
    });
  }

  /**
   * Steps 1–2 that depend only on the input (RIM §2.1), for all steps at once: append the null element and
   * project keys and values. xs `[T, B, N, D]` → keys `[T, B, N+1, h·dk]` pre-scaled so that one dot
   * product gives the head-averaged logit, values `[T, B, N+1, dv]` averaged over heads.
   */
  private projectInput(xs: tf.Tensor4D): { keys: tf.Tensor4D; values: tf.Tensor4D } {
    const { numInputHeads: hi, inputKeySize: dk, inputValueSize: dv } = this.a;
    const withNull = appendNullElement(xs); // [T, B, N+1, D]
    // mean over heads of q_h·k_h / √dk = (q·k) / (h·√dk): scaling the keys once saves splitting heads.
    const keys = tf.mul(this.inputKey.apply(withNull), 1 / (hi * Math.sqrt(dk))) as tf.Tensor4D;
    const rawValues = this.inputValue.apply(withNull); // [T, B, N+1, h·dv]
    const values = (hi === 1 ? rawValues : tf.mean(tf.reshape(rawValues, [...rawValues.shape.slice(0, -1), hi, dv]), -2)) as tf.Tensor4D;
    return { keys, values };
  }

  /** Fused weights and constants for one sequence (see {@link Prepared}). */
  private prepare(): Prepared {
    const { units: U, commKeySize: ck } = this.a;
    const cell = this.cell;
    const index = tf.range(0, U, 1, 'int32');
    // LSTM gates reordered to rimStep's FUSED_LSTM_GATE_ORDER once per sequence, so each step applies one
    // sigmoid to a contiguous 3H block (fewer ops, forward and backward); the GRU keeps r, z, n.
    const gates = cell instanceof GroupLSTMCell ? toFusedGateOrder : (w: tf.Tensor) => w;
    return {
      hWeight: tf.concat([this.inputQuery.kernel, gates(cell.recurrentKernel)], 2) as tf.Tensor3D,
      commWeight: tf.concat(
        [tf.mul(this.commQuery.kernel, 1 / Math.sqrt(ck)), this.commKey.kernel, this.commValue.kernel],
        2,
      ) as tf.Tensor3D,
      kernel: gates(cell.kernel) as tf.Tensor3D,
      bias: cell.bias ? (tf.expandDims(gates(cell.bias), 1) as tf.Tensor3D) : null,
      recurrentBias: cell instanceof GroupGRUCell && cell.recurrentBias ? (tf.expandDims(cell.recurrentBias, 1) as tf.Tensor3D) : null,
      lowerIndex: tf.expandDims(tf.less(tf.reshape(index, [1, U]), tf.reshape(index, [U, 1])), 0) as tf.Tensor3D,
    };
  }

  /**
   * The per-unit maps for step t. When training, each weight's gradient is taken once per sequence
   * ({@link SequenceLinear}) instead of once per step; otherwise (no backward pass) they are plain matmuls.
   */
  private stepMaps(p: Prepared, T: number, B: number, training: boolean): (t: number) => StepMaps {
    const outputKernel = this.commOutput.kernel as tf.Tensor3D;
    if (!training) {
      const plain: StepMaps = {
        hMap: (x) => tf.matMul(x, p.hWeight),
        inputMap: (x) => (p.bias ? tf.add(tf.matMul(x, p.kernel), p.bias) : tf.matMul(x, p.kernel)),
        commMap: (x) => tf.matMul(x, p.commWeight),
        outputMap: (x) => tf.matMul(x, outputKernel),
      };
      return () => plain;
    }
    const h = new SequenceLinear(p.hWeight, null, T, B);
    const input = new SequenceLinear(p.kernel, p.bias, T, B);
    const comm = new SequenceLinear(p.commWeight, null, T, B);
    const output = new SequenceLinear(outputKernel, null, T, B);
    return (t) => ({
      hMap: (x) => h.apply(t, x),
      inputMap: (x) => input.apply(t, x),
      commMap: (x) => comm.apply(t, x),
      outputMap: (x) => output.apply(t, x),
    });
  }

  /**
   * Steps 2–8 on unit-major state, composed from rimStep's named parts (input attention, competition, masked
   * read, dynamics, communication, masked update): keys `[B, N+1, h·dk]` (pre-scaled), values `[B, N+1, dv]`, h and c
   * `[U, B, H]`; dropout scales (training only) `[B, U, N+1]` and `[B, hc, U, U]`.
   */
  private unitMajorStep(
    p: Prepared,
    maps: StepMaps,
    keys: tf.Tensor,
    values: tf.Tensor,
    h: tf.Tensor3D,
    c: tf.Tensor3D | null,
    inputDrop: tf.Tensor | null,
    commDrop: tf.Tensor | null,
  ) {
    const { units: U, hiddenSize: H, k, numCommHeads: hc, commKeySize: ck } = this.a;
    const B = h.shape[1];
    const dq = this.a.numInputHeads * this.a.inputKeySize;
    // One matmul gives both the input queries and the cell's recurrent pre-activations.
    const [qU, recU] = tf.split(maps.hMap(h), [dq, p.hWeight.shape[2] - dq], 2); // [U, B, ·]
    const { logits, probs } = inputAttention(qU as tf.Tensor3D, keys);
    const mask = competition(logits, probs, this.a.selection, k, p.lowerIndex); // [B, U]
    const zx = maps.inputMap(maskedRead(probs, values, mask, inputDrop));
    const next =
      this.cell instanceof GroupLSTMCell
        ? lstmDynamics(zx, recU!, c!, H)
        : { h: gruDynamics(this.cell as GroupGRUCell, zx, recU!, p.recurrentBias, h), c: null };
    const { maskU, active } = unitMajorMask(mask, H);
    const hComm = communication(next.h, maskU, { units: U, batch: B, hiddenSize: H, heads: hc, keySize: ck, ...maps }, commDrop);
    return { ...maskedUpdate(active, hComm, h, next.c, c), mask, probs };
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
