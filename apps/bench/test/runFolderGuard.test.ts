import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readProgressCsv } from '@mempo/ppo';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');

function mempo(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--backend', 'tensorflow', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** Every file of a folder, path → bytes: what a refusal must leave exactly as it was. */
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

describe('a training request is checked before anything is written (built CLI)', () => {
  let dir: string;
  let run: string;
  beforeAll(() => {
    execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'mempo-guard-'));
    run = join(dir, 'lstm');
    const first = mempo('warehouse', '--memory', 'lstm', '--frames', '1024', '--out', run);
    expect(first.status).toBe(0);
  });

  const refusal = (what: string) =>
    `error: ${run} holds a run with other settings (run.json): ${what}. Nothing was written: rerun with the run’s settings to resume it, or pass a new --out\n`;

  it.each([
    [['--memory', 'gru'], '--memory gru here, lstm in the run'],
    [['--seed', '2'], '--seed 2 here, 1 in the run'],
    [['--hidden', '32'], '--hidden 32 here, 256 in the run'],
    [['--stack', '2'], '--stack 2 here, 1 in the run'],
    [['--envs', '4', '--frames', '1024'], '--envs 4 here, 8 in the run'],
    [['--preset', 'atari'], '--preset atari here, iam in the run'],
    [['--legacy-item-removal'], '--legacy-item-removal true here, false in the run'],
    [['--memory', 'gru', '--hidden', '64'], '--memory gru here, lstm in the run; --hidden 64 here, 256 in the run'],
  ])('refuses %j on an lstm run and leaves every byte of the folder', (flags, what) => {
    const before = snapshot(run);
    const r = mempo('warehouse', '--memory', 'lstm', '--frames', '1024', '--out', run, ...flags);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(refusal(what));
    expect(snapshot(run)).toEqual(before);
  });

  it('refuses flags that do not apply and frame budgets out of range, before a backend loads', () => {
    const fresh = join(dir, 'never');
    const cases: [string[], string][] = [
      [['warehouse', '--memory', 'lstm', '--units', '3'], 'error: --units applies to --memory rim only (got --memory lstm); remove --units\n'],
      [['warehouse', '--memory', 'gru', '--k', '2'], 'error: --k applies to --memory rim only (got --memory gru); remove --k\n'],
      [['minigrid', '--memory', 'lstm', '--stack', '2'], 'error: --stack applies to Atari and the Warehouse only (MiniGrid observations are not stacked); remove --stack\n'],
      [['minigrid', '--k', '5'], 'error: rim.k: 5 is more than units 4; must be at most units\n'],
      [['warehouse', '--frames', '100'], 'error: --frames must be at least one update, 1024 frames (8 envs × 128 steps) (got 100)\n'],
      [['minigrid', '--env', 'MiniGrid-Nope-v0'], `error: --env 'MiniGrid-Nope-v0' is not a registered gymnasium id (`],
      [['minigrid', '--env', 'CartPole-v1'], `error: --env 'CartPole-v1' is not a minigrid env: use a MiniGrid id such as 'MiniGrid-MemoryS7-v0' (other gymnasium ids: the gym family)\n`],
      [['gym', '--env', 'Pendulum-v1'], `error: --env 'Pendulum-v1' has action space Box(-2.0, 2.0, (1,), float32): the bridge hosts Discrete action spaces only`],
      [['gym', '--memory', 'lstm', '--stack', '2'], 'error: --stack applies to Atari and the Warehouse only (gym observations are not stacked); remove --stack\n'],
      [['minigrid', '--legacy-item-removal'], "error: unknown option '--legacy-item-removal'"],
    ];
    for (const [args, message] of cases) {
      const r = mempo(...args, '--out', fresh);
      expect(r.status).toBe(1);
      expect(r.stderr.startsWith(message)).toBe(true);
      expect(r.stderr).not.toContain('backend:');
    }
    expect(() => statSync(fresh)).toThrow();
  });

  it('refuses a folder that is not a run, and names a corrupt run.json', () => {
    const other = join(dir, 'notes');
    mkdirSync(other);
    writeFileSync(join(other, 'todo.txt'), 'keep me\n');
    const r = mempo('warehouse', '--out', other);
    expect(r.stderr).toBe(`error: --out ${other} is a folder with other files (todo.txt), not a run: pass a new or an empty folder\n`);
    expect(readdirSync(other)).toEqual(['todo.txt']);

    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'run.json'), '{"env": ');
    expect(mempo('warehouse', '--out', broken).stderr).toContain(`error: ${join(broken, 'run.json')} is not valid JSON (`);
    expect(mempo('evaluate', '--run', broken).stderr).toContain(
      `error: ${join(broken, 'run.json')} is not valid JSON (Unexpected end of JSON input); restore it from a backup, or retrain the run into a new --out`,
    );
  });

  it('evaluate --env must be of the run’s family; nothing is evaluated or written otherwise', () => {
    const before = snapshot(run);
    const minigrid = mempo('evaluate', '--run', run, '--env', 'MiniGrid-DoorKey-8x8-v0', '--episodes', '2');
    expect(minigrid.status).toBe(1);
    expect(minigrid.stderr).toBe(
      `error: --env 'MiniGrid-DoorKey-8x8-v0' is a minigrid env, not a warehouse env (the warehouse family has one env: 'warehouse'); the run in ${run} trained on 'warehouse' (warehouse)\n`,
    );
    expect(mempo('evaluate', '--run', run, '--env', 'pong').stderr).toBe(
      `error: --env 'pong' is not a warehouse env (the warehouse family has one env: 'warehouse'); the run in ${run} trained on 'warehouse' (warehouse)\n`,
    );
    expect(mempo('evaluate', '--run', run, '--flicker', '0.2').stderr).toBe(
      `error: --flicker applies to Atari runs only (the run in ${run} trained on 'warehouse'); remove --flicker\n`,
    );
    expect(snapshot(run)).toEqual(before);
  });

  it('rounds a frame budget down to whole updates, says so, and records the real number', () => {
    const out = join(dir, 'rounded');
    const r = mempo('warehouse', '--memory', 'fnn', '--hidden', '16', '--frames', '3000', '--out', out);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      '--frames 3000 is not a whole number of updates of 1024 (8 envs × 128 steps): training 2 updates = 2048 frames (pass --frames 2048 or 3072 to choose exactly)\n',
    );
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).totalSteps).toBe(2048);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).ppo.totalSteps).toBe(2048);
    expect(readProgressCsv(join(out, 'progress.csv')).map((row) => row['global_step'])).toEqual([1024, 2048]);
    // The same request resumes the finished run (nothing to train) instead of being refused.
    expect(mempo('warehouse', '--memory', 'fnn', '--hidden', '16', '--frames', '3000', '--out', out).status).toBe(0);
  });
});
