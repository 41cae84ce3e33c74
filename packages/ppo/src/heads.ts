import * as tf from '@tensorflow/tfjs-core';
import { Dense } from '@mempo/core-attention';
import { LayeredModule } from './layeredModule.js';

/** Arguments of {@link ActorCriticHeads}. */
export interface ActorCriticHeadsArgs {
  /** Width of the core's features. */
  inputSize: number;
  /** Discrete actions. */
  numActions: number;
  /** Seed of the weight initialiser. */
  seed: number;
}

/**
 * Linear policy and value heads on the core's features. The policy kernel starts 100× smaller (CleanRL's
 * std-0.01 actor init) so the first policy is near uniform. Weights `actor/kernel` `[F, A]`, `actor/bias`,
 * `critic/kernel` `[F, 1]`, `critic/bias`.
 */
export class ActorCriticHeads extends LayeredModule {
  readonly numActions: number;
  protected readonly layers: { actor: Dense; critic: Dense };
  private readonly args: ActorCriticHeadsArgs;

  constructor(args: ActorCriticHeadsArgs) {
    super();
    if (!Number.isInteger(args.numActions) || args.numActions < 2)
      throw new Error(`numActions must be an integer ≥ 2 (got ${args.numActions})`);
    this.numActions = args.numActions;
    this.args = { inputSize: args.inputSize, numActions: args.numActions, seed: args.seed };
    this.layers = {
      actor: new Dense({ inputSize: args.inputSize, outputSize: args.numActions, init: 'glorot', gain: 0.01, seed: args.seed }),
      critic: new Dense({ inputSize: args.inputSize, outputSize: 1, init: 'glorot', seed: args.seed + 1 }),
    };
  }

  /** The arguments the heads were built with (`config.json`'s `heads`, what `loadAgent` rebuilds them from). */
  config(): ActorCriticHeadsArgs {
    return { ...this.args };
  }

  /** features `[B, F]` → logits `[B, A]`, values `[B]`. */
  apply(features: tf.Tensor2D): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    const values = this.layers.critic.apply(features);
    return { logits: this.layers.actor.apply(features) as tf.Tensor2D, values: tf.reshape(values, [-1]) as tf.Tensor1D };
  }
}
