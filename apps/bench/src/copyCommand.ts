import { Command, Option } from 'commander';
import { markdownTable } from 'markdown-table';
import { useBackend } from './backend.js';
import { runCopyTask, type CopyTaskResult } from './copyTask/runCopyTask.js';
import { writeJsonAtomic } from './speed/speedReport.js';
import { positiveInt } from './trainingCommands.js';

interface CopyFlags {
  memory: 'rim' | 'lstm' | 'both';
  steps: number;
  digits: number;
  trainGap: number;
  testGap: number;
  units: number;
  k: number;
  hidden: number;
  batch: number;
  seed: number;
  out: string;
}

/**
 * `mempo copy`: the RIM paper's copying task (Table 1). Defaults are the paper's sizes (10 digits, gap 50 in
 * training and 200 at test, RIM 6 units with k = 4 and 600 hidden vs LSTM 600); `--steps` sets the number of
 * Adam updates, far fewer than the paper's by default so that a run finishes in minutes.
 */
export function addCopyCommand(program: Command, backend: () => string | undefined): void {
  program
    .command('copy')
    .description("the RIM paper's copying task: cross-entropy over the last digits at the train and test gaps")
    .addOption(new Option('--memory <core>', 'which model(s)').choices(['rim', 'lstm', 'both']).default('both'))
    .option('--steps <n>', 'Adam updates per model', positiveInt('--steps'), 200)
    .option('--digits <n>', 'digits to copy', positiveInt('--digits'), 10)
    .option('--train-gap <n>', 'zero gap while training', positiveInt('--train-gap'), 50)
    .option('--test-gap <n>', 'zero gap at test', positiveInt('--test-gap'), 200)
    .option('--units <n>', 'RIM units', positiveInt('--units'), 6)
    .option('--k <n>', 'RIM active units', positiveInt('--k'), 4)
    .option('--hidden <n>', 'total hidden size (RIM: units × per-unit)', positiveInt('--hidden'), 600)
    .option('--batch <n>', 'minibatch size', positiveInt('--batch'), 64)
    .option('--seed <n>', 'seed', positiveInt('--seed'), 1)
    .option('--out <dir>', 'folder for copy.json', 'bench-results')
    .action(async (flags: CopyFlags) => {
      await useBackend(backend());
      const memories = flags.memory === 'both' ? (['rim', 'lstm'] as const) : [flags.memory];
      const results: CopyTaskResult[] = [];
      for (const memory of memories) {
        results.push(
          await runCopyTask({
            memory, steps: flags.steps, digits: flags.digits, trainGap: flags.trainGap, testGap: flags.testGap,
            units: flags.units, k: flags.k, hiddenSize: flags.hidden, batchSize: flags.batch, seed: flags.seed,
            onProgress: (step, loss) => process.stderr.write(`  ${memory} step ${step}/${flags.steps}: loss ${loss.toFixed(4)}\n`),
          }),
        );
      }
      const file = writeJsonAtomic(flags.out, 'copy', { date: new Date().toISOString(), flags, results });
      console.log(
        markdownTable([
          ['model', 'updates', `CE train gap ${flags.trainGap}`, `CE test gap ${flags.testGap}`, 'seconds'],
          ...results.map((r) => [r.memory, String(r.steps), r.trainGapLoss.toFixed(3), r.testGapLoss.toFixed(3), r.seconds.toFixed(0)]),
        ]),
      );
      console.log(`\nwrote ${file}`);
    });
}
