import * as tf from '@tensorflow/tfjs-core';
import { CueMemoryTask } from '@mempo/envs';
import { describe, expect, it } from 'vitest';
import { sampleActions } from './acting.js';
import { ActorCritic } from './actorCritic.js';
import { evaluate, evaluateAll } from './evaluate.js';
import { MlpEncoder } from './mlpEncoder.js';
import { StepCounterCore } from './test-utils/stepCounterCore.js';

class TrainingFlagSpy extends StepCounterCore {
  readonly flags = new Set<boolean>();
  override step(x: tf.Tensor3D, state: tf.Tensor[], opts: { training: boolean }) {
    this.flags.add(opts.training);
    return super.step(x, state, opts);
  }
}

describe('evaluate', () => {
  it('finishes exactly N episodes with dropout off, memory reset per episode, reproducibly', async () => {
    const core = new TrainingFlagSpy(3);
    const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }), core, numActions: 2, seed: 1 });
    const run = () => evaluate(agent, new CueMemoryTask({ numEnvs: 4, delay: 3 }), { episodes: 10, seed: 5 });
    const before = tf.memory().numTensors;
    const first = await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(first.episodes).toBe(10);
    expect(first.lengths).toEqual(new Array(10).fill(4));
    expect(first.returns.every((r) => r === 0 || r === 1)).toBe(true);
    expect(core.flags).toEqual(new Set([false]));
    expect((await run()).returns).toEqual(first.returns);
    await expect(evaluate(agent, new CueMemoryTask({ numEnvs: 4 }), { episodes: 0, seed: 1 })).rejects.toThrow(
      'episodes must be a positive integer (got 0)',
    );
    // Held-out envs: a longer delay changes the episode length, and each env is reported under its name.
    const all = await evaluateAll(agent, { train: new CueMemoryTask({ numEnvs: 4, delay: 3 }), heldOut: new CueMemoryTask({ numEnvs: 2, delay: 6 }) }, { episodes: 6, seed: 5 });
    expect(all.train!.lengthMean).toBe(4);
    expect(all.heldOut!.lengthMean).toBe(7);
    agent.dispose();
  });
});

describe('sampleActions', () => {
  it('draws actions with the given probabilities, as a pure function of the seed', () => {
    const logPi = tf.tile(tf.tensor2d([[0.1, 0.6, 0.3].map(Math.log)]), [20000, 1]) as tf.Tensor2D;
    const draw = (seed: number) => Array.from(sampleActions(logPi, tf.tensor1d([seed, 0], 'int32')).dataSync());
    const actions = draw(3);
    [0.1, 0.6, 0.3].forEach((p, a) => expect(actions.filter((x) => x === a).length / actions.length).toBeCloseTo(p, 1));
    expect(draw(3)).toEqual(actions);
    expect(draw(4)).not.toEqual(actions);
  });
});
