import * as tf from '@tensorflow/tfjs-core';
import { LSTMCore } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { ActorCritic } from './actorCritic.js';
import { MinigridConvEncoder } from './minigridConvEncoder.js';
import { MlpEncoder } from './mlpEncoder.js';
import { NatureCnnEncoder } from './natureCnnEncoder.js';

describe('encoders', () => {
  it('MlpEncoder maps [B, ...obsShape] to a one-element set and names its weights', () => {
    const enc = new MlpEncoder({ obsShape: [73], hiddenSizes: [32, 16], seed: 1 });
    const out = tf.tidy(() => enc.apply(tf.ones([5, 73])));
    expect(out.shape).toEqual([5, 1, 16]);
    expect(Object.fromEntries(Object.entries(enc.getWeights()).map(([k, w]) => [k, w.shape]))).toEqual({
      'dense0/kernel': [73, 32],
      'dense0/bias': [32],
      'dense1/kernel': [32, 16],
      'dense1/bias': [16],
    });
    expect(() => new MlpEncoder({ obsShape: [73], hiddenSizes: [0], seed: 1 })).toThrow(
      new Error('encoder.hiddenSizes[0]: 0 is out of range; must be an integer ≥ 1'),
    );
    tf.dispose(out);
    enc.dispose();
  });

  it('the MiniGrid stack turns 7×7×3 codes into 64 features', () => {
    const enc = new MinigridConvEncoder({ seed: 1 });
    const out = tf.tidy(() => enc.apply(tf.randomUniform([3, 7, 7, 3], 0, 10, 'float32', 1)));
    expect(out.shape).toEqual([3, 1, 64]);
    expect(enc.trainableVariables()).toHaveLength(6);
    tf.dispose(out);
    enc.dispose();
  });

  it('the Nature CNN returns its 7×7×64 map as 49 regions, or flattened', () => {
    const obs = tf.randomUniform([2, 1, 84, 84], 0, 255, 'float32', 2);
    const regions = new NatureCnnEncoder({ stack: 1, output: 'regions', seed: 1 });
    const flat = new NatureCnnEncoder({ stack: 1, output: 'flat', seed: 1 });
    const [r, f] = tf.tidy(() => [regions.apply(obs), flat.apply(obs)]);
    expect(r!.shape).toEqual([2, 49, 64]);
    expect(f!.shape).toEqual([2, 1, 3136]);
    // Same weights (same seed): the flat output is the region set read row-major.
    expect(Array.from(f!.dataSync())).toEqual(Array.from(r!.dataSync()));
    expect(() => new NatureCnnEncoder({ stack: 0, output: 'flat', seed: 1 })).toThrow(
      new Error('encoder.stack: 0 is out of range; must be an integer ≥ 1'),
    );
    tf.dispose([obs, r!, f!]);
    regions.dispose();
    flat.dispose();
  });
});

describe('ActorCritic', () => {
  it('refuses an encoder whose output the core cannot read', () => {
    const encoder = new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 });
    const core = new LSTMCore({ inputSize: 4, hiddenSize: 4, seed: 1 });
    expect(() => new ActorCritic({ encoder, core, numActions: 2, seed: 1 })).toThrow(
      "the encoder's outputShape [1, 8] must equal the core's inputShape [1, 4]",
    );
    encoder.dispose();
    core.dispose();
  });

  it('round-trips its prefixed weights and gives the same outputs step by step and as a sequence', () => {
    const make = (seed: number) =>
      new ActorCritic({
        encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed }),
        core: new LSTMCore({ inputSize: 8, hiddenSize: 4, seed }),
        numActions: 2,
        seed,
      });
    const a = make(1);
    const b = make(2);
    expect(Object.keys(a.getWeights())).toContain('heads/actor/kernel');
    expect(Object.keys(a.getWeights())).toContain('encoder/dense0/kernel');
    b.setWeights(a.getWeights());
    const L = 3;
    const B = 2;
    const obs = tf.randomNormal([L, B, 3], 0, 1, 'float32', 3);
    const starts = tf.tensor2d([[0, 1], [1, 0], [0, 0]]);
    const seq = tf.tidy(() => b.sequence(obs, b.core.initialState(B), starts as tf.Tensor2D, false).logits);
    const stepwise = tf.tidy(() => {
      let state = a.core.initialState(B);
      const rows: tf.Tensor[] = [];
      for (let t = 0; t < L; t++) {
        const out = a.step(tf.squeeze(tf.slice(obs, [t, 0, 0], [1, B, 3]), [0]), state, tf.squeeze(tf.slice(starts, [t, 0], [1, B]), [0]) as tf.Tensor1D, false);
        rows.push(out.logits);
        state = out.state;
      }
      return tf.concat(rows, 0);
    });
    Array.from(seq.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(stepwise.dataSync()[i]!, 5));
    tf.dispose([obs, starts, seq, stepwise]);
    a.dispose();
    b.dispose();
  });
  it('runs a sequence in chunks with the same outputs and gradients as in one piece, the state crossing chunk boundaries', () => {
    const agent = new ActorCritic({
      encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [8], seed: 1 }),
      core: new LSTMCore({ inputSize: 8, hiddenSize: 4, seed: 1 }),
      numActions: 2,
      seed: 1,
    });
    const L = 7;
    const B = 2;
    const obs = tf.randomNormal([L, B, 3], 0, 1, 'float32', 4);
    // Env 0's episode runs across every chunk boundary; env 1 restarts inside the second chunk.
    const starts = tf.tensor2d([[0, 0], [0, 0], [0, 0], [0, 0], [0, 1], [0, 0], [0, 0]]);
    const state0 = [tf.fill([B, 4], 0.3), tf.fill([B, 4], -0.2)];
    const vars = agent.trainableVariables();
    const run = (chunkLength?: number) =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const out = agent.sequence(obs, state0, starts as tf.Tensor2D, true, undefined, chunkLength);
          return tf.add(tf.sum(tf.square(out.logits)), tf.sum(out.values)) as tf.Scalar;
        }, vars);
        return [value, ...vars.map((v) => grads[v.name]!)];
      });
    const whole = run();
    try {
      for (const chunkLength of [1, 3, 7, 100]) {
        const chunked = run(chunkLength);
        chunked.forEach((t, i) => {
          const expected = whole[i]!.dataSync();
          Array.from(t.dataSync()).forEach((v, j) => expect(Math.abs(v - expected[j]!), `chunkLength ${chunkLength}, tensor ${i}[${j}]`).toBeLessThan(1e-5 * (1 + Math.abs(expected[j]!))));
        });
        tf.dispose(chunked);
      }
      // A gradient that the chunk boundary would cut: the loss on the last step depends on the first obs.
      const { grads } = tf.variableGrads(() => tf.sum(tf.slice(agent.sequence(obs, state0, starts as tf.Tensor2D, true, undefined, 1).values, [L * B - 2], [1])) as tf.Scalar, [agent.core.trainableVariables()[0]!]);
      expect(tf.max(tf.abs(Object.values(grads)[0]!)).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose(grads);
    } finally {
      tf.dispose([obs, starts, ...state0, ...whole]);
      agent.dispose();
    }
  });
});
