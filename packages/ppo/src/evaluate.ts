import * as tf from '@tensorflow/tfjs-core';
import type { VecEnv } from '@mempo/envs';
import { act, actGreedy, obsTensor } from './acting.js';
import type { ActorCritic } from './actorCritic.js';
import { Rng } from './rng.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Episodes to finish (default 100, the ppo README "Evaluation"). */
  episodes?: number;
  /** Seed of the env reset and of the action sampling. */
  seed: number;
  /** Take the most likely action instead of sampling one (SB3's `deterministic=True`). Default false. */
  deterministic?: boolean;
}

/** Statistics of an evaluation. */
export interface EvaluationResult {
  episodes: number;
  /** True when actions were the argmax of the policy, false when sampled. */
  deterministic: boolean;
  returnMean: number;
  returnStd: number;
  returnMedian: number;
  returnMin: number;
  returnMax: number;
  lengthMean: number;
  /** Per-episode returns, in the order they finished. */
  returns: number[];
  /** Per-episode lengths. */
  lengths: number[];
}

/** Mean, population std, median, min and max of a non-empty list. */
export function summarize(values: readonly number[]): { mean: number; std: number; median: number; min: number; max: number } {
  if (values.length === 0) return { mean: NaN, std: NaN, median: NaN, min: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { mean, std, median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/**
 * Runs the agent until `episodes` episodes have finished (the ppo README, "Evaluation"): sampled actions (or
 * the most likely ones with `deterministic`), dropout off, the memory zeroed at every episode start. Works on the training env or any held-out env
 * with the same observation and action spaces. The env is reset, not closed.
 *
 * @example
 * const result = await evaluate(agent, heldOutEnv, { episodes: 100, seed: 1000 });
 */
export async function evaluate(agent: ActorCritic, env: VecEnv, options: EvaluateOptions): Promise<EvaluationResult> {
  const target = options.episodes ?? 100;
  if (!Number.isInteger(target) || target < 1) throw new Error(`episodes must be a positive integer (got ${target})`);
  const P = env.numEnvs;
  const rng = new Rng(options.seed);
  let obs = await env.reset(options.seed);
  let state = agent.core.initialState(P);
  let starts = new Uint8Array(P).fill(1);
  const returns: number[] = [];
  const lengths: number[] = [];
  try {
    while (returns.length < target) {
      const x = obsTensor(obs, P, env.observationSpace.shape);
      const acted = options.deterministic ? actGreedy(agent, x, state, starts) : act(agent, x, state, starts, false, rng);
      tf.dispose([x, ...state, ...Object.values(acted.diagnostics ?? {})]);
      state = acted.state;
      const result = await env.step(acted.actions);
      for (const ep of result.info.episodes) {
        if (returns.length < target) {
          returns.push(ep.gameScore ?? ep.return);
          lengths.push(ep.length);
        }
      }
      starts = new Uint8Array(P);
      for (let p = 0; p < P; p++) starts[p] = result.terminated[p]! | result.truncated[p]!;
      obs = result.obs;
    }
  } finally {
    tf.dispose(state);
  }
  const r = summarize(returns);
  return {
    episodes: returns.length,
    deterministic: options.deterministic === true,
    returnMean: r.mean,
    returnStd: r.std,
    returnMedian: r.median,
    returnMin: r.min,
    returnMax: r.max,
    lengthMean: summarize(lengths).mean,
    returns,
    lengths,
  };
}

/**
 * {@link evaluate} on several envs by name, e.g. the training env and held-out ones, for a run's `eval.json`.
 * Each env gets the same seed, so the results differ only by env.
 *
 * @example
 * const results = await evaluateAll(agent, { 'Empty-5x5': trainEnv, 'Empty-16x16': heldOut }, { seed: 1000 });
 */
export async function evaluateAll(
  agent: ActorCritic,
  envs: Record<string, VecEnv>,
  options: EvaluateOptions,
): Promise<Record<string, EvaluationResult>> {
  const results: Record<string, EvaluationResult> = {};
  for (const [name, env] of Object.entries(envs)) results[name] = await evaluate(agent, env, options);
  return results;
}
