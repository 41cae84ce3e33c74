import { Command, InvalidArgumentError, Option } from 'commander';
import { EVAL_OPTIONS, PRESET_NAMES, assertRunNotLocked, paperAgent, type PaperFamily, type PresetName } from '@mempo/ppo';
import { useBackend } from './backend.js';
import { MEMORY_NAMES, type EnvFamily, type MemoryName } from './training/memoryCores.js';
import { defaultRunDir, runTraining, type RunSpec } from './training/runTraining.js';
import { installStopHandlers, stopReport } from './training/stopSignals.js';
import { envIdProblems } from './training/envIds.js';
import { resolveRun } from './training/resolvedRun.js';
import { checkRunFolder } from './training/runFolderCheck.js';
import { RIM_OPTIONS } from '@mempo/rim';
import { ENV_OPTIONS } from './training/envOptions.js';
import { numberFromText, optionFlag, ppoFlagValues, ppoOptions } from './training/ppoFlags.js';
import { DEFAULT_EVAL_EPISODES, evaluationFlags } from './training/evaluationDuringTraining.js';

/** Parses a seed-like flag: an integer from 0 up to 2^53 − 1, naming the flag in the error. */
export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be an integer ≥ 0 (got '${value}')`);
    return n;
  };
}

/** Parses a positive integer flag, naming the flag in the error; beyond 2^53 − 1 integers are not exact, so `1e99` is refused. */
export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer up to 2^53 − 1 (got '${value}')`);
    return n;
  };
}


/** The parsed flags: the command's own, and the PPO fields' (read by {@link ppoFlagValues}). */
interface TrainingFlags extends Record<string, unknown> {
  memory: MemoryName;
  env: string;
  preset: PresetName;
  stack?: number;
  flicker: number;
  legacyItemRemoval?: boolean;
  out?: string;
  units?: number;
  k?: number;
  hidden?: number;
  evalEvery?: number;
  evalEpisodes?: number;
  evalDeterministic?: boolean;
}

/** A paper family's default env and preset: its recipe row's (ppo's `paperAgent`; the same for every memory). */
function paperDefaults(family: PaperFamily): { env: string; preset: PresetName } {
  const { env, preset } = paperAgent(family, 'rim');
  return { env, preset };
}

/** Defaults of each training command: the env, the preset of the paper it reproduces. */
const FAMILIES: Record<EnvFamily, { env: string; preset: PresetName; description: string }> = {
  atari: { ...paperDefaults('atari'), description: 'train on flickering Atari (default: Breakout, p = 0.5, atari preset)' },
  minigrid: { ...paperDefaults('minigrid'), description: 'train on MiniGrid (default: Empty-5x5, minigrid-rim preset)' },
  warehouse: { ...paperDefaults('warehouse'), description: 'train on the Warehouse (iam preset)' },
  // No paper: the atari preset is CleanRL's PPO settings (8 envs × 128 steps, lr 2.5e-4 annealed), which suit small control tasks.
  gym: { env: 'CartPole-v1', preset: 'atari', description: 'train on any gymnasium env with discrete actions (default: CartPole-v1, atari preset)' },
};

/** Adds `atari`, `minigrid`, `warehouse` and `gym` to the CLI; `backend` reads the global `--backend`. */
export function addTrainingCommands(program: Command, backend: () => string | undefined): void {
  for (const [family, defaults] of Object.entries(FAMILIES) as [EnvFamily, (typeof FAMILIES)[EnvFamily]][]) {
    const command = program
      .command(family)
      .description(defaults.description)
      .addOption(new Option('--memory <core>', 'memory core').choices(MEMORY_NAMES).default('rim'))
      .addOption(new Option('--preset <name>', 'PPO preset').choices(PRESET_NAMES).default(defaults.preset))
      .option('--stack <n>', `env.stack: ${ENV_OPTIONS.shape.stack.description} (default: the paper agent's: 4 Atari / 8 Warehouse for fnn, else 1)`, optionFlag(ENV_OPTIONS, 'stack', 'env'))
      .option('--out <dir>', 'run folder (default runs/<env>-<memory>-s<seed>); an existing run there is resumed')
      // Core sizes are checked by the core's own option schema once the memory is known (coreSizes).
      .option('--units <n>', `rim.units: ${RIM_OPTIONS.shape.units.description} (default: the paper's)`, numberFromText)
      .option('--k <n>', `rim.k: ${RIM_OPTIONS.shape.k.description} (default: the paper's)`, numberFromText)
      .option('--hidden <n>', "<memory>.hiddenSize: hidden size (per unit for RIM; default: the paper's)", numberFromText);
    // Every PPO field, from its schema (ppo README, "Config"); --frames and --envs keep their names.
    for (const option of ppoOptions(defaults.preset)) command.addOption(option);
    // Evaluation during training, keeping best/ (README, "Evaluation during training").
    command
      .option('--eval-every <n>', `eval.every: ${EVAL_OPTIONS.shape.every.description} (default: no evaluation)`, optionFlag(EVAL_OPTIONS, 'every', 'eval'))
      .option('--eval-episodes <n>', `eval.episodes: ${EVAL_OPTIONS.shape.episodes.description} (default ${DEFAULT_EVAL_EPISODES})`, optionFlag(EVAL_OPTIONS, 'episodes', 'eval'))
      .option('--eval-deterministic', 'evaluate with the most likely actions instead of sampled ones');
    if (family !== 'warehouse') command.option('--env <id>', 'env id', defaults.env);
    if (family === 'atari') command.option('--flicker <p>', `env.flicker: ${ENV_OPTIONS.shape.flicker.description}`, optionFlag(ENV_OPTIONS, 'flicker', 'env'), 0.5);
    if (family === 'warehouse') command.option('--legacy-item-removal', "the original code's item-removal loop, under which the published curves were made (default: the clean rule)");
    command.action(async (flags: TrainingFlags) => {
      const { seed = 1, engine = 'auto', totalSteps, numEnvs, ...ppo } = ppoFlagValues(flags);
      const spec: RunSpec = {
        env: { family, id: flags.env ?? defaults.env, flicker: family === 'atari' ? flags.flicker : 0, ...(flags.legacyItemRemoval ? { legacyItemRemoval: true } : {}) },
        memory: flags.memory,
        preset: flags.preset,
        seed,
        engine,
        ...(totalSteps !== undefined ? { totalSteps } : {}),
        ...(numEnvs !== undefined ? { numEnvs } : {}),
        ...(Object.keys(ppo).length > 0 ? { ppo } : {}),
        ...(flags.stack !== undefined ? { stack: flags.stack } : {}),
        ...(flags.out !== undefined ? { runDir: flags.out } : {}),
        core: { units: flags.units, k: flags.k, hidden: flags.hidden },
        ...evaluationFlags(flags),
      };
      // Everything that can be checked without a backend or an env is checked here, before either starts
      // (runTraining checks the run folder again, and the built agent against it, before it writes).
      const { run, notes } = resolveRun(spec);
      const envProblem = (await envIdProblems(family, [spec.env.id]))[spec.env.id];
      if (envProblem !== undefined) throw new InvalidArgumentError(`--env '${spec.env.id}' ${envProblem}`);
      assertRunNotLocked(spec.runDir ?? defaultRunDir(spec));
      checkRunFolder(spec.runDir ?? defaultRunDir(spec), run);
      for (const note of notes) console.error(note);
      const info = await useBackend(backend());
      console.error(`backend: ${info.name}${info.tensorflowVersion ? ` (TensorFlow ${info.tensorflowVersion})` : ''}`);
      const stop = installStopHandlers();
      try {
        const result = await runTraining({ ...spec, signal: stop.signal });
        result.agent.dispose();
        if (result.stopped && stop.received()) {
          console.error(stopReport(result));
          process.exitCode = stop.exitCode();
          return;
        }
        const ret = result.lastMetrics?.['charts/episode_return_mean'];
        console.log(
          `run ${result.runDir}: ${result.updates} updates, ${result.globalStep} agent steps` +
            (ret !== undefined && Number.isFinite(ret) ? `, recent mean return ${ret.toFixed(3)}` : ''),
        );
      } finally {
        stop.dispose();
      }
    });
  }
}
