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
    expect(first.deterministic).toBe(false);
    agent.dispose();
  });

  it('with deterministic, takes the argmax of the policy: the same action wherever the policy is the same', async () => {
    // The step counter's output is the step in the episode, whatever the cue: every env has the same policy at a
    // given step, so greedy actions agree across envs, where sampled ones (near-uniform heads) disagree.
    class ActionSpy extends CueMemoryTask {
      readonly actions: number[][] = [];
      override step(actions: Int32Array) {
        this.actions.push(Array.from(actions));
        return super.step(actions);
      }
    }
    const agent = new ActorCritic({ encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }), core: new StepCounterCore(3), numActions: 2, seed: 1 });
    const run = async (deterministic: boolean) => {
      const env = new ActionSpy({ numEnvs: 8, delay: 3 });
      const result = await evaluate(agent, env, { episodes: 16, seed: 5, deterministic });
      return { result, agreeing: env.actions.filter((step) => new Set(step).size === 1).length, steps: env.actions.length };
    };
    const greedy = await run(true);
    expect(greedy.result.deterministic).toBe(true);
    expect(greedy.agreeing).toBe(greedy.steps);
    const sampled = await run(false);
    expect(sampled.agreeing).toBeLessThan(sampled.steps);
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
