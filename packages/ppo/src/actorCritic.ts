import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, maskStateAtStarts, type MemoryCore } from '@mempo/core-attention';
import type { Encoder } from './encoder.js';
import { ActorCriticHeads } from './heads.js';

/** Chunk c of {@link ActorCritic.sequence} draws dropout from `seed + [0, 1000·c]`: far from the cores' own salts (1, 2). */
const CHUNK_SEED_STRIDE = 1000;

/** Arguments of {@link ActorCritic}. */
export interface ActorCriticArgs {
  /** Raw observations → set `[B, N, F]`; its `outputShape` must equal the core's `inputShape`. */
  encoder: Encoder;
  /** Any memory core; PPO never names a plugin. */
  core: MemoryCore;
  /** Discrete actions of the env. */
  numActions: number;
  /** Seed of the heads' initialiser. */
  seed: number;
}

/** One acting step's tensors. */
export interface ActStep {
  /** [B, A] */
  logits: tf.Tensor2D;
  /** [B] */
  values: tf.Tensor1D;
  /** The core's state after the step. */
  state: tf.Tensor[];
  diagnostics?: Record<string, tf.Tensor>;
}

/**
 * The agent of DESIGN.md, "The agent": `obs → encoder → MemoryCore → heads (policy logits, value)`.
 * Weights are named `encoder/…`, `core/…` (the core's own names) and `heads/…`.
 *
 * @example
 * const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [73], hiddenSizes: [], seed: 1 }), core, numActions: 4, seed: 1 });
 */
export class ActorCritic {
  readonly encoder: Encoder;
  readonly core: MemoryCore;
  readonly heads: ActorCriticHeads;

  constructor(args: ActorCriticArgs) {
    const [n, f] = args.encoder.outputShape;
    const [cn, cf] = args.core.inputShape;
    if (n !== cn || f !== cf)
      throw new Error(
        `the encoder's outputShape [${n}, ${f}] must equal the core's inputShape [${cn}, ${cf}]: build the core for this encoder`,
      );
    this.encoder = args.encoder;
    this.core = args.core;
    this.heads = new ActorCriticHeads({ inputSize: args.core.outputSize, numActions: args.numActions, seed: args.seed });
  }

  /**
   * One step: obs `[B, ...obsShape]`, the state before any reset, starts `[B]` (reset here, spec/ppo.md
   * "Acting"); `seed` (int32 `[2]`) drives the core's dropout when training.
   */
  step(obs: tf.Tensor, state: tf.Tensor[], starts: tf.Tensor1D, training: boolean, seed?: tf.Tensor): ActStep {
    return tf.tidy(() => {
      const x = this.encoder.apply(obs); // [B, N, F]
      const out = this.core.step(x, maskStateAtStarts(state, starts), { training, ...(seed ? { seed } : {}) });
      const { logits, values } = this.heads.apply(out.output);
      return { logits, values, state: out.state, ...(out.diagnostics ? { diagnostics: out.diagnostics } : {}) };
    });
  }

  /**
   * L steps of B sequences: obs `[L, B, ...obsShape]`, state0 the stored state at each sequence's first step,
   * starts `[L, B]` → logits `[L·B, A]`, values `[L·B]` (time-major, matching the minibatch arrays).
   *
   * The L steps run as consecutive chunks of at most `chunkLength` steps (default: all L at once), each
   * encoded and then passed through the core from the state the previous chunk left. The state carries its
   * gradient across chunk boundaries, so this is still backpropagation through all L steps; what chunks buy
   * is independence: in a compiled graph nothing in chunk c + 1's encoder waits for the core, so TensorFlow
   * encodes it on a second core while the recurrent core steps through chunk c (and, backwards, runs chunk
   * c's encoder gradient while the core goes back through chunk c − 1). With `seed` (dropout), chunk c
   * draws from its own stream, `seed + [0, 1000·c]`, so chunk 0 keeps the unchunked masks.
   */
  sequence(
    obs: tf.Tensor,
    state0: tf.Tensor[],
    starts: tf.Tensor2D,
    training: boolean,
    seed?: tf.Tensor,
    chunkLength?: number,
  ): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    return tf.tidy(() => {
      const [L, B] = obs.shape as [number, number];
      const chunk = Math.min(chunkLength ?? L, L);
      const outputs: tf.Tensor[] = [];
      let state = state0;
      for (let t0 = 0, c = 0; t0 < L; t0 += chunk, c++) {
        const n = Math.min(chunk, L - t0);
        const part = n === L ? obs : tf.slice(obs, [t0], [n]);
        const x = this.encoder.apply(tf.reshape(part, [n * B, ...obs.shape.slice(2)])); // [n·B, N, F]
        const xs = tf.reshape(x, [n, B, ...this.encoder.outputShape]) as tf.Tensor4D;
        const partStarts = (n === L ? starts : tf.slice(starts, [t0], [n])) as tf.Tensor2D;
        const partSeed = seed && c > 0 ? deriveSeed(seed, CHUNK_SEED_STRIDE * c) : seed;
        const out = this.core.sequence(xs, state, partStarts, { training, ...(partSeed ? { seed: partSeed } : {}) }); // [n, B, out]
        outputs.push(out.outputs);
        state = out.state;
      }
      const all = outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 0);
      return this.heads.apply(tf.reshape(all, [L * B, this.core.outputSize]) as tf.Tensor2D);
    });
  }

  /** Encoder, core and head variables, in a fixed order. */
  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableVariables(), ...this.core.trainableVariables(), ...this.heads.trainableVariables()];
  }

  /** All weights, prefixed `encoder/`, `core/`, `heads/`. */
  getWeights(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [prefix, part] of [['encoder', this.encoder], ['core', this.core], ['heads', this.heads]] as const) {
      for (const [name, w] of Object.entries(part.getWeights())) out[`${prefix}/${name}`] = w;
    }
    return out;
  }

  /** Assigns weights named as {@link getWeights}; throws naming the first missing or mis-shaped one. */
  setWeights(weights: Record<string, tf.Tensor>): void {
    for (const [prefix, part] of [['encoder', this.encoder], ['core', this.core], ['heads', this.heads]] as const) {
      const own: Record<string, tf.Tensor> = {};
      for (const [name, w] of Object.entries(weights)) if (name.startsWith(`${prefix}/`)) own[name.slice(prefix.length + 1)] = w;
      part.setWeights(own);
    }
  }

  /** Frees encoder, heads and core. */
  dispose(): void {
    this.encoder.dispose();
    this.heads.dispose();
    this.core.dispose();
  }
}
