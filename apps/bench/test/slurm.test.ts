import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// These tests run against a real Slurm: `.ci/run` starts a single-node cluster with tools/slurm-test-setup.sh
// and exports SLURM_CONF. Without one they fail (never skip), saying how to start it.
const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');

const tiny = {
  name: 'tiny',
  family: 'warehouse',
  preset: 'iam',
  frames: 2048,
  seeds: [1, 2],
  evalEpisodes: 2,
  diagnosticSteps: 0,
  experiments: [{ train: 'warehouse' }],
  memories: [
    { label: 'FNN', memory: 'fnn', stack: 1, hidden: 16 },
    { label: 'LSTM', memory: 'lstm', hidden: 16 },
  ],
};
/** 30 updates of 1024 frames: long enough to be stopped mid-training, about 10 s on one CPU. */
const long = { ...tiny, name: 'long', frames: 30 * 1024, memories: [tiny.memories[1]] };

let dir: string;
let host: string;

function mempo(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [CLI, '--backend', 'tensorflow', ...args], { cwd: ROOT, encoding: 'utf8', env });
}

function slurm(tool: string, args: readonly string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8' });
}

function studyFile(name: string, study: object): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(study));
  return file;
}

/**
 * Polls `ready` until it holds. Generous, because a loaded machine slows Slurm's accounting (sacct) as much as
 * the runs; `lastSeen` says what was there instead when it times out.
 */
async function until(what: string, ready: () => boolean, lastSeen?: () => string, seconds = 300): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}${lastSeen ? `; last seen:\n${lastSeen()}` : ''}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** The `update` column of a run's progress.csv. */
function updates(runDir: string): number[] {
  const path = join(runDir, 'progress.csv');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
}

const oneToThirty = Array.from({ length: 30 }, (_, i) => i + 1);

function jobs(out: string): { submissions: { jobId: string; runs: string[] }[] } {
  return JSON.parse(readFileSync(join(out, 'slurm', 'jobs.json'), 'utf8'));
}

beforeAll(() => {
  const sinfo = spawnSync('sinfo', ['-h', '-N', '-o', '%N'], { encoding: 'utf8' });
  if (sinfo.error || sinfo.status !== 0)
    throw new Error(
      `no Slurm to test against (sinfo: ${sinfo.error?.message ?? sinfo.stderr.trim()}): as root, run \`bash tools/slurm-test-setup.sh start\` ` +
        'and export SLURM_CONF=/tmp/mempo-slurm/slurm.conf (.ci/run does both)',
    );
  host = sinfo.stdout.trim();
  execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'mempo-slurm-'));
});

describe('a study on a real single-node Slurm', () => {
  it("runs as a job array with --wait, its report equals the local executor's to the byte, and a rerun follows the fingerprints", () => {
    const file = studyFile('tiny', tiny);
    // One TensorFlow thread per run on both executors (the pool divides the cores among the runs in flight),
    // so the same seeds give the same numbers: the tolerance is zero.
    const local = mempo(['study', file, '--out', join(dir, 'local'), '--parallelism', String(availableParallelism())]);
    expect(local.stderr).toContain('study tiny: 4 finished, 0 skipped, 0 refused, 0 failed');
    const out = join(dir, 'slurm');
    const viaSlurm = mempo(['study', file, '--out', out, '--executor', 'slurm', '--cpus-per-task', '1', '--wait', '--poll-seconds', '1']);
    expect(viaSlurm.status).toBe(0);
    const [submission] = jobs(out).submissions;
    expect(submission!.runs).toEqual(['warehouse--fnn--s1', 'warehouse--fnn--s2', 'warehouse--lstm--s1', 'warehouse--lstm--s2']);
    expect(viaSlurm.stderr).toContain(`submitted job ${submission!.jobId}: 4 run(s) as array tasks 0-3 (${out}/slurm/array-1.sh)`);
    for (const id of submission!.runs) expect(viaSlurm.stderr).toContain(`${id}: done\n`);
    expect(viaSlurm.stderr).toContain('study tiny: 4 done\n');
    expect(readFileSync(join(out, 'slurm', 'array-1.sh'), 'utf8')).toContain(
      `#SBATCH --array=0-3\n#SBATCH --requeue\n#SBATCH --signal=B:USR1@120\n#SBATCH --output=${out}/slurm/logs/%A_%a.out\n#SBATCH --open-mode=append\n#SBATCH --cpus-per-task=1\n`,
    );

    for (const name of ['results.csv', 'results.md'])
      expect(readFileSync(join(out, 'report', name), 'utf8')).toBe(readFileSync(join(dir, 'local', 'report', name), 'utf8'));
    for (const id of submission!.runs) {
      const evaluations = (root: string) => JSON.parse(readFileSync(join(root, 'runs', id, 'eval.json'), 'utf8')).evaluations;
      expect(evaluations(out)).toEqual(evaluations(join(dir, 'local')));
    }

    const status = mempo(['study', 'status', file, '--out', out]);
    expect(status.stdout).toBe(
      'warehouse--fnn--s1   done\nwarehouse--fnn--s2   done\nwarehouse--lstm--s1  done\nwarehouse--lstm--s2  done\n4 done\n',
    );
    const again = mempo(['study', file, '--out', out, '--executor', 'slurm', '--wait', '--poll-seconds', '1', '--no-report']);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('skip warehouse--lstm--s2 (finished)\nnothing to submit\n');
    expect(jobs(out).submissions).toHaveLength(1);

    // The fingerprint check keeps a cluster rerun from mixing specs: changed training is refused and nothing is
    // submitted; a changed evaluation is run again on the cluster from the checkpoints, training untouched.
    const changed = mempo(['study', studyFile('tiny-frames', { ...tiny, frames: 3072 }), '--out', out, '--executor', 'slurm', '--no-report']);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain(
      `REFUSED warehouse--fnn--s1 (its folder holds a run trained with other settings: frames 3072 in the study, 2048 in the run. ` +
        `Left as it is: delete ${out}/runs/warehouse--fnn--s1 to retrain it with the study's settings, or pass a new --out)\n`,
    );
    expect(changed.stderr).toContain('nothing to submit\nstudy tiny: 0 submitted, 0 already queued, 0 skipped, 4 refused, 0 failed\n');
    const evalFile = studyFile('tiny-eval', { ...tiny, evalEpisodes: 3 });
    expect(mempo(['study', 'status', evalFile, '--out', out]).stdout).toContain(
      'warehouse--fnn--s1   not submitted (the evaluation changed (evalEpisodes 3 in the study, 2 in the run); training is unchanged)\n',
    );
    const progress = (id: string) => readFileSync(join(out, 'runs', id, 'progress.csv'), 'utf8');
    const trained = submission!.runs.map(progress);
    const reEvaluated = mempo(['study', evalFile, '--out', out, '--executor', 'slurm', '--cpus-per-task', '1', '--wait', '--poll-seconds', '1', '--no-report']);
    expect(reEvaluated.status).toBe(0);
    expect(jobs(out).submissions[1]!.runs).toEqual(submission!.runs);
    for (const id of submission!.runs) expect(JSON.parse(readFileSync(join(out, 'runs', id, 'eval.json'), 'utf8')).evaluations[0].episodes).toBe(3);
    expect(submission!.runs.map(progress)).toEqual(trained);
  });

  it('a cancelled task resumes from its checkpoint with --retry-failed; a task warned of its time limit requeues itself and resumes', async () => {
    const file = studyFile('long', long);
    const out = join(dir, 'long');
    const [s1, s2] = [1, 2].map((s) => join(out, 'runs', `warehouse--lstm--s${s}`)) as [string, string];
    const submitted = mempo(['study', file, '--out', out, '--executor', 'slurm', '--cpus-per-task', '1']);
    expect(submitted.stderr).toContain('study long: 2 submitted, 0 already queued, 0 skipped, 0 refused, 0 failed');
    const job = jobs(out).submissions[0]!.jobId;
    await until('both runs to train 3 updates', () => updates(s1).length >= 3 && updates(s2).length >= 3);

    slurm('scancel', [`${job}_0`]);
    // What Slurm sends the batch shell `--signal=B:USR1@120` before the time limit.
    slurm('scancel', ['--signal=USR1', '--batch', `${job}_1`]);
    const failedLine =
      `warehouse--lstm--s1  failed       ${job}_0 (CANCELLED, exit 0:0, by uid ${process.getuid!()}, on ${host}); ` +
      `log ${s1}/run.log, slurm output ${out}/slurm/logs/${job}_0.out`;
    const status = () => mempo(['study', 'status', file, '--out', out]).stdout;
    await until('the cancelled task to show as failed', () => status().includes(failedLine), status);
    const stoppedAt = updates(s1);
    expect(stoppedAt).toEqual(oneToThirty.slice(0, stoppedAt.length));
    const checkpoint = `update-${String(stoppedAt.length).padStart(6, '0')}`;
    expect(readdirSync(join(s1, 'checkpoints'))).toContain(checkpoint);
    expect(readFileSync(join(s1, 'run.log'), 'utf8')).toContain(`stopped at update ${stoppedAt.length} (${stoppedAt.length * 1024} agent steps); checkpoint: ${s1}/checkpoints/${checkpoint}`);
    const rowsBefore = readFileSync(join(s1, 'progress.csv'), 'utf8');

    // Without --retry-failed the cancelled run is listed and left; --wait follows the requeued one to its end.
    const left = mempo(['study', file, '--out', out, '--executor', 'slurm', '--wait', '--poll-seconds', '1', '--no-report']);
    expect(left.status).toBe(1);
    expect(left.stderr).toContain(
      `FAILED warehouse--lstm--s1: task ${job}_0 (CANCELLED, exit 0:0, by uid ${process.getuid!()}, on ${host}); pass --retry-failed to submit it again (log ${s1}/run.log)`,
    );
    expect(left.stderr).toContain('warehouse--lstm--s2: done\n');
    expect(readFileSync(join(out, 'slurm', 'logs', `${job}_1.out`), 'utf8')).toContain(`mempo: time limit in 120 s: checkpointing, then requeueing ${job}_1`);
    expect(readFileSync(join(s2, 'run.log'), 'utf8')).toContain(`slurm task ${job}_1 (restart 1) on ${host}`);
    expect(updates(s2)).toEqual(oneToThirty);

    const retried = mempo(['study', file, '--out', out, '--executor', 'slurm', '--retry-failed', '--wait', '--poll-seconds', '1']);
    expect(retried.status).toBe(0);
    expect(retried.stderr).toContain('skip warehouse--lstm--s2 (finished)\n');
    const second = jobs(out).submissions[1]!;
    expect(second.runs).toEqual(['warehouse--lstm--s1']);
    expect(updates(s1)).toEqual(oneToThirty);
    // The rows trained before the cancel are kept as they were: the run continued, it did not start over.
    expect(readFileSync(join(s1, 'progress.csv'), 'utf8').startsWith(rowsBefore)).toBe(true);
    const resumedLog = readFileSync(join(s1, 'run.log'), 'utf8').split(`slurm task ${second.jobId}_0 (restart 0) on ${host}\n`)[1]!;
    // The app's progress line of a resumed run (training/progressBar.ts) names where it continues.
    expect(resumedLog).toMatch(new RegExp(`^backend: tensorflow\\nwarehouse lstm: from update ${stoppedAt.length} of 30 \\(${stoppedAt.length * 1024}/30720 steps\\)\\n`));
    expect(mempo(['study', 'status', file, '--out', out]).stdout).toBe('warehouse--lstm--s1  done\nwarehouse--lstm--s2  done\n2 done\n');
  }, 900_000);

  it('a task that cannot see its plan fails with what to check', async () => {
    const file = studyFile('hidden', { ...tiny, name: 'hidden', seeds: [1], memories: [tiny.memories[0]] });
    const out = join(dir, 'hidden');
    expect(mempo(['study', file, '--out', out, '--executor', 'slurm', '--sbatch-line=--hold']).status).toBe(0);
    const job = jobs(out).submissions[0]!.jobId;
    const plan = join(out, 'runs', 'warehouse--fnn--s1', 'plan.json');
    rmSync(plan);
    slurm('scontrol', ['release', job]);
    // squeue tells of the failure first; the exit code comes once the accounting database has the task.
    const failed = `warehouse--fnn--s1  failed       ${job}_0 (FAILED, exit 2:0, NonZeroExitCode, on ${host}); log `;
    const status = () => mempo(['study', 'status', file, '--out', out]).stdout;
    await until('the task to fail with its exit code', () => status().includes(failed), status);
    expect(readFileSync(join(out, 'slurm', 'logs', `${job}_0.out`), 'utf8')).toBe(
      `mempo: ${plan} is not visible on ${host}: the study folder must be on a filesystem every node mounts at the same path (check it with: df -h ${out}/runs)\n`,
    );
  });
});

describe('Slurm submission errors', () => {
  it('names a missing sbatch and an unknown partition (nothing written), and shows why sbatch refused a job (none recorded)', () => {
    const file = studyFile('tiny', tiny);
    const noSlurm = mempo(['study', file, '--out', join(dir, 'e1'), '--executor', 'slurm'], { ...process.env, PATH: mkdtempSync(join(tmpdir(), 'mempo-path-')) });
    expect(noSlurm.status).toBe(1);
    expect(noSlurm.stderr).toContain(
      "error: sbatch not found on PATH: --executor slurm needs Slurm's commands (sbatch, squeue, sacct, sinfo); run on a login node of the cluster, " +
        'where they often come with `module load slurm`, or use --executor local\n',
    );
    expect(existsSync(join(dir, 'e1'))).toBe(false);

    const partition = mempo(['study', file, '--out', join(dir, 'e2'), '--executor', 'slurm', '--partition', 'nope']);
    expect(partition.status).toBe(1);
    expect(partition.stderr).toContain(
      "error: partition 'nope' does not exist on this cluster; its partitions are debug* (* marks the default); fix --partition or the study's slurm.partition\n",
    );
    expect(existsSync(join(dir, 'e2'))).toBe(false);

    const refused = mempo(['study', file, '--out', join(dir, 'e3'), '--executor', 'slurm', '--gres', 'gpu:1']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`error: sbatch refused the job array ${join(dir, 'e3')}/slurm/array-1.sh: Invalid generic resource (gres) specification\n`);
    expect(existsSync(join(dir, 'e3', 'slurm', 'jobs.json'))).toBe(false);

    const localFlags = mempo(['study', file, '--out', join(dir, 'e4'), '--wait', '--mem', '4G']);
    expect(localFlags.stderr).toContain('error: --wait, --mem apply to --executor slurm only (the local executor always waits and resumes every unfinished run)\n');
    const time = mempo(['study', file, '--executor', 'slurm', '--time', 'soon']);
    expect(time.stderr).toContain("error: option '--time <limit>' argument 'soon' is invalid. --time must look like '90', '4:00:00' or '1-12:00:00' (got 'soon')\n");
  });
});
