import * as tf from '@tensorflow/tfjs-core';

/** The loss settings that vary between presets. */
export interface PpoLossOptions {
  /** ε of the ratio clip (and of the value clip when `clipValue`); a tensor when a schedule moves it per call. */
  clipEpsilon: number | tf.Scalar;
  /** c_v */
  valueCoef: number;
  /** Factor 0.5 on the value loss. */
  valueLossHalf: boolean;
  /** Clipped value loss instead of plain MSE. */
  clipValue: boolean;
  /** c_e */
  entropyCoef: number;
}

/** The batch the loss is taken over, every tensor `[N]` except logits `[N, A]`. */
export interface PpoLossInputs {
  /** New policy logits. [N, A] */
  logits: tf.Tensor2D;
  /** New values V. [N] */
  values: tf.Tensor1D;
  /** int32 [N] */
  actions: tf.Tensor1D;
  /** log π_old(a). [N] */
  oldLogProbs: tf.Tensor1D;
  /** V_old. [N] */
  oldValues: tf.Tensor1D;
  /** A. [N] */
  advantages: tf.Tensor1D;
  /** R = A + V_old. [N] */
  returns: tf.Tensor1D;
}

/** The scalar terms of the loss (each a 0-d tensor). */
export interface PpoLossTerms {
  /** What the optimizer minimises. */
  total: tf.Scalar;
  /** −mean(min(ρA, clip(ρ, 1±ε)A)) */
  policyLoss: tf.Scalar;
  /** L_V, including the 0.5 factor when configured, before c_v. */
  valueLoss: tf.Scalar;
  /** mean H(π) */
  entropy: tf.Scalar;
  /** mean((ρ − 1) − log ρ), the low-variance KL estimator CleanRL logs. */
  approxKl: tf.Scalar;
  /** Fraction of samples with |ρ − 1| > ε. */
  clipFraction: tf.Scalar;
}

/**
 * The PPO loss of the ppo README, "Recurrent minibatches" (Schulman et al. 2017, eq. 7 and 9):
 * `−mean(min(ρA, clip(ρ, 1±ε)A)) + c_v·L_V − c_e·mean(H)`, ρ = exp(log π − log π_old), with
 * `L_V = mean(max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²))` when value clipping is on, else MSE.
 * Call inside `tf.tidy` (or a gradient function); every returned tensor is new.
 */
export function ppoLoss(inputs: PpoLossInputs, options: PpoLossOptions): PpoLossTerms {
  const { logits, values, actions, oldLogProbs, oldValues, advantages, returns } = inputs;
  const eps = options.clipEpsilon;
  const numActions = logits.shape[1];
  const logPi = tf.logSoftmax(logits); // [N, A]
  const logProbs = tf.sum(tf.mul(logPi, tf.oneHot(actions, numActions)), 1); // [N]
  const logRatio = tf.sub(logProbs, oldLogProbs);
  const ratio = tf.exp(logRatio);

  const unclipped = tf.mul(ratio, advantages);
  const clipped = tf.mul(clipRange(ratio, eps), advantages);
  const policyLoss = tf.neg(tf.mean(tf.minimum(unclipped, clipped))) as tf.Scalar;

  const squaredError = tf.square(tf.sub(values, returns));
  const perSample = options.clipValue
    ? tf.maximum(squaredError, tf.square(tf.sub(tf.add(oldValues, clipRange(tf.sub(values, oldValues), eps, 0)), returns)))
    : squaredError;
  const valueLoss = tf.mul(tf.mean(perSample), options.valueLossHalf ? 0.5 : 1) as tf.Scalar;

  const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logPi), logPi), 1))) as tf.Scalar;
  const total = tf.sub(tf.add(policyLoss, tf.mul(valueLoss, options.valueCoef)), tf.mul(entropy, options.entropyCoef)) as tf.Scalar;

  return {
    total,
    policyLoss,
    valueLoss,
    entropy,
    approxKl: tf.mean(tf.sub(tf.sub(ratio, 1), logRatio)) as tf.Scalar,
    clipFraction: tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), eps), 'float32')) as tf.Scalar,
  };
}

/** `clip(x, center ± ε)` with ε a number or a tensor (tf.clipByValue takes numbers only). */
function clipRange(x: tf.Tensor, eps: number | tf.Scalar, center = 1): tf.Tensor {
  return tf.minimum(tf.maximum(x, tf.sub(center, eps)), tf.add(center, eps));
}
