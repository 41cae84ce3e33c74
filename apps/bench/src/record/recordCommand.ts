import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { useBackend } from '../backend.js';
import { readRunSpec } from '../evaluateRun.js';
import { nonNegativeInt, positiveInt } from '../trainingCommands.js';
import { recordRun } from './recordRun.js';

interface RecordFlags {
  run: string;
  episodes: number;
  out?: string;
  deterministic?: boolean;
  best?: boolean;
  seed?: number;
  maxSteps: number;
  fps: number;
}


function fpsValue(value: string): number {
  const n = Number(value);
  // GIF delays are whole hundredths of a second: 1–50 fps are the rates it can show.
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new InvalidArgumentError(`--fps must be an integer in 1..50 (got '${value}')`);
  return n;
}

/** The default video path: in the run folder, named after the env and the action choice. */
export function defaultVideoPath(runDir: string, envId: string, deterministic: boolean, best = false): string {
  return join(runDir, `record-${envId.replace(/[^A-Za-z0-9.-]+/g, '_')}${deterministic ? '-deterministic' : ''}${best ? '-best' : ''}.gif`);
}

/** Adds `record`: a GIF of a run's agent playing N episodes, with its memory drawn beside each frame. */
export function addRecordCommand(program: Command, backend: () => string | undefined): void {
  program
    .command('record')
    .description("GIF of a run's newest checkpoint playing N episodes on its env, with V(s), the policy and the memory (RIM active units and input attention, IAM attention) beside each frame")
    .requiredOption('--run <dir>', 'run folder written by a training command or a study')
    .option('--episodes <n>', 'episodes to record', positiveInt('--episodes'), 1)
    .option('--out <file>', 'the GIF to write (default <run>/record-<env>[-deterministic].gif)')
    .option('--deterministic', 'take the most likely action instead of sampling one')
    .option('--best', "the agent of the run's best evaluation during training (best/, written with --eval-every) instead of its newest checkpoint")
    .option('--seed <n>', 'seed of the env reset and the sampled actions (default 10000 + the run seed)', nonNegativeInt('--seed'))
    .option('--max-steps <n>', 'longest episode recorded, in steps (a longer one is cut)', positiveInt('--max-steps'), 500)
    .option('--fps <n>', 'frames per second', fpsValue, 8)
    .action(async (flags: RecordFlags) => {
      // Checked before a backend loads: a folder that is not a run fails at once with the fix.
      const spec = readRunSpec(flags.run);
      const info = await useBackend(backend());
      console.error(`backend: ${info.name}`);
      const out = flags.out ?? defaultVideoPath(flags.run, spec.env.id, flags.deterministic === true, flags.best === true);
      const recording = await recordRun(flags.run, {
        episodes: flags.episodes,
        out,
        deterministic: flags.deterministic === true,
        best: flags.best === true,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        maxSteps: flags.maxSteps,
        fps: flags.fps,
        onEpisode: (e, i) => console.error(`episode ${i + 1}/${flags.episodes}: return ${e.return.toFixed(3)}, ${e.steps} steps (${e.ended})`),
      });
      console.log(
        `wrote ${recording.path}: ${recording.frames} frames, ${recording.width}×${recording.height}, ${(recording.bytes / 1024).toFixed(0)} KiB, ` +
          `${spec.memory} on ${spec.env.id}, ${flags.best === true ? 'best/ from' : 'checkpoint'} update ${recording.update}`,
      );
    });
}
