import * as tf from '@tensorflow/tfjs-core';
import { Dense, INIT_SCHEMES, LayeredModule, type InitScheme } from '@mempo/core-attention';

/** How one layer starts: a core-attention `InitScheme` and the gain that multiplies its kernel (default 1). */
export interface LayerInit {
  scheme: InitScheme;
  gain?: number;
}

/** One head (policy or value) as data: hidden layers, their activation, and every layer's initialisation. */
export interface HeadSpec {
  /** Widths of the hidden layers before the output layer; `[]` for a single linear layer. */
  hidden: number[];
  /** Activation after every hidden layer. */
  activation: 'tanh' | 'relu';
  /** Initialisation of the hidden layers. */
  hiddenInit: LayerInit;
  /** Initialisation of the output layer. */
  outputInit: LayerInit;
  /** The output layer has a bias. Default true (the IAM code's policy layer has none). */
  outputBias?: boolean;
}

/** Both heads. */
export interface HeadsSpec {
  actor: HeadSpec;
  critic: HeadSpec;
}

/**
 * The heads an agent gets when none are specified (and what runs recorded before heads were data): one
 * linear layer each, Glorot kernels and zero biases, the policy kernel 100× smaller so the first policy is
 * near uniform.
 */
export const LINEAR_HEADS: HeadsSpec = {
  actor: { hidden: [], activation: 'tanh', hiddenInit: { scheme: 'glorot' }, outputInit: { scheme: 'glorot', gain: 0.01 } },
  critic: { hidden: [], activation: 'tanh', hiddenInit: { scheme: 'glorot' }, outputInit: { scheme: 'glorot' } },
};

/** Arguments of {@link ActorCriticHeads}. */
export interface ActorCriticHeadsArgs {
  /** Width of the core's features. */
  inputSize: number;
  /** Discrete actions. */
  numActions: number;
  /** Seed of the weight initialiser. */
  seed: number;
  /** The policy head; default {@link LINEAR_HEADS}' (runs written before heads were data have none). */
  actor?: HeadSpec;
  /** The value head; default {@link LINEAR_HEADS}'. */
  critic?: HeadSpec;
}

/** Checks a head spec, naming the bad field (`heads.actor.hidden[0]`, …). */
function checkHead(name: string, head: HeadSpec): void {
  if (typeof head !== 'object' || head === null || !Array.isArray(head.hidden))
    throw new Error(`heads.${name} must be { hidden, activation, hiddenInit, outputInit } (got ${JSON.stringify(head)})`);
  head.hidden.forEach((h, i) => {
    if (!Number.isInteger(h) || h < 1) throw new Error(`heads.${name}.hidden[${i}] must be a positive integer (got ${JSON.stringify(h)})`);
  });
  if (head.activation !== 'tanh' && head.activation !== 'relu')
    throw new Error(`heads.${name}.activation must be 'tanh' or 'relu' (got ${JSON.stringify(head.activation)})`);
  for (const field of ['hiddenInit', 'outputInit'] as const) {
    const init = head[field];
    if (!INIT_SCHEMES.includes(init?.scheme))
      throw new Error(`heads.${name}.${field}.scheme must be one of ${INIT_SCHEMES.map((s) => `'${s}'`).join(', ')} (got ${JSON.stringify(init?.scheme)})`);
    if (init.gain !== undefined && !(init.gain > 0 && Number.isFinite(init.gain)))
      throw new Error(`heads.${name}.${field}.gain must be a positive finite number (got ${JSON.stringify(init.gain)})`);
  }
}

/**
 * Policy and value heads on the core's features, each `hidden` layers (with `activation`) then an output
 * layer, every layer initialised as its {@link HeadSpec} says. Weights: the output layers `actor/kernel`
 * `[F', A]`, `actor/bias`, `critic/kernel` `[F', 1]`, `critic/bias`; hidden layers `actorHidden{i}/…`,
 * `criticHidden{i}/…`.
 *
 * @example
 * // torch-ac's heads: Linear(64, 64)–tanh–Linear(64, out), init_params on every layer
 * const head = { hidden: [64], activation: 'tanh', hiddenInit: { scheme: 'torch-ac' }, outputInit: { scheme: 'torch-ac' } } as const;
 * const heads = new ActorCriticHeads({ inputSize: 64, numActions: 7, seed: 1, actor: head, critic: head });
 */
export class ActorCriticHeads extends LayeredModule {
  readonly numActions: number;
  protected readonly layers: Record<string, Dense> = {};
  private readonly args: ActorCriticHeadsArgs;
  private readonly stacks: { actor: Dense[]; critic: Dense[] };
  private readonly activations: { actor: HeadSpec['activation']; critic: HeadSpec['activation'] };

  constructor(args: ActorCriticHeadsArgs) {
    super();
    if (!Number.isInteger(args.numActions) || args.numActions < 2)
      throw new Error(`numActions must be an integer ≥ 2 (got ${args.numActions})`);
    this.numActions = args.numActions;
    // Heads given are recorded; absent ones stay absent, so config() of default heads is what it always was.
    this.args = {
      inputSize: args.inputSize,
      numActions: args.numActions,
      seed: args.seed,
      ...(args.actor ? { actor: structuredClone(args.actor) } : {}),
      ...(args.critic ? { critic: structuredClone(args.critic) } : {}),
    };
    const actor = args.actor ?? LINEAR_HEADS.actor;
    const critic = args.critic ?? LINEAR_HEADS.critic;
    checkHead('actor', actor);
    checkHead('critic', critic);
    // Output layers keep the seeds (seed, seed + 1) they always had; hidden layers draw from seed + 100 + i / seed + 200 + i.
    this.stacks = {
      actor: this.build('actor', actor, args.numActions, args.seed, args.seed + 100),
      critic: this.build('critic', critic, 1, args.seed + 1, args.seed + 200),
    };
    this.activations = { actor: actor.activation, critic: critic.activation };
  }

  private build(name: 'actor' | 'critic', head: HeadSpec, outputs: number, outputSeed: number, hiddenSeed: number): Dense[] {
    const stack: Dense[] = [];
    let width = this.args.inputSize;
    head.hidden.forEach((h, i) => {
      const layer = new Dense({ inputSize: width, outputSize: h, init: head.hiddenInit.scheme, gain: head.hiddenInit.gain ?? 1, seed: hiddenSeed + i });
      this.layers[`${name}Hidden${i}`] = layer;
      stack.push(layer);
      width = h;
    });
    const out = new Dense({
      inputSize: width,
      outputSize: outputs,
      init: head.outputInit.scheme,
      gain: head.outputInit.gain ?? 1,
      bias: head.outputBias ?? true,
      seed: outputSeed,
    });
    this.layers[name] = out;
    stack.push(out);
    return stack;
  }

  /** The arguments the heads were built with (`config.json`'s `heads`, what `loadAgent` rebuilds them from). */
  config(): ActorCriticHeadsArgs {
    return structuredClone(this.args);
  }

  /** features `[B, F]` → logits `[B, A]`, values `[B]`. */
  apply(features: tf.Tensor2D): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    const run = (name: 'actor' | 'critic'): tf.Tensor => {
      const stack = this.stacks[name];
      let x: tf.Tensor = features;
      stack.forEach((layer, i) => {
        x = layer.apply(x);
        if (i < stack.length - 1) x = this.activations[name] === 'relu' ? tf.relu(x) : tf.tanh(x);
      });
      return x;
    };
    const values = run('critic');
    return { logits: run('actor') as tf.Tensor2D, values: tf.reshape(values, [-1]) as tf.Tensor1D };
  }
}
