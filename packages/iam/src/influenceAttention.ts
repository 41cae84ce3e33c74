import * as tf from '@tensorflow/tfjs-core';
import { SeedStream, assignWeights, initVariable, requirePositiveInt, snapshotWeights, uniformInit, type NamedVariables } from '@mempo/core-attention';

/** Arguments of {@link InfluenceAttention}. */
export interface InfluenceAttentionArgs {
  /** N: regions of the map (49 for the Nature CNN's 7×7). */
  numRegions: number;
  /** F: features per region (64 for the Nature CNN). */
  regionSize: number;
  /** Width of the query, the recurrent output h (H). */
  querySize: number;
  /** U_att: width of the additive attention (256 in the flickering-Atari configs). */
  attentionSize: number;
  /** Independent attention heads (own W1, W2, w3 each). Default 1. */
  heads?: number;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

/** The d-patch of one step. */
export interface InfluenceAttentionResult {
  /** Σ_r α_r M_r per head. `[B, heads, F]` */
  dPatch: tf.Tensor3D;
  /** Softmax over the regions per head. `[B, heads, N]` */
  alpha: tf.Tensor3D;
}

/**
 * The dynamic d-patch attention of IAM (the iam README, "Dynamic d-patch"), per head k:
 * `e_r = w3ₖ · tanh(W1ₖ·M_r + W2ₖ·h_{t−1})`, `α = softmax_r(e)`, `dpatch = Σ_r α_r M_r`. No biases.
 *
 * Weights (U = attentionSize, all heads side by side on the last axis, head k = columns k·U … (k+1)·U−1):
 * - `W1` `[F, heads·U]`, `W2` `[H, heads·U]`, `w3` `[heads, U]`; U(±1/√fanIn) like `nn.Linear`.
 *
 * @example
 * const att = new InfluenceAttention({ numRegions: 49, regionSize: 64, querySize: 256, attentionSize: 256 });
 * const { dPatch, alpha } = att.attend(att.projectRegions(map), hPrev); // map [B, 49, 64], hPrev [B, 256]
 */
export class InfluenceAttention {
  readonly numRegions: number;
  readonly regionSize: number;
  readonly querySize: number;
  readonly attentionSize: number;
  readonly heads: number;
  /** `[F, heads·U]` */
  readonly W1: tf.Variable;
  /** `[H, heads·U]` */
  readonly W2: tf.Variable;
  /** `[heads, U]` */
  readonly w3: tf.Variable;

  constructor(args: InfluenceAttentionArgs) {
    const heads = args.heads ?? 1;
    requirePositiveInt('numRegions', args.numRegions);
    requirePositiveInt('regionSize', args.regionSize);
    requirePositiveInt('querySize', args.querySize);
    requirePositiveInt('attentionSize', args.attentionSize);
    requirePositiveInt('heads', heads);
    this.numRegions = args.numRegions;
    this.regionSize = args.regionSize;
    this.querySize = args.querySize;
    this.attentionSize = args.attentionSize;
    this.heads = heads;
    const HU = heads * args.attentionSize;
    const seeds = new SeedStream(args.seed);
    this.W1 = initVariable(() => uniformInit([args.regionSize, HU], 1 / Math.sqrt(args.regionSize), seeds.next()));
    this.W2 = initVariable(() => uniformInit([args.querySize, HU], 1 / Math.sqrt(args.querySize), seeds.next()));
    this.w3 = initVariable(() => uniformInit([heads, args.attentionSize], 1 / Math.sqrt(args.attentionSize), seeds.next()));
  }

  /**
   * W1·M_r for every region: `[R, N, F]` → `[R, heads, N, U]`. It does not depend on the state, so a
   * sequence computes it for all T·B maps at once.
   */
  projectRegions(map: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      const [R, N, F] = map.shape;
      const keys = tf.reshape(tf.matMul(tf.reshape(map, [R * N, F]), this.W1), [R, N, this.heads, this.attentionSize]);
      return tf.transpose(keys, [0, 2, 1, 3]) as tf.Tensor4D;
    });
  }

  /**
   * One attention step from projected regions `keys` `[B, heads, N, U]`, the map `[B, N, F]` and the query
   * h_{t−1} `[B, H]` (the previous recurrent output: IAM decides where to look from what it remembers).
   */
  attend(keys: tf.Tensor4D, map: tf.Tensor3D, hPrev: tf.Tensor2D): InfluenceAttentionResult {
    return tf.tidy(() => {
      const B = hPrev.shape[0];
      const query = tf.reshape(tf.matMul(hPrev, this.W2), [B, this.heads, 1, this.attentionSize]);
      const hidden = tf.tanh(tf.add(keys, query)); // [B, heads, N, U]
      const e = tf.sum(tf.mul(hidden, tf.reshape(this.w3, [1, this.heads, 1, this.attentionSize])), 3); // [B, heads, N]
      const alpha = tf.softmax(e) as tf.Tensor3D; // softmax on the last axis: over the N regions
      const dPatch = tf.matMul(alpha, map) as tf.Tensor3D; // [B, heads, N]·[B, N, F] → [B, heads, F]
      return { dPatch, alpha };
    });
  }

  /** Variables by name: `W1`, `W2`, `w3`. */
  namedVariables(): NamedVariables {
    return { W1: this.W1, W2: this.W2, w3: this.w3 };
  }

  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights('InfluenceAttention', this.namedVariables(), weights);
  }

  dispose(): void {
    tf.dispose(Object.values(this.namedVariables()));
  }
}
