import { existsSync } from 'node:fs';
import { readJsonFile, runPath } from '@mempo/ppo';
import { checkRunFolder, describeDifferences, runDifferences } from '../training/runFolderCheck.js';
import type { RunOutcome } from './executeRun.js';
import { fingerprintOf, resolvePlan, type ResolvedPlan } from './runFingerprint.js';
import type { PlannedRun } from './studyRuns.js';

/** What the runner does with a planned run, decided before it writes anything. */
export type RunAction = 'start' | 'resume' | 'skip' | 're-evaluate' | 'refuse';

/** A decision and, except for a plain start, why. */
export interface RunAssessment {
  action: RunAction;
  reason?: string;
}

const FIX = 'delete or move the file to rerun the run';

/** The plan a run folder recorded, resolved (plans written before fingerprints are resolved from their fields). */
function recordedPlan(runDir: string): ResolvedPlan | null {
  const path = runPath(runDir, 'plan');
  if (!existsSync(path)) return null;
  const stored = readJsonFile<PlannedRun & { resolved?: ResolvedPlan }>(path, FIX);
  return stored.resolved ?? resolvePlan(stored).resolved;
}

/** True when training has left something in the folder (a checkpoint, the config, progress rows). */
function hasTrained(runDir: string): boolean {
  return (['checkpoints', 'config', 'progress'] as const).some((file) => existsSync(runPath(runDir, file)));
}

/**
 * Compares a planned run with what its folder recorded (`plan.json`, `eval.json`, else `run.json`), without
 * writing: a finished run with the same fingerprint is skipped; one whose training settings are the same but
 * whose evaluation changed (envs, episodes, diagnostic steps) is re-evaluated from its checkpoint; one whose
 * training settings changed is refused with each difference, since its checkpoints cannot continue under
 * the new ones; an unfinished one resumes. A damaged JSON file refuses the run, naming the file.
 */
export function assessRun(plan: PlannedRun): RunAssessment {
  const { runDir } = plan;
  try {
    const recorded = recordedPlan(runDir);
    const trained = hasTrained(runDir);
    if (recorded === null) {
      if (!trained) return { action: 'start' };
      checkRunFolder(runDir, plan.resolved.training);
      return { action: 'resume', reason: 'interrupted: resumed from its newest checkpoint' };
    }
    const differences = runDifferences(plan.resolved.training, recorded.training);
    if (differences.length > 0) {
      if (!trained) return { action: 'start' };
      return {
        action: 'refuse',
        reason:
          `its folder holds a run trained with other settings: ${describeDifferences(differences, 'in the study', '')}. ` +
          `Left as it is: delete ${runDir} to retrain it with the study's settings, or pass a new --out`,
      };
    }
    const evalPath = runPath(runDir, 'evaluation');
    if (!existsSync(evalPath)) return trained ? { action: 'resume', reason: 'unfinished: resumed from its newest checkpoint' } : { action: 'start' };
    const outcome = readJsonFile<RunOutcome>(evalPath, FIX);
    if ((outcome.fingerprint ?? fingerprintOf(recorded)) === plan.fingerprint) return { action: 'skip', reason: `finished: ${runPath(runDir, 'evaluation')} exists` };
    return { action: 're-evaluate', reason: `the evaluation changed (${evaluationChanges(plan.resolved, recorded)}); training is unchanged` };
  } catch (err) {
    return { action: 'refuse', reason: (err as Error).message };
  }
}

function evaluationChanges(requested: ResolvedPlan, recorded: ResolvedPlan): string {
  const a = requested.evaluation;
  const b = recorded.evaluation;
  const changes: string[] = [];
  const ids = (e: typeof a) => e.envs.map((env) => env.id).join(', ');
  if (ids(a) !== ids(b) || JSON.stringify(a.envs) !== JSON.stringify(b.envs)) changes.push(`envs ${ids(a)} in the study, ${ids(b)} in the run`);
  if (a.episodes !== b.episodes) changes.push(`evalEpisodes ${a.episodes} in the study, ${b.episodes} in the run`);
  if (a.diagnosticSteps !== b.diagnosticSteps) changes.push(`diagnosticSteps ${a.diagnosticSteps} in the study, ${b.diagnosticSteps} in the run`);
  return changes.join('; ') || 'a study written before fingerprints';
}
