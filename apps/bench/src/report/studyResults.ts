import { existsSync } from 'node:fs';
import { readJsonFile, readProgressCsv, runPath } from '@mempo/ppo';
import type { RunOutcome } from '../studies/executeRun.js';
import { resolvePlan, type ResolvedPlan } from '../studies/runFingerprint.js';
import type { PlannedRun } from '../studies/studyRuns.js';
import type { DiagnosticsTrace } from '../evaluateRun.js';
import type { Study } from '../studies/studySchema.js';

/** One point of a learning curve: agent steps and the recent mean episode return. */
export interface CurvePoint {
  step: number;
  value: number;
}

/** Everything the report reads from one planned run's folder. */
export interface RunRecord {
  plan: PlannedRun;
  /** Null while the run has not finished (no `eval.json`). */
  outcome: RunOutcome | null;
  /** From `progress.csv`: `global_step` vs `charts/episode_return_mean` (empty when not started). */
  curve: CurvePoint[];
  diagnostics: (DiagnosticsTrace & { env: string; memory: string; label: string }) | null;
  /** The settings the run folder recorded (`plan.json`), which the report states; null when never started. */
  recorded: ResolvedPlan | null;
}

/** The results of a study as they stand on disk (finished or not). */
export interface StudyResults {
  study: Study;
  outDir: string;
  runs: RunRecord[];
}

function readJson<T>(path: string): T | null {
  return existsSync(path) ? readJsonFile<T>(path, 'delete it and rerun the study to write it anew') : null;
}

/**
 * Reads every planned run's `plan.json`, `eval.json`, `progress.csv` and `diagnostics.json` that exist: the
 * report describes what each run recorded, not what the study file says now. Damaged JSON fails naming its file.
 */
export function collectResults(study: Study, outDir: string, plans: readonly PlannedRun[]): StudyResults {
  const runs = plans.map((plan): RunRecord => {
    const progress = runPath(plan.runDir, 'progress');
    const stored = readJson<PlannedRun & { resolved?: ResolvedPlan }>(runPath(plan.runDir, 'plan'));
    const curve = existsSync(progress)
      ? readProgressCsv(progress)
          .map((row) => ({ step: row['global_step'] ?? NaN, value: row['charts/episode_return_mean'] ?? NaN }))
          .filter((p) => Number.isFinite(p.step) && Number.isFinite(p.value))
      : [];
    return {
      plan,
      outcome: readJson<RunOutcome>(runPath(plan.runDir, 'evaluation')),
      curve,
      diagnostics: readJson(runPath(plan.runDir, 'diagnostics')),
      recorded: stored === null ? null : (stored.resolved ?? resolvePlan(stored).resolved),
    };
  });
  return { study, outDir, runs };
}
