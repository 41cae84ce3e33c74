import * as tf from '@tensorflow/tfjs-core';
import type { ActorCritic } from './actorCritic.js';
import type { Metrics } from './progressCsv.js';

/** What the error of a diverged run says after naming the bad value: what was kept and what to do. */
function aftermath(update: number, learningRate: number, newestCheckpoint: string | null | undefined): string {
  const kept =
    newestCheckpoint === undefined ? '' : newestCheckpoint === null ? ' No checkpoint was written.' : ` The newest checkpoint, ${newestCheckpoint}, is kept.`;
  return (
    `Nothing of update ${update} was checkpointed.${kept} ` +
    `Lower the learning rate (it is ${learningRate}) or check the env's rewards, and train in a new run folder`
  );
}

/** Describes where a run stands when it diverges: `newestCheckpoint` is undefined when the run writes none. */
export interface DivergenceContext {
  update: number;
  learningRate: number;
  newestCheckpoint?: string | null;
}

/**
 * Throws when a loss term or the gradient norm of an update (its means over the minibatches, read back once
 * per update anyway) is NaN or infinite: every later update would only spread it into the weights.
 *
 * @example
 * assertFiniteTerms({ 'losses/value_loss': NaN }, { update: 4, learningRate: 1e20, newestCheckpoint: null });
 * // throws "training diverged at update 4: losses/value_loss is NaN (the mean over the update's minibatches). …"
 */
export function assertFiniteTerms(terms: Metrics, context: DivergenceContext): void {
  for (const [name, value] of Object.entries(terms)) {
    if (!Number.isFinite(value))
      throw new Error(
        `training diverged at update ${context.update}: ${name} is ${value} (the mean over the update's minibatches). ` +
          aftermath(context.update, context.learningRate, context.newestCheckpoint),
      );
  }
}

/**
 * Throws when any weight of the agent is NaN or infinite, so that such weights are never checkpointed. One
 * reduction over all variables decides (one readback); only a failure looks for the weight to name.
 *
 * @example
 * engine.syncModel();
 * assertFiniteWeights(agent, { update: 10, learningRate: 3e-4, newestCheckpoint: 'runs/x/checkpoints/update-000008' });
 */
export function assertFiniteWeights(agent: ActorCritic, context: DivergenceContext): void {
  const variables = agent.trainableVariables();
  const allFinite = tf.tidy(() => tf.all(tf.isFinite(tf.concat(variables.map((v) => tf.reshape(v, [-1]))))));
  const finite = allFinite.dataSync()[0] === 1;
  allFinite.dispose();
  if (finite) return;
  const weights = agent.getWeights();
  try {
    const bad = Object.entries(weights).find(([, w]) => tf.tidy(() => tf.all(tf.isFinite(w)).dataSync()[0]) !== 1)?.[0] ?? 'unknown';
    throw new Error(
      `training diverged at update ${context.update}: weight ${bad} is not finite (NaN or infinite). ` +
        aftermath(context.update, context.learningRate, context.newestCheckpoint),
    );
  } finally {
    tf.dispose(Object.values(weights));
  }
}
