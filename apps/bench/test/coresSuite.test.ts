import { PRESETS } from '@mempo/ppo';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { CORE_SIZES, coresTable, makeSuiteCore, runCoresSuite, type CoreSize, type CoreSpeedRow } from '../src/speed/coresSuite.js';

const TINY: CoreSize = { name: 'tiny', batch: 2, units: 3, hiddenPerUnit: 4, inputSize: 8, numElements: 2, steps: 3 };
const QUICK = { warmup: 0, maxReps: 1, minReps: 1, budgetMs: 0 };

describe('cores speed suite', () => {
  beforeAll(() => useBackend('tensorflow'));

  it("times the atari command's cores at the atari preset's minibatch", () => {
    const atari = CORE_SIZES.find((s) => s.name === 'atari')!;
    expect([atari.batch, atari.steps]).toEqual([PRESETS.atari.seqsPerBatch, PRESETS.atari.bpttLength]);
    const rim = makeSuiteCore('rim', atari);
    const lstm = makeSuiteCore('lstm', atari);
    try {
      expect(rim.inputShape).toEqual([49, 64]);
      expect(rim.config()).toMatchObject({ units: atari.units, k: atari.k, hiddenSize: atari.hiddenPerUnit, cell: 'gru', inputValueSize: 400 });
      expect(lstm.inputShape).toEqual([1, 49 * 64]);
      expect(lstm.outputSize).toBe(512);
    } finally {
      rim.dispose();
      lstm.dispose();
    }
  });

  it('times both engines side by side on the native backend', async () => {
    const rows = await runCoresSuite({ sizes: [TINY], timing: QUICK });
    expect(rows.map((r) => [r.core, r.steps, r.backend])).toEqual([['rim', 3, 'tensorflow'], ['lstm', 3, 'tensorflow'], ['gru', 3, 'tensorflow']]);
    for (const r of rows) {
      expect(r.graphError).toBeUndefined();
      expect(r.graphForwardMs).toBeGreaterThan(0);
      expect(r.graphForwardBackwardMs).toBeGreaterThan(0);
      expect(r.forwardBackwardSpeedup).toBeCloseTo(r.forwardBackwardMs / r.graphForwardBackwardMs!, 6);
      expect(r.graphForwardBackwardCompileSeconds).toBeGreaterThan(0);
    }
    const table = coresTable(rows);
    expect(table).toContain('forward+backward ms graph');
    expect(table).toContain('backend tensorflow; TF_NUM_INTRAOP_THREADS=');
  });

  it('leaves the graph columns empty off the native backend', async () => {
    await useBackend('cpu');
    try {
      const rows = await runCoresSuite({ sizes: [TINY], cores: ['gru'], timing: QUICK });
      expect(rows[0]).toMatchObject({ backend: 'cpu', graphForwardMs: null, graphForwardBackwardMs: null, forwardBackwardSpeedup: null });
      expect(coresTable(rows)).toMatch(/\| +— \|/);
      expect(coresTable(rows)).toContain('backend cpu: eager engine only');
    } finally {
      await useBackend('tensorflow');
    }
  });

  it('prints a row per measurement with the ratios and compile time', () => {
    const row: CoreSpeedRow = {
      backend: 'tensorflow', intraOpThreads: '1', interOpThreads: null, size: 'atari', core: 'rim', batch: 2, steps: 128,
      forwardMs: 400, forwardBackwardMs: 1200, graphForwardMs: 100, graphForwardBackwardMs: 300, forwardSpeedup: 4,
      forwardBackwardSpeedup: 4, graphForwardCompileSeconds: 2.5, graphForwardBackwardCompileSeconds: 7.25, graphForwardBackwardNodes: 9000,
    };
    const table = coresTable([row]);
    expect(table).toMatch(/\| atari \| rim {2}\| +2 \| 128 \| +400\.0 \| +100\.0 \| +4\.00× \| +1200\.0 \| +300\.0 \| +4\.00× \| +2\.5 \+ 7\.3 \|/);
    expect(table).toContain('TF_NUM_INTRAOP_THREADS=1, TF_NUM_INTEROP_THREADS=unset');
    const failed = coresTable([{ ...row, graphForwardMs: null, graphForwardBackwardMs: null, forwardSpeedup: null, forwardBackwardSpeedup: null,
      graphForwardCompileSeconds: null, graphForwardBackwardCompileSeconds: null, graphForwardBackwardNodes: null,
      graphError: "Failed to load: No attr named 'T' in NodeDef:\n\t [[a|b]]" }]);
    expect(failed.split('\n')[2]).toMatch(/\| n\/a \(Failed to load: No attr named 'T' in NodeDef: \[\[a\/b\]\]\) \|$/);
  });
});
