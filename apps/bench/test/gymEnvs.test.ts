import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveWorkerCount } from '@mempo/envs';
import { loadAgent, readProgressCsv } from '@mempo/ppo';
import { useBackend } from '../src/backend.js';
import { evaluateRun } from '../src/evaluateRun.js';
import { checkStudyEnvs, parseStudy } from '../src/studies/studySchema.js';
import { envIdProblems } from '../src/training/envIds.js';
import { observationEncoder } from '../src/training/environments.js';
import { runTraining } from '../src/training/runTraining.js';

// The native backend, as the CLI runs (a RIM update on the pure-JS cpu backend takes about 25 s).
beforeAll(async () => {
  await useBackend('tensorflow');
});

describe('env ids are checked against the bridge registry before any run starts', () => {
  afterAll(() => expect(liveWorkerCount()).toBe(0));

  it('accepts unlisted MiniGrid ids, CartPole-v1 and the toy-text envs, and names each problem with its fix', async () => {
    expect(await envIdProblems('minigrid', ['MiniGrid-MemoryS7-v0', 'MiniGrid-MemoryS11-v0', 'MiniGrid-KeyCorridorS3R1-v0'])).toEqual({});
    const minigrid = await envIdProblems('minigrid', ['MiniGrid-MemoryS8-v0', 'CartPole-v1', 'warehouse']);
    expect(minigrid['MiniGrid-MemoryS8-v0']).toMatch(/^is not a registered gymnasium id \(\d+ registered\): did you mean 'MiniGrid-MemoryS\d+-v0'/);
    expect(minigrid['MiniGrid-MemoryS8-v0']).toContain("'MiniGrid-MemoryS7-v0'");
    expect(minigrid['CartPole-v1']).toBe("is not a minigrid env: use a MiniGrid id such as 'MiniGrid-MemoryS7-v0' (other gymnasium ids: the gym family)");
    expect(minigrid['warehouse']).toBe("is a warehouse env, not a minigrid env: use a MiniGrid id such as 'MiniGrid-MemoryS7-v0' (other gymnasium ids: the gym family)");
    // Discrete and Tuple observations (FrozenLake, Taxi, CliffWalking, Blackjack) are sent flattened (the envs README).
    const gym = await envIdProblems('gym', ['CartPole-v1', 'MiniGrid-MemoryS7-v0', 'Pendulum-v1', 'Blackjack-v1', 'FrozenLake-v1', 'Taxi-v3', 'CliffWalking-v1']);
    expect(gym).toEqual({
      'Pendulum-v1':
        "has action space Box(-2.0, 2.0, (1,), float32): the bridge hosts Discrete action spaces only (e.g. CartPole-v1's Discrete(2)); pick an env with discrete actions",
    });
    expect((await envIdProblems('atari', ['MiniGrid-MemoryS7-v0']))['MiniGrid-MemoryS7-v0']).toBe(
      "is a minigrid env, not a atari env: use an Atari ROM name such as 'breakout' or 'pong'",
    );
  });

  it('checks a study’s MiniGrid and gym ids when the study is loaded', async () => {
    const study = (family: string, train: string, evaluate: string[]) =>
      parseStudy({
        name: 'g',
        family,
        preset: 'atari',
        frames: 1024,
        seeds: [1],
        experiments: [{ train, evaluate }],
        memories: [{ label: 'LSTM', memory: 'lstm' }],
      });
    await expect(checkStudyEnvs(study('minigrid', 'MiniGrid-MemoryS7-v0', ['MiniGrid-MemoryS11-v0']))).resolves.toBeUndefined();
    await expect(checkStudyEnvs(study('gym', 'CartPole-v1', ['CartPole-v0', 'MountainCarContinuous-v0']), 'g.json')).rejects.toThrow(
      "g.json is not a valid study file:\n  experiments[0].evaluate[1]: env 'MountainCarContinuous-v0' has action space Box(-1.0, 1.0, (1,), float32): the bridge hosts Discrete action spaces only",
    );
    expect(() => parseStudy({ ...study('gym', 'CartPole-v1', []), memories: [{ label: 'F', memory: 'fnn', stack: 4 }] }, 's.json')).toThrow(
      'memories[0].stack: gym observations are not stacked; remove stack',
    );
  });
});

describe('the encoder follows the observation', () => {
  it('reads vectors with the MLP, MiniGrid codes with its convs, 84×84 pictures with the Nature CNN', () => {
    const cases: [readonly number[], string, string, number[]][] = [
      [[4], 'lstm', 'mlp', [1, 64]],
      [[7, 7, 3], 'rim', 'minigrid-conv', [1, 64]],
      [[1, 84, 84], 'rim', 'nature-cnn', [49, 64]],
      [[1, 84, 84], 'gru', 'nature-cnn', [1, 3136]],
    ];
    for (const [shape, memory, kind, output] of cases) {
      const encoder = observationEncoder(memory as 'lstm', shape, 1);
      expect(encoder.config().kind).toBe(kind);
      expect(encoder.obsShape).toEqual(shape);
      expect(encoder.outputShape).toEqual(output);
      encoder.dispose();
    }
    expect(() => observationEncoder('lstm', [5, 5, 3], 1)).toThrow(
      'no encoder reads observations of shape [5,5,3]: the bridge sends a vector [D], MiniGrid\'s [7, 7, 3] codes or a grayscale [1, 84, 84] picture',
    );
  });
});

describe('training, loadAgent and evaluation on gymnasium envs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mempo-gym-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    expect(liveWorkerCount()).toBe(0);
  });

  it('trains LSTM on CartPole-v1 (float32 [8, 4] observations), reloads it and evaluates it', async () => {
    const runDir = join(dir, 'cartpole');
    const result = await runTraining({
      env: { family: 'gym', id: 'CartPole-v1', flicker: 0 },
      memory: 'lstm',
      preset: 'atari',
      seed: 1,
      totalSteps: 1024,
      core: {},
      runDir,
      progress: false,
    });
    result.agent.dispose();
    expect(result.globalStep).toBe(1024);
    const loaded = loadAgent(runDir);
    expect(loaded.agent.encoder.config()).toMatchObject({ kind: 'mlp', obsShape: [4], hiddenSizes: [64] });
    expect(loaded.agent.heads.numActions).toBe(2);
    loaded.agent.dispose();
    const evaluation = await evaluateRun(runDir, { episodes: 4, numEnvs: 2 });
    expect(evaluation.env).toBe('CartPole-v1');
    expect(evaluation.episodes).toBe(4);
    // CartPole pays 1 per step, so a return is the episode's length.
    expect(evaluation.returnMean).toBeCloseTo(evaluation.lengthMean, 6);
  });

  it('learns CartPole-v1: the recent mean return more than doubles over 8 updates (fixed seed, ≈ 7 s)', async () => {
    // A feed-forward core: CartPole's state is fully observed, and the learning check should be fast. The
    // atari preset with a larger step (2.5e-3) and a 20-episode window so the logged return follows learning.
    const runDir = join(dir, 'cartpole-learning');
    const result = await runTraining({
      env: { family: 'gym', id: 'CartPole-v1', flicker: 0 },
      memory: 'fnn',
      preset: 'atari',
      seed: 1,
      engine: 'eager',
      totalSteps: 8192,
      ppo: { learningRate: 2.5e-3, statsWindow: 20 },
      core: {},
      runDir,
      progress: false,
    });
    result.agent.dispose();
    const returns = readProgressCsv(join(runDir, 'progress.csv')).map((row) => row['charts/episode_return_mean']!);
    expect(returns).toHaveLength(8);
    // Measured: 22.1 after the first update, 49.6 after the eighth (random play lasts about 22 steps).
    expect(returns[0]).toBeLessThan(30);
    expect(returns[7]).toBeGreaterThan(2 * returns[0]!);
  });

  it('trains FNN on Blackjack-v1 from its flattened Tuple (float32 [45], the MLP encoder), as `mempo gym --env Blackjack-v1` does', async () => {
    const runDir = join(dir, 'blackjack');
    const result = await runTraining({
      env: { family: 'gym', id: 'Blackjack-v1', flicker: 0 },
      memory: 'fnn',
      preset: 'atari',
      seed: 1,
      engine: 'eager',
      totalSteps: 1024,
      core: { hidden: 16 },
      runDir,
      progress: false,
    });
    result.agent.dispose();
    expect(result.updates).toBe(1);
    // A hand lasts a few steps: one update of 8 envs × 128 steps finishes many, each paying -1, 0 or 1 (or 1.5).
    const [row] = readProgressCsv(join(runDir, 'progress.csv'));
    expect(row!['charts/episode_return_mean']).toBeGreaterThanOrEqual(-1);
    expect(row!['charts/episode_return_mean']).toBeLessThanOrEqual(1.5);
    const loaded = loadAgent(runDir);
    expect(loaded.agent.encoder.config()).toMatchObject({ kind: 'mlp', obsShape: [45] });
    expect(loaded.agent.heads.numActions).toBe(2);
    loaded.agent.dispose();
  });

  it('trains RIM on an unlisted MiniGrid id (MemoryS7) with the MiniGrid conv encoder', async () => {
    const runDir = join(dir, 'memory');
    const result = await runTraining({
      env: { family: 'minigrid', id: 'MiniGrid-MemoryS7-v0', flicker: 0 },
      memory: 'rim',
      preset: 'minigrid-rim',
      seed: 1,
      engine: 'eager',
      totalSteps: 512,
      numEnvs: 4,
      core: {},
      runDir,
      progress: false,
    });
    result.agent.dispose();
    expect(result.updates).toBe(1);
    const loaded = loadAgent(runDir);
    expect(loaded.agent.encoder.config().kind).toBe('minigrid-conv');
    loaded.agent.dispose();
  });
});
