import { FNNCore, GRUCore, LSTMCore, type MemoryCore } from '@mempo/core-attention';
import { CueMemoryTask } from '@mempo/envs';
import { IAMStaticCore } from '@mempo/iam';
import { MlpEncoder, evaluate, resolveConfig, train, type EngineChoice } from '@mempo/ppo';
import { RIMCore } from '@mempo/rim';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend, type BackendName } from '../src/backend.js';

// The plugins' half of the ppo learning test (packages/ppo/test/learning.test.ts covers lstm, gru, fnn with
// the same task and budget on the eager engine; ppo may not import plugins), and the same task through the graph
// engine on the native backend, which is what the bench runs by default. the envs README's cue task: a cue at
// step 0, the matching action 3 steps later; chance is 0.5.
const P = 16;
const configFor = (engine: EngineChoice) =>
  resolveConfig('minigrid-rim', {
    numEnvs: P,
    numSteps: 32,
    bpttLength: 8,
    epochs: 4,
    seqsPerBatch: 16,
    learningRate: 3e-3,
    // The value-loss scale this budget was tuned with (0.5 × ½ MSE); the minigrid-rim preset's torch-ac scale
    // (0.5 × MSE) left graph RIM at 0.805 success after the same 24 updates.
    valueLossHalf: true,
    dropoutWhileActing: false,
    totalSteps: P * 32 * 24,
    seed: 1,
    engine,
  });

const cores: Record<string, () => MemoryCore> = {
  rim: () => new RIMCore({ inputSize: 3, hiddenSize: 8, units: 4, k: 2, inputKeySize: 8, inputValueSize: 8, seed: 1 }),
  // No input restriction: the recurrent branch reads the whole 3-float observation (the d-set ablation).
  iam: () => new IAMStaticCore({ inputSize: 3, dSet: [0, 1, 2], fnnSizes: [16], hiddenSize: 16, seed: 1 }),
  lstm: () => new LSTMCore({ inputSize: 3, hiddenSize: 16, seed: 1 }),
  gru: () => new GRUCore({ inputSize: 3, hiddenSize: 16, seed: 1 }),
  fnn: () => new FNNCore({ inputSize: 3, hiddenSize: 16, seed: 1 }),
};

// `memoryless`: cores that cannot remember the cue, a control that the task and the evaluation are not trivial.
const variants: { engine: 'eager' | 'graph'; backend: BackendName; cores: string[]; memoryless: string[] }[] = [
  { engine: 'eager', backend: 'cpu', cores: ['rim', 'iam'], memoryless: [] },
  { engine: 'graph', backend: 'tensorflow', cores: ['rim', 'iam', 'lstm', 'gru'], memoryless: ['fnn'] },
];

async function trainAndEvaluate(engine: 'eager' | 'graph', name: string) {
  const env = new CueMemoryTask({ numEnvs: P, numCues: 2, delay: 3 });
  const result = await train({ config: configFor(engine), env, encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }), core: cores[name]!() });
  const evaluation = await evaluate(result.agent, new CueMemoryTask({ numEnvs: P, numCues: 2, delay: 3 }), { episodes: 200, seed: 1234 });
  result.agent.dispose();
  return { ...result, successRate: evaluation.returnMean };
}

describe.each(variants)('cores learn the cue memory task (24 updates, seed 1, $engine engine on the $backend backend)', ({ engine, backend, cores: names, memoryless }) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(names)('%s reaches ≥ 0.9 success', async (name) => {
    const { engine: ran, lastMetrics, successRate } = await trainAndEvaluate(engine, name);
    expect(ran).toBe(engine);
    if (name === 'rim') {
      // The per-unit activation rates logged from RIM's diagnostics: exactly k = 2 of the 4 units act each step.
      const rates = [0, 1, 2, 3].map((u) => lastMetrics![`core/activeMask_${u}`]!);
      expect(rates.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 5);
    }
    expect(successRate).toBeGreaterThanOrEqual(0.9);
  });

  it.skipIf(memoryless.length === 0).each(memoryless)('%s stays at chance (0.5 ± 4 standard errors over 200 episodes)', async (name) => {
    const { engine: ran, successRate } = await trainAndEvaluate(engine, name);
    expect(ran).toBe(engine);
    expect(successRate).toBeGreaterThan(0.35);
    expect(successRate).toBeLessThan(0.65);
  });
});
