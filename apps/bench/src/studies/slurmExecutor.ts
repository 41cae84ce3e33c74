import { existsSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { makeDirectory, readJsonFile, runPath, writeFileAtomic } from '@mempo/ppo';
import { writePlan } from './executeRun.js';
import { assessRun } from './runAssessment.js';
import { DEFAULT_CLI } from './runner.js';
import { slurmMessage, slurmTool } from './slurmCli.js';
import { arrayScript, type SlurmResources } from './slurmScript.js';
import { isActive, queryTasks, type TaskState } from './slurmState.js';
import type { PlannedRun } from './studyRuns.js';

/** The study folder's Slurm files: `<out>/slurm/jobs.json`, `array-<n>.sh`, and `logs/<job>_<task>.out`. */
export const SLURM_FILES = { dir: 'slurm', jobs: 'jobs.json', logs: 'logs' } as const;

/** One `sbatch` of a study: its job id and the runs of its array tasks, in task order. */
export interface Submission {
  jobId: string;
  /** The array script, relative to the study folder. */
  script: string;
  submittedAt: string;
  runs: string[];
}

/** `<out>/slurm/jobs.json`: every submission of the study, oldest first. */
export interface JobsRecord {
  submissions: Submission[];
}

/** What a run is, as `mempo study status` shows it. */
export type RunState = 'done' | 'pending' | 'running' | 'failed' | 'not submitted' | 'refused';

/** One run's line in `mempo study status`. */
export interface RunStatus {
  id: string;
  state: RunState;
  /** Its latest array task, `<job>_<task>`. */
  task?: string;
  /** Slurm's state, exit code and reason, or why the run is refused. */
  detail?: string;
  /** The run's log (`run.log`) and Slurm's output of its latest task. */
  log: string;
  slurmLog?: string;
}

function jobsPath(out: string): string {
  return join(out, SLURM_FILES.dir, SLURM_FILES.jobs);
}

/**
 * The study folder's submissions (none when it was never submitted to Slurm).
 *
 * @example
 * readJobs('study-results/tiny').submissions.at(-1)?.jobId; // '12'
 */
export function readJobs(out: string): JobsRecord {
  const path = jobsPath(out);
  return existsSync(path) ? readJsonFile<JobsRecord>(path, 'it records the study\'s Slurm jobs; restore it, or delete it to forget them') : { submissions: [] };
}

/** The latest array task of each submitted run. */
function latestTasks(jobs: JobsRecord): Map<string, { jobId: string; task: string }> {
  const latest = new Map<string, { jobId: string; task: string }>();
  for (const s of jobs.submissions) s.runs.forEach((id, i) => latest.set(id, { jobId: s.jobId, task: `${s.jobId}_${i}` }));
  return latest;
}

/** Slurm's word on a task: its state and reason, where it runs, and once it ended, its exit code (`exit:signal`). */
function describeTask(t: TaskState | undefined): string {
  if (t === undefined) return 'submitted, not yet listed by Slurm';
  const active = isActive(t);
  return [t.state, !active && t.exitCode !== undefined ? `exit ${t.exitCode}` : '', t.reason ?? '', t.nodes && t.state !== 'PENDING' ? `on ${t.nodes}` : '']
    .filter(Boolean)
    .join(', ');
}

/**
 * Each run's state: done when its folder holds the evaluation of the planned settings; otherwise what Slurm
 * says of its latest array task (pending, running, or failed with the state, exit code and reason from
 * `sacct`); "not submitted" when it never was, or when its evaluation changed since it finished.
 *
 * @example
 * const { runs } = studyStatus(planRuns(study, out), out);
 * runs.filter((r) => r.state === 'failed').map((r) => r.log);
 */
export function studyStatus(plans: readonly PlannedRun[], out: string): { runs: RunStatus[]; note?: string } {
  const jobs = readJobs(out);
  const latest = latestTasks(jobs);
  const { tasks, note } = queryTasks([...new Set([...latest.values()].map((t) => t.jobId))]);
  const runs = plans.map((plan): RunStatus => {
    const log = resolve(runPath(plan.runDir, 'log'));
    const assessment = assessRun(plan);
    if (assessment.action === 'skip') return { id: plan.id, state: 'done', log };
    if (assessment.action === 'refuse') return { id: plan.id, state: 'refused', detail: assessment.reason!, log };
    const submitted = latest.get(plan.id);
    if (submitted === undefined) return { id: plan.id, state: 'not submitted', ...(assessment.action === 're-evaluate' ? { detail: assessment.reason! } : {}), log };
    const task = tasks.get(submitted.task);
    // A finished run whose evaluation changed since is due for a new evaluation, not a failure to retry.
    if (assessment.action === 're-evaluate' && task !== undefined && !isActive(task)) return { id: plan.id, state: 'not submitted', detail: assessment.reason!, log };
    const slurmLog = resolve(out, SLURM_FILES.dir, SLURM_FILES.logs, `${submitted.task}.out`);
    const state: RunState = task === undefined || (isActive(task) && task.state !== 'RUNNING' && task.state !== 'COMPLETING') ? 'pending' : isActive(task) ? 'running' : 'failed';
    return { id: plan.id, state, task: submitted.task, detail: describeTask(task), log, slurmLog };
  });
  return { runs, ...(note ? { note } : {}) };
}

/**
 * The status table `mempo study status` prints: one line per run, then the counts.
 *
 * @example
 * formatStatus([{ id: 'a--lstm--s1', state: 'done', log: 'runs/a--lstm--s1/run.log' }]); // 'a--lstm--s1  done\n1 done'
 */
export function formatStatus(runs: readonly RunStatus[]): string {
  const width = Math.max(...runs.map((r) => r.id.length));
  const lines = runs.map((r) => {
    const head = `${r.id.padEnd(width)}  ${r.state.padEnd(13)}`;
    if (r.state === 'done' || r.state === 'not submitted') return r.detail ? `${head} (${r.detail})` : head.trimEnd();
    if (r.state === 'refused') return `${head}${r.detail}`;
    const logs = r.state === 'failed' ? `; log ${r.log}, slurm output ${r.slurmLog}` : '';
    return `${head}${r.task} (${r.detail})${logs}`;
  });
  const counts = (['done', 'running', 'pending', 'failed', 'not submitted', 'refused'] as const)
    .map((s) => [s, runs.filter((r) => r.state === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return `${lines.join('\n')}\n${counts.join(', ')}`;
}

const TMPFS_MAGIC = 0x01021994;

/** The nearest existing folder at or above a path (the study folder may not exist yet). */
function existingAncestor(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * Why a path would not be visible on the compute nodes, or null: a path under `/tmp`, `/var/tmp`, `/dev/shm`
 * or `/run`, or on a tmpfs, is local to this machine, which matters unless every node of the partition is
 * this machine.
 *
 * @example
 * visibilityProblem('the study folder', '/tmp/s', ['n1', 'n2'], 'login1'); // 'the study folder /tmp/s is on a machine-local folder of login1, …'
 */
export function visibilityProblem(what: string, path: string, nodes: readonly string[], host: string, fsType?: number): string | null {
  if (nodes.length > 0 && nodes.every((n) => n === host)) return null;
  const abs = resolve(path);
  const local = /^\/(tmp|var\/tmp|dev\/shm|run)(\/|$)/.test(abs) ? 'a machine-local folder' : fsType === TMPFS_MAGIC ? 'a tmpfs (memory) filesystem' : null;
  if (local === null) return null;
  return (
    `${what} ${abs} is on ${local} of ${host}, which the nodes (${nodes.join(', ')}) do not see: ` +
    'put it on the shared filesystem (e.g. under your home or project folder), and check with `df -h <folder>` ' +
    'that it is a network filesystem (NFS, Lustre, GPFS, BeeGFS, CephFS) mounted at the same path on the nodes'
  );
}

/** The nodes of a partition (or of the default one), by `sinfo`; a partition Slurm does not know is an error. */
function partitionNodes(partition: string | undefined): string[] {
  const list = slurmTool('sinfo', ['-h', '-o', '%P']);
  if (list.status !== 0) throw new Error(`sinfo failed: ${slurmMessage(list)}; is Slurm reachable from this machine (\`sinfo\`)?`);
  const partitions = list.stdout.split('\n').map((p) => p.trim()).filter(Boolean);
  const names = partitions.map((p) => p.replace(/\*$/, ''));
  if (partition !== undefined && !names.includes(partition))
    throw new Error(`partition '${partition}' does not exist on this cluster; its partitions are ${partitions.join(', ')} (* marks the default); fix --partition or the study's slurm.partition`);
  const chosen = partition ?? partitions.find((p) => p.endsWith('*'))?.slice(0, -1);
  const nodes = slurmTool('sinfo', ['-h', '-N', '-o', '%N', ...(chosen ? ['-p', chosen] : [])]);
  return [...new Set(nodes.stdout.split('\n').map((n) => n.trim()).filter(Boolean))];
}

/** Options of {@link submitStudy}. */
export interface SubmitOptions {
  /** The study's name (the job's name). */
  study: string;
  resources: SlurmResources;
  /** Submit runs whose last task failed (otherwise they are listed and left). */
  retryFailed: boolean;
  /** Tensor backend of the runs (`--backend`). */
  backend?: string;
  /** The CLI the tasks run (default the built `dist/cli.js`). */
  cli?: string;
  onEvent?: (line: string) => void;
}

/** What {@link submitStudy} did: the job it submitted (if any) and each run's part in it. */
export interface SubmitResult {
  jobId: string | null;
  script: string | null;
  submitted: string[];
  skipped: string[];
  refused: string[];
  /** Runs already queued or running in an earlier job. */
  queued: string[];
  /** Runs whose last task failed, left without --retry-failed. */
  failed: string[];
}

/**
 * Submits a study's unfinished runs to Slurm as one job array (see {@link arrayScript}) and records the job
 * in `<out>/slurm/jobs.json`. Runs are assessed as the local pool assesses them (finished skipped, changed
 * training refused); a run queued or running in an earlier job is left to it, and a run whose last task
 * failed is submitted again only with `retryFailed`. The partition and the visibility of the study folder
 * and of the CLI on the nodes are checked before anything is written.
 *
 * @example
 * const { jobId } = submitStudy(planRuns(study, out), out, { study: study.name, resources: { signalGrace: 120, sbatchLines: [] }, retryFailed: false });
 */
export function submitStudy(plans: readonly PlannedRun[], out: string, options: SubmitOptions): SubmitResult {
  const onEvent = options.onEvent ?? ((line: string) => console.error(line));
  const cli = resolve(options.cli ?? DEFAULT_CLI);
  // Asked first, so a machine without Slurm is told that sbatch is missing, not some other command.
  slurmTool('sbatch', ['--version']);
  const nodes = partitionNodes(options.resources.partition);
  const host = hostname().split('.')[0]!;
  for (const [what, path] of [['the study folder', out], ['the mempo CLI', cli]] as const) {
    const problem = visibilityProblem(what, path, nodes, host, statfsSync(existingAncestor(path)).type);
    if (problem) throw new Error(problem);
  }
  const result: SubmitResult = { jobId: null, script: null, submitted: [], skipped: [], refused: [], queued: [], failed: [] };
  const status = new Map(studyStatus(plans, out).runs.map((r) => [r.id, r]));
  const toSubmit: PlannedRun[] = [];
  for (const plan of plans) {
    const s = status.get(plan.id)!;
    if (s.state === 'done') {
      result.skipped.push(plan.id);
      onEvent(`skip ${plan.id} (finished)`);
    } else if (s.state === 'refused') {
      result.refused.push(plan.id);
      onEvent(`REFUSED ${plan.id} (${s.detail})`);
    } else if (s.state === 'pending' || s.state === 'running') {
      result.queued.push(plan.id);
      onEvent(`${s.state} ${plan.id}: already in task ${s.task}`);
    } else if (s.state === 'failed' && !options.retryFailed) {
      result.failed.push(plan.id);
      onEvent(`FAILED ${plan.id}: task ${s.task} (${s.detail}); pass --retry-failed to submit it again (log ${s.log})`);
    } else toSubmit.push(plan);
  }
  if (toSubmit.length === 0) {
    onEvent('nothing to submit');
    return result;
  }
  const dir = resolve(out, SLURM_FILES.dir);
  makeDirectory(join(dir, SLURM_FILES.logs));
  const jobs = readJobs(out);
  const scriptName = `array-${jobs.submissions.length + 1}.sh`;
  const script = join(dir, scriptName);
  const planPaths = toSubmit.map((plan) => resolve(writePlan(plan)));
  const command = [process.execPath, cli, ...(options.backend ? ['--backend', options.backend] : [])];
  writeFileAtomic(script, arrayScript({ study: options.study, plans: planPaths, resources: options.resources, logDir: join(dir, SLURM_FILES.logs), command }));
  const sbatch = slurmTool('sbatch', ['--parsable', script]);
  if (sbatch.status !== 0) throw new Error(`sbatch refused the job array ${script}: ${slurmMessage(sbatch)}`);
  const jobId = sbatch.stdout.trim().split(';')[0]!;
  jobs.submissions.push({ jobId, script: join(SLURM_FILES.dir, scriptName), submittedAt: new Date().toISOString(), runs: toSubmit.map((p) => p.id) });
  writeFileAtomic(jobsPath(out), JSON.stringify(jobs, null, 2) + '\n');
  onEvent(`submitted job ${jobId}: ${toSubmit.length} run(s) as array tasks 0-${toSubmit.length - 1} (${script}); follow with \`mempo study status\``);
  return { ...result, jobId, script, submitted: toSubmit.map((p) => p.id) };
}

/**
 * Follows the study's submitted runs until none is pending or running, printing each change of state;
 * returns the final status of every run.
 *
 * @example
 * const runs = await waitForStudy(plans, out, { pollSeconds: 30 });
 * process.exitCode = runs.every((r) => r.state === 'done') ? 0 : 1;
 */
export async function waitForStudy(
  plans: readonly PlannedRun[],
  out: string,
  options: { pollSeconds: number; onEvent?: (line: string) => void },
): Promise<RunStatus[]> {
  const onEvent = options.onEvent ?? ((line: string) => console.error(line));
  const seen = new Map<string, string>();
  for (;;) {
    const { runs } = studyStatus(plans, out);
    for (const r of runs) {
      const line = r.state === 'done' ? 'done' : `${r.state}${r.task ? ` ${r.task}` : ''}${r.detail ? ` (${r.detail})` : ''}${r.state === 'failed' ? `; log ${r.log}` : ''}`;
      if (seen.get(r.id) !== line) onEvent(`${r.id}: ${line}`);
      seen.set(r.id, line);
    }
    if (!runs.some((r) => r.state === 'pending' || r.state === 'running')) return runs;
    await new Promise((done) => setTimeout(done, options.pollSeconds * 1000));
  }
}
