import { resolveConfig } from '@mempo/ppo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { runTrainSuite, trainTable, TRAIN_SUITE_CASES, TRAIN_SUITE_CORES, type TrainSpeedResult } from '../src/speed/trainSuite.js';

/** The table's body rows (header and alignment row dropped), cells trimmed. */
function tableRows(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

describe('train speed suite', () => {
  beforeAll(() => useBackend('tensorflow'));
  afterAll(() => useBackend('tensorflow'));

  it("measures the issue's cases: Warehouse, MiniGrid Empty-5x5 and flickering Breakout on all five cores", () => {
    expect(TRAIN_SUITE_CASES).toMatchObject({
      warehouse: { preset: 'iam', numEnvs: 8, env: { family: 'warehouse' } },
      'minigrid-empty-5x5': { preset: 'minigrid-rim', numEnvs: 16, env: { family: 'minigrid', id: 'MiniGrid-Empty-5x5-v0' } },
      'breakout-flicker': { preset: 'atari', numEnvs: 8, env: { family: 'atari', id: 'breakout', flicker: 0.5 } },
    });
    // An Atari update is 8 envs × 128 steps; one or two are timed after the warm-up.
    const atari = TRAIN_SUITE_CASES['breakout-flicker'];
    expect(atari.numEnvs * resolveConfig(atari.preset).numSteps).toBe(1024);
    expect(atari.updates).toBeGreaterThanOrEqual(1);
    expect(atari.updates).toBeLessThanOrEqual(2);
    expect([...TRAIN_SUITE_CORES]).toEqual(['fnn', 'lstm', 'gru', 'rim', 'iam']);
  });

  it('times every case on both engines side by side on the native backend, the compile reported apart', async () => {
    const results = await runTrainSuite({ envs: ['warehouse'], cores: ['gru', 'rim'], updates: 1 });
    expect(results.map((r) => [r.core, r.engine, r.backend])).toEqual([
      ['gru', 'eager', 'tensorflow'],
      ['gru', 'graph', 'tensorflow'],
      ['rim', 'eager', 'tensorflow'],
      ['rim', 'graph', 'tensorflow'],
    ]);
    for (const r of results) {
      if ('error' in r) throw new Error(`${r.core} ${r.engine}: ${r.error}`);
      expect(r).toMatchObject({ env: 'warehouse', numEnvs: 8, stepsPerUpdate: 1024, updates: 1 });
      expect(r.fps).toBeGreaterThan(0);
      expect(r.envShare + r.actShare + r.learnShare).toBeCloseTo(1, 6);
      if (r.engine === 'eager') {
        expect(r).toMatchObject({ compileSeconds: null, compiles: null, graphNodes: null, speedup: null });
      } else {
        const eager = results.find((e) => e.core === r.core && e.engine === 'eager')!;
        if ('error' in eager) throw new Error(eager.error);
        expect(r.speedup).toBeGreaterThan(0);
        expect(r.speedup).toBeCloseTo(r.fps / eager.fps, 9);
        expect(r.compileSeconds).toBeGreaterThan(0);
        // act, bootstrap values and the minibatch update: each compiled once, in the warm-up update.
        expect(r.compiles).toBe(3);
        expect(r.graphNodes).toBeGreaterThan(0);
        expect(r.warmupSeconds).toBeGreaterThan(r.compileSeconds!);
      }
    }
    // The table and the JSON hold the same rows, in the same order.
    const json = JSON.parse(JSON.stringify(results)) as TrainSpeedResult[];
    const table = trainTable(json);
    const rows = tableRows(table);
    expect(rows.map((row) => [row[0], row[2], row[3]])).toEqual(json.map((r) => [r.env, r.core, r.engine]));
    expect(rows[1]![9]).toBe(`${(json[1] as { speedup: number }).speedup.toFixed(2)}×`);
    expect(rows[0]![8]).toBe('—');
    expect(table).toContain('backend tensorflow: steps/s over the timed updates after one warm-up update');
  });

  it('runs the eager engine only off the native backend', async () => {
    const results = await runTrainSuite({ backend: 'wasm', envs: ['warehouse'], cores: ['gru'], updates: 1 });
    expect(results.map((r) => [r.engine, r.backend])).toEqual([['eager', 'wasm']]);
    expect(results[0]).not.toHaveProperty('error');
    expect(trainTable(results)).toContain('backend wasm: eager engine only');
  });

  it('reports a case that cannot run as its error and rejects a bad update count', async () => {
    const failed: TrainSpeedResult = { env: 'breakout-flicker', core: 'iam', engine: 'graph', backend: 'tensorflow', numEnvs: 8, stepsPerUpdate: 1024, error: 'no ROM' };
    expect(tableRows(trainTable([failed]))[0]).toEqual(['breakout-flicker', '8', 'iam', 'graph', 'n/a (no ROM)', '', '', '', '', '']);
    await expect(runTrainSuite({ updates: 0 })).rejects.toThrow('updates must be a positive integer (got 0)');
  });
});
