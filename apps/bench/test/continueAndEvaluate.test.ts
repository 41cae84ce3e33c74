import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProgressCsv, type BestMeta, type EvaluationRow } from '@mempo/ppo';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');

function mempo(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--backend', 'tensorflow', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

const rows = (run: string): EvaluationRow[] =>
  readFileSync(join(run, 'evaluations.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as EvaluationRow);

describe('evaluation during training and continuing a finished run (built CLI, Warehouse: 8 envs × 128 steps = 1024 per update)', () => {
  let dir: string;
  let run: string;
  beforeAll(() => {
    execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'mempo-continue-'));
    run = join(dir, 'lstm');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--eval-every evaluates on its own env, logs eval/ columns and keeps best/', () => {
    const r = mempo('warehouse', '--memory', 'lstm', '--frames', '2048', '--eval-every', '1024', '--eval-episodes', '2', '--out', run);
    expect(r.status, r.stderr).toBe(0);
    // Not a terminal: plain lines, no carriage returns.
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/warehouse lstm: update 2\/2 \| 2048\/2048 steps \(100%\) \| \d+ fps \| return \d+\.\d\d \| eval \d+\.\d\d/);
    // Evaluation k resets its 2 envs with 20_000 + seed 1 + 2k.
    expect(rows(run).map((e) => [e.update, e.global_step, e.episodes, e.seed])).toEqual([[1, 1024, 2, 20_003], [2, 2048, 2, 20_005]]);
    const csv = readProgressCsv(join(run, 'progress.csv'));
    expect(csv.map((c) => c['eval/mean_return'])).toEqual(rows(run).map((e) => e.mean_return));
    const best = JSON.parse(readFileSync(join(run, 'best', 'meta.json'), 'utf8')) as BestMeta;
    expect(best.meanReturn).toBe(Math.max(...rows(run).map((e) => e.mean_return)));
  });

  it('evaluate --best loads best/', () => {
    const r = mempo('evaluate', '--run', run, '--best', '--episodes', '2');
    expect(r.status, r.stderr).toBe(0);
    const best = JSON.parse(readFileSync(join(run, 'best', 'meta.json'), 'utf8')) as BestMeta;
    expect(r.stdout).toContain(`best/ from update ${best.update}; wrote ${join(run, 'evaluate-warehouse-best.json')}`);
    expect(existsSync(join(run, 'evaluate-warehouse-best.json'))).toBe(true);
  });

  it('a larger --frames continues the finished run by exactly the extra updates and says what the schedules do', () => {
    const r = mempo('warehouse', '--memory', 'lstm', '--frames', '4096', '--eval-every', '1024', '--eval-episodes', '2', '--out', run);
    expect(r.status, r.stderr).toBe(0);
    // The iam preset anneals lr 2.5e-4 and clip 0.1 linearly: update 2 of 2 had 1.25e-4 and 0.05, and update 3 of 4 gets the same.
    expect(r.stderr).toContain(
      'budget 2048 → 4096 agent steps (2 → 4 updates), continuing after update 2: linear schedules now anneal to update 4, as in a run started with 4096; ' +
        'at update 3 the learning rate stays at 0.000125 and the clip range stays at 0.05',
    );
    expect(r.stdout).toContain('4 updates, 4096 agent steps');
    expect(readProgressCsv(join(run, 'progress.csv')).map((c) => c['update'])).toEqual([1, 2, 3, 4]);
    expect(rows(run).map((e) => e.update)).toEqual([1, 2, 3, 4]);
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as { budgets: unknown };
    expect(config.budgets).toEqual([{ totalSteps: 2048, fromStep: 0 }, { totalSteps: 4096, fromStep: 2048 }]);
    expect((JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as { totalSteps: number }).totalSteps).toBe(4096);
  });

  it('refuses a --frames below the steps done, and --eval-episodes without --eval-every, with what to do', () => {
    const smaller = mempo('warehouse', '--memory', 'lstm', '--frames', '3072', '--out', run);
    expect(smaller.status).toBe(1);
    expect(smaller.stderr).toBe(`error: --frames 3072 is less than the 4096 agent steps the run in ${run} has done: pass --frames 4096 or more to continue it, or a new --out. Nothing was written\n`);
    const orphan = mempo('warehouse', '--memory', 'lstm', '--frames', '1024', '--eval-episodes', '5', '--out', join(dir, 'never'));
    expect(orphan.status).toBe(1);
    expect(orphan.stderr).toBe('error: --eval-episodes applies with --eval-every only (evaluation during training is off without it); add --eval-every N or remove --eval-episodes\n');
  });
});
