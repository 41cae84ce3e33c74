import type * as tf from '@tensorflow/tfjs-core';
import { assignWeights, snapshotWeights, type NamedVariables } from './namedWeights.js';

/** A layer that names its variables (`kernel`, `bias`): {@link Dense}, {@link Conv2D}. */
export interface NamedLayer {
  namedVariables(): NamedVariables;
  dispose(): void;
}

/**
 * The weight plumbing shared by the agent's encoders and heads: a record of named layers whose weights are
 * `<layer>/<weight>` (`dense0/kernel`, `conv1/bias`, `actor/kernel`, …), in the record's order.
 */
export abstract class LayeredModule {
  /** The layers by name; subclasses build them in their constructor. */
  protected abstract readonly layers: Readonly<Record<string, NamedLayer>>;

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  /** Copies of the weights by `<layer>/<weight>` name; the caller disposes them (MemoryCore's getWeights rule). */
  getWeights(): Record<string, tf.Tensor> {
    return snapshotWeights(this.namedVariables());
  }

  /** Assigns every `<layer>/<weight>`; throws naming a missing, unknown or mis-shaped entry. */
  setWeights(weights: Record<string, tf.Tensor>): void {
    assignWeights(this.constructor.name, this.namedVariables(), weights);
  }

  dispose(): void {
    for (const layer of Object.values(this.layers)) layer.dispose();
  }

  private namedVariables(): NamedVariables {
    const out: NamedVariables = {};
    for (const [name, layer] of Object.entries(this.layers)) {
      for (const [weight, variable] of Object.entries(layer.namedVariables())) out[`${name}/${weight}`] = variable;
    }
    return out;
  }
}
