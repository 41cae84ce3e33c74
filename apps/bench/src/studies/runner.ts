import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonFile } from '@mempo/ppo';
import { EVAL_FILE, LOG_FILE, isFinished, writePlan, type RunOutcome } from './executeRun.js';
import { assessRun, type RunAssessment } from './runAssessment.js';
import type { PlannedRun } from './studyRuns.js';

/** The CLI the children run; from both `src/studies` and `dist/studies` this is the built `dist/cli.js`. */
export const DEFAULT_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Options of {@link runPool}. */
export interface RunPoolOptions {
  /** Runs at once (default: the cores, `os.availableParallelism()`). */
  parallelism?: number;
  /** Tensor backend of the children (`--backend`). */
  backend?: string;
  /** The CLI script the children run (default {@link DEFAULT_CLI}). */
  cli?: string;
  /** One line per run event (start, skip, refusal, finish, failure). */
  onEvent?: (line: string) => void;
  /**
   * Aborted (with a signal name as its reason, e.g. 'SIGINT') to stop the study: no run starts any more, and
   * each running child gets that signal once, so it finishes its update, checkpoints and exits 130/143.
   */
  stop?: AbortSignal;
  /** Aborted after `stop` to end the running children at once (their signal a second time, no checkpoint). */
  kill?: AbortSignal;
}

/** Exit codes of a child stopped by SIGINT or SIGTERM (128 + the signal's number). */
const STOPPED_EXIT_CODES = new Set([130, 143]);

/** How one planned run ended in this invocation. */
export interface PoolResult {
  id: string;
  /** `stopped`: the study was stopped while this run trained; it resumes from its checkpoint on the next invocation. */
  status: 'skipped' | 'refused' | 'finished' | 'failed' | 'stopped';
  /** Exit code of a failed child. */
  exitCode?: number | null;
  /** Why a run was skipped, refused, resumed or re-evaluated. */
  reason?: string;
  seconds: number;
  outcome?: RunOutcome;
}

/**
 * Threads per child: the cores divided among the runs in flight, so P parallel runs do not oversubscribe the
 * machine (each native TensorFlow process would otherwise size its thread pools for every core).
 */
export function threadsPerRun(parallelism: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / parallelism));
}

/**
 * Runs the planned runs in a local process pool, one child process per run (`mempo study-run <plan.json>`),
 * each logging to `<runDir>/run.log`. Every run is first compared with what its folder recorded
 * ({@link assessRun}), before anything is written: finished runs with the same fingerprint are skipped, runs
 * whose training settings changed are refused with the reason (their folder untouched), runs whose
 * evaluation changed are re-evaluated, interrupted ones resume. A failing run does not stop the others.
 */
export async function runPool(runs: readonly PlannedRun[], options: RunPoolOptions = {}): Promise<PoolResult[]> {
  const parallelism = options.parallelism ?? availableParallelism();
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`parallelism must be a positive integer (got ${parallelism})`);
  const onEvent = options.onEvent ?? ((line: string) => console.error(line));
  const threads = String(threadsPerRun(parallelism));
  const results: PoolResult[] = new Array(runs.length);
  let next = 0;
  let done = 0;
  const assessments: RunAssessment[] = runs.map(assessRun);

  const runOne = (plan: PlannedRun): Promise<PoolResult> => {
    const planPath = writePlan(plan);
    const log = createWriteStream(join(plan.runDir, LOG_FILE), { flags: 'a' });
    const args = [options.cli ?? DEFAULT_CLI, ...(options.backend ? ['--backend', options.backend] : []), 'study-run', planPath];
    const start = performance.now();
    return new Promise((resolve) => {
      log.write(`\n== ${new Date().toISOString()} ${process.execPath} ${args.join(' ')}\n`);
      // Each child in its own process group: a terminal's Ctrl-C reaches only this process, which passes
      // it on exactly once (a child that got it from the terminal and again from here would stop at once).
      const child = spawn(process.execPath, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: { ...process.env, TF_NUM_INTRAOP_THREADS: threads, TF_NUM_INTEROP_THREADS: threads, OMP_NUM_THREADS: threads },
      });
      const forward = (signal: AbortSignal) => () => child.kill(signal.reason as NodeJS.Signals);
      const forwards = [options.stop, options.kill].flatMap((signal) => (signal ? [[signal, forward(signal)] as const] : []));
      for (const [signal, handler] of forwards) signal.addEventListener('abort', handler, { once: true });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      child.on('close', (code) => {
        for (const [signal, handler] of forwards) signal.removeEventListener('abort', handler);
        log.end();
        const seconds = (performance.now() - start) / 1000;
        if (code === 0 && isFinished(plan.runDir)) {
          const outcome = readJsonFile<RunOutcome>(join(plan.runDir, EVAL_FILE), 'rerun the study to evaluate the run again');
          resolve({ id: plan.id, status: 'finished', seconds, outcome });
        } else if (options.stop?.aborted && code !== null && STOPPED_EXIT_CODES.has(code)) {
          resolve({ id: plan.id, status: 'stopped', exitCode: code, seconds });
        } else {
          resolve({ id: plan.id, status: 'failed', exitCode: code, seconds });
        }
      });
    });
  };

  const worker = async (): Promise<void> => {
    while (next < runs.length && !options.stop?.aborted) {
      const index = next++;
      const plan = runs[index]!;
      const { action, reason } = assessments[index]!;
      if (action === 'skip' || action === 'refuse') {
        results[index] = { id: plan.id, status: action === 'skip' ? 'skipped' : 'refused', seconds: 0, ...(reason ? { reason } : {}) };
        onEvent(`[${++done}/${runs.length}] ${action === 'skip' ? 'skip' : 'REFUSED'} ${plan.id} (${reason})`);
        continue;
      }
      onEvent(`${action} ${plan.id}${reason ? ` (${reason})` : ''} (log: ${join(plan.runDir, LOG_FILE)})`);
      const result = await runOne(plan);
      results[index] = result;
      const ret = result.outcome?.evaluations[0]?.returnMean;
      onEvent(
        result.status === 'finished'
          ? `[${++done}/${runs.length}] done ${plan.id} in ${result.seconds.toFixed(0)} s, mean return ${ret?.toFixed(3)}`
          : result.status === 'stopped'
            ? `[${++done}/${runs.length}] stopped ${plan.id}; it resumes from its checkpoint when the study runs again (see ${join(plan.runDir, LOG_FILE)})`
            : `[${++done}/${runs.length}] FAILED ${plan.id} (exit ${result.exitCode}); see ${join(plan.runDir, LOG_FILE)}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, runs.length) }, worker));
  // Runs never started because the study was stopped.
  return runs.map((plan, i) => results[i] ?? { id: plan.id, status: 'stopped', seconds: 0, reason: 'not started: the study was stopped' });
}
