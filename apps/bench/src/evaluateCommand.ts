import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { writeFileAtomic } from '@mempo/ppo';
import { useBackend } from './backend.js';
import { evaluateRun, readRunSpec } from './evaluateRun.js';
import { envIdProblems } from './training/envIds.js';
import { nonNegativeInt, positiveInt } from './trainingCommands.js';
import { ENV_OPTIONS } from './training/envOptions.js';
import { optionFlag } from './training/ppoFlags.js';

interface EvaluateFlags {
  run: string;
  env?: string;
  episodes: number;
  seed?: number;
  envs?: number;
  flicker?: number;
  deterministic?: boolean;
  best?: boolean;
}



/** Adds `evaluate`: a run's newest checkpoint (or `best/` with --best), N episodes on its training env or any env of its family. */
export function addEvaluateCommand(program: Command, backend: () => string | undefined): void {
  program
    .command('evaluate')
    .description("load a run's newest checkpoint (or --best) and report the mean return over N episodes (sampled actions, or --deterministic; dropout off)")
    .requiredOption('--run <dir>', 'run folder written by a training command or a study')
    .option('--env <id>', "env id of the run's family (default: the training env)")
    .option('--episodes <n>', 'episodes to finish', positiveInt('--episodes'), 100)
    .option('--seed <n>', 'evaluation seed (default 10000 + the run seed)', nonNegativeInt('--seed'))
    .option('--envs <n>', 'parallel envs (default: as in training)', positiveInt('--envs'))
    .option('--flicker <p>', "Atari: flicker probability (default: the run's)", optionFlag(ENV_OPTIONS, 'flicker', 'env'))
    .option('--deterministic', 'take the most likely action instead of sampling one')
    .option('--best', "the agent of the run's best evaluation during training (best/, written with --eval-every) instead of its newest checkpoint")
    .action(async (flags: EvaluateFlags) => {
      const spec = readRunSpec(flags.run);
      // The env is built from the run's family, so an id of another family would silently evaluate the
      // training env under the wrong name: check it against the family first.
      if (flags.env !== undefined) {
        const problem = (await envIdProblems(spec.env.family, [flags.env]))[flags.env];
        if (problem !== undefined)
          throw new InvalidArgumentError(`--env '${flags.env}' ${problem}; the run in ${flags.run} trained on '${spec.env.id}' (${spec.env.family})`);
      }
      if (flags.flicker !== undefined && spec.env.family !== 'atari')
        throw new InvalidArgumentError(`--flicker applies to Atari runs only (the run in ${flags.run} trained on '${spec.env.id}'); remove --flicker`);
      const info = await useBackend(backend());
      console.error(`backend: ${info.name}`);
      // Everything else about the env is the run's (the Warehouse's item-removal rule among it).
      const env = { ...spec.env, id: flags.env ?? spec.env.id, flicker: flags.flicker ?? spec.env.flicker };
      const result = await evaluateRun(flags.run, {
        env,
        episodes: flags.episodes,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.envs !== undefined ? { numEnvs: flags.envs } : {}),
        deterministic: flags.deterministic === true,
        best: flags.best === true,
      });
      const path = join(flags.run, `evaluate-${env.id.replace(/[^A-Za-z0-9.-]+/g, '_')}${result.deterministic ? '-deterministic' : ''}${result.weights === 'best' ? '-best' : ''}.json`);
      writeFileAtomic(path, JSON.stringify(result) + '\n');
      console.log(
        `${env.id}${result.deterministic ? ' (deterministic)' : ''}: mean return ${result.returnMean.toFixed(3)} ± ${result.returnStd.toFixed(3)} (std) over ${result.episodes} episodes, ` +
          `mean length ${result.lengthMean.toFixed(1)}, ${result.weights === 'best' ? 'best/ from' : 'checkpoint'} update ${result.update}; wrote ${path}`,
      );
    });
}
