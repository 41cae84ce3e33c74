import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { curveBands, diagnosticsHeatmapSpec, learningCurveSpec, renderChart } from '../src/report/charts.js';
import type { RunRecord } from '../src/report/studyResults.js';
import { meanCi, tQuantile975 } from '../src/report/stats.js';
import { STUDIES_DIR, shippedStudies } from '../src/studies/studyCommands.js';
import { planRuns, slug } from '../src/studies/studyRuns.js';
import { loadStudy, parseStudy } from '../src/studies/studySchema.js';
import { threadsPerRun } from '../src/studies/runner.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');

const valid = {
  name: 'tiny',
  family: 'warehouse',
  preset: 'iam',
  frames: 2048,
  seeds: [1, 2],
  experiments: [{ train: 'warehouse' }],
  memories: [
    { label: 'FNN', memory: 'fnn', stack: 1, hidden: 16 },
    { label: 'LSTM', memory: 'lstm', hidden: 16 },
  ],
  published: { LSTM: { warehouse: 35.4 } },
};

describe('study files', () => {
  it('fills defaults and plans the grid experiments × memories × seeds', () => {
    const study = parseStudy(valid);
    expect(study.evalEpisodes).toBe(100);
    const runs = planRuns(study, '/out');
    expect(runs.map((r) => r.id)).toEqual(['warehouse--fnn--s1', 'warehouse--fnn--s2', 'warehouse--lstm--s1', 'warehouse--lstm--s2']);
    expect(runs[0]!.core).toEqual({ hidden: 16 });
    expect(runs[0]!.stack).toBe(1);
    expect(runs[3]!.runDir).toBe('/out/runs/warehouse--lstm--s2');
    // The clean item-removal rule is the default and is not written; the original loop is, in every run's env.
    expect(runs[0]!.train).toEqual({ family: 'warehouse', id: 'warehouse', flicker: 0 });
    const legacy = planRuns(parseStudy({ ...valid, legacyItemRemoval: true }), '/out');
    expect(legacy.map((r) => [r.train.legacyItemRemoval, r.evaluate[0]!.legacyItemRemoval, r.resolved.training.env.legacyItemRemoval])).toEqual(
      Array.from({ length: 4 }, () => [true, true, true]),
    );
    expect(legacy[0]!.fingerprint).not.toBe(runs[0]!.fingerprint);
    expect(slug('RIM (k=2)')).toBe('rim-k-2');
  });

  it('rejects malformed studies with the field path and the fix', () => {
    const bad = (patch: Record<string, unknown>) => () => parseStudy({ ...valid, ...patch }, 'bad.json');
    expect(bad({ memories: [{ label: 'R', memory: 'rim', units: 2, k: 3 }], published: {} })).toThrow('memories[0].k: 3 is more than units 2; must be at most units');
    expect(bad({ memories: [{ label: 'L', memory: 'lstm', k: 3 }], published: {} })).toThrow("memories[0].k: units and k apply to rim only (memory is 'lstm'); remove them");
    expect(bad({ memories: [{ label: 'X', memory: 'transformer' }] })).toThrow(/memories\[0\]\.memory: Invalid option: expected one of "rim"\|"iam"\|"lstm"\|"gru"\|"fnn"/);
    expect(bad({ seeds: [] })).toThrow('seeds: Too small');
    expect(bad({ frames: -5 })).toThrow('frames: Too small');
    expect(bad({ published: { GRU: { warehouse: 1 } } })).toThrow("published.GRU: label 'GRU' must be one of the memories' labels (FNN, LSTM)");
    // MiniGrid ids are not a fixed list: the registry check at study load (checkStudyEnvs) decides.
    expect(bad({ family: 'minigrid', experiments: [{ train: 'MiniGrid-MemoryS7-v0' }], memories: [{ label: 'LSTM', memory: 'lstm' }], published: {} })).not.toThrow();
    expect(bad({ extra: 1 })).toThrow(/\(file\): Unrecognized key: "extra"/);
    expect(bad({ family: 'minigrid', experiments: [{ train: 'MiniGrid-MemoryS7-v0' }], memories: [{ label: 'LSTM', memory: 'lstm' }], published: {}, legacyItemRemoval: true })).toThrow(
      "legacyItemRemoval: applies to the Warehouse only (this study's family is minigrid); remove legacyItemRemoval",
    );
    expect(bad({ memories: [valid.memories[1], valid.memories[1]] })).toThrow("memories[1].label: label 'LSTM' is used twice");
    expect(bad({ experiments: undefined })).toThrow(/^bad\.json is not a valid study file:\n {2}experiments: /);
  });

  it('ships valid minigrid-rim, warehouse-iam and atari-flicker studies', () => {
    expect(shippedStudies()).toEqual(expect.arrayContaining(['minigrid-rim', 'warehouse-iam', 'atari-flicker', 'minigrid-empty']));
    for (const name of shippedStudies()) loadStudy(join(STUDIES_DIR, `${name}.json`));
    const minigrid = loadStudy(join(STUDIES_DIR, 'minigrid-rim.json'));
    expect(minigrid.seeds.length).toBeGreaterThanOrEqual(5);
    expect(minigrid.memories.map((m) => m.label)).toEqual(['RIM (k=3)', 'RIM (k=2)', 'LSTM']);
    expect(planRuns(minigrid, 'x')).toHaveLength(3 * 3 * 5);
    // The IAM paper's flickering Atari trains with the IAM code's own Atari settings (issue 16).
    const atari = loadStudy(join(STUDIES_DIR, 'atari-flicker.json'));
    expect([atari.preset, atari.flicker]).toEqual(['iam-atari', 0.5]);
  });
});

describe('diagnostics heatmaps', () => {
  it('draws a per-step vector over time and averages a per-step matrix over the steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mempo-heat-'));
    // RIM activeMask of 4 units, k = 2, over 12 steps: units 0 and (t mod 3) + 1 active.
    const mask = Array.from({ length: 12 }, (_, t) => [0, 1, 2, 3].map((u) => (u === 0 || u === (t % 3) + 1 ? 1 : 0)));
    const over = await renderChart(diagnosticsHeatmapSpec({ text: 'activeMask' }, [4], mask), join(dir, 'mask'));
    expect(over.svgText.match(/aria-roledescription="rect mark"/g)?.length).toBe(12 * 4);
    expect(over.svgText.match(/value: 1"/g)?.length).toBe(12 * 2);
    expect(readFileSync(over.png).subarray(1, 4).toString()).toBe('PNG');
    // inputAttention [U=2, N+1=3]: two steps average to [[0.5, 0.25, 0.25], [0, 0, 1]].
    const attention = [
      [1, 0, 0, 0, 0, 1],
      [0, 0.5, 0.5, 0, 0, 1],
    ];
    const mean = await renderChart(diagnosticsHeatmapSpec({ text: 'inputAttention' }, [2, 3], attention), join(dir, 'attention'));
    expect(mean.svgText.match(/aria-roledescription="rect mark"/g)?.length).toBe(6);
    expect(mean.svgText).toContain('input element (last: null): 0; unit: 0; value: 0.5"');
    expect(mean.svgText).toContain('input element (last: null): 2; unit: 1; value: 1"');
  });

  it('colours probabilities on a fixed [0, 1] scale and marks episode starts on per-step series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mempo-heat-'));
    // Attention within rounding of 0.5: on a fitted scale these would span the whole palette.
    const flat = Array.from({ length: 6 }, (_, t) => [0.499 + t * 0.0004, 0.501 - t * 0.0004]);
    const spec = diagnosticsHeatmapSpec({ text: 'alpha' }, [2], flat, [0, 4]);
    const chart = await renderChart(spec, join(dir, 'alpha'));
    const fills = new Set([...chart.svgText.matchAll(/aria-roledescription="rect mark"[^>]*fill="([^"]+)"/g)].map((m) => m[1]));
    expect(fills.size).toBe(1);
    expect(chart.svgText.match(/aria-roledescription="rule mark"/g)?.length).toBe(2);
    expect(JSON.stringify(spec)).toContain('"domain":[0,1]');
  });
});

describe('learning curves', () => {
  const run = (label: string, seed: number, values: number[]) =>
    ({ plan: { label, seed }, curve: values.map((value, i) => ({ step: (i + 1) * 1024, value })) }) as unknown as RunRecord;

  it('clip the CI band to the return range, and draw each seed, the mean and the published value', async () => {
    const runs = [run('RIM', 1, [0.1, 0.9]), run('RIM', 2, [0.5, 0.99]), run('RIM', 3, [0.0, 0.2])];
    const unclipped = curveBands(runs);
    const clipped = curveBands(runs, [0, 1]);
    expect(unclipped[0]!.lo).toBeLessThan(0);
    expect(clipped.map((r) => [r.lo, r.hi])).toEqual(unclipped.map((r) => [Math.max(0, r.lo), Math.min(1, r.hi)]));
    const chart = await renderChart(learningCurveSpec({ text: 'curves' }, runs, 'agent steps', { published: { RIM: 0.91 }, range: [0, 1] }), join(mkdtempSync(join(tmpdir(), 'mempo-curve-')), 'c'));
    // One line per seed and one for the mean; the published value is a rule.
    expect(chart.svgText.match(/aria-roledescription="line mark"/g)?.length).toBe(4);
    expect(chart.svgText.match(/aria-roledescription="rule mark"/g)?.length).toBe(1);
  });

  it('stay about as wide as the plot and legend under a long title (its explanation goes on a subtitle line)', async () => {
    const runs = [run('RIM (k=3)', 1, [0.1, 0.8]), run('LSTM', 1, [0.2, 0.82])];
    const title = { text: 'MiniGrid-MultiRoom-N2-S4-v0: recent mean return', subtitle: ['mean ± 95% CI over seeds; thin: each seed; dashed: published'] };
    const chart = await renderChart(learningCurveSpec(title, runs, 'agent steps'), join(mkdtempSync(join(tmpdir(), 'mempo-curve-')), 'c'));
    // 520 px of plot, the y axis and the legend; as one line, this title made the picture 1154 px wide.
    expect(Number(chart.svgText.match(/^<svg[^>]* width="([\d.]+)"/)![1])).toBeLessThan(720);
    expect(chart.svgText).toContain('dashed: published');
    // The x axis ends at the last update (2048 steps), not at a rounded-up 2,100.
    expect(chart.svgText).toContain('>2,000<');
    expect(chart.svgText).not.toContain('>2,100<');
  });

  it('give each of more than 10 models its own colour and show long labels whole', async () => {
    const labels = Array.from({ length: 13 }, (_, i) => `− a difference undone, row ${i}`);
    const runs = labels.map((label, i) => run(label, 1, [0.1 + i / 20, 0.2 + i / 20]));
    const chart = await renderChart(learningCurveSpec({ text: 'ablation' }, runs, 'agent steps'), join(mkdtempSync(join(tmpdir(), 'mempo-curve-')), 'c'));
    // The mean lines (stroke-width 2.5) carry the colour scale; the default palette would repeat after 10.
    const meanStrokes = [...chart.svgText.matchAll(/<path[^>]*stroke="(#[0-9a-f]{6})"[^>]*stroke-width="2.5"/g)].map((m) => m[1]);
    expect(meanStrokes).toHaveLength(13);
    expect(new Set(meanStrokes).size).toBe(13);
    for (const label of labels) expect(chart.svgText).toContain(label);
  });
});

describe('statistics', () => {
  it('95% CI uses the t-distribution with n − 1 dof', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(4)).toBe(2.776);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile975(100000)).toBeCloseTo(1.96, 3);
    const m = meanCi([1, 2, 3, 4, 5]);
    expect(m.mean).toBe(3);
    expect(m.std).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(m.ci95).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 12);
    expect(meanCi([7]).ci95).toBeNaN();
    expect(threadsPerRun(2, 16)).toBe(8);
    expect(threadsPerRun(32, 16)).toBe(1);
  });
});

describe('a tiny study end to end (built CLI, process pool)', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'mempo-study-'));
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify({ ...valid, evalEpisodes: 4, diagnosticSteps: 12 }));
  });

  const runStudy = () =>
    spawnSync(process.execPath, [CLI, '--backend', 'tensorflow', 'study', join(dir, 'tiny.json'), '--out', join(dir, 'out'), '--parallelism', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  it('trains, evaluates and reports; a second invocation skips the finished runs', () => {
    const first = runStudy();
    expect(first.stderr).toContain('study tiny: 4 finished, 0 skipped, 0 refused, 0 failed');
    expect(first.status).toBe(0);
    const out = join(dir, 'out');
    const report = join(out, 'report');

    const md = readFileSync(join(report, 'results.md'), 'utf8');
    expect(md).toContain('4 of 4 runs finished');
    expect(md).toContain('95% CI over seeds (t-distribution, n − 1 dof)');
    expect(md).toMatch(/\| FNN +\| -?\d+\.\d{3} ± \d+\.\d{3} \(n=2\) +\| — +\|/);
    expect(md).toMatch(/\| LSTM +\| -?\d+\.\d{3} ± \d+\.\d{3} \(n=2\) +\| 35\.4 +\|/);

    const csv = readFileSync(join(report, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('train_env,model,env,n,mean,ci95,std,published');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(['warehouse,FNN,warehouse,2', 'warehouse,LSTM,warehouse,2']);
    // The table's mean is the mean of the runs' eval.json.
    const evals = [1, 2].map((s) => JSON.parse(readFileSync(join(out, 'runs', `warehouse--lstm--s${s}`, 'eval.json'), 'utf8')));
    expect(Number(csv[2]!.split(',')[4])).toBeCloseTo((evals[0].evaluations[0].returnMean + evals[1].evaluations[0].returnMean) / 2, 4);
    expect(evals[0].evaluations[0].episodes).toBe(4);

    expect(readFileSync(join(report, 'curve-warehouse.svg'), 'utf8')).toMatch(/^<svg[^>]*>/);
    expect(readFileSync(join(report, 'curve-warehouse.png')).subarray(1, 4).toString()).toBe('PNG');
    // Per model one band and one mean line, and a thin line per seed (2 models × 2 seeds), in the bundled font.
    const curve = readFileSync(join(report, 'curve-warehouse.svg'), 'utf8');
    expect(curve.match(/aria-roledescription="area mark"/g)?.length).toBe(2);
    expect(curve.match(/aria-roledescription="line mark"/g)?.length).toBe(2 + 4);
    expect(curve).toContain('font-family="DejaVu Sans"');
    expect(existsSync(join(report, 'DejaVuSans.ttf'))).toBe(true);
    // FNN and LSTM report no diagnostics, so no heatmap.
    expect(existsSync(join(out, 'runs', 'warehouse--lstm--s1', 'diagnostics.json'))).toBe(false);

    const html = readFileSync(join(report, 'index.html'), 'utf8');
    expect(html).toContain('<td>LSTM</td>');
    expect(html).toContain('href="results.csv"');
    expect(html).toContain('href="../runs/warehouse--fnn--s2/run.log"');
    expect(html.match(/<svg/g)?.length).toBe(1);
    expect(readFileSync(join(out, 'runs', 'warehouse--lstm--s2', 'run.log'), 'utf8')).toContain('evaluated warehouse--lstm--s2 on warehouse');

    const stamp = statSync(join(out, 'runs', 'warehouse--lstm--s1', 'eval.json')).mtimeMs;
    const second = runStudy();
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('study tiny: 0 finished, 4 skipped, 0 refused, 0 failed');
    expect(second.stderr.match(/skip warehouse--/g)).toHaveLength(4);
    expect(statSync(join(out, 'runs', 'warehouse--lstm--s1', 'eval.json')).mtimeMs).toBe(stamp);
  });
});
