import * as tf from '@tensorflow/tfjs-core';
import { assignWeights, snapshotWeights, type NamedVariables } from './namedWeights.js';

/**
 * A module whose weights are exactly its {@link NamedVariables}: `getWeights`, `setWeights` and `dispose`
 * all follow from `namedVariables()`, so a subclass only names its variables once.
 *
 * @example
 * class Scale extends WeightedModule {
 *   readonly w = initVariable(() => tf.ones([4]));
 *   constructor() { super('Scale'); }
 *   namedVariables() { return { w: this.w }; }
 * }
 */
export abstract class WeightedModule {
  /** @param owner class name used in `setWeights` error messages */
  protected constructor(protected readonly owner: string) {}

  /** Variables by stable name; protected here so a subclass chooses whether to expose them. */
  protected abstract namedVariables(): NamedVariables;

  /** Copies of the weights by name (the caller disposes them). */
  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  /** Assigns every weight by name; throws naming a missing, unknown or mis-shaped entry. */
  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights(this.owner, this.namedVariables(), weights);
  }

  /** Frees the module's variables. */
  dispose(): void {
    tf.dispose(Object.values(this.namedVariables()));
  }
}
