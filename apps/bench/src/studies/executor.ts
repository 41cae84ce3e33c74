import { runPool, type RunPoolOptions } from './runner.js';
import { formatStatus, submitStudy, waitForStudy, type SubmitOptions } from './slurmExecutor.js';
import type { PlannedRun } from './studyRuns.js';

/** Where a study's runs execute: a local process pool (the default) or a Slurm job array. */
export const EXECUTORS = ['local', 'slurm'] as const;
/** One of {@link EXECUTORS}. */
export type ExecutorName = (typeof EXECUTORS)[number];

/** What an executor reports back to the study command. */
export interface ExecutionSummary {
  /** True when every run has ended (finished, failed or refused), so the report can be built. */
  ended: boolean;
  /** True when some run failed or was refused (the command then exits 1). */
  failed: boolean;
  /** One closing line, e.g. `4 finished, 0 skipped, 0 refused, 0 failed`. */
  summary: string;
}

/** Runs a study's planned runs. */
export interface StudyExecutor {
  execute(plans: readonly PlannedRun[]): Promise<ExecutionSummary>;
}

/**
 * Today's executor: every run in a child process of this machine (see {@link runPool}); it returns when all
 * have ended.
 *
 * @example
 * const { failed } = await localExecutor({ parallelism: 2 }).execute(planRuns(study, out));
 */
export function localExecutor(options: RunPoolOptions): StudyExecutor {
  return {
    async execute(plans) {
      const results = await runPool(plans, options);
      const counts = ['finished', 'skipped', 'refused', 'failed', 'stopped'].map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(', ');
      // A stopped study has not ended: its stopped runs resume when the same command runs again.
      const ended = !results.some((r) => r.status === 'stopped');
      return { ended, failed: results.some((r) => r.status === 'failed' || r.status === 'refused'), summary: counts };
    },
  };
}

/**
 * The Slurm executor: submits the unfinished runs as one job array ({@link submitStudy}); with `wait` it
 * follows the job until every run has ended, otherwise it returns once Slurm has accepted the job.
 *
 * @example
 * await slurmExecutor({ study: 'tiny', out, resources: { signalGrace: 120, sbatchLines: [] }, retryFailed: false, wait: { pollSeconds: 30 } })
 *   .execute(planRuns(study, out));
 */
export function slurmExecutor(options: SubmitOptions & { out: string; wait?: { pollSeconds: number } }): StudyExecutor {
  return {
    async execute(plans) {
      const submitted = submitStudy(plans, options.out, options);
      const left = submitted.failed.length + submitted.refused.length;
      if (!options.wait) {
        const summary = `${submitted.submitted.length} submitted, ${submitted.queued.length} already queued, ${submitted.skipped.length} skipped, ${submitted.refused.length} refused, ${submitted.failed.length} failed`;
        return { ended: submitted.submitted.length + submitted.queued.length === 0, failed: left > 0, summary };
      }
      const runs = await waitForStudy(plans, options.out, { pollSeconds: options.wait.pollSeconds, ...(options.onEvent ? { onEvent: options.onEvent } : {}) });
      const status = formatStatus(runs);
      return { ended: true, failed: runs.some((r) => r.state !== 'done'), summary: status.slice(status.lastIndexOf('\n') + 1) };
    },
  };
}
