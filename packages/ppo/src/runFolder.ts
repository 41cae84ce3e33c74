import { join } from 'node:path';

/**
 * The layout of a run folder: every file a run writes, by one name each. `train` writes the first five (and, with an `EvalCallback`, `evaluations.jsonl` and `best/`);
 * the bench's commands add the spec, plan, evaluation, diagnostics and log beside them. Code that reads or
 * writes a run folder takes its paths from here, never from a literal.
 */
export const RUN_FILES = {
  /** `{ ppo, encoder, core, heads }`: the resolved configs the agent was built from (what `loadAgent` reads). */
  config: 'config.json',
  /** One row per update (spec columns); on resume, rows after the checkpoint are dropped. */
  progress: 'progress.csv',
  /** `update-NNNNNN/` folders, each `manifest.json` + `tensors.bin`. */
  checkpoints: 'checkpoints',
  /** TensorBoard event files. */
  tensorBoard: 'tb',
  /** A folder present while a process trains the run (made by one `mkdir`, mtime refreshed); see {@link LOCK_FILES}. */
  lock: 'run.lock',
  /** The bench's run spec (env, memory, preset, seed, core overrides). */
  spec: 'run.json',
  /** A study run's resolved plan and its fingerprint. */
  plan: 'plan.json',
  /** The final evaluation; written last, so its presence marks a finished study run. */
  evaluation: 'eval.json',
  /** Env 0's core diagnostics over the first evaluation steps (RIM, IAM). */
  diagnostics: 'diagnostics.json',
  /** A study run's console output. */
  log: 'run.log',
  /** Evaluations during training (`EvalCallback`): one JSON row per evaluation; on resume, rows after the checkpoint are dropped. */
  evaluations: 'evaluations.jsonl',
  /** The agent of the best evaluation during training so far: {@link BEST_FILES}. */
  best: 'best',
} as const;

/** The files of one checkpoint folder (`checkpoints/update-NNNNNN/`). */
export const CHECKPOINT_FILES = {
  /** `{ meta, tensors: [{ name, shape, offset }] }`: the run's counters and config, and the tensor index. */
  manifest: 'manifest.json',
  /** The tensors, float32 little-endian, concatenated; its size must match the manifest to the byte. */
  tensors: 'tensors.bin',
} as const;

/** The files of the `best/` folder: a checkpoint's two files (model weights only) and what the evaluation found. */
export const BEST_FILES = {
  ...CHECKPOINT_FILES,
  /** `{ update, globalStep, meanReturn, stdReturn, meanLength, episodes, deterministic }` of the evaluation that made it best. */
  meta: 'meta.json',
} as const;

/** The files inside the lock folder (`run.lock/`). */
export const LOCK_FILES = {
  /** `{ pid, host, command, since }`: who holds the lock, for the message a second process gets. */
  holder: 'holder.json',
} as const;

/** One of {@link RUN_FILES}' names. */
export type RunFile = keyof typeof RUN_FILES;

/**
 * The path of one file of a run folder.
 *
 * @example
 * readFileSync(runPath('runs/breakout-rim-s1', 'config'), 'utf8');
 */
export function runPath(runDir: string, file: RunFile): string {
  return join(runDir, RUN_FILES[file]);
}
