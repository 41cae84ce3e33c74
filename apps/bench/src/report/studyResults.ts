import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProgressCsv } from '@mempo/ppo';
import { DIAGNOSTICS_FILE, EVAL_FILE, type RunOutcome } from '../studies/executeRun.js';
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
}

/** The results of a study as they stand on disk (finished or not). */
export interface StudyResults {
  study: Study;
  outDir: string;
  runs: RunRecord[];
}

function readJson<T>(path: string): T | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

/** Reads every planned run's `eval.json`, `progress.csv` and `diagnostics.json` that exist. */
export function collectResults(study: Study, outDir: string, plans: readonly PlannedRun[]): StudyResults {
  const runs = plans.map((plan): RunRecord => {
    const progress = join(plan.runDir, 'progress.csv');
    const curve = existsSync(progress)
      ? readProgressCsv(progress)
          .map((row) => ({ step: row['global_step'] ?? NaN, value: row['charts/episode_return_mean'] ?? NaN }))
          .filter((p) => Number.isFinite(p.step) && Number.isFinite(p.value))
      : [];
    return {
      plan,
      outcome: readJson<RunOutcome>(join(plan.runDir, EVAL_FILE)),
      curve,
      diagnostics: readJson(join(plan.runDir, DIAGNOSTICS_FILE)),
    };
  });
  return { study, outDir, runs };
}
