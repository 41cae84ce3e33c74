import { describe, expect, it } from 'vitest';
import { formatStatus, visibilityProblem } from '../src/studies/slurmExecutor.js';
import { arrayScript } from '../src/studies/slurmScript.js';
import { isActive, parseTaskLines } from '../src/studies/slurmState.js';
import { parseStudy } from '../src/studies/studySchema.js';

const study = {
  name: 'tiny',
  family: 'warehouse',
  preset: 'iam',
  frames: 2048,
  seeds: [1],
  experiments: [{ train: 'warehouse' }],
  memories: [{ label: 'LSTM', memory: 'lstm' }],
};

describe('the sbatch array script', () => {
  it('has one task per run, the %M cap, requeue, the time-limit signal and every resource, then runs the per-run command', () => {
    const script = arrayScript({
      study: 'tiny',
      plans: ['/shared/t/runs/a/plan.json', "/shared/t/runs/b's/plan.json"],
      resources: { partition: 'gpu', cpusPerTask: 4, mem: '8G', time: '4:00:00', gres: 'gpu:1', maxConcurrent: 1, signalGrace: 300, sbatchLines: ['--account=lab'] },
      logDir: '/shared/t/slurm/logs',
      command: ['/opt/node/bin/node', '/shared/mempo/apps/bench/dist/cli.js', '--backend', 'tensorflow'],
    });
    const lines = script.split('\n');
    expect(lines.slice(0, 15)).toEqual([
      '#!/bin/bash',
      '# mempo study tiny: 2 run(s), one array task each; written by `mempo study --executor slurm`.',
      '#SBATCH --job-name=mempo-tiny',
      '#SBATCH --array=0-1%1',
      '#SBATCH --requeue',
      '#SBATCH --signal=B:USR1@300',
      '#SBATCH --output=/shared/t/slurm/logs/%A_%a.out',
      '#SBATCH --open-mode=append',
      '#SBATCH --partition=gpu',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=8G',
      '#SBATCH --time=4:00:00',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --account=lab',
      'set -u',
    ]);
    expect(lines.slice(15, 19)).toEqual(['plans=(', "  '/shared/t/runs/a/plan.json'", "  '/shared/t/runs/b'\\''s/plan.json'", ')']);
    expect(script).toContain(
      `'/opt/node/bin/node' '/shared/mempo/apps/bench/dist/cli.js' '--backend' 'tensorflow' study-run "$plan" >>"$run_dir/run.log" 2>&1 &\n`,
    );
    expect(script).toContain(`trap 'requeue=1; echo "mempo: time limit in 300 s: checkpointing, then requeueing $task"; kill -TERM "$child"' USR1\n`);
    expect(script.endsWith('if [ "$requeue" = 1 ] && [ "$status" != 0 ]; then scontrol requeue "$task"; fi\nexit "$status"\n')).toBe(true);
  });

  it('leaves unset resources to the cluster and has no cap without maxConcurrent', () => {
    const script = arrayScript({ study: 's', plans: ['/p/plan.json'], resources: { signalGrace: 120, sbatchLines: [] }, logDir: '/l', command: ['node', 'cli.js'] });
    expect(script.split('\n').filter((l) => l.startsWith('#SBATCH'))).toEqual([
      '#SBATCH --job-name=mempo-s',
      '#SBATCH --array=0-0',
      '#SBATCH --requeue',
      '#SBATCH --signal=B:USR1@120',
      '#SBATCH --output=/l/%A_%a.out',
      '#SBATCH --open-mode=append',
    ]);
    expect(() => arrayScript({ study: 's', plans: [], resources: { signalGrace: 120, sbatchLines: [] }, logDir: '/l', command: [] })).toThrow(
      'a job array needs at least one run',
    );
  });
});

describe("a study file's slurm block", () => {
  it('takes resources and names each bad field', () => {
    expect(parseStudy({ ...study, slurm: { cpusPerTask: 2, time: '1-12:00:00', gres: 'gpu:a100:1' } }).slurm).toEqual({
      cpusPerTask: 2,
      time: '1-12:00:00',
      gres: 'gpu:a100:1',
      signalGrace: 120,
      sbatchLines: [],
    });
    const bad = (slurm: Record<string, unknown>) => () => parseStudy({ ...study, slurm }, 's.json');
    expect(bad({ mem: '8 GB' })).toThrow("s.json is not a valid study file:\n  slurm.mem: mem must be a number with an optional K, M, G or T suffix, e.g. '8G'");
    expect(bad({ time: 'soon' })).toThrow("slurm.time: time must be a Slurm time limit, e.g. '90' (minutes), '4:00:00' or '1-12:00:00'");
    expect(bad({ sbatchLines: ['account=lab'] })).toThrow('slurm.sbatchLines[0]: each extra line is one sbatch option, e.g. "--account=lab"');
    expect(bad({ partition: 'a b' })).toThrow('slurm.partition: partition must be a partition name (letters, digits, _ . -)');
    expect(bad({ nodes: 2 })).toThrow(/slurm: Unrecognized key: "nodes"/);
  });
});

describe("Slurm's answers", () => {
  it('parses sacct and squeue lines per array task, skipping pending ranges', () => {
    const tasks = parseTaskLines(
      ['12_0|CANCELLED by 0|0:0|None|vm', '12_1|FAILED|143:0|NonZeroExitCode|n2', '12_[2-5%2]|PENDING|0:0|JobArrayTaskLimit|None assigned', '12_2|PENDING||JobArrayTaskLimit|', ''].join('\n'),
    );
    expect([...tasks.entries()]).toEqual([
      ['12_0', { state: 'CANCELLED', exitCode: '0:0', reason: 'by uid 0', nodes: 'vm' }],
      ['12_1', { state: 'FAILED', exitCode: '143:0', reason: 'NonZeroExitCode', nodes: 'n2' }],
      ['12_2', { state: 'PENDING', reason: 'JobArrayTaskLimit' }],
    ]);
    expect(isActive(tasks.get('12_2')!)).toBe(true);
    expect(isActive(tasks.get('12_1')!)).toBe(false);
  });

  it('prints one line per run and the counts', () => {
    const text = formatStatus([
      { id: 'a--lstm--s1', state: 'done', log: '/o/runs/a--lstm--s1/run.log' },
      { id: 'a--lstm--s2', state: 'failed', task: '7_1', detail: 'TIMEOUT, exit 0:15, on n3', log: '/o/runs/a--lstm--s2/run.log', slurmLog: '/o/slurm/logs/7_1.out' },
      { id: 'a--fnn--s1', state: 'running', task: '7_2', detail: 'RUNNING, on n1', log: '/o/runs/a--fnn--s1/run.log' },
      { id: 'a--fnn--s2', state: 'not submitted', log: '/o/runs/a--fnn--s2/run.log' },
    ]);
    expect(text).toBe(
      [
        'a--lstm--s1  done',
        'a--lstm--s2  failed       7_1 (TIMEOUT, exit 0:15, on n3); log /o/runs/a--lstm--s2/run.log, slurm output /o/slurm/logs/7_1.out',
        'a--fnn--s1   running      7_2 (RUNNING, on n1)',
        'a--fnn--s2   not submitted',
        '1 done, 1 running, 1 failed, 1 not submitted',
      ].join('\n'),
    );
  });
});

describe('a study folder the nodes cannot see', () => {
  const TMPFS = 0x01021994;
  const NFS = 0x6969;
  it('is refused when it is machine-local and the partition has other nodes, saying what to check', () => {
    expect(visibilityProblem('the study folder', '/tmp/study', ['n1', 'n2'], 'login1', NFS)).toBe(
      'the study folder /tmp/study is on a machine-local folder of login1, which the nodes (n1, n2) do not see: put it on the shared filesystem ' +
        '(e.g. under your home or project folder), and check with `df -h <folder>` that it is a network filesystem (NFS, Lustre, GPFS, BeeGFS, CephFS) ' +
        'mounted at the same path on the nodes',
    );
    expect(visibilityProblem('the mempo CLI', '/scratch/m/cli.js', ['n1'], 'login1', TMPFS)).toMatch(/^the mempo CLI \/scratch\/m\/cli\.js is on a tmpfs \(memory\) filesystem of login1, /);
  });

  it('is accepted on a shared filesystem, or when the only node is this machine', () => {
    expect(visibilityProblem('the study folder', '/home/u/study', ['n1', 'n2'], 'login1', NFS)).toBeNull();
    expect(visibilityProblem('the study folder', '/tmp/study', ['vm'], 'vm', TMPFS)).toBeNull();
  });
});
