import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { EnvChoice } from '../training/environments.js';
import { resolveRun, type ResolvedRun } from '../training/resolvedRun.js';
import type { PlannedRun } from './studyRuns.js';

/** A study run with every default filled in: what it trains and how it is evaluated. */
export interface ResolvedPlan {
  /** Env, memory, core sizes, stack, preset and resolved PPO config, frames (whole updates), seed. */
  training: ResolvedRun;
  /** The envs the final policy is evaluated on (training env first), episodes and diagnostic steps. */
  evaluation: { envs: EnvChoice[]; episodes: number; diagnosticSteps: number };
}

/** The fields of a plan that decide its results (a plan's label, folder and engine do not). */
export type PlanSettings = Pick<PlannedRun, 'train' | 'memory' | 'core' | 'stack' | 'preset' | 'ppo' | 'agent' | 'seed' | 'frames' | 'numEnvs' | 'evaluate' | 'evalEpisodes' | 'diagnosticSteps'>;

/** Resolves a plan's settings as the run will use them (frames rounded to whole updates, see `resolveRun`). */
export function resolvePlan(plan: PlanSettings): { resolved: ResolvedPlan; notes: string[] } {
  const { run, notes } = resolveRun({
    env: plan.train,
    memory: plan.memory,
    preset: plan.preset,
    seed: plan.seed,
    totalSteps: plan.frames,
    ...(plan.numEnvs !== undefined ? { numEnvs: plan.numEnvs } : {}),
    ...(plan.stack !== undefined ? { stack: plan.stack } : {}),
    ...(plan.ppo !== undefined ? { ppo: plan.ppo } : {}),
    ...(plan.agent !== undefined ? { agent: plan.agent } : {}),
    core: plan.core,
  });
  return { resolved: { training: run, evaluation: { envs: plan.evaluate, episodes: plan.evalEpisodes, diagnosticSteps: plan.diagnosticSteps } }, notes };
}

/**
 * The fingerprint of a resolved plan: SHA-256 of its JSON with sorted keys, so equal settings give equal
 * fingerprints whatever the order they were written in.
 *
 * @example
 * fingerprintOf(resolvePlan(plan).resolved); // 'sha256:3f2a…'
 */
export function fingerprintOf(resolved: ResolvedPlan): string {
  return `sha256:${createHash('sha256').update(stringify(resolved)).digest('hex')}`;
}
