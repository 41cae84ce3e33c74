import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { EngineChoice } from '@mempo/ppo';
import { useBackend } from '../backend.js';
import { buildReport } from '../report/buildReport.js';
import { collectResults } from '../report/studyResults.js';
import { positiveInt } from '../trainingCommands.js';
import { executeRun, readPlan } from './executeRun.js';
import { runPool } from './runner.js';
import { planRuns } from './studyRuns.js';
import { checkStudyEnvs, loadStudy, type Study } from './studySchema.js';

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
  program
    .command('study')
    .description('run a reproduction study (grid of env × memory × seed) in a local process pool, then write its report')
    .argument('<study>', studyArg)
    .option('--out <dir>', 'study folder (default study-results/<name>); finished runs there are skipped, interrupted ones resumed')
    .option('--parallelism <n>', 'runs at once (default: the number of cores)', positiveInt('--parallelism'))
    .option('--frames <n>', "override every run's frame budget (smoke runs)", positiveInt('--frames'))
    .option('--seeds <n>', 'use only the first n seeds of the study', positiveInt('--seeds'))
    .addOption(new Option('--engine <engine>', "every run's execution engine (default: the study file's, else auto)").choices(['auto', 'graph', 'eager']))
    .option('--no-report', 'skip the report at the end')
    .action(async (arg: string, flags: StudyFlags) => {
      const file = studyFile(arg);
      const study = withOverrides(loadStudy(file), flags);
      // Env ids that only ale-py can check are checked here, before any run trains.
      await checkStudyEnvs(study, file);
      const out = flags.out ?? join('study-results', study.name);
      const plans = planRuns(study, out, (line) => console.error(line));
      console.error(`study ${study.name}: ${plans.length} runs into ${out}`);
      const results = await runPool(plans, { ...(flags.parallelism ? { parallelism: flags.parallelism } : {}), ...(backend() ? { backend: backend()! } : {}) });
      const failed = results.filter((r) => r.status === 'failed' || r.status === 'refused');
      const counts = ['finished', 'skipped', 'refused', 'failed'].map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(', ');
      console.error(`study ${study.name}: ${counts}`);
      if (flags.report) {
        const report = await buildReport(collectResults(study, out, plans));
        console.log(`report: ${report.html}\ntables: ${report.markdown}, ${report.csv}`);
      }
      if (failed.length > 0) process.exitCode = 1;
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
        await executeRun(readPlan(planPath));
      }),
    { hidden: true },
  );
}
