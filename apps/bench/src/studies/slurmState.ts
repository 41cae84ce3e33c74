import { slurmMessage, slurmTool } from './slurmCli.js';

/** What Slurm says of one array task (`<job>_<task>`). */
export interface TaskState {
  /** Slurm's state word: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, … */
  state: string;
  /** `exit:signal` as sacct prints it (e.g. `143:0`, `0:15`); absent when only squeue answered. */
  exitCode?: string;
  /** Slurm's reason (why pending, or why it ended), when it gave one. */
  reason?: string;
  /** The node(s) it runs or ran on. */
  nodes?: string;
}

/** The states in which a task may still run: queued, starting, running or being requeued. */
const ACTIVE = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'RESIZING', 'SUSPENDED', 'STAGE_OUT', 'SIGNALING', 'STOPPED']);

/**
 * True while Slurm may still run the task.
 *
 * @example
 * isActive({ state: 'PENDING' }); // true
 */
export function isActive(state: TaskState): boolean {
  return ACTIVE.has(state.state);
}

/**
 * One `JobID|State|ExitCode|Reason|NodeList` line per task id (`12_3`); array ranges of pending tasks are skipped.
 *
 * @example
 * parseTaskLines('12_0|CANCELLED by 0|0:0|None|vm').get('12_0'); // { state: 'CANCELLED', exitCode: '0:0', reason: 'by uid 0', nodes: 'vm' }
 */
export function parseTaskLines(text: string): Map<string, TaskState> {
  const tasks = new Map<string, TaskState>();
  for (const line of text.split('\n')) {
    const [id, state, exitCode, reason, nodes] = line.split('|');
    if (!id || !state || !/^\d+_\d+$/.test(id)) continue;
    const word = state.split(' ')[0]!;
    const byWhom = state.slice(word.length).trim();
    tasks.set(id, {
      state: word,
      ...(exitCode ? { exitCode } : {}),
      ...(reason && reason !== 'None' ? { reason } : byWhom ? { reason: byWhom.replace(/^by (\d+)$/, 'by uid $1') } : {}),
      ...(nodes && nodes !== 'None assigned' && nodes !== '(null)' ? { nodes } : {}),
    });
  }
  return tasks;
}

/**
 * The state of every task of the given jobs: `sacct` for what ended (its exit code and reason), `squeue` for
 * what is queued or running (it is current where the accounting database lags). A cluster without
 * accounting still answers through squeue (finished tasks stay there for Slurm's MinJobAge); `note` then says
 * why exit codes are missing.
 *
 * @example
 * queryTasks(['12']).tasks.get('12_0')?.state; // 'RUNNING'
 */
export function queryTasks(jobIds: readonly string[]): { tasks: Map<string, TaskState>; note?: string } {
  if (jobIds.length === 0) return { tasks: new Map() };
  const tasks = new Map<string, TaskState>();
  let note: string | undefined;
  const sacct = slurmTool('sacct', ['-n', '-X', '-P', '-j', jobIds.join(','), '-o', 'JobID,State,ExitCode,Reason,NodeList']);
  if (sacct.status === 0) for (const [id, t] of parseTaskLines(sacct.stdout)) tasks.set(id, t);
  else note = `sacct: ${slurmMessage(sacct)}`;
  for (const job of jobIds) {
    // One job at a time: squeue refuses a whole list when one id has left its memory.
    const squeue = slurmTool('squeue', ['-h', '-r', '-t', 'all', '-j', job, '-o', '%i|%T||%r|%N']);
    if (squeue.status !== 0) continue;
    for (const [id, t] of parseTaskLines(squeue.stdout)) tasks.set(id, { ...tasks.get(id), ...t });
  }
  return { tasks, ...(note ? { note } : {}) };
}
