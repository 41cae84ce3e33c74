import { existsSync } from 'node:fs';
import { RUN_FILES, readJsonFile, writeFileAtomic } from '@mempo/ppo';
import { join } from 'node:path';
import { evaluateRun, type RunEvaluation } from '../evaluateRun.js';
import { runTraining } from '../training/runTraining.js';
import type { PlannedRun } from './studyRuns.js';

/** The completion marker of a study run: written last, atomically, after training and evaluation. */
export const EVAL_FILE = RUN_FILES.evaluation;
/** Env 0's core diagnostics during the final policy's evaluation on the training env. */
export const DIAGNOSTICS_FILE = RUN_FILES.diagnostics;
/** The plan the runner hands to the child process. */
export const PLAN_FILE = RUN_FILES.plan;
/** The child's stdout and stderr. */
export const LOG_FILE = RUN_FILES.log;

/** What `eval.json` holds. */
export interface RunOutcome {
  id: string;
  label: string;
  memory: string;
  seed: number;
  trainEnv: string;
  /** Agent steps trained (summed over envs). */
  globalStep: number;
  updates: number;
  /** One entry per evaluation env, the training env first. */
  evaluations: Omit<RunEvaluation, 'diagnostics'>[];
  /** Wall-clock seconds of this process (a resumed run counts only its last part). */
  seconds: number;
  finishedAt: string;
  /** The plan's fingerprint this outcome was made under (absent in runs finished before fingerprints). */
  fingerprint?: string;
}

/** True when the run folder holds its completion marker. */
export function isFinished(runDir: string): boolean {
  return existsSync(join(runDir, EVAL_FILE));
}

function writeJsonAtomic(path: string, data: unknown): void {
  writeFileAtomic(path, JSON.stringify(data) + '\n');
}

/** Writes the plan into its run folder (the runner's side). */
export function writePlan(plan: PlannedRun): string {
  const path = join(plan.runDir, PLAN_FILE);
  writeJsonAtomic(path, plan);
  return path;
}

/** Reads a plan written by {@link writePlan}; a damaged one fails naming its path. */
export function readPlan(path: string): PlannedRun {
  return readJsonFile<PlannedRun>(path, 'rerun the study, which writes it anew');
}

/** What {@link executeRun} returns when its signal stopped it: training checkpointed, nothing evaluated, no `eval.json`. */
export interface StoppedRun {
  stopped: true;
  updates: number;
  globalStep: number;
  checkpoint: string | null;
}

/**
 * One study run, inside its child process: train (resuming from the run folder's checkpoint when there is
 * one; a finished training only reloads), evaluate the final policy on every evaluation env, record the
 * core's diagnostics on the training env, and write `eval.json` last so a killed run is never taken for
 * finished. An aborted `signal` stops training at its next safe point (with a checkpoint) or skips the
 * evaluations not yet started; the run is then resumed by the next invocation.
 */
export async function executeRun(
  plan: PlannedRun,
  log: (line: string) => void = (l) => console.error(l),
  signal?: AbortSignal,
): Promise<RunOutcome | StoppedRun> {
  const start = performance.now();
  const trained = await runTraining({
    env: plan.train,
    memory: plan.memory,
    preset: plan.preset,
    engine: plan.engine,
    seed: plan.seed,
    totalSteps: plan.frames,
    ...(plan.numEnvs !== undefined ? { numEnvs: plan.numEnvs } : {}),
    ...(plan.stack !== undefined ? { stack: plan.stack } : {}),
    ...(plan.ppo !== undefined ? { ppo: plan.ppo } : {}),
    ...(plan.agent !== undefined ? { agent: plan.agent } : {}),
    core: plan.core,
    runDir: plan.runDir,
    ...(signal ? { signal } : {}),
  });
  trained.agent.dispose();
  const stopped: StoppedRun = { stopped: true, updates: trained.updates, globalStep: trained.globalStep, checkpoint: trained.checkpoint };
  if (signal?.aborted) return stopped;
  log(`trained ${plan.id}: ${trained.updates} updates, ${trained.globalStep} agent steps`);
  const evaluations: RunOutcome['evaluations'] = [];
  for (const [i, env] of plan.evaluate.entries()) {
    if (signal?.aborted) return stopped;
    const { diagnostics, returns, lengths, ...summary } = await evaluateRun(plan.runDir, {
      env,
      episodes: plan.evalEpisodes,
      diagnosticSteps: i === 0 ? plan.diagnosticSteps : 0,
    });
    evaluations.push({ ...summary, returns, lengths });
    if (diagnostics) writeJsonAtomic(join(plan.runDir, DIAGNOSTICS_FILE), { env: env.id, memory: plan.memory, label: plan.label, ...diagnostics });
    log(`evaluated ${plan.id} on ${env.id}: mean return ${summary.returnMean.toFixed(3)} over ${summary.episodes} episodes`);
  }
  const outcome: RunOutcome = {
    id: plan.id,
    label: plan.label,
    memory: plan.memory,
    seed: plan.seed,
    trainEnv: plan.train.id,
    globalStep: trained.globalStep,
    updates: trained.updates,
    evaluations,
    seconds: (performance.now() - start) / 1000,
    finishedAt: new Date().toISOString(),
    fingerprint: plan.fingerprint,
  };
  writeJsonAtomic(join(plan.runDir, EVAL_FILE), outcome);
  return outcome;
}
