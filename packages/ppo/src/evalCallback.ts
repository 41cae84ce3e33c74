import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { VecEnv } from '@mempo/envs';
import type { ActorCritic } from './actorCritic.js';
import { describeWriteError, writeFileAtomic, writeFolderAtomic } from './atomicWrite.js';
import type { TrainCallbacks, TrainStartInfo, UpdateEndContext } from './callbacks.js';
import { encodeCheckpoint } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import type { Metrics } from './progressCsv.js';
import { BEST_FILES, runPath } from './runFolder.js';

/** Options of {@link EvalCallback}. */
export interface EvalCallbackOptions {
  /** A separate env with the training env's spaces (not the training env: evaluating resets it). */
  env: VecEnv;
  /** Evaluate each time the run's agent steps pass a multiple of this. */
  every: number;
  /** Episodes per evaluation (default 10). */
  episodes?: number;
  /** Argmax actions instead of sampled ones (default false). */
  deterministic?: boolean;
  /** Evaluation k (k = agent steps / `every`) resets the env with `seed + k · env.numEnvs`: its own seed stream, never a training seed. */
  seed: number;
}

/** One evaluation during training: a row of `evaluations.jsonl`. */
export interface EvaluationRow {
  update: number;
  global_step: number;
  mean_return: number;
  std_return: number;
  mean_length: number;
  episodes: number;
  deterministic: boolean;
  seed: number;
  /** True when this evaluation beat every earlier one and its agent was written to `best/`. */
  best: boolean;
}

/** What `best/meta.json` holds. */
export interface BestMeta {
  update: number;
  globalStep: number;
  meanReturn: number;
  stdReturn: number;
  meanLength: number;
  episodes: number;
  deterministic: boolean;
}

/** The state an {@link EvalCallback} keeps in each checkpoint. */
interface EvalState {
  best: BestMeta | null;
}

/** The scalars an evaluation adds to its update's row (progress.csv, TensorBoard, console). */
export const EVAL_METRICS = ['eval/mean_return', 'eval/std_return', 'eval/mean_length'] as const;

/**
 * Evaluation during training that keeps the best agent, SB3's `EvalCallback`: each time the agent steps
 * pass a multiple of `every`, runs `episodes` episodes on its own env, adds `eval/mean_return`,
 * `eval/std_return` and `eval/mean_length` to the update's row, appends a row to `evaluations.jsonl`, and
 * when the mean return beats every earlier evaluation writes the agent to `best/` (atomically, with
 * `best/meta.json`). The schedule is a function of the agent steps and the best so far is stored in every
 * checkpoint, so a resumed run evaluates at the same steps, drops the rows after its checkpoint and writes
 * no duplicates. Read `best/` back with `loadAgent(runDir, { which: 'best' })`.
 *
 * @example
 * const evalEnv = new CueMemoryTask({ numEnvs: 4 });
 * await train({ config, env, encoder, core, runDir, callbacks: new EvalCallback({ env: evalEnv, every: 10_000, episodes: 20, seed: 20_001 }) });
 */
export class EvalCallback implements TrainCallbacks {
  readonly name = 'eval';
  readonly metricNames = EVAL_METRICS;
  private readonly env: VecEnv;
  private readonly every: number;
  private readonly episodes: number;
  private readonly deterministic: boolean;
  private readonly seed: number;
  private runDir: string | undefined;
  private best: BestMeta | null = null;
  private restored = false;

  constructor(options: EvalCallbackOptions) {
    const { every, episodes = 10, seed } = options;
    if (!Number.isSafeInteger(every) || every < 1) throw new Error(`EvalCallback: every must be a positive integer of agent steps (got ${every})`);
    if (!Number.isSafeInteger(episodes) || episodes < 1) throw new Error(`EvalCallback: episodes must be a positive integer (got ${episodes})`);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`EvalCallback: seed must be an integer ≥ 0 (got ${seed})`);
    this.env = options.env;
    this.every = every;
    this.episodes = episodes;
    this.deterministic = options.deterministic === true;
    this.seed = seed;
  }

  /** The best evaluation so far (null before the first). */
  get bestSoFar(): Readonly<BestMeta> | null {
    return this.best;
  }

  state(): EvalState {
    return { best: this.best };
  }

  restore(state: unknown): void {
    this.restored = state !== undefined;
    this.best = (state as EvalState | undefined)?.best ?? null;
  }

  onTrainStart(info: TrainStartInfo): void {
    this.runDir = info.runDir;
    if (this.runDir === undefined) return;
    // Rows after the checkpoint were written by a process that stopped before checkpointing them: the resumed run writes them again.
    // A checkpoint written while no EvalCallback ran holds no best so far: the one on disk (from before) still counts.
    const bestMeta = join(runPath(this.runDir, 'best'), BEST_FILES.meta);
    if (!this.restored && info.startStep > 0 && existsSync(bestMeta)) {
      const meta = JSON.parse(readFileSync(bestMeta, 'utf8')) as BestMeta;
      if (meta.globalStep <= info.startStep) this.best = meta;
    }
    const path = runPath(this.runDir, 'evaluations');
    const text = info.startStep > 0 && existsSync(path) ? readFileSync(path, 'utf8') : '';
    const kept = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line !== '' && (JSON.parse(line) as EvaluationRow).global_step <= info.startStep);
    writeFileAtomic(path, kept.map((line) => `${line}\n`).join(''));
  }

  async onUpdateEnd(context: UpdateEndContext): Promise<Metrics | void> {
    const { globalStep, update } = context;
    const k = Math.floor(globalStep / this.every);
    // The steps passed a multiple of `every` during this update (an update may pass several: one evaluation).
    if (k === Math.floor((globalStep - context.stepsPerUpdate) / this.every)) return;
    const agent = context.agent();
    const seed = this.seed + k * this.env.numEnvs;
    const result = await evaluate(agent, this.env, { episodes: this.episodes, seed, deterministic: this.deterministic });
    const isBest = this.best === null || result.returnMean > this.best.meanReturn;
    if (isBest) {
      this.best = {
        update,
        globalStep,
        meanReturn: result.returnMean,
        stdReturn: result.returnStd,
        meanLength: result.lengthMean,
        episodes: result.episodes,
        deterministic: this.deterministic,
      };
      if (this.runDir !== undefined) writeBest(this.runDir, agent, this.best);
    }
    if (this.runDir !== undefined) {
      const row: EvaluationRow = {
        update,
        global_step: globalStep,
        mean_return: result.returnMean,
        std_return: result.returnStd,
        mean_length: result.lengthMean,
        episodes: result.episodes,
        deterministic: this.deterministic,
        seed,
        best: isBest,
      };
      const path = runPath(this.runDir, 'evaluations');
      try {
        appendFileSync(path, `${JSON.stringify(row)}\n`);
      } catch (err) {
        throw describeWriteError(path, err);
      }
    }
    return { 'eval/mean_return': result.returnMean, 'eval/std_return': result.returnStd, 'eval/mean_length': result.lengthMean };
  }
}

/** Writes the agent's weights and the evaluation to `best/`, replacing the old folder only once complete. */
function writeBest(runDir: string, agent: ActorCritic, meta: BestMeta): void {
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, w] of Object.entries(agent.getWeights())) tensors[`model/${name}`] = w;
  try {
    writeFolderAtomic(runPath(runDir, 'best'), {
      ...encodeCheckpoint({ meta: { ...meta }, tensors }),
      [BEST_FILES.meta]: JSON.stringify(meta, null, 2) + '\n',
    });
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
