import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ppoLoss, type PpoLossOptions } from './loss.js';

// A fixed batch of 3 samples, 2 actions.
const batch = {
  logits: [
    [0, 0],
    [1, -1],
    [0.5, 0.2],
  ],
  actions: [0, 1, 0],
  oldLogProbs: [Math.log(0.5), -1.5, -0.4],
  values: [1, 0, 2],
  oldValues: [0.8, 0.3, 1.5],
  advantages: [1, -1, 0.5],
  returns: [1.2, -0.5, 1.0],
};

/** The loss of the ppo README worked out sample by sample in plain arithmetic. */
function byHand(o: PpoLossOptions) {
  let policy = 0;
  let value = 0;
  let entropy = 0;
  let kl = 0;
  let clipped = 0;
  batch.logits.forEach(([l0, l1], i) => {
    const z = Math.log(Math.exp(l0!) + Math.exp(l1!));
    const logp = [l0! - z, l1! - z];
    const ratio = Math.exp(logp[batch.actions[i]!]! - batch.oldLogProbs[i]!);
    const a = batch.advantages[i]!;
    const clip = Math.min(Math.max(ratio, 1 - o.clipEpsilon), 1 + o.clipEpsilon);
    policy += -Math.min(ratio * a, clip * a);
    const v = batch.values[i]!;
    const vOld = batch.oldValues[i]!;
    const r = batch.returns[i]!;
    const vClipped = vOld + Math.min(Math.max(v - vOld, -o.clipEpsilon), o.clipEpsilon);
    value += o.clipValue ? Math.max((v - r) ** 2, (vClipped - r) ** 2) : (v - r) ** 2;
    entropy += -(Math.exp(logp[0]!) * logp[0]! + Math.exp(logp[1]!) * logp[1]!);
    kl += ratio - 1 - Math.log(ratio);
    if (Math.abs(ratio - 1) > o.clipEpsilon) clipped += 1;
  });
  const n = batch.actions.length;
  const valueLoss = (value / n) * (o.valueLossHalf ? 0.5 : 1);
  return {
    policyLoss: policy / n,
    valueLoss,
    entropy: entropy / n,
    approxKl: kl / n,
    clipFraction: clipped / n,
    total: policy / n + o.valueCoef * valueLoss - o.entropyCoef * (entropy / n),
  };
}

function computed(o: PpoLossOptions) {
  return tf.tidy(() => {
    const terms = ppoLoss(
      {
        logits: tf.tensor2d(batch.logits),
        values: tf.tensor1d(batch.values),
        actions: tf.tensor1d(batch.actions, 'int32'),
        oldLogProbs: tf.tensor1d(batch.oldLogProbs),
        oldValues: tf.tensor1d(batch.oldValues),
        advantages: tf.tensor1d(batch.advantages),
        returns: tf.tensor1d(batch.returns),
      },
      o,
    );
    return Object.fromEntries(Object.entries(terms).map(([k, t]) => [k, t.dataSync()[0]!]));
  });
}

describe('ppoLoss', () => {
  const presets: [string, PpoLossOptions][] = [
    ['CleanRL (value clip, ½ factor)', { clipEpsilon: 0.2, valueCoef: 0.5, valueLossHalf: true, clipValue: true, entropyCoef: 0.01 }],
    ['IAM (value clip, no ½)', { clipEpsilon: 0.1, valueCoef: 1, valueLossHalf: false, clipValue: true, entropyCoef: 0.01 }],
    ['plain MSE', { clipEpsilon: 0.2, valueCoef: 0.5, valueLossHalf: true, clipValue: false, entropyCoef: 0.05 }],
  ];

  it.each(presets)('matches a hand computation: %s', (_, options) => {
    const got = computed(options);
    const want = byHand(options);
    for (const key of Object.keys(want) as (keyof typeof want)[]) expect(got[key], key).toBeCloseTo(want[key], 5);
  });

  it('clips both the ratio and the value on this batch (the test exercises the clipped branches)', () => {
    const options = presets[0]![1];
    const want = byHand(options);
    expect(want.clipFraction).toBeGreaterThan(0);
    // Value clipping changes the value loss here, so a missing clip would fail the comparison above.
    expect(byHand({ ...options, clipValue: false }).valueLoss).not.toBeCloseTo(want.valueLoss, 3);
  });
});
