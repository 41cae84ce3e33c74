import * as tf from '@tensorflow/tfjs-core';
import { maskStateAtStarts, type CoreCallOptions, type CoreConfig, type CoreSequenceResult, type CoreStepResult, type MemoryCore } from '@mempo/core-attention';

/**
 * A test core whose state counts the steps since its last reset: `s ← s·(1 − start) + 1`, output = s.
 * Any state that leaks across an episode start shows up as a count larger than the episode's step.
 * Its one diagnostic, `stepsSinceReset` `[B, 1]`, exercises the logging of core diagnostics.
 */
export class StepCounterCore implements MemoryCore {
  readonly name = 'step-counter';
  readonly inputShape: readonly [number, number];
  readonly outputSize = 1;
  readonly stateShapes = [[1]] as const;

  constructor(inputSize: number) {
    this.inputShape = [1, inputSize];
  }

  initialState(batch: number): tf.Tensor[] {
    return [tf.zeros([batch, 1])];
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    return tf.tidy(() => {
      const counted = tf.add(tf.reshape(state[0]!, [x.shape[0], 1]), 1) as tf.Tensor2D;
      return { output: counted, state: [tf.clone(counted)], diagnostics: { stepsSinceReset: tf.clone(counted) } };
    });
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, opts: CoreCallOptions): CoreSequenceResult {
    return tf.tidy(() => {
      const T = xs.shape[0];
      let state = state0;
      const outputs: tf.Tensor2D[] = [];
      const xsT = tf.unstack(xs) as tf.Tensor3D[];
      const startsT = tf.unstack(starts) as tf.Tensor1D[];
      for (let t = 0; t < T; t++) {
        const out = this.step(xsT[t]!, maskStateAtStarts(state, startsT[t]!), opts);
        outputs.push(out.output);
        tf.dispose(Object.values(out.diagnostics ?? {}));
        state = out.state;
      }
      return { outputs: tf.stack(outputs) as tf.Tensor3D, state };
    });
  }

  trainableVariables(): tf.Variable[] {
    return [];
  }

  getWeights(): Record<string, tf.Tensor> {
    return {};
  }

  setWeights(): void {}

  config(): CoreConfig {
    return { name: this.name, inputSize: this.inputShape[1] };
  }

  dispose(): void {}
}
