#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKENDS, type BackendName } from './backend.js';
import { printDoctor, runDoctor } from './doctor.js';
import { engineTable, writeJsonAtomic } from './speed/speedReport.js';
import { runEngineSuite } from './speed/engineSuite.js';

const SPEED_SUITES = ['engine'] as const;

function backendList(value: string): BackendName[] {
  const names = value.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!BACKENDS.includes(name as BackendName))
      throw new InvalidArgumentError(`each backend must be one of ${BACKENDS.join(', ')} (got '${name}')`);
  }
  return names as BackendName[];
}

const program = new Command('mempo')
  .description('Memory modules for recurrent PPO: training runs, studies, benchmarks')
  .showHelpAfterError()
  .addOption(new Option('--backend <name>', 'tensor backend (default: MEMPO_BACKEND, else the best that loads)').choices(BACKENDS));

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
  .addOption(new Option('--suite <name>', 'which benchmark suite').choices(SPEED_SUITES).default('engine'))
  .option('--backends <list>', `comma-separated subset of ${BACKENDS.join(',')} (default: all that load)`, backendList)
  .option('--out <dir>', 'folder for the JSON results', 'bench-results')
  .action(async (opts: { suite: (typeof SPEED_SUITES)[number]; backends?: BackendName[]; out: string }) => {
    const results = await runEngineSuite(opts.backends, (line) => process.stderr.write(`  ${line}\n`));
    const file = writeJsonAtomic(opts.out, `speed-${opts.suite}`, { suite: opts.suite, date: new Date().toISOString(), results });
    console.log(engineTable(results));
    console.log(`\nwrote ${file}`);
  });

program
  .command('atari')
  .description('train on flickering Atari (needs the PPO trainer and the gymnasium bridge)')
  .option('--memory <core>', 'memory core', 'rim')
  .action(() => {
    console.error(
      'mempo atari is not available yet. Still missing: the gymnasium bridge for Atari (@mempo/envs), ' +
        'the recurrent PPO trainer (@mempo/ppo) and the RIM core (@mempo/rim). ' +
        "Run 'mempo doctor' to check the parts that are in place.",
    );
    process.exitCode = 2;
  });

await program.parseAsync();
