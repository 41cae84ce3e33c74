import { dirname } from 'node:path';
import { RUN_FILES } from '@mempo/ppo';
import type { Study } from './studySchema.js';

/** The resources of each array task: the study file's `slurm` block with the command-line flags applied. */
export type SlurmResources = NonNullable<Study['slurm']>;

/** What one `sbatch` array script runs. */
export interface ArrayScriptSpec {
  /** The study's name (the job's name is `mempo-<name>`). */
  study: string;
  /** Absolute paths of the runs' `plan.json`, in array-task order (task i runs plans[i]). */
  plans: readonly string[];
  resources: SlurmResources;
  /** Absolute path of the folder for Slurm's own output of each task (`%A_%a.out`). */
  logDir: string;
  /** The per-run command without its plan argument: node, the CLI and its global flags (absolute paths). */
  command: readonly string[];
}

/** Quotes one word for bash, always with single quotes, so a path with spaces or `$` stays one literal word. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `sbatch` script of a study's job array: one task per run, at most `maxConcurrent` at once, requeued
 * on preemption or node failure. Each task runs the same per-run command the local pool runs, appending to
 * the run's `run.log`. Slurm's time-limit warning (`--signal=B:USR1@grace`) reaches only the batch shell,
 * which asks the run to stop (SIGTERM: finish the update, checkpoint) and requeues the task, so it resumes
 * from that checkpoint; a cancel or a preemption sends SIGTERM to the run itself, and the shell only waits
 * for its checkpoint (forwarding it would be a second SIGTERM, which stops the run without one).
 *
 * @example
 * arrayScript({ study: 'tiny', plans: ['/shared/tiny/runs/a/plan.json'], resources: { signalGrace: 120, sbatchLines: [] },
 *   logDir: '/shared/tiny/slurm/logs', command: ['/usr/bin/node', '/shared/mempo/apps/bench/dist/cli.js'] });
 */
export function arrayScript(spec: ArrayScriptSpec): string {
  const r = spec.resources;
  if (spec.plans.length === 0) throw new Error('a job array needs at least one run');
  const array = `0-${spec.plans.length - 1}${r.maxConcurrent !== undefined ? `%${r.maxConcurrent}` : ''}`;
  const options = [
    `--job-name=mempo-${spec.study}`,
    `--array=${array}`,
    '--requeue',
    `--signal=B:USR1@${r.signalGrace}`,
    `--output=${spec.logDir}/%A_%a.out`,
    // A requeued task writes on after its earlier lines instead of over them.
    '--open-mode=append',
    ...(r.partition !== undefined ? [`--partition=${r.partition}`] : []),
    ...(r.cpusPerTask !== undefined ? [`--cpus-per-task=${r.cpusPerTask}`] : []),
    ...(r.mem !== undefined ? [`--mem=${r.mem}`] : []),
    ...(r.time !== undefined ? [`--time=${r.time}`] : []),
    ...(r.gres !== undefined ? [`--gres=${r.gres}`] : []),
    ...r.sbatchLines,
  ];
  const runDirs = [...new Set(spec.plans.map((p) => dirname(dirname(p))))];
  return [
    '#!/bin/bash',
    `# mempo study ${spec.study}: ${spec.plans.length} run(s), one array task each; written by \`mempo study --executor slurm\`.`,
    ...options.map((o) => `#SBATCH ${o}`),
    'set -u',
    'plans=(',
    ...spec.plans.map((p) => `  ${quote(p)}`),
    ')',
    'plan=${plans[$SLURM_ARRAY_TASK_ID]}',
    'run_dir=${plan%/*}',
    'task="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"',
    'if [ ! -f "$plan" ]; then',
    `  echo "mempo: $plan is not visible on $(hostname): the study folder must be on a filesystem every node mounts at the same path (check it with: df -h ${runDirs.join(' ')})" >&2`,
    '  exit 2',
    'fi',
    'threads=${SLURM_CPUS_PER_TASK:-1}',
    'export TF_NUM_INTRAOP_THREADS=$threads TF_NUM_INTEROP_THREADS=$threads OMP_NUM_THREADS=$threads',
    `echo "== $(date -Is) slurm task $task (restart \${SLURM_RESTART_COUNT:-0}) on $(hostname)" >>"$run_dir/${RUN_FILES.log}"`,
    `${spec.command.map(quote).join(' ')} study-run "$plan" >>"$run_dir/${RUN_FILES.log}" 2>&1 &`,
    'child=$!',
    'requeue=0',
    `trap 'requeue=1; echo "mempo: time limit in ${r.signalGrace} s: checkpointing, then requeueing $task"; kill -TERM "$child"' USR1`,
    "trap 'echo \"mempo: SIGTERM: waiting for the run to checkpoint\"' TERM",
    'while :; do',
    '  wait "$child"',
    '  status=$?',
    '  kill -0 "$child" 2>/dev/null || break',
    'done',
    'if [ "$requeue" = 1 ] && [ "$status" != 0 ]; then scontrol requeue "$task"; fi',
    'exit "$status"',
    '',
  ].join('\n');
}
