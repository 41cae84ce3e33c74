import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, maskStateAtStarts, stopGradient, type MemoryCore } from '@mempo/core-attention';
import type { ObsArray } from '@mempo/envs';
import { act, obsTensor } from './acting.js';
import type { Encoder } from './encoder.js';
import { ActorCriticHeads, type HeadsSpec } from './heads.js';
import { Rng } from './rng.js';

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
  /** The policy and value heads as data (an agent preset's `heads`); default one linear layer each (`LINEAR_HEADS`). */
  heads?: Partial<HeadsSpec>;
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

/** Options of {@link ActorCritic.predict}. */
export interface PredictOptions {
  /** Argmax of the policy instead of a sample. Default false (sampled, as in training and evaluation). */
  deterministic?: boolean;
  /**
   * The stream sampled actions draw from: `new Rng(seed)` makes them reproducible, and one stream passed to
   * every step reproduces `evaluate` with the same seed. Default: a stream the agent owns, seeded by its
   * heads' seed. Unused when deterministic.
   */
  rng?: Rng;
}

/** What {@link ActorCritic.predict} returns. */
export interface Prediction {
  /** One action per env, `[B]`. */
  actions: Int32Array;
  /** The core's state after the step (the caller owns it and passes it to the next call). */
  state: tf.Tensor[];
}

/**
 * The agent (ppo README, "Agent"): `obs → encoder → MemoryCore → heads (policy logits, value)`.
 * Weights are named `encoder/…`, `core/…` (the core's own names) and `heads/…`.
 *
 * @example
 * const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [73], hiddenSizes: [], seed: 1 }), core, numActions: 4, seed: 1 });
 */
export class ActorCritic {
  readonly encoder: Encoder;
  readonly core: MemoryCore;
  readonly heads: ActorCriticHeads;
  private predictRng: Rng | undefined;

  constructor(args: ActorCriticArgs) {
    const [n, f] = args.encoder.outputShape;
    const [cn, cf] = args.core.inputShape;
    if (n !== cn || f !== cf)
      throw new Error(
        `the encoder's outputShape [${n}, ${f}] must equal the core's inputShape [${cn}, ${cf}]: build the core for this encoder`,
      );
    this.encoder = args.encoder;
    this.core = args.core;
    this.heads = new ActorCriticHeads({ inputSize: args.core.outputSize, numActions: args.numActions, seed: args.seed, ...args.heads });
  }

  /**
   * One step: obs `[B, ...obsShape]`, the state before any reset, starts `[B]` (reset here, the ppo README
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
   *
   * `captureAt` (offsets in 1..L−1, ascending) also ends a chunk at each offset j and returns the core's state
   * there, before step j and before its episode-start reset (as the rollout stores states), under a stop-gradient:
   * `captured[i·S + k]` is state tensor k (of S) at `captureAt[i]`, `[B, ...shape]`. PPO's memory write-back
   * (`memoryWriteBack`) stores them. The extra chunk boundaries change which stream a chunk's dropout draws from.
   */
  sequence(
    obs: tf.Tensor,
    state0: tf.Tensor[],
    starts: tf.Tensor2D,
    training: boolean,
    seed?: tf.Tensor,
    chunkLength?: number,
    captureAt: readonly number[] = [],
  ): { logits: tf.Tensor2D; values: tf.Tensor1D; captured: tf.Tensor[] } {
    return tf.tidy(() => {
      const [L, B] = obs.shape as [number, number];
      const chunk = Math.min(chunkLength ?? L, L);
      captureAt.forEach((j, i) => {
        if (!Number.isInteger(j) || j < 1 || j >= L || (i > 0 && j <= captureAt[i - 1]!))
          throw new Error(`captureAt must be ascending integer offsets in 1..${L - 1} (got [${captureAt.join(', ')}])`);
      });
      const outputs: tf.Tensor[] = [];
      const captured: tf.Tensor[] = [];
      let state = state0;
      for (let t0 = 0, c = 0; t0 < L; c++) {
        // The chunk ends at chunkLength steps, at the next capture offset, or at L, whichever comes first.
        const nextCapture = captureAt.find((j) => j > t0) ?? L;
        const n = Math.min(chunk, L - t0, nextCapture - t0);
        const part = n === L ? obs : tf.slice(obs, [t0], [n]);
        const x = this.encoder.apply(tf.reshape(part, [n * B, ...obs.shape.slice(2)])); // [n·B, N, F]
        const xs = tf.reshape(x, [n, B, ...this.encoder.outputShape]) as tf.Tensor4D;
        const partStarts = (n === L ? starts : tf.slice(starts, [t0], [n])) as tf.Tensor2D;
        const partSeed = seed && c > 0 ? deriveSeed(seed, CHUNK_SEED_STRIDE * c) : seed;
        const out = this.core.sequence(xs, state, partStarts, { training, ...(partSeed ? { seed: partSeed } : {}) }); // [n, B, out]
        outputs.push(out.outputs);
        state = out.state;
        t0 += n;
        if (t0 === nextCapture && t0 < L) captured.push(...state.map((s) => stopGradient(s)));
      }
      const all = outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 0);
      return { ...this.heads.apply(tf.reshape(all, [L * B, this.core.outputSize]) as tf.Tensor2D), captured };
    });
  }

  /**
   * Actions for a batch of observations, as Stable-Baselines3's `model.predict(obs, state, episode_start,
   * deterministic)`: one step of encoder → core → heads with dropout off.
   *
   * @param obs plain values, `[B · ∏obsShape]` row-major as a VecEnv returns them (Float32Array, or
   *   Uint8Array for images), or a float32 tensor `[B, ...obsShape]`
   * @param state the core's state from the previous call (tensors, not disposed here), or null for the
   *   initial (zero) state
   * @param episodeStart `[B]` plain values, 1 where obs is the first of an episode (that env's state is
   *   zeroed first), or null for none
   * @returns actions as an Int32Array and the next state, which the caller owns
   * @example
   * const { agent } = loadAgent('runs/warehouse-lstm-s1');
   * let obs = await env.reset(1), state = null, starts = new Uint8Array(env.numEnvs).fill(1);
   * const { actions, state: next } = agent.predict(obs, state, starts, { deterministic: true });
   */
  predict(obs: ObsArray | tf.Tensor, state: tf.Tensor[] | null, episodeStart: ArrayLike<number> | null, options: PredictOptions = {}): Prediction {
    const perEnv = this.encoder.obsShape.reduce((a, b) => a * b, 1);
    const batch = obs instanceof tf.Tensor ? obs.shape[0]! : obs.length / perEnv;
    if (!Number.isInteger(batch) || batch < 1)
      throw new Error(`predict: obs must hold B × ${perEnv} values (obsShape [${this.encoder.obsShape}]), got ${obs instanceof tf.Tensor ? `shape [${obs.shape}]` : obs.length}`);
    if (episodeStart !== null && episodeStart.length !== batch)
      throw new Error(`predict: episodeStart must have one entry per env (${batch}), got ${episodeStart.length}`);
    if (state !== null && state.length !== this.core.stateShapes.length)
      throw new Error(`predict: state must be the ${this.core.stateShapes.length} tensors of the core's state (got ${state.length}); pass null to start`);
    const x = obs instanceof tf.Tensor ? obs : obsTensor(obs, batch, this.encoder.obsShape);
    const starts = episodeStart === null ? new Uint8Array(batch) : Uint8Array.from(episodeStart);
    const before = state ?? this.core.initialState(batch);
    try {
      if (!options.deterministic) {
        const acted = act(this, x, before, starts, false, options.rng ?? (this.predictRng ??= new Rng(this.heads.config().seed)));
        tf.dispose(Object.values(acted.diagnostics ?? {}));
        return { actions: acted.actions, state: acted.state };
      }
      const startsTensor = tf.tensor1d(Float32Array.from(starts));
      const out = this.step(x, before, startsTensor, false);
      const actions = tf.tidy(() => tf.argMax(out.logits, 1));
      const values = Int32Array.from(actions.dataSync());
      tf.dispose([startsTensor, actions, out.logits, out.values, ...Object.values(out.diagnostics ?? {})]);
      return { actions: values, state: out.state };
    } finally {
      if (x !== obs) x.dispose();
      if (state === null) tf.dispose(before);
    }
  }

  /** Encoder, core and head variables, in a fixed order. */
  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableVariables(), ...this.core.trainableVariables(), ...this.heads.trainableVariables()];
  }

  /** Copies of all weights, prefixed `encoder/`, `core/`, `heads/`; the caller disposes them. */
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
