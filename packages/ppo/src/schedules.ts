import type { PpoConfig, Schedule } from './config.js';

/**
 * Value of a scheduled hyperparameter at update `update` (0-based) of `totalUpdates` (the ppo README,
 * "Schedules"). Linear follows CleanRL's anneal, `start · (1 − update / totalUpdates)`: it starts at `start`
 * and reaches `start / totalUpdates` at the last update, never exactly 0, so the last update still learns.
 */
export function scheduledValue(schedule: Schedule, start: number, update: number, totalUpdates: number): number {
  if (schedule === 'constant') return start;
  return start * (1 - update / totalUpdates);
}

/** A resumed run's new budget and what it does to the schedules (the ppo README, "Continuing a run"). */
export interface BudgetChange {
  fromSteps: number;
  toSteps: number;
  fromUpdates: number;
  toUpdates: number;
  /** The first update (1-based) trained under the new budget. */
  atUpdate: number;
  learningRate: { before: number; after: number };
  clipEpsilon: { before: number; after: number };
  /** One line for the console: the budgets and, for each linear schedule, its jump. */
  message: string;
}

type ScheduledFields = Pick<PpoConfig, 'lrSchedule' | 'learningRate' | 'clipSchedule' | 'clipEpsilon'>;

/**
 * What continuing a run at update `done` (updates finished) under a new budget does to the schedules. The
 * schedules are functions of the update and the *current* budget (SB3's `reset_num_timesteps=False`): from
 * update `done + 1` on, each takes the value a run started with the new budget would have there, so a linear
 * learning rate jumps (up for a larger budget) and then anneals to the new end. `before` is the value the old
 * budget gave update `done + 1` (its last value when the old run finished).
 *
 * @example
 * // old: learningRate 5e-4 linear over 8 updates of 32 steps; next: the same over 16
 * const change = budgetChange(old, next, 8, 16, 8);
 * change.message; // 'budget 256 → 512 agent steps (8 → 16 updates), continuing after update 8: … at update 9 the learning rate jumps from 0.0000625 to 0.00025 …'
 */
export function budgetChange(
  old: ScheduledFields & { totalSteps: number },
  next: ScheduledFields & { totalSteps: number },
  fromUpdates: number,
  toUpdates: number,
  done: number,
): BudgetChange {
  // An old run that finished has no value at update done + 1: it held its last one (update done).
  const oldAt = Math.min(done, fromUpdates - 1);
  const learningRate = { before: scheduledValue(old.lrSchedule, old.learningRate, oldAt, fromUpdates), after: scheduledValue(next.lrSchedule, next.learningRate, done, toUpdates) };
  const clipEpsilon = { before: scheduledValue(old.clipSchedule, old.clipEpsilon, oldAt, fromUpdates), after: scheduledValue(next.clipSchedule, next.clipEpsilon, done, toUpdates) };
  const fmt = (v: number) => String(Number(v.toPrecision(4)));
  const moves: string[] = [];
  for (const [name, v, schedule] of [['learning rate', learningRate, next.lrSchedule], ['clip range', clipEpsilon, next.clipSchedule]] as const)
    if (schedule !== 'constant' || v.before !== v.after)
      moves.push(v.before === v.after ? `the ${name} stays at ${fmt(v.after)}` : `the ${name} jumps from ${fmt(v.before)} to ${fmt(v.after)}`);
  const message =
    `budget ${old.totalSteps} → ${next.totalSteps} agent steps (${fromUpdates} → ${toUpdates} updates), continuing after update ${done}: ` +
    (moves.length === 0
      ? 'the learning rate and clip range are constant, nothing else changes'
      : `linear schedules now anneal to update ${toUpdates}, as in a run started with ${next.totalSteps}; at update ${done + 1} ${moves.join(' and ')}`);
  return { fromSteps: old.totalSteps, toSteps: next.totalSteps, fromUpdates, toUpdates, atUpdate: done + 1, learningRate, clipEpsilon, message };
}
