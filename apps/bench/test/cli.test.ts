import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');

/** Runs the built CLI; these inputs all fail before a backend or an env is loaded. */
function mempo(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('CLI validation (built dist/cli.js)', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'mempo-cli-'));
  });

  it('names the flag and the allowed values for bad training flags', () => {
    const memory = mempo('warehouse', '--memory', 'transformer');
    expect(memory.status).toBe(1);
    expect(memory.stderr).toContain("option '--memory <core>' argument 'transformer' is invalid. Allowed choices are rim, iam, lstm, gru, fnn.");
    // PPO flags are checked by ppo's config schema, with its messages (ppo README, "Config schema").
    expect(mempo('atari', '--frames', '-3').stderr).toContain("option '--frames <x>' argument '-3' is invalid. ppo.totalSteps: -3 is out of range; must be an integer ≥ 1");
    expect(mempo('atari', '--frames', '1e99').stderr).toContain('ppo.totalSteps: 1e+99 is out of range; must be an integer ≥ 1');
    expect(mempo('atari', '--clip-epsilon', '1.5').stderr).toContain('ppo.clipEpsilon: 1.5 is out of range; must be in (0, 1)');
    expect(mempo('atari', '--flicker', '2').stderr).toContain("option '--flicker <p>' argument '2' is invalid. env.flicker: 2 is out of range; must be in [0, 1]");
    expect(mempo('minigrid', '--preset', 'fast').stderr).toContain('Allowed choices are minigrid-rim, atari, iam');
    const k = mempo('minigrid', '--units', '4', '--k', '5');
    expect(k.status).toBe(1);
    expect(k.stderr).toContain('error: rim.k: 5 is more than units 4; must be at most units');
  });

  it('rejects bad study, report and evaluate arguments with the fix', () => {
    expect(mempo('study', 'no-such-study').stderr).toMatch(/study must be a JSON file or one of .*minigrid-rim.* \(got 'no-such-study'\)/);
    expect(mempo('study', 'minigrid-rim', '--parallelism', '0').stderr).toContain("--parallelism must be a positive integer up to 2^53 − 1 (got '0')");
    expect(mempo('study', 'minigrid-rim', '--seeds', '9').stderr).toContain('--seeds must be at most 5, the seeds listed in the study (got 9)');
    expect(mempo('report', 'minigrid-rim', '--out', join(dir, 'nothing')).stderr).toContain('does not exist: run the study first or pass its folder');
    expect(mempo('evaluate').stderr).toContain("required option '--run <dir>' not specified");
    expect(mempo('evaluate', '--run', dir).stderr).toContain(`${dir} has no run.json: --run must be a folder written by a training command or a study`);
  });

  it('reports every problem of a malformed study file with its field path, and nothing runs', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'Bad Name',
        family: 'warehouse',
        preset: 'iam',
        frames: 0,
        seeds: [1],
        experiments: [{ train: 'warehouse' }],
        memories: [{ label: 'RIM', memory: 'rim', units: 2, k: 4 }],
      }),
    );
    const r = mempo('study', file, '--out', join(dir, 'out'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: ${file} is not a valid study file:`);
    expect(r.stderr).toContain('name: name must be lowercase letters, digits and dashes (it names the output folder)');
    expect(r.stderr).toContain('frames: Too small: expected number to be >0');
    expect(r.stderr).toContain('memories[0].k: 4 is more than units 2; must be at most units');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    writeFileSync(file, '{ "name": ');
    expect(mempo('study', file).stderr).toContain(`${file} is not valid JSON`);
  });
});
