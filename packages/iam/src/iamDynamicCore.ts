import * as tf from '@tensorflow/tfjs-core';
import {
  flattenSet,
  prefixNames,
  requirePositiveInt,
  scanWithResets,
  type CoreCallOptions,
  type CoreSequenceResult,
  type CoreStepResult,
  type NamedVariables,
} from '@mempo/core-attention';
import { IAMCoreBase, lstmInitArgs, type IAMBranchArgs } from './iamCoreBase.js';
import { InfluenceAttention } from './influenceAttention.js';

/** Arguments of {@link IAMDynamicCore}; defaults are the paper's flickering-Atari configuration. */
export interface IAMDynamicCoreArgs extends IAMBranchArgs {
  /** N: regions of the encoded map (7×7 = 49 for the Nature CNN). Default 49. */
  numRegions?: number;
  /** F: features per region (64 for the Nature CNN). Default 64. */
  regionSize?: number;
  /** U_att: width of the additive attention. Default 256 (a later config used 32). */
  attentionSize?: number;
  /** Attention heads, each with its own W1, W2, w3; their `[dpatch ‖ α]` are concatenated. Default 1. */
  heads?: number;
}

const OWNER = 'IAMDynamicCore';

/**
 * Influence-Aware Memory with a dynamic d-patch (the iam README): the input is the encoder's map as a set of
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
export class IAMDynamicCore extends IAMCoreBase<IAMDynamicCoreArgs> {
  readonly variant = 'dynamic';
  private readonly attention: InfluenceAttention;

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
    // Built first so that its own checks (heads, attentionSize) report before the recurrent branch's width does.
    const attention = new InfluenceAttention({
      numRegions,
      regionSize,
      querySize: hiddenSize,
      attentionSize,
      heads,
      seed: seed === undefined ? undefined : seed + 7,
    });
    const resolved = { numRegions, regionSize, attentionSize, heads, hiddenSize, fnnSizes: [...fnnSizes], fnnBias, cell, ...lstmInitArgs(args) };
    super(OWNER, { ...resolved, ...(seed !== undefined ? { seed } : {}) }, [numRegions, regionSize], heads * (regionSize + numRegions));
    this.attention = attention;
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    this.checkRegions(x.shape[1]);
    this.checkStep(x, state);
    const r = tf.tidy(() => {
      const { output, state: next, diagnostics } = this.stepFrom(x, this.attention.projectRegions(x), this.fnn.apply(flattenSet(x)), state);
      return { output, next, alpha: diagnostics!.alpha! };
    });
    return { output: r.output, state: r.next, diagnostics: { alpha: r.alpha } };
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, _opts: CoreCallOptions): CoreSequenceResult {
    this.checkRegions(xs.shape[2]);
    this.checkSequence(xs, state0);
    const [T, B, N, F] = xs.shape;
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
    return { ...this.recurrentStep(fnnOut, this.rnn.projectInput(rnnInput), state), diagnostics: { alpha } };
  }

  private checkRegions(n: number | undefined): void {
    if (n !== this.inputShape[0])
      throw new Error(
        `${OWNER}: the input map must have numRegions=${this.inputShape[0]} regions (got N=${String(n)}); set numRegions to the encoder's H·W`,
      );
  }

  protected override ownVariables(): NamedVariables {
    return prefixNames('attention', this.attention.namedVariables());
  }

  override dispose(): void {
    this.attention.dispose();
    super.dispose();
  }
}
