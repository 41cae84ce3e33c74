import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { EngineChoice } from '@mempo/ppo';
import { useBackend } from '../backend.js';
import { buildReport } from '../report/buildReport.js';
import { collectResults } from '../report/studyResults.js';
import { positiveInt } from '../trainingCommands.js';
import { installRelayHandlers, installStopHandlers, stopReport } from '../training/stopSignals.js';
import { executeRun, readPlan } from './executeRun.js';
import { EXECUTORS, localExecutor, slurmExecutor, type ExecutorName } from './executor.js';
import { exportStudy, formatExport } from './exportStudy.js';
import { formatStatus, studyStatus } from './slurmExecutor.js';
import type { SlurmResources } from './slurmScript.js';
import { planRuns } from './studyRuns.js';
import { SBATCH_OPTION, SLURM_MEMORY, SLURM_TIME, checkStudyEnvs, loadStudy, type Study } from './studySchema.js';

/** The shipped study files (`apps/bench/studies/`), from both `src/studies` and `dist/studies`. */
export const STUDIES_DIR = fileURLToPath(new URL('../../studies/', import.meta.url));

/** The names of the shipped studies. */
export function shippedStudies(): string[] {
  return existsSync(STUDIES_DIR) ? readdirSync(STUDIES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)) : [];
}

/** The file a study argument names: a path to a JSON file or the name of a shipped study. */
function studyFile(arg: string): string {
  if (existsSync(arg)) return arg;
  const shipped = join(STUDIES_DIR, `${arg}.json`);
  if (existsSync(shipped)) return shipped;
  throw new InvalidArgumentError(`study must be a JSON file or one of ${shippedStudies().join(', ')} (got '${arg}')`);
}

/** A study argument is a path to a JSON file or the name of a shipped study. */
export function resolveStudy(arg: string): Study {
  return loadStudy(studyFile(arg));
}

interface StudyFlags {
  out?: string;
  parallelism?: number;
  frames?: number;
  seeds?: number;
  engine?: EngineChoice;
  report: boolean;
  executor: ExecutorName;
  wait?: boolean;
  retryFailed?: boolean;
  pollSeconds: number;
  partition?: string;
  cpusPerTask?: number;
  mem?: string;
  time?: string;
  gres?: string;
  sbatchLine: string[];
}

/** A flag value checked against the pattern the study file's `slurm` block uses. */
function matching(flag: string, pattern: RegExp, example: string) {
  return (value: string): string => {
    if (!pattern.test(value)) throw new InvalidArgumentError(`${flag} must look like ${example} (got '${value}')`);
    return value;
  };
}

/** The flags that only the Slurm executor reads, by their option key. */
const SLURM_FLAGS = {
  wait: '--wait',
  retryFailed: '--retry-failed',
  partition: '--partition',
  cpusPerTask: '--cpus-per-task',
  mem: '--mem',
  time: '--time',
  gres: '--gres',
} as const satisfies Partial<Record<keyof StudyFlags, string>>;

/** The study file's `slurm` block with the command-line flags applied (`--parallelism` caps the array). */
function slurmResources(study: Study, flags: StudyFlags): SlurmResources {
  const base = study.slurm ?? { signalGrace: 120, sbatchLines: [] };
  return {
    ...base,
    ...(flags.partition !== undefined ? { partition: flags.partition } : {}),
    ...(flags.cpusPerTask !== undefined ? { cpusPerTask: flags.cpusPerTask } : {}),
    ...(flags.mem !== undefined ? { mem: flags.mem } : {}),
    ...(flags.time !== undefined ? { time: flags.time } : {}),
    ...(flags.gres !== undefined ? { gres: flags.gres } : {}),
    ...(flags.parallelism !== undefined ? { maxConcurrent: flags.parallelism } : {}),
    sbatchLines: [...base.sbatchLines, ...flags.sbatchLine],
  };
}

/** Applies the command-line overrides (`--frames`, `--seeds` for smoke runs, `--engine`) to a study. */
function withOverrides(study: Study, flags: Pick<StudyFlags, 'frames' | 'seeds' | 'engine'>): Study {
  if (flags.seeds !== undefined && flags.seeds > study.seeds.length)
    throw new InvalidArgumentError(`--seeds must be at most ${study.seeds.length}, the seeds listed in the study (got ${flags.seeds})`);
  return {
    ...study,
    ...(flags.seeds !== undefined ? { seeds: study.seeds.slice(0, flags.seeds) } : {}),
    ...(flags.engine !== undefined ? { engine: flags.engine } : {}),
    ...(flags.frames !== undefined ? { frames: flags.frames, experiments: study.experiments.map((e) => ({ ...e, frames: flags.frames })) } : {}),
  };
}

/** Adds `study`, `report` and the internal `study-run` (one run in a child process) to the CLI. */
export function addStudyCommands(program: Command, backend: () => string | undefined): void {
  const studyArg = `a study file or a shipped study (${shippedStudies().join(', ')})`;
  const study = program
    .command('study')
    .description('run a reproduction study (grid of env × memory × seed) in a local process pool or as a Slurm job array, then write its report')
    .argument('<study>', studyArg)
    // `study status NAME --out X`: the flags after `status` are its own, not the study command's.
    .enablePositionalOptions()
    .option('--out <dir>', 'study folder (default study-results/<name>); finished runs there are skipped, interrupted ones resumed')
    .addOption(new Option('--executor <name>', 'local: a process pool on this machine; slurm: one sbatch job array, a task per run').choices(EXECUTORS).default('local'))
    .option('--parallelism <n>', 'runs at once (default: the number of cores; slurm: the array\'s %M cap, default none)', positiveInt('--parallelism'))
    .option('--frames <n>', "override every run's frame budget (smoke runs)", positiveInt('--frames'))
    .option('--seeds <n>', 'use only the first n seeds of the study', positiveInt('--seeds'))
    .addOption(new Option('--engine <engine>', "every run's execution engine (default: the study file's, else auto)").choices(['auto', 'graph', 'eager']))
    .option('--no-report', 'skip the report at the end')
    .option('--wait', 'slurm: follow the job until every run has ended, then write the report')
    .option('--retry-failed', 'slurm: submit again the runs whose last task failed (they resume from their checkpoint)')
    .option('--poll-seconds <n>', 'slurm --wait: seconds between looks at the queue', positiveInt('--poll-seconds'), 30)
    .option('--partition <name>', 'slurm: partition (default: the study file\'s slurm.partition, else the cluster\'s default)')
    .option('--cpus-per-task <n>', 'slurm: CPUs of each run (also its TensorFlow threads)', positiveInt('--cpus-per-task'))
    .option('--mem <size>', "slurm: memory of each run, e.g. '8G'", matching('--mem', SLURM_MEMORY, "'8G' or '4000M'"))
    .option('--time <limit>', "slurm: time limit of each run, e.g. '4:00:00'", matching('--time', SLURM_TIME, "'90', '4:00:00' or '1-12:00:00'"))
    .option('--gres <spec>', "slurm: generic resources of each run, e.g. 'gpu:1'")
    .option(
      '--sbatch-line <option>',
      "slurm: an extra #SBATCH option, e.g. '--account=lab' (repeatable)",
      (value: string, previous: string[]) => [...previous, matching('--sbatch-line', SBATCH_OPTION, "'--account=lab'")(value)],
      [],
    )
    .action(async (arg: string, flags: StudyFlags) => {
      const file = studyFile(arg);
      const study = withOverrides(loadStudy(file), flags);
      if (flags.executor === 'local') {
        const misplaced = [
          ...Object.entries(SLURM_FLAGS).filter(([key]) => flags[key as keyof typeof SLURM_FLAGS] !== undefined).map(([, flag]) => flag),
          ...(flags.sbatchLine.length > 0 ? ['--sbatch-line'] : []),
        ];
        if (misplaced.length > 0)
          throw new InvalidArgumentError(`${misplaced.join(', ')} ${misplaced.length === 1 ? 'applies' : 'apply'} to --executor slurm only (the local executor always waits and resumes every unfinished run)`);
      }
      // Env ids that only ale-py can check are checked here, before any run trains.
      await checkStudyEnvs(study, file);
      const out = flags.out ?? join('study-results', study.name);
      const plans = planRuns(study, out, (line) => console.error(line));
      console.error(`study ${study.name}: ${plans.length} runs into ${out}`);
      // Local runs are this process's children: Ctrl-C/SIGTERM stop them through it (Slurm's are not).
      const relay = flags.executor === 'local' ? installRelayHandlers() : null;
      const executor =
        flags.executor === 'slurm'
          ? slurmExecutor({
              study: study.name,
              out,
              resources: slurmResources(study, flags),
              retryFailed: flags.retryFailed === true,
              ...(backend() ? { backend: backend()! } : {}),
              ...(flags.wait ? { wait: { pollSeconds: flags.pollSeconds } } : {}),
            })
          : localExecutor({
              ...(flags.parallelism ? { parallelism: flags.parallelism } : {}),
              ...(backend() ? { backend: backend()! } : {}),
              ...(relay ? { stop: relay.stop, kill: relay.kill } : {}),
            });
      const { ended, failed, summary } = await executor.execute(plans).finally(() => relay?.dispose());
      console.error(`study ${study.name}: ${summary}`);
      if (relay?.stop.aborted) {
        console.error(`study ${study.name} stopped: run the same command again to resume it`);
        process.exitCode = relay.exitCode();
        return;
      }
      if (flags.report && ended) {
        const report = await buildReport(collectResults(study, out, plans));
        console.log(`report: ${report.html}\ntables: ${report.markdown}, ${report.csv}`);
      }
      if (failed) process.exitCode = 1;
    });

  study
    .command('status')
    .description("each run of a study submitted to Slurm: done, pending, running, failed (with Slurm's state, exit code, reason and the log paths), not submitted")
    .argument('<study>', studyArg)
    .option('--out <dir>', 'study folder (default study-results/<name>)')
    .option('--frames <n>', 'the --frames the study ran with', positiveInt('--frames'))
    .option('--seeds <n>', 'the --seeds the study ran with', positiveInt('--seeds'))
    .action((arg: string, flags: Pick<StudyFlags, 'out' | 'frames' | 'seeds'>) => {
      const resolved = withOverrides(resolveStudy(arg), flags);
      const out = flags.out ?? join('study-results', resolved.name);
      if (!existsSync(out)) throw new InvalidArgumentError(`--out ${out} does not exist: submit the study first or pass its folder`);
      const { runs, note } = studyStatus(planRuns(resolved, out), out);
      console.log(formatStatus(runs));
      if (note) console.error(`note: exit codes unknown (${note})`);
    });

  study
    .command('export')
    .description("copy a study's report and each finished run's config.json, progress.csv, eval.json and run.json (no checkpoints) into a folder to commit, e.g. results/<study>")
    .argument('<study>', studyArg)
    .option('--out <dir>', 'study folder (default study-results/<name>)')
    .requiredOption('--to <dir>', 'export folder, e.g. results/<name>; files a previous export wrote there (export.json) are replaced, others left alone')
    .option('--frames <n>', 'the --frames the study ran with', positiveInt('--frames'))
    .option('--seeds <n>', 'the --seeds the study ran with', positiveInt('--seeds'))
    .action(async (arg: string, flags: Pick<StudyFlags, 'out' | 'frames' | 'seeds'> & { to: string }) => {
      const file = studyFile(arg);
      const resolved = withOverrides(loadStudy(file), flags);
      const overrides = { ...(flags.frames !== undefined ? { frames: flags.frames } : {}), ...(flags.seeds !== undefined ? { seeds: flags.seeds } : {}) };
      const out = flags.out ?? join('study-results', resolved.name);
      const done = await exportStudy({ study: resolved, studyFile: file, out, to: flags.to, overrides });
      console.log(formatExport(done).join('\n'));
    });

  program
    .command('report')
    .description("aggregate a study's finished runs: tables (Markdown, CSV), plots (SVG, PNG), HTML report")
    .argument('<study>', studyArg)
    .option('--out <dir>', 'study folder (default study-results/<name>)')
    .option('--frames <n>', 'the --frames the study ran with', positiveInt('--frames'))
    .option('--seeds <n>', 'the --seeds the study ran with', positiveInt('--seeds'))
    .action(async (arg: string, flags: StudyFlags) => {
      const study = withOverrides(resolveStudy(arg), flags);
      const out = flags.out ?? join('study-results', study.name);
      if (!existsSync(out)) throw new InvalidArgumentError(`--out ${out} does not exist: run the study first or pass its folder`);
      const report = await buildReport(collectResults(study, out, planRuns(study, out)));
      console.log(`report: ${report.html}\ntables: ${report.markdown}, ${report.csv}`);
    });

  program.addCommand(
    new Command('study-run')
      .description('internal: one study run (train, evaluate, write eval.json), started by the study runner')
      .argument('<plan>', 'plan.json written by the runner')
      .action(async (planPath: string) => {
        const info = await useBackend(backend());
        console.error(`backend: ${info.name}`);
        const stop = installStopHandlers();
        try {
          const done = await executeRun(readPlan(planPath), undefined, stop.signal);
          if ('stopped' in done) {
            console.error(stopReport(done));
            process.exitCode = stop.exitCode();
          }
        } finally {
          stop.dispose();
        }
      }),
    { hidden: true },
  );
}

