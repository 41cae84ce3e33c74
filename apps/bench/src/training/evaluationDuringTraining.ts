import { EvalCallback } from '@mempo/ppo';
import { makeEnv } from './environments.js';
import type { RunSpec } from './runTraining.js';

/** The training commands' `--eval-every`, `--eval-episodes`, `--eval-deterministic`. */
export interface EvaluationSchedule {
  /** Evaluate each time the run's agent steps pass a multiple of this. */
  every: number;
  episodes: number;
  /** Argmax actions instead of sampled ones. */
  deterministic: boolean;
}

/** Episodes per evaluation when `--eval-episodes` is not given. */
export const DEFAULT_EVAL_EPISODES = 10;

/** The parsed `--eval-*` flags of a training command. */
export interface EvaluationFlags {
  evalEvery?: number;
  evalEpisodes?: number;
  evalDeterministic?: boolean;
}

/**
 * The run spec's `evaluation` from the `--eval-*` flags: none without `--eval-every`, and then the other two
 * are refused rather than ignored.
 *
 * @example
 * evaluationFlags({ evalEvery: 50_000 }); // { evaluation: { every: 50000, episodes: 10, deterministic: false } }
 */
export function evaluationFlags(flags: EvaluationFlags): { evaluation?: EvaluationSchedule } {
  if (flags.evalEvery === undefined) {
    for (const [flag, value] of [['--eval-episodes', flags.evalEpisodes], ['--eval-deterministic', flags.evalDeterministic]] as const)
      if (value !== undefined) throw new Error(`${flag} applies with --eval-every only (evaluation during training is off without it); add --eval-every N or remove ${flag}`);
    return {};
  }
  return { evaluation: { every: flags.evalEvery, episodes: flags.evalEpisodes ?? DEFAULT_EVAL_EPISODES, deterministic: flags.evalDeterministic === true } };
}

/**
 * Evaluation seeds start here above the run seed: the training envs use `seed + i`, `mempo evaluate`
 * `10_000 + seed`, so evaluation during training never replays either's episodes.
 */
export const EVAL_SEED_OFFSET = 20_000;

/**
 * The {@link EvalCallback} of a training run and its own env (README, "Evaluation during training"): the
 * training env's id, flicker and stack, `min(episodes, training envs)` envs, seeded from
 * `20_000 + seed`. `close` closes the env.
 *
 * @example
 * const evaluation = await evaluationCallback(spec, { every: 50_000, episodes: 20, deterministic: false }, 16);
 */
export async function evaluationCallback(
  spec: Pick<RunSpec, 'env' | 'memory' | 'seed' | 'stack'>,
  schedule: EvaluationSchedule,
  trainingEnvs: number,
): Promise<{ callback: EvalCallback; close(): Promise<void> }> {
  const seed = EVAL_SEED_OFFSET + spec.seed;
  const env = await makeEnv(spec.env, spec.memory, Math.min(schedule.episodes, trainingEnvs), seed, spec.stack);
  try {
    const callback = new EvalCallback({ env, every: schedule.every, episodes: schedule.episodes, deterministic: schedule.deterministic, seed });
    return { callback, close: () => env.close() };
  } catch (err) {
    await env.close();
    throw err;
  }
}
