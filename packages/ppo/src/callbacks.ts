import type { ActorCritic } from './actorCritic.js';
import type { Metrics } from './progressCsv.js';
import type { BudgetChange } from './schedules.js';

/** What {@link TrainCallbacks.onTrainStart} learns before the first update of this process. */
export interface TrainStartInfo {
  /** The run folder, when the run writes one. */
  runDir?: string;
  /** The budget in agent steps and in updates (the config's `totalSteps`, a whole number of updates). */
  totalSteps: number;
  totalUpdates: number;
  /** Where this process starts: 0 for a fresh run, the checkpoint's counters for a resumed one. */
  startStep: number;
  startUpdate: number;
  /** Agent steps per update (envs × steps per env). */
  stepsPerUpdate: number;
  /** Set when a resumed run was given another budget than its checkpoint's (the ppo README, "Continuing a run"). */
  budgetChange: BudgetChange | null;
}

/** What {@link TrainCallbacks.onUpdateEnd} sees after an update has learned, before its row is logged. */
export interface UpdateEndContext {
  update: number;
  globalStep: number;
  /** Agent steps this update added (envs × steps per env). */
  stepsPerUpdate: number;
  /** The update's row as logged so far (read it; return scalars to add). */
  metrics: Readonly<Metrics>;
  /** The agent with the newest weights; the first call pulls the graph engine's resident values, so call it only when needed. */
  agent(): ActorCritic;
}

/**
 * Hooks into the training loop, in the spirit of SB3's callbacks, without editing it. Per update, in order:
 * `onUpdateEnd` (scalars it returns join the update's row), the row goes to progress.csv and the scalar
 * writer, `onProgress`, `onUpdate` (may stop the run), then the checkpoint and `onCheckpoint`.
 * A callback with a `name` and `state`/`restore` keeps its state in every checkpoint, so a resumed run
 * continues it exactly.
 */
export interface TrainCallbacks {
  /** Key of this callback's state in a checkpoint's `meta.callbacks`; needed with `state`/`restore`. */
  name?: string;
  /** Scalars `onUpdateEnd` may return: every row gets these columns (empty when not returned). */
  metricNames?: readonly string[];
  /** Once, after a resume (or a fresh start) and before the first update of this process. */
  onTrainStart?(info: TrainStartInfo): void | Promise<void>;
  /** After every update's learning, before its row is logged; returned scalars are added to the row. */
  onUpdateEnd?(context: UpdateEndContext): void | Metrics | Promise<void | Metrics>;
  /** After every update's log row, with the weights not pulled to the host (cheap: a display). */
  onProgress?(metrics: Metrics): void;
  /** After every update's log row, with the newest weights; return 'stop' to end the run early (after its checkpoint). */
  onUpdate?(metrics: Metrics, agent: ActorCritic): void | 'stop' | Promise<void | 'stop'>;
  /** After a checkpoint is written. */
  onCheckpoint?(path: string, update: number): void;
  /** Once when the loop ends, however it ends (finished, stopped, or failed). */
  onTrainEnd?(): void;
  /** This callback's state, JSON, written into every checkpoint. */
  state?(): unknown;
  /** The state from the checkpoint a run resumes from; `undefined` for a fresh run or a checkpoint without it. */
  restore?(state: unknown): void;
}

/** One callback or several, as `train` takes them. */
export type TrainCallbackList = TrainCallbacks | readonly TrainCallbacks[];

/** The callbacks as a list, each named callback with state at most once. */
export function callbackList(callbacks: TrainCallbackList | undefined): readonly TrainCallbacks[] {
  const list = callbacks === undefined ? [] : Array.isArray(callbacks) ? (callbacks as readonly TrainCallbacks[]) : [callbacks as TrainCallbacks];
  const names = new Set<string>();
  for (const cb of list) {
    if ((cb.state || cb.restore) && cb.name === undefined) throw new Error('a callback with state() or restore() needs a name: its state is stored under it in each checkpoint');
    if (cb.name === undefined) continue;
    if (names.has(cb.name)) throw new Error(`two callbacks are named '${cb.name}': give each its own name`);
    names.add(cb.name);
  }
  return list;
}
