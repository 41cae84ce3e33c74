import * as tf from '@tensorflow/tfjs-core';
import { resolveFlatCoreArgs, type FlatCoreArgs } from './flatCoreArgs.js';
import { SeedStream, initVariable, uniformInit } from './initializers.js';
import type { CoreCallOptions, CoreConfig, CoreSequenceResult, CoreStepResult, MemoryCore } from './memoryCore.js';
import type { NamedVariables } from './namedWeights.js';
import { flattenSet, requireSetInput, requireSetSequence, requireState } from './setInput.js';
import { requirePositiveInt } from './validation.js';
import { WeightedModule } from './weightedModule.js';

/** Arguments of {@link FNNCore}. */
export type FNNCoreArgs = FlatCoreArgs;

/**
 * The memoryless baseline: `relu(flatten(x)·kernel + bias)`, no state (an empty state list).
 * Weights: `dense.kernel` `[N·F, H]`, `dense.bias` `[H]`, both U(±1/√(N·F)) like PyTorch's `nn.Linear`.
 *
 * @example
 * const core = new FNNCore({ inputSize: 64, hiddenSize: 128 });
 * const { output } = core.step(x, [], { training: false }); // x [B, 1, 64] → [B, 128]
 */
export class FNNCore extends WeightedModule implements MemoryCore {
  readonly name = 'fnn';
  readonly inputShape: readonly [number, number];
  readonly outputSize: number;
  readonly stateShapes: readonly (readonly number[])[] = [];
  /** `[N·F, H]` */
  readonly kernel: tf.Variable;
  /** `[H]` */
  readonly bias: tf.Variable;
  private readonly args: FNNCoreArgs & { numElements: number };

  constructor(args: FNNCoreArgs) {
    super('FNNCore');
    this.args = resolveFlatCoreArgs(args);
    requirePositiveInt('hiddenSize', args.hiddenSize);
    this.inputShape = [this.args.numElements, args.inputSize];
    this.outputSize = args.hiddenSize;
    const fanIn = this.args.numElements * args.inputSize;
    const seeds = new SeedStream(args.seed);
    this.kernel = initVariable(() => uniformInit([fanIn, args.hiddenSize], 1 / Math.sqrt(fanIn), seeds.next()));
    this.bias = initVariable(() => uniformInit([args.hiddenSize], 1 / Math.sqrt(fanIn), seeds.next()));
  }

  initialState(_batch: number): tf.Tensor[] {
    return [];
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    requireSetInput('FNNCore', x, this.inputShape);
    requireState('FNNCore', state, this.stateShapes, x.shape[0]);
    const output = tf.tidy(() => tf.relu(tf.add(tf.matMul(flattenSet(x), this.kernel), this.bias)));
    return { output: output as tf.Tensor2D, state: [] };
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, _opts: CoreCallOptions): CoreSequenceResult {
    requireSetSequence('FNNCore', xs, this.inputShape);
    const [T, B] = xs.shape;
    requireState('FNNCore', state0, this.stateShapes, B);
    if (starts.shape[0] !== T || starts.shape[1] !== B) {
      throw new Error(`FNNCore: starts must have shape [${T},${B}] (got [${starts.shape.join(',')}])`);
    }
    // No memory, so no resets to apply: all T·B rows in one matmul.
    const outputs = tf.tidy(() =>
      tf.reshape(tf.relu(tf.add(tf.matMul(tf.reshape(xs, [T * B, -1]), this.kernel), this.bias)), [T, B, this.outputSize]),
    );
    return { outputs: outputs as tf.Tensor3D, state: [] };
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  protected namedVariables(): NamedVariables {
    return { 'dense.kernel': this.kernel, 'dense.bias': this.bias };
  }

  config(): CoreConfig {
    return { name: this.name, ...this.args };
  }
}
