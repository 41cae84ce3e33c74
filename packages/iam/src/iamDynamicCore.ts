import * as tf from '@tensorflow/tfjs-core';
import {
  assignWeights,
  flattenSet,
  prefixNames,
  requirePositiveInt,
  requireSetInput,
  requireSetSequence,
  requireState,
  scanWithResets,
  snapshotWeights,
  type CoreCallOptions,
  type CoreConfig,
  type CoreSequenceResult,
  type CoreStepResult,
  type MemoryCore,
  type NamedVariables,
} from '@mempo/core-attention';
import { FeedForwardBranch } from './feedForwardBranch.js';
import { InfluenceAttention } from './influenceAttention.js';
import { RecurrentBranch, type IAMCellType } from './recurrentBranch.js';

/** Arguments of {@link IAMDynamicCore}; defaults are the paper's flickering-Atari configuration. */
export interface IAMDynamicCoreArgs {
  /** N: regions of the encoded map (7×7 = 49 for the Nature CNN). Default 49. */
  numRegions?: number;
  /** F: features per region (64 for the Nature CNN). Default 64. */
  regionSize?: number;
  /** U_att: width of the additive attention. Default 256 (a later config used 32). */
  attentionSize?: number;
  /** Attention heads, each with its own W1, W2, w3; their `[dpatch ‖ α]` are concatenated. Default 1. */
  heads?: number;
  /** Width of the recurrent state h (and c). Default 256 (a later config used 16). */
  hiddenSize?: number;
  /** Widths of the feed-forward branch on the flattened map (ReLU after each). Default [256]. */
  fnnSizes?: readonly number[];
  /** Biases in the feed-forward branch. Default true (a dense layer on the CNN map, as in the paper's code). */
  fnnBias?: boolean;
  /** Recurrent cell. Default 'lstm' (the paper); 'gru' as in a public reproduction. */
  cell?: IAMCellType;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

const OWNER = 'IAMDynamicCore';

/**
 * Influence-Aware Memory with a dynamic d-patch (spec/iam.md): the input is the encoder's map as a set of
 * N regions `[B, N, F]` (the CNN is the agent's encoder, not part of the core). The FNN branch reads the
 * flattened map; the attention, queried by the previous recurrent output h_{t−1}, pools the regions into a
 * d-patch; the RNN reads `[dpatch ‖ α]` per head. Output `[fnn ‖ h]`. Only the recurrent state is carried:
 * `[h, c]` (LSTM) or `[h]` (GRU). `diagnostics.alpha` `[B, heads, N]` per step (for heat maps).
 *
 * Weights: `attention.W1` `[F, heads·U]`, `attention.W2` `[H, heads·U]`, `attention.w3` `[heads, U]`,
 * `fnn.<i>.kernel`/`fnn.<i>.bias`, `rnn.kernel` `[heads·(F+N), gates·H]`, `rnn.recurrentKernel`, `rnn.bias`
 * (+ `rnn.recurrentBias` for a GRU).
 *
 * @example
 * const core = new IAMDynamicCore({ seed: 1 });            // 49 regions × 64, attention 256, LSTM 256
 * const { output, diagnostics } = core.step(map, core.initialState(8), { training: false });
 * // map [8, 49, 64] → output [8, 512]; diagnostics.alpha [8, 1, 49]
 */
export class IAMDynamicCore implements MemoryCore {
  readonly name = 'iam';
  readonly variant = 'dynamic';
  readonly inputShape: readonly [number, number];
  readonly outputSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  private readonly args: Required<Omit<IAMDynamicCoreArgs, 'seed'>> & { seed?: number };
  private readonly attention: InfluenceAttention;
  private readonly fnn: FeedForwardBranch;
  private readonly rnn: RecurrentBranch;

  constructor(args: IAMDynamicCoreArgs = {}) {
    const {
      numRegions = 49,
      regionSize = 64,
      attentionSize = 256,
      heads = 1,
      hiddenSize = 256,
      fnnSizes = [256],
      fnnBias = true,
      cell = 'lstm',
      seed,
    } = args;
    requirePositiveInt('numRegions', numRegions);
    requirePositiveInt('regionSize', regionSize);
    requirePositiveInt('hiddenSize', hiddenSize);
    this.args = {
      numRegions,
      regionSize,
      attentionSize,
      heads,
      hiddenSize,
      fnnSizes: [...fnnSizes],
      fnnBias,
      cell,
      ...(seed !== undefined ? { seed } : {}),
    };
    this.inputShape = [numRegions, regionSize];
    const derived = (k: number) => (seed === undefined ? undefined : seed + k);
    this.attention = new InfluenceAttention({ numRegions, regionSize, querySize: hiddenSize, attentionSize, heads, seed: derived(7) });
    this.fnn = new FeedForwardBranch(numRegions * regionSize, fnnSizes, fnnBias, seed);
    this.rnn = new RecurrentBranch(cell, heads * (regionSize + numRegions), hiddenSize, seed);
    this.outputSize = this.fnn.outputSize + hiddenSize;
    this.stateShapes = this.rnn.stateShapes;
  }

  initialState(batch: number): tf.Tensor[] {
    return this.rnn.initialState(batch);
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    this.checkRegions(x.shape[1]);
    requireSetInput(OWNER, x, this.inputShape);
    requireState(OWNER, state, this.stateShapes, x.shape[0]);
    const r = tf.tidy(() => {
      const { output, state: next, diagnostics } = this.stepFrom(x, this.attention.projectRegions(x), this.fnn.apply(flattenSet(x)), state);
      return { output, next, alpha: diagnostics!.alpha! };
    });
    return { output: r.output, state: r.next, diagnostics: { alpha: r.alpha } };
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, _opts: CoreCallOptions): CoreSequenceResult {
    this.checkRegions(xs.shape[2]);
    requireSetSequence(OWNER, xs, this.inputShape);
    const [T, B, N, F] = xs.shape;
    requireState(OWNER, state0, this.stateShapes, B);
    // W1·M and the FNN branch do not depend on the state: computed for all T·B maps at once.
    const [keys, fnnOut] = tf.tidy(() => {
      const maps = tf.reshape(xs, [T * B, N, F]) as tf.Tensor3D;
      const k = this.attention.projectRegions(maps); // [T·B, heads, N, U]
      return [
        tf.reshape(k, [T, B, ...k.shape.slice(1)]),
        tf.reshape(this.fnn.apply(flattenSet(maps)), [T, B, this.fnn.outputSize]),
      ];
    });
    const out = scanWithResets([xs, keys, fnnOut], state0, starts, ([x, k, f], state) =>
      this.stepFrom(x as tf.Tensor3D, k as tf.Tensor4D, f as tf.Tensor2D, state),
    );
    tf.dispose([keys, fnnOut]);
    return out;
  }

  /** One step given the state-independent parts: map `[B, N, F]`, keys `[B, heads, N, U]`, fnn `[B, out]`. */
  private stepFrom(map: tf.Tensor3D, keys: tf.Tensor4D, fnnOut: tf.Tensor2D, state: tf.Tensor[]): CoreStepResult {
    const B = map.shape[0];
    // IAM: the query is h_{t−1}, the recurrent output before this step (state[0] is h for LSTM and GRU).
    const { dPatch, alpha } = this.attention.attend(keys, map, state[0] as tf.Tensor2D);
    const rnnInput = tf.reshape(tf.concat([dPatch, alpha], 2), [B, -1]) as tf.Tensor2D; // [B, heads·(F+N)]
    const next = this.rnn.stepProjected(this.rnn.projectInput(rnnInput), state);
    const output = tf.concat([fnnOut, next[0]!], 1) as tf.Tensor2D; // [B, fnn + H]
    return { output, state: next, diagnostics: { alpha } };
  }

  private checkRegions(n: number | undefined): void {
    if (n !== this.inputShape[0])
      throw new Error(
        `${OWNER}: the input map must have numRegions=${this.inputShape[0]} regions (got N=${String(n)}); set numRegions to the encoder's H·W`,
      );
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  private namedVariables(): NamedVariables {
    return { ...prefixNames('attention', this.attention.namedVariables()), ...this.fnn.namedVariables(), ...this.rnn.namedVariables() };
  }

  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights(OWNER, this.namedVariables(), weights);
  }

  /** `{ name: 'iam', variant: 'dynamic', …args }`; {@link createIAMCore} rebuilds the core from it. */
  config(): CoreConfig {
    return { name: this.name, variant: this.variant, ...this.args, fnnSizes: [...this.args.fnnSizes] };
  }

  dispose(): void {
    this.attention.dispose();
    this.fnn.dispose();
    this.rnn.dispose();
  }
}
