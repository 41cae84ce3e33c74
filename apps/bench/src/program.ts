import { Command, InvalidArgumentError, Option } from 'commander';
import { ATARI_BACKENDS } from '@mempo/envs';
import { BACKENDS, type BackendName } from './backend.js';
import { printDoctor, runDoctor } from './doctor.js';
import { writeJsonAtomic } from './speed/speedReport.js';
import { runSpeedSuite, SPEED_SUITES, type SpeedSuiteName } from './speed/suites.js';
import { addTrainingCommands } from './trainingCommands.js';
import { addCopyCommand } from './copyCommand.js';
import { addEvaluateCommand } from './evaluateCommand.js';
import { addRecordCommand } from './record/recordCommand.js';
import { addStudyCommands } from './studies/studyCommands.js';

function backendList(value: string): BackendName[] {
  const names = value.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!BACKENDS.includes(name as BackendName))
      throw new InvalidArgumentError(`each backend must be one of ${BACKENDS.join(', ')} (got '${name}')`);
  }
  return names as BackendName[];
}

/**
 * The `mempo` command line: every command with its flags, parsers and actions, not yet parsed. `cli.ts` parses
 * `process.argv` with it; tests parse README command lines with it (actions replaced, nothing started).
 *
 * @example
 * await buildProgram().parseAsync(['node', 'mempo', 'doctor']);
 */
export function buildProgram(): Command {
  const program = new Command('mempo')
    .description('Memory modules for recurrent PPO: training runs, studies, benchmarks')
    .showHelpAfterError()
    // Global flags go before the command, so a subcommand's flags (`study status NAME --out X`) are its own.
    .enablePositionalOptions()
    .addOption(new Option('--backend <name>', 'tensor backend (default: MEMPO_BACKEND, else the best that loads)').choices(BACKENDS))
    .addOption(
      new Option('--atari-backend <name>', 'where Atari runs: native (the ALE addon; default when built) or bridge (Python worker); default MEMPO_ATARI_BACKEND')
        .choices(ATARI_BACKENDS),
    )
    .hook('preAction', () => {
      // Through the environment, so that study runs in child processes use it too (training/environments.ts).
      const atari = program.opts().atariBackend as string | undefined;
      if (atari !== undefined) process.env.MEMPO_ATARI_BACKEND = atari;
    });

  program
    .command('doctor')
    .description('check the tensor backend, the Python environments and the ROMs; exit 1 when something required is missing')
    .action(async () => {
      const ok = printDoctor(await runDoctor(program.opts().backend));
      process.exitCode = ok ? 0 : 1;
    });

  program
    .command('speed')
    .description('micro-benchmarks; writes <out>/speed-<suite>.json and prints a table')
    .addOption(new Option('--suite <name>', 'which benchmark suite').choices(Object.keys(SPEED_SUITES)).default('engine'))
    .option('--backends <list>', `engine suite: comma-separated subset of ${BACKENDS.join(',')} (default: all that load)`, backendList)
    .option('--out <dir>', 'folder for the JSON results', 'bench-results')
    .action(async (opts: { suite: SpeedSuiteName; backends?: BackendName[]; out: string }) => {
      const { results, table, device } = await runSpeedSuite(opts.suite, {
        backends: opts.backends,
        backend: program.opts().backend,
        onProgress: (line) => process.stderr.write(`  ${line}\n`),
      });
      const file = writeJsonAtomic(opts.out, `speed-${opts.suite}`, { suite: opts.suite, date: new Date().toISOString(), device, results });
      console.log(table);
      console.log(`\nwrote ${file}`);
    });

  addTrainingCommands(program, () => program.opts().backend);
  addCopyCommand(program, () => program.opts().backend);
  addEvaluateCommand(program, () => program.opts().backend);
  addRecordCommand(program, () => program.opts().backend);
  addStudyCommands(program, () => program.opts().backend);
  return program;
}
