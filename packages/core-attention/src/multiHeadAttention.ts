import * as tf from '@tensorflow/tfjs-core';
import { Dense } from './dense.js';
import { dropoutScale } from './dropout.js';
import { GroupLinear } from './groupLinear.js';
import { SeedStream } from './initializers.js';
import { prefixNames, type NamedVariables } from './namedWeights.js';
import { requirePositiveInt, requireRate } from './validation.js';
import { WeightedModule } from './weightedModule.js';

/** Which axis the attention probabilities are normalised over. */
export type SoftmaxAxis = 'keys' | 'queries';

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** 'keys' (default): each query's weights over the keys sum to 1; 'queries': each key's over the queries. */
  softmaxAxis?: SoftmaxAxis;
  /** Broadcastable to `[B, heads, Lq, Lk]`; where 0 the logit is excluded from the softmax. */
  logitMask?: tf.Tensor;
  /** Broadcastable to `[B, heads, Lq, Lk]`; multiplied into the probabilities after the softmax. */
  probMask?: tf.Tensor;
  /** Dropout rate on the probabilities, applied only when `training`. Default 0. */
  dropout?: number;
  /** Dropout is active only when true. */
  training?: boolean;
  /** int32 `[2]` seed of the dropout mask (see {@link dropoutScale}); absent: fresh randomness, eager only. */
  seed?: tf.Tensor;
}

/** Output and probabilities of an attention. */
export interface AttentionResult {
  /** `[B, heads, Lq, dv]` */
  output: tf.Tensor4D;
  /** `[B, heads, Lq, Lk]`, after masks and before dropout. */
  probs: tf.Tensor4D;
}

/**
 * `softmax(Q·Kᵀ/√dk)·V` per head: q `[B, h, Lq, dk]`, k `[B, h, Lk, dk]`, v `[B, h, Lk, dv]`.
 */
export function scaledDotProductAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  opts: AttentionOptions = {},
): AttentionResult {
  const rate = opts.dropout ?? 0;
  requireRate('dropout', rate);
  return tf.tidy(() => {
    let logits = tf.div(tf.matMul(q, k, false, true), Math.sqrt(q.shape[3])); // [B, h, Lq, Lk]
    // A large negative logit (not −∞) keeps a fully masked row finite instead of NaN.
    if (opts.logitMask) logits = tf.where(tf.greater(opts.logitMask, 0), logits, tf.fill(logits.shape, -1e9));
    let probs =
      opts.softmaxAxis === 'queries'
        ? tf.transpose(tf.softmax(tf.transpose(logits, [0, 1, 3, 2])), [0, 1, 3, 2])
        : tf.softmax(logits);
    if (opts.probMask) probs = tf.mul(probs, opts.probMask);
    const read = opts.training && rate > 0 ? tf.mul(probs, dropoutScale(probs.shape, rate, opts.seed)) : probs;
    return { output: tf.matMul(read, v) as tf.Tensor4D, probs: probs as tf.Tensor4D };
  });
}

/** `[B, L, h·d]` → `[B, h, L, d]`. */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [B, L, width] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [B, L, heads, width / heads]), [0, 2, 1, 3]);
}

/** `[B, h, L, d]` → `[B, L, h·d]`. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [B, h, L, d] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B, L, h * d]);
}

/** How queries / keys / values are projected: one map for all positions, or one per unit. */
export type ProjectionKind = 'shared' | 'group';

/** Arguments of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionArgs {
  /** Width of the query inputs. */
  queryInputSize: number;
  /** Width of the key/value inputs. */
  keyInputSize: number;
  /** Number of heads. */
  numHeads: number;
  /** Key (and query) width per head. */
  keySize: number;
  /** Value width per head. */
  valueSize: number;
  /** Query projection: 'shared' (Dense with bias) or 'group' (one GroupLinear weight per query position). */
  queryProjection?: ProjectionKind;
  /** Key/value projections: 'shared' (Dense with bias) or 'group' (one weight per key position). */
  keyValueProjection?: ProjectionKind;
  /** Number of units (positions) for 'group' projections. */
  units?: number;
  /** Softmax axis. Default 'keys'. */
  softmaxAxis?: SoftmaxAxis;
  /** Dropout on the probabilities when training. Default 0. */
  dropout?: number;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

type Projection = Dense | GroupLinear;

/**
 * Multi-head key–value attention with shared or per-unit (group) projections. Returns the concatenated
 * heads `[B, Lq, h·dv]` and the probabilities `[B, h, Lq, Lk]`.
 * Weights: `query.kernel`, `key.kernel`, `value.kernel` (shared: `[din, h·d]` plus `*.bias` `[h·d]`;
 * group: `[U, din, h·d]`).
 *
 * @example
 * const mha = new MultiHeadAttention({ queryInputSize: 16, keyInputSize: 64, numHeads: 4, keySize: 8, valueSize: 8 });
 * const { output, probs } = mha.apply(queries, keysValues, { training: false });
 */
export class MultiHeadAttention extends WeightedModule {
  readonly query: Projection;
  readonly key: Projection;
  readonly value: Projection;
  private readonly args: MultiHeadAttentionArgs;

  constructor(args: MultiHeadAttentionArgs) {
    super('MultiHeadAttention');
    for (const f of ['queryInputSize', 'keyInputSize', 'numHeads', 'keySize', 'valueSize'] as const) {
      requirePositiveInt(f, args[f]);
    }
    requireRate('dropout', args.dropout ?? 0);
    const usesGroup = args.queryProjection === 'group' || args.keyValueProjection === 'group';
    if (usesGroup) requirePositiveInt('units', args.units ?? NaN);
    this.args = { ...args };
    const seeds = new SeedStream(args.seed);
    const make = (kind: ProjectionKind | undefined, din: number, dout: number): Projection =>
      kind === 'group'
        ? new GroupLinear({ units: args.units!, inputSize: din, outputSize: dout, seed: seeds.next() })
        : new Dense({ inputSize: din, outputSize: dout, seed: seeds.next() });
    const h = args.numHeads;
    this.query = make(args.queryProjection, args.queryInputSize, h * args.keySize);
    this.key = make(args.keyValueProjection, args.keyInputSize, h * args.keySize);
    this.value = make(args.keyValueProjection, args.keyInputSize, h * args.valueSize);
  }

  /** queries `[B, Lq, dq]`, keysValues `[B, Lk, dk]` → output `[B, Lq, h·dv]`, probs `[B, h, Lq, Lk]`. */
  apply(
    queries: tf.Tensor3D,
    keysValues: tf.Tensor3D,
    opts: { training: boolean; seed?: tf.Tensor; logitMask?: tf.Tensor; probMask?: tf.Tensor },
  ): { output: tf.Tensor3D; probs: tf.Tensor4D } {
    return tf.tidy(() => {
      const h = this.args.numHeads;
      const { output, probs } = scaledDotProductAttention(
        splitHeads(this.query.apply(queries), h),
        splitHeads(this.key.apply(keysValues), h),
        splitHeads(this.value.apply(keysValues), h),
        {
          softmaxAxis: this.args.softmaxAxis ?? 'keys',
          dropout: this.args.dropout ?? 0,
          training: opts.training,
          ...(opts.seed ? { seed: opts.seed } : {}),
          ...(opts.logitMask ? { logitMask: opts.logitMask } : {}),
          ...(opts.probMask ? { probMask: opts.probMask } : {}),
        },
      );
      return { output: mergeHeads(output), probs };
    });
  }

  namedVariables(): NamedVariables {
    return {
      ...prefixNames('query', this.query.namedVariables()),
      ...prefixNames('key', this.key.namedVariables()),
      ...prefixNames('value', this.value.namedVariables()),
    };
  }

  config(): MultiHeadAttentionArgs {
    return { ...this.args };
  }
}
