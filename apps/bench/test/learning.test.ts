import type { MemoryCore } from '@mempo/core-attention';
import { CueMemoryTask } from '@mempo/envs';
import { IAMStaticCore } from '@mempo/iam';
import { MlpEncoder, evaluate, resolveConfig, train } from '@mempo/ppo';
import { RIMCore } from '@mempo/rim';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';

// The plugins' half of the ppo learning test (packages/ppo/test/learning.test.ts covers lstm, gru, fnn with
// the same task and budget; ppo may not import plugins). spec/envs.md's cue task: a cue at step 0, the
// matching action 3 steps later; chance is 0.5.
const P = 16;
const config = resolveConfig('minigrid-rim', {
  numEnvs: P,
  numSteps: 32,
  bpttLength: 8,
  epochs: 4,
  seqsPerBatch: 16,
  learningRate: 3e-3,
  dropoutWhileActing: false,
  totalSteps: P * 32 * 24,
  seed: 1,
});

const cores: Record<string, () => MemoryCore> = {
  rim: () => new RIMCore({ inputSize: 3, hiddenSize: 8, units: 4, k: 2, inputKeySize: 8, inputValueSize: 8, seed: 1 }),
  // No input restriction: the recurrent branch reads the whole 3-float observation (the d-set ablation).
  iam: () => new IAMStaticCore({ inputSize: 3, dSet: [0, 1, 2], fnnSizes: [16], hiddenSize: 16, seed: 1 }),
};

beforeAll(async () => {
  await useBackend('cpu');
});

describe('plugins learn the cue memory task (24 updates, seed 1, cpu backend)', () => {
  it.each(Object.keys(cores))('%s reaches ≥ 0.9 success', async (name) => {
    const env = new CueMemoryTask({ numEnvs: P, numCues: 2, delay: 3 });
    const { agent, lastMetrics } = await train({ config, env, encoder: new MlpEncoder({ obsShape: [3], hiddenSizes: [], seed: 1 }), core: cores[name]!() });
    if (name === 'rim') {
      // The per-unit activation rates logged from RIM's diagnostics: exactly k = 2 of the 4 units act each step.
      const rates = [0, 1, 2, 3].map((u) => lastMetrics![`core/activeMask_${u}`]!);
      expect(rates.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 5);
    }
    const result = await evaluate(agent, new CueMemoryTask({ numEnvs: P, numCues: 2, delay: 3 }), { episodes: 200, seed: 1234 });
    agent.dispose();
    expect(result.returnMean).toBeGreaterThanOrEqual(0.9);
  });
});
