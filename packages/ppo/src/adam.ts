import * as tf from '@tensorflow/tfjs-core';
// ppo always trains, so it registers tfjs-core's gradients itself (tfjs-core's Node entry registers none; the
// core-attention README, "Gradients").
import '@mempo/core-attention/register-gradients';

/** Settings of {@link Adam}. */
export interface AdamArgs {
  /** The variables it updates, in a fixed order (its state is saved by index). */
  variables: tf.Variable[];
  /** ε added to √v̂ (torch's placement, as the reference codes use). */
  epsilon: number;
  /** β1, default 0.9. */
  beta1?: number;
  /** β2, default 0.999. */
  beta2?: number;
}

/** Per-step inputs of {@link Adam.step}: tensors, so that one compiled graph serves every step. */
export interface AdamStepInputs {
  /** Learning rate of this step (a schedule moves it every update). Scalar. */
  learningRate: tf.Scalar;
  /** t of the bias correction, 1 for the first step. Scalar. */
  iteration: tf.Scalar;
  /** Global gradient-norm clip; null for none (a setting of the run, fixed in the graph). */
  maxGradNorm: number | null;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with the learning rate and step count given per step as tensors and
 * optional global gradient-norm clipping. Written here rather than taken from `tf.train.adam` because PPO
 * changes the learning rate every update, saves the moments in checkpoints, and runs the whole step inside a
 * compiled graph (no value may travel through JS, so clipping and bias correction are tensor ops).
 *
 * @example
 * const adam = new Adam({ variables: agent.trainableVariables(), epsilon: 1e-5 });
 * const gradNorm = adam.step(() => loss(), { learningRate: tf.scalar(2.5e-4), iteration: tf.scalar(1), maxGradNorm: 0.5 });
 */
export class Adam {
  readonly variables: tf.Variable[];
  readonly epsilon: number;
  readonly beta1: number;
  readonly beta2: number;
  /** Steps taken (t of the bias correction); the caller feeds `iterations + 1` to the next step. */
  iterations = 0;
  private m: tf.Variable[];
  private v: tf.Variable[];

  constructor(args: AdamArgs) {
    if (args.variables.length === 0) throw new Error('variables must not be empty (the model has nothing to train)');
    if (!(args.epsilon > 0)) throw new Error(`epsilon must be > 0 (got ${args.epsilon})`);
    this.variables = args.variables;
    this.epsilon = args.epsilon;
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.m = this.variables.map((x) => tf.variable(tf.zerosLike(x), false));
    this.v = this.variables.map((x) => tf.variable(tf.zerosLike(x), false));
  }

  /** The first and second moments, in variable order (state a compiled update keeps resident). */
  moments(): tf.Variable[] {
    return [...this.m, ...this.v];
  }

  /**
   * Minimises `loss` by one step and returns the global L2 norm of the gradients before clipping (a scalar
   * the caller owns). The loss function runs under the gradient tape; tensors it wants to keep beyond the
   * step must be `tf.keep`-ed by the caller. Does not touch {@link iterations}: the caller counts steps.
   */
  step(loss: () => tf.Scalar, inputs: AdamStepInputs): tf.Scalar {
    return tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, this.variables);
      const list = this.variables.map((x) => grads[x.name] ?? tf.zerosLike(x));
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
      // Global clipping as torch's clip_grad_norm_: scale = min(1, max_norm / (norm + 1e-6)).
      const scale = inputs.maxGradNorm === null ? null : tf.minimum(1, tf.div(inputs.maxGradNorm, tf.add(norm, 1e-6)));
      const t = inputs.iteration;
      const biasM = tf.sub(1, tf.pow(this.beta1, t));
      const biasV = tf.sqrt(tf.sub(1, tf.pow(this.beta2, t)));
      // Bias correction folded into the step size keeps ε on √v̂: lr·m̂/(√v̂+ε) = stepSize·m/(√v + ε√(1−β2^t)).
      const stepSize = tf.div(tf.mul(inputs.learningRate, biasV), biasM);
      const epsHat = tf.mul(this.epsilon, biasV);
      list.forEach((g0, i) => {
        const g = scale === null ? g0 : tf.mul(g0, scale);
        const m = this.m[i]!;
        const v = this.v[i]!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        this.variables[i]!.assign(tf.sub(this.variables[i]!, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsHat)), stepSize)));
      });
      return norm;
    });
  }

  /**
   * Copies of the moments by index (`m/0`, `v/0`, …) and the step count, for a checkpoint; the caller
   * disposes the copies (the same rule as `getWeights`).
   */
  getState(): { iterations: number; tensors: Record<string, tf.Tensor> } {
    const tensors: Record<string, tf.Tensor> = {};
    this.m.forEach((m, i) => (tensors[`m/${i}`] = tf.clone(m)));
    this.v.forEach((v, i) => (tensors[`v/${i}`] = tf.clone(v)));
    return { iterations: this.iterations, tensors };
  }

  /** Restores {@link getState}; throws naming the first missing or mis-shaped moment. */
  setState(state: { iterations: number; tensors: Record<string, tf.Tensor> }): void {
    for (const [kind, list] of [['m', this.m], ['v', this.v]] as const) {
      list.forEach((target, i) => {
        const value = state.tensors[`${kind}/${i}`];
        if (!value) throw new Error(`optimizer state is missing '${kind}/${i}'`);
        if (value.shape.join() !== target.shape.join())
          throw new Error(`optimizer state '${kind}/${i}' must have shape [${target.shape}] (got [${value.shape}])`);
        target.assign(value);
      });
    }
    this.iterations = state.iterations;
  }

  /** Frees the moments. */
  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
