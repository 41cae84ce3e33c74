import { spawnSync } from 'node:child_process';

/** The Slurm commands the executor calls. */
export type SlurmTool = 'sbatch' | 'squeue' | 'sacct' | 'sinfo' | 'scontrol';

/** What a Slurm command printed and how it ended. */
export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one Slurm command and returns its output; a command missing from PATH is an error that says where
 * Slurm's commands are found (a cluster's login node, often after `module load slurm`).
 *
 * @example
 * slurmTool('sinfo', ['-h', '-o', '%P']).stdout; // 'debug*\n'
 */
export function slurmTool(tool: SlurmTool, args: readonly string[]): ToolResult {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        `${tool} not found on PATH: --executor slurm needs Slurm's commands (sbatch, squeue, sacct, sinfo); run on a login node of the cluster, ` +
          'where they often come with `module load slurm`, or use --executor local',
      );
    throw new Error(`${tool} could not be run: ${result.error.message}`);
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Slurm's own message from a failed command: its stderr lines, without the `sbatch: error: ` prefixes.
 *
 * @example
 * slurmMessage({ status: 1, stdout: '', stderr: 'sbatch: error: Invalid generic resource (gres) specification\n' });
 * // 'Invalid generic resource (gres) specification'
 */
export function slurmMessage(result: ToolResult): string {
  const lines = result.stderr
    .split('\n')
    .map((l) => l.replace(/^\w+: error: /, '').trim())
    .filter((l) => l.length > 0);
  return lines.join('; ') || `exit ${result.status} with no message`;
}
