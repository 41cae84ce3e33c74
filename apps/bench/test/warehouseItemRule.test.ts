import { Warehouse, greedyWarehouseAction, WAREHOUSE_OBS_SIZE, type VecEnv } from '@mempo/envs';
import { describe, expect, it } from 'vitest';
import { makeEnv, type EnvChoice } from '../src/training/environments.js';
import { resolveRun } from '../src/training/resolvedRun.js';

const P = 8;

/** Env 0..P−1's rewards over `steps` greedy steps from `reset(seed)`, as one flat list. */
async function greedyRewards(env: VecEnv, seed: number, steps: number): Promise<number[]> {
  let obs = await env.reset(seed);
  const actions = new Int32Array(P);
  const rewards: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < P; i++) actions[i] = greedyWarehouseAction(obs, i * WAREHOUSE_OBS_SIZE);
    const r = await env.step(actions);
    obs = r.obs;
    rewards.push(...r.reward);
  }
  await env.close();
  return rewards;
}

describe("the Warehouse's item-removal rule of a run", () => {
  const clean: EnvChoice = { family: 'warehouse', id: 'warehouse', flicker: 0 };
  const legacy: EnvChoice = { ...clean, legacyItemRemoval: true };

  it('builds the env on the rule the run names: the clean one by default, the original loop on request', async () => {
    const legacyRun = await greedyRewards(await makeEnv(legacy, 'lstm', P, 3), 3, 400);
    const cleanRun = await greedyRewards(await makeEnv(clean, 'lstm', P, 3), 3, 400);
    expect(legacyRun).toEqual(await greedyRewards(new Warehouse({ numEnvs: P, legacyItemRemoval: true }), 3, 400));
    expect(cleanRun).toEqual(await greedyRewards(new Warehouse({ numEnvs: P }), 3, 400));
    // Under the original loop some collected items stay and pay again: the greedy agent collects more.
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(legacyRun)).toBeGreaterThan(sum(cleanRun));
  });

  it('is recorded only when it is the original loop, and refused for other families', () => {
    const request = { memory: 'lstm' as const, preset: 'iam' as const, seed: 1, totalSteps: 1024, core: {} };
    expect(resolveRun({ ...request, env: legacy }).run.env).toEqual(legacy);
    expect(resolveRun({ ...request, env: clean }).run.env).toEqual(clean);
    expect(() => resolveRun({ ...request, preset: 'minigrid-rim', env: { family: 'minigrid', id: 'MiniGrid-Empty-5x5-v0', flicker: 0, legacyItemRemoval: true } })).toThrow(
      '--legacy-item-removal applies to the Warehouse only (got a minigrid env); remove --legacy-item-removal',
    );
  });
});
