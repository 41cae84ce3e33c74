import * as tf from '@tensorflow/tfjs-core';
import type { ActorCritic } from './actorCritic.js';
import type { Adam } from './adam.js';
import type { PpoConfig } from './config.js';
import { ppoLoss } from './loss.js';
import { writeBackOffsets } from './memoryWriteBack.js';
import type { MinibatchArrays } from './minibatches.js';
import type { RolloutBuffer } from './rolloutBuffer.js';

/** One minibatch as tensors (the ppo README, "Recurrent minibatches"): L steps of B sequences, time-major. */
export interface MinibatchTensors {
  /** [L, B, ...obsShape] float32 */
  obs: tf.Tensor;
  /** [L, B] */
  starts: tf.Tensor2D;
  /** The stored state at each sequence's first step, `[B, ...shape]` per state tensor. */
  state0: tf.Tensor[];
  /** int32 [L·B] */
  actions: tf.Tensor1D;
  /** [L·B] each */
  oldLogProbs: tf.Tensor1D;
  oldValues: tf.Tensor1D;
  advantages: tf.Tensor1D;
  returns: tf.Tensor1D;
  /** This update's learning rate and clip ε (schedules move them), and Adam's t. Scalars. */
  learningRate: tf.Scalar;
  clipEpsilon: tf.Scalar;
  iteration: tf.Scalar;
  /** int32 [2]: the dropout masks' seed. */
  seed: tf.Tensor1D;
}

/** Names of the values {@link minibatchUpdate} returns, in order (progress.csv columns). */
export const UPDATE_TERMS = [
  'losses/policy_loss',
  'losses/value_loss',
  'losses/entropy',
  'losses/approx_kl',
  'losses/clip_fraction',
  'losses/grad_norm',
] as const;

/** What {@link minibatchUpdate} returns; every tensor belongs to the caller. */
export interface UpdateResult {
  /** `[6]`: the loss terms and the gradient norm before clipping, named by {@link UPDATE_TERMS}. */
  terms: tf.Tensor1D;
  /**
   * With `memoryWriteBack`, the core's states this minibatch's forward pass reached at the offsets of
   * {@link writeBackOffsets}, computed with the weights before this step (as torch-ac's), offset-major
   * (`memory[i·S + k]`: state tensor k at offset i, `[B, ...shape]`); empty otherwise.
   */
  memory: tf.Tensor[];
}

/**
 * One PPO optimizer step on one minibatch, as tensor math only so that it runs eagerly or compiled into one
 * graph: encoder, core `sequence`, heads and the loss under the gradient tape, then global-norm clipping and
 * Adam (which assign the agent's and the optimizer's variables). Returns the loss terms and gradient norm,
 * and the states to write back (`memoryWriteBack`).
 */
export function minibatchUpdate(agent: ActorCritic, adam: Adam, mb: MinibatchTensors, config: PpoConfig): UpdateResult {
  let terms: tf.Tensor1D | undefined;
  let memory: tf.Tensor[] = [];
  const captureAt = writeBackOffsets(config);
  const result = tf.tidy(() => {
    const gradNorm = adam.step(
      () => {
        const { logits, values, captured } = agent.sequence(mb.obs, mb.state0, mb.starts, true, mb.seed, config.chunkLength, captureAt);
        // Kept past the gradient tape's scope, like the terms: they leave the update as values.
        memory = captured.map((s) => tf.keep(s));
        const loss = ppoLoss(
          { logits, values, actions: mb.actions, oldLogProbs: mb.oldLogProbs, oldValues: mb.oldValues, advantages: mb.advantages, returns: mb.returns },
          { ...config, clipEpsilon: mb.clipEpsilon },
        );
        // Kept past the gradient tape's scope; disposed below once concatenated.
        terms = tf.keep(tf.stack([loss.policyLoss, loss.valueLoss, loss.entropy, loss.approxKl, loss.clipFraction]) as tf.Tensor1D);
        return loss.total;
      },
      { learningRate: mb.learningRate, iteration: mb.iteration, maxGradNorm: config.maxGradNorm },
    );
    return tf.concat([terms!, tf.reshape(gradNorm, [1])]) as tf.Tensor1D;
  });
  terms?.dispose();
  return { terms: result, memory };
}

/** A gathered minibatch as the tensors {@link minibatchUpdate} takes (the scalars and seed given per step). */
export function minibatchTensors(
  mb: MinibatchArrays,
  buffer: Pick<RolloutBuffer, 'obsShape' | 'stateShapes'>,
  perStep: Pick<MinibatchTensors, 'learningRate' | 'clipEpsilon' | 'iteration' | 'seed'>,
): MinibatchTensors {
  const { length: L, batch: B } = mb;
  return {
    obs: tf.tensor(mb.obs, [L, B, ...buffer.obsShape]),
    starts: tf.tensor2d(mb.starts, [L, B]),
    state0: mb.state0.map((s, k) => tf.tensor(s, [B, ...buffer.stateShapes[k]!])),
    actions: tf.tensor1d(mb.actions, 'int32'),
    oldLogProbs: tf.tensor1d(mb.oldLogProbs),
    oldValues: tf.tensor1d(mb.oldValues),
    advantages: tf.tensor1d(mb.advantages),
    returns: tf.tensor1d(mb.returns),
    ...perStep,
  };
}
