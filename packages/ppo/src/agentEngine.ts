import * as tf from '@tensorflow/tfjs-core';
import { activeNativeBackend, GraphProgram, type GraphProgramStats } from '@mempo/graph';
import { actStep, type ActStepResult } from './acting.js';
import type { ActorCritic } from './actorCritic.js';
import type { Adam } from './adam.js';
import type { EngineChoice, PpoConfig } from './config.js';
import { minibatchUpdate, type MinibatchTensors, type UpdateResult } from './minibatchUpdate.js';

/** The engine a run executes on (after resolving `auto`). */
export type EngineKind = 'graph' | 'eager';

/**
 * The three computations of a PPO run, behind one interface so the loop does not care how they execute
 * (the root README, "Engines: eager and graph"): `eager` runs tfjs ops one by one; `graph` runs each as one call of a
 * compiled TensorFlow graph, with the weights and Adam's moments resident in it.
 * Every returned tensor belongs to the caller.
 */
export interface AgentEngine {
  readonly kind: EngineKind;
  /** One acting step of P envs: sampled actions, log-probs and values, the next state, the core's diagnostics. */
  act(obs: tf.Tensor, starts: tf.Tensor1D, state: tf.Tensor[], seed: tf.Tensor1D): ActStepResult;
  /** V(obs) `[P]` under `state` (reset where `starts` is 1): the bootstrap value of GAE and of truncations. */
  values(obs: tf.Tensor, starts: tf.Tensor1D, state: tf.Tensor[], seed: tf.Tensor1D): tf.Tensor1D;
  /**
   * One optimizer step on a minibatch; returns the loss terms and gradient norm (`UPDATE_TERMS`), and with
   * `memoryWriteBack` the recomputed states to write back.
   */
  update(minibatch: MinibatchTensors): UpdateResult;
  /** Makes the agent's and Adam's variables hold the newest values (before checkpoints, evaluation, callbacks). */
  syncModel(): void;
  /** Compile statistics of the graph engine; null for eager. */
  readonly stats: GraphProgramStats | null;
  /** Frees what the engine holds (the variables keep the newest values). */
  dispose(): void;
}

/** The engine `choice` means on the active backend; `graph` where it cannot run is an error that says what to do. */
export function resolveEngine(choice: EngineChoice): EngineKind {
  const native = activeNativeBackend() !== null;
  if (choice === 'auto') return native ? 'graph' : 'eager';
  if (choice === 'graph' && !native)
    throw new Error("engine 'graph' needs the native 'tensorflow' backend (@tensorflow/tfjs-node): use engine 'eager' (or 'auto') on wasm and cpu");
  return choice;
}

/** An engine of `kind` for this agent and optimizer; `config` fixes dropout while acting and the loss settings. */
export function createAgentEngine(kind: EngineKind, agent: ActorCritic, adam: Adam, config: PpoConfig): AgentEngine {
  return kind === 'graph' ? new GraphAgentEngine(agent, adam, config) : new EagerAgentEngine(agent, adam, config);
}

/** Flattens a minibatch into the positional inputs of the compiled update (and back). */
const MINIBATCH_FIELDS = [
  'obs', 'starts', 'actions', 'oldLogProbs', 'oldValues', 'advantages', 'returns', 'learningRate', 'clipEpsilon', 'iteration', 'seed',
] as const;

class EagerAgentEngine implements AgentEngine {
  readonly kind = 'eager';
  readonly stats = null;

  constructor(
    private readonly agent: ActorCritic,
    private readonly adam: Adam,
    private readonly config: PpoConfig,
  ) {}

  act(obs: tf.Tensor, starts: tf.Tensor1D, state: tf.Tensor[], seed: tf.Tensor1D): ActStepResult {
    return actStep(this.agent, obs, starts, state, seed, this.config.dropoutWhileActing);
  }

  values(obs: tf.Tensor, starts: tf.Tensor1D, state: tf.Tensor[], seed: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => this.agent.step(obs, state, starts, this.config.dropoutWhileActing, seed).values);
  }

  update(minibatch: MinibatchTensors): UpdateResult {
    return minibatchUpdate(this.agent, this.adam, minibatch, this.config);
  }

  syncModel(): void {}

  dispose(): void {}
}

class GraphAgentEngine implements AgentEngine {
  readonly kind = 'graph';
  private readonly program: GraphProgram;
  private readonly actGraph;
  private readonly valuesGraph;
  private readonly updateGraph;
  private readonly stateCount: number;
  /** The core's diagnostics names, in the order the compiled act step returns them (set while tracing). */
  private diagnosticNames: string[] = [];

  constructor(agent: ActorCritic, adam: Adam, config: PpoConfig) {
    this.program = new GraphProgram({ state: [...agent.trainableVariables(), ...adam.moments()] });
    this.stateCount = agent.core.stateShapes.length;
    const training = config.dropoutWhileActing;
    this.actGraph = this.program.compile('act', (obs, starts, seed, ...state) => {
      const out = actStep(agent, obs!, starts as tf.Tensor1D, state, seed!, training);
      this.diagnosticNames = Object.keys(out.diagnostics ?? {});
      const summary = out.diagnosticSummary ? [out.diagnosticSummary] : [];
      return [out.sample, ...out.state, ...summary, ...this.diagnosticNames.map((name) => out.diagnostics![name]!)];
    });
    this.valuesGraph = this.program.compile('values', (obs, starts, seed, ...state) => [
      agent.step(obs!, state, starts as tf.Tensor1D, training, seed).values,
    ]);
    this.updateGraph = this.program.compile('update', (...inputs) => {
      const fields = Object.fromEntries(MINIBATCH_FIELDS.map((name, i) => [name, inputs[i]!]));
      const state0 = inputs.slice(MINIBATCH_FIELDS.length);
      const { terms, memory } = minibatchUpdate(agent, adam, { ...fields, state0 } as unknown as MinibatchTensors, config);
      return [terms, ...memory];
    });
  }

  get stats(): GraphProgramStats {
    return this.program.stats;
  }

  act(obs: tf.Tensor, starts: tf.Tensor1D, state: tf.Tensor[], seed: tf.Tensor1D): ActStepResult {
    const [sample, ...rest] = this.actGraph.call([obs, starts, seed, ...state]);
    const next = rest.slice(0, this.stateCount);
    const result: ActStepResult = { sample: sample as tf.Tensor2D, state: next };
    if (this.diagnosticNames.length > 0) {
      const [summary, ...diagnostics] = rest.slice(this.stateCount);
      result.diagnosticSummary = summary as tf.Tensor1D;
      result.diagnostics = Object.fromEntries(this.diagnosticNames.map((name, i) => [name, diagnostics[i]!]));
    }
    return result;
  }

  values(obs: tf.Tensor, starts: tf.Tensor1D, state: tf.Tensor[], seed: tf.Tensor1D): tf.Tensor1D {
    return this.valuesGraph.call([obs, starts, seed, ...state])[0] as tf.Tensor1D;
  }

  update(minibatch: MinibatchTensors): UpdateResult {
    const [terms, ...memory] = this.updateGraph.call([...MINIBATCH_FIELDS.map((name) => minibatch[name]), ...minibatch.state0]);
    return { terms: terms as tf.Tensor1D, memory };
  }

  syncModel(): void {
    this.program.pullState();
  }

  dispose(): void {
    this.program.dispose();
  }
}
