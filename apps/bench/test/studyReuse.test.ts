import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, resolvePlan } from '../src/studies/runFingerprint.js';
import { planRuns } from '../src/studies/studyRuns.js';
import { checkStudyEnvs, parseStudy } from '../src/studies/studySchema.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');

const tiny = {
  name: 'tiny',
  family: 'warehouse',
  preset: 'iam',
  frames: 2048,
  seeds: [1],
  evalEpisodes: 2,
  diagnosticSteps: 4,
  experiments: [{ train: 'warehouse' }],
  memories: [{ label: 'FNN', memory: 'fnn', stack: 1, hidden: 16 }],
};

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

describe('study fingerprints', () => {
  it('fingerprint the resolved settings: defaults spelled out or key order change nothing, a budget does', () => {
    const [plan] = planRuns(parseStudy(tiny), '/out');
    const [same] = planRuns(parseStudy({ ...tiny, envs: 8, memories: [{ hidden: 16, stack: 1, memory: 'fnn', label: 'FNN' }] }), '/out');
    const [longer] = planRuns(parseStudy({ ...tiny, frames: 4096 }), '/out');
    expect(plan!.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(same!.fingerprint).toBe(plan!.fingerprint);
    expect(longer!.fingerprint).not.toBe(plan!.fingerprint);
    expect(fingerprintOf(resolvePlan(plan!).resolved)).toBe(plan!.fingerprint);
  });

  it('rounds a budget to whole updates once per experiment and plans the real number', () => {
    const notes: string[] = [];
    const plans = planRuns(parseStudy({ ...tiny, seeds: [1, 2], frames: 3000 }), '/out', (line) => notes.push(line));
    expect(plans.map((p) => p.frames)).toEqual([2048, 2048]);
    expect(notes).toEqual([
      'warehouse: frames 3000 is not a whole number of updates of 1024 (8 envs × 128 steps): training 2 updates = 2048 frames (pass --frames 2048 or 3072 to choose exactly)',
    ]);
  });

  it('finds an unknown Atari evaluation env when the study is loaded', async () => {
    const atari = parseStudy({ ...tiny, family: 'atari', preset: 'atari', experiments: [{ train: 'breakout', evaluate: ['pong', 'tetris2'] }] });
    await expect(checkStudyEnvs(atari, 'a.json')).rejects.toThrow(
      "a.json is not a valid study file:\n  experiments[0].evaluate[1]: env 'tetris2' is not an Atari ROM of ale-py: use a ROM name such as 'breakout', 'pong' or 'ALE/Breakout-v5'",
    );
  });
});

describe('a reused study folder (built CLI)', () => {
  let dir: string;
  let out: string;
  let file: string;
  beforeAll(() => {
    execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'mempo-reuse-'));
    out = join(dir, 'out');
    file = join(dir, 'tiny.json');
    writeFileSync(file, JSON.stringify(tiny));
  });
  const study = (...flags: string[]) =>
    spawnSync(process.execPath, [CLI, '--backend', 'tensorflow', 'study', file, '--out', out, '--parallelism', '1', ...flags], { cwd: ROOT, encoding: 'utf8' });
  const runDir = () => join(out, 'runs', 'warehouse--fnn--s1');

  it('skips what is unchanged, refuses changed training untouched, re-evaluates changed evaluation, reports what was recorded', () => {
    const smoke = study('--frames', '1500');
    expect(smoke.status).toBe(0);
    expect(smoke.stderr).toContain('warehouse: frames 1500 is not a whole number of updates of 1024 (8 envs × 128 steps): training 1 updates = 1024 frames');
    expect(JSON.parse(readFileSync(join(runDir(), 'eval.json'), 'utf8')).globalStep).toBe(1024);

    const again = study('--frames', '1024', '--no-report');
    expect(again.stderr).toContain(`[1/1] skip warehouse--fnn--s1 (finished: ${join(runDir(), 'eval.json')} exists)`);

    const before = snapshot(out);
    const full = study('--no-report');
    expect(full.status).toBe(1);
    expect(full.stderr).toContain(
      `[1/1] REFUSED warehouse--fnn--s1 (its folder holds a run trained with other settings: frames 2048 in the study, 1024 in the run. ` +
        `Left as it is: delete ${runDir()} to retrain it with the study's settings, or pass a new --out)`,
    );
    expect(full.stderr).toContain('study tiny: 0 finished, 0 skipped, 1 refused, 0 failed');
    expect(snapshot(out)).toEqual(before);

    writeFileSync(file, JSON.stringify({ ...tiny, evalEpisodes: 3 }));
    const reeval = study('--frames', '1024', '--no-report');
    expect(reeval.status).toBe(0);
    expect(reeval.stderr).toContain(
      're-evaluate warehouse--fnn--s1 (the evaluation changed (evalEpisodes 3 in the study, 2 in the run); training is unchanged)',
    );
    const outcome = JSON.parse(readFileSync(join(runDir(), 'eval.json'), 'utf8'));
    expect(outcome.evaluations[0].episodes).toBe(3);
    expect(outcome.globalStep).toBe(1024);

    // `report` without the smoke run's --frames states the frames the runs trained, not the study's budget.
    const report = spawnSync(process.execPath, [CLI, 'report', file, '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(report.status).toBe(0);
    const md = readFileSync(join(out, 'report', 'results.md'), 'utf8');
    expect(md).toContain('Recorded by the finished runs: agent steps trained per run 1024 (1 run); seeds 1; preset iam (1 run); evaluation episodes 3 (1 run).');
    expect(md).toContain('- FNN: fnn hidden 16, stack 1 (1 run)');
    expect(md).not.toContain('2048');

    writeFileSync(join(runDir(), 'plan.json'), '{ "id": ');
    const corrupt = study('--frames', '1024', '--no-report');
    expect(corrupt.stderr).toContain(`[1/1] REFUSED warehouse--fnn--s1 (${join(runDir(), 'plan.json')} is not valid JSON (`);
  });
});
