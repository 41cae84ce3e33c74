import * as tf from '@tensorflow/tfjs-core';
import { coreFromConfig, type CoreConfig, type MemoryCore } from '@mempo/core-attention';
import { ActorCritic } from './actorCritic.js';
import { existsSync } from 'node:fs';
import { loadCheckpoint, loadLatestCheckpoint, type LoadLatestOptions } from './checkpoint.js';
import type { PpoConfig } from './config.js';
import type { Encoder, EncoderConfig } from './encoder.js';
import { encoderFromConfig } from './encoderFromConfig.js';
import type { ActorCriticHeadsArgs } from './heads.js';
import { readJsonFile } from './readJson.js';
import { RUN_FILES, runPath } from './runFolder.js';
import type { BudgetRecord } from './train.js';
import { assertRunNotLocked } from './runLock.js';

/** What `train` writes to a run's `config.json`: the resolved configs the agent was built from. */
export interface RunConfigFile {
  ppo: PpoConfig;
  encoder: EncoderConfig;
  core: CoreConfig;
  /** Absent in runs written before `loadAgent` existed; then rebuilt from the checkpoint's head weights. */
  heads?: ActorCriticHeadsArgs;
  /** The run's budgets in order (absent in runs written before runs could be continued). */
  budgets?: BudgetRecord[];
}

/** Options of {@link loadAgent}. */
export interface LoadAgentOptions extends LoadLatestOptions {
  /** 'latest' (default): the newest intact checkpoint; 'best': `best/`, the best evaluation during training (`EvalCallback`). */
  which?: 'latest' | 'best';
}

/** What {@link loadAgent} returns; the caller disposes `agent`. */
export interface LoadedAgent {
  agent: ActorCritic;
  /** The run's `config.json`, with `heads` filled in. */
  config: RunConfigFile & { heads: ActorCriticHeadsArgs };
  /** The update of the checkpoint the weights came from. */
  update: number;
  /** That checkpoint's folder (`best/` for `which: 'best'`). */
  checkpoint: string;
}

const CONFIG_FIX = 'it is written by training; retrain the run into a new folder';

function readRunConfig(runDir: string): RunConfigFile {
  const path = runPath(runDir, 'config');
  const config = readJsonFile<Partial<RunConfigFile>>(path, CONFIG_FIX);
  if (typeof config !== 'object' || config === null) throw new Error(`${path} must hold { ppo, encoder, core, heads }; ${CONFIG_FIX}`);
  for (const field of ['ppo', 'encoder', 'core'] as const)
    if (typeof config[field] !== 'object' || config[field] === null) throw new Error(`${path} has no '${field}'; ${CONFIG_FIX}`);
  return config as RunConfigFile;
}

function loadBest(runDir: string): ReturnType<typeof loadLatestCheckpoint> {
  const path = runPath(runDir, 'best');
  if (!existsSync(path))
    throw new Error(`${runDir} has no ${RUN_FILES.best}/: it is written by evaluation during training (--eval-every N, or an EvalCallback); load the newest checkpoint instead`);
  return { ...loadCheckpoint(path), path };
}

/**
 * Loads a trained agent from a run folder, with no env: rebuilds the encoder, the core (through the core
 * registry, so a plugin's package must be imported first: `import '@mempo/rim'`) and the heads from the
 * configs in `config.json`, and loads the weights of the newest intact checkpoint (a damaged newer one is
 * passed over with a warning, {@link loadLatestCheckpoint}). A run another process is still training is
 * refused with who trains it ({@link assertRunNotLocked}): its checkpoints are not its final weights yet.
 * With `which: 'best'` the weights come from `best/`, the agent of the best evaluation during training.
 *
 * @example
 * import '@mempo/rim';
 * const { agent, update } = loadAgent('runs/breakout-flicker0.5-rim-s1');
 * const best = loadAgent('runs/breakout-flicker0.5-rim-s1', { which: 'best' });
 * const { actions, state } = agent.predict(obs, null, starts, { deterministic: true });
 */
export function loadAgent(runDir: string, options: LoadAgentOptions = {}): LoadedAgent {
  assertRunNotLocked(runDir);
  const config = readRunConfig(runDir);
  const saved = options.which === 'best' ? loadBest(runDir) : loadLatestCheckpoint(runPath(runDir, 'checkpoints'), options);
  if (saved === null) throw new Error(`${runDir} has no checkpoint yet: train the run first (it is resumed from the same folder)`);
  let encoder: Encoder | undefined;
  let core: MemoryCore | undefined;
  let agent: ActorCritic | undefined;
  try {
    encoder = encoderFromConfig(config.encoder);
    core = coreFromConfig(config.core);
    const actor = saved.tensors['model/heads/actor/kernel'];
    if (actor === undefined) throw new Error(`${saved.path} holds no 'model/heads/actor/kernel': it is not an agent checkpoint`);
    const heads = config.heads ?? { inputSize: core.outputSize, numActions: actor.shape[1]!, seed: config.ppo.seed };
    if (heads.inputSize !== core.outputSize)
      throw new Error(`${runPath(runDir, 'config')}: heads.inputSize is ${heads.inputSize} but the core's outputSize is ${core.outputSize}; ${CONFIG_FIX}`);
    const { actor: actorHead, critic: criticHead } = heads;
    agent = new ActorCritic({
      encoder, core, numActions: heads.numActions, seed: heads.seed,
      heads: { ...(actorHead ? { actor: actorHead } : {}), ...(criticHead ? { critic: criticHead } : {}) },
    });
    const weights: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(saved.tensors)) if (name.startsWith('model/')) weights[name.slice('model/'.length)] = t;
    try {
      agent.setWeights(weights);
    } catch (err) {
      throw new Error(`${saved.path} does not fit the agent of ${runPath(runDir, 'config')}: ${(err as Error).message}`, { cause: err });
    }
    return { agent, config: { ...config, heads }, update: Number(saved.meta['update']), checkpoint: saved.path };
  } catch (err) {
    if (agent) agent.dispose();
    else {
      encoder?.dispose();
      core?.dispose();
    }
    throw err;
  } finally {
    tf.dispose(Object.values(saved.tensors));
  }
}
