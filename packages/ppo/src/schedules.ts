import type { Schedule } from './config.js';

/**
 * Value of a scheduled hyperparameter at update `update` (0-based) of `totalUpdates` (the ppo README,
 * "Schedules"). Linear follows CleanRL's anneal, `start · (1 − update / totalUpdates)`: it starts at `start`
 * and reaches `start / totalUpdates` at the last update, never exactly 0, so the last update still learns.
 */
export function scheduledValue(schedule: Schedule, start: number, update: number, totalUpdates: number): number {
  if (schedule === 'constant') return start;
  return start * (1 - update / totalUpdates);
}
