import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs-core';
import type { MemoryCore } from '@mempo/core-attention';
import type { VecEnv } from '@mempo/envs';
import type { GraphProgramStats } from '@mempo/graph';
import { obsTensor, seedTensor } from './acting.js';
import { ActorCritic } from './actorCritic.js';
import { Adam } from './adam.js';
import { createAgentEngine, resolveEngine, type AgentEngine, type EngineKind } from './agentEngine.js';
import { computeGae, explainedVariance, normalizeInPlace } from './advantages.js';
import { assertFiniteTerms, assertFiniteWeights } from './divergence.js';
import { writeJsonAtomic } from './atomicWrite.js';
import { callbackList, type TrainCallbackList } from './callbacks.js';
import { listCheckpoints, loadLatestCheckpoint, removeStaleTemps } from './checkpoint.js';
import { numUpdates, validateConfig, type PpoConfig } from './config.js';
import type { Encoder } from './encoder.js';
import type { HeadsSpec } from './heads.js';
import { summarize } from './evaluate.js';
import { epochMinibatches, gatherMinibatch, isShiftedPass, sequenceRefs, type MinibatchArrays } from './minibatches.js';
import { writeBackMemory, writeBackOffsets } from './memoryWriteBack.js';
import { minibatchTensors, UPDATE_TERMS } from './minibatchUpdate.js';
import { ProgressCsv, type Metrics, type ScalarWriter } from './progressCsv.js';
import { Rng } from './rng.js';
import { RolloutBuffer } from './rolloutBuffer.js';
import { collectRollout, type RunState } from './rollout.js';
import { readJsonFile } from './readJson.js';
import { restoreRun, writeCheckpoint, type RunCheckpointMeta, type RunParts } from './runCheckpoint.js';
import { runPath } from './runFolder.js';
import { acquireRunLock, type RunLock } from './runLock.js';
import { budgetChange, scheduledValue } from './schedules.js';

/** One budget of a run as `config.json`'s `budgets` records it: `totalSteps` from agent step `fromStep` on. */
export interface BudgetRecord {
  totalSteps: number;
  fromStep: number;
}

/** Everything {@link train} needs. */
export interface TrainOptions {
  /** Validated again here; `numEnvs` must equal the env's. */
  config: PpoConfig;
  /** The training env, already constructed (train resets it). */
  env: VecEnv;
  /** Observation encoder; `obsShape` must match the env. */
  encoder: Encoder;
  /** The memory core to train (any plugin). */
  core: MemoryCore;
  /** The policy and value heads as data (`AGENT_PRESETS[preset].heads`); default one linear layer each. */
  heads?: HeadsSpec;
  /** Run folder: `config.json`, `progress.csv`, `checkpoints/`. Nothing is written when absent. */
  runDir?: string;
  /** Continue from the newest checkpoint in `runDir` when there is one. */
  resume?: boolean;
  /** TensorBoard or any other scalar sink (same names as progress.csv). */
  scalarWriter?: ScalarWriter;
  /** Hooks into the loop, one or several (`TrainCallbacks`, callbacks.ts): evaluation (`EvalCallback`), a progress display, early stopping. */
  callbacks?: TrainCallbackList;
  /** Receives one-line warnings (a damaged checkpoint passed over, a stale temporary folder removed). Default `console.warn`. */
  warn?: (line: string) => void;
  /**
   * Stops the run at the next safe point once aborted: the update in progress (rollout and learning) is
   * finished, checkpointed, and train returns with `stopped: true`. A rollout is never cut short, because the
   * env has moved on and the checkpoint must describe one consistent state.
   */
  signal?: AbortSignal;
}

/** What {@link train} returns. The caller owns (and disposes) the agent. */
export interface TrainResult {
  agent: ActorCritic;
  /** Updates completed in total (including those before a resume). */
  updates: number;
  /** Agent steps summed over envs. */
  globalStep: number;
  /** The last update's log row. */
  lastMetrics: Metrics | null;
  /** True when a callback or `signal` stopped the run before `totalSteps`. */
  stopped: boolean;
  /** The newest checkpoint of the run folder when train returned (written or resumed from); null when there is none. */
  checkpoint: string | null;
  /** The engine the run executed on. */
  engine: 'graph' | 'eager';
  /** The graph engine's compile statistics at the end of the run (one-off tracing and session loads); null for eager. */
  engineStats: GraphProgramStats | null;
}

/**
 * Recurrent PPO (the ppo README) on any MemoryCore. Each update: collect P×T steps, compute GAE, run
 * `epochs` passes of recurrent minibatches, log, checkpoint.
 *
 * @example
 * const config = resolveConfig('iam', { totalSteps: 200_000 });
 * const { agent } = await train({ config, env, encoder: new MlpEncoder({ obsShape: [73], hiddenSizes: [], seed: 1 }),
 *   core: new GRUCore({ inputSize: 73, hiddenSize: 64 }), runDir: 'runs/gru-1',
 *   callbacks: { onProgress: (m) => console.log(m.global_step, m['charts/episode_return_mean']) } });
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config = validateConfig({ ...options.config });
  checkCompatible(config, options.env, options.encoder);
  const engineKind = resolveEngine(config.engine);
  // One trainer per run folder for the whole run, released whatever the outcome (a second one is refused).
  const lock = options.runDir ? acquireRunLock(options.runDir, options.warn ? { warn: options.warn } : {}) : null;
  try {
    return await trainLocked(options, config, engineKind, lock);
  } finally {
    lock?.release();
  }
}

async function trainLocked(options: TrainOptions, config: PpoConfig, engineKind: EngineKind, lock: RunLock | null): Promise<TrainResult> {
  const { env, encoder, core, scalarWriter } = options;
  const callbacks = callbackList(options.callbacks);
  const P = config.numEnvs;
  const T = config.numSteps;
  const totalUpdates = numUpdates(config);
  const checkpointDir = options.runDir ? runPath(options.runDir, 'checkpoints') : undefined;
  const warn = options.warn ?? ((line: string) => console.warn(line));
  if (checkpointDir && !options.resume && listCheckpoints(checkpointDir).length > 0)
    throw new Error(`${options.runDir} already holds a run with checkpoints: pass resume: true to continue it, or use a new runDir`);

  const rng = new Rng(config.seed);
  const agent = new ActorCritic({ encoder, core, numActions: env.actionSpace.n, seed: config.seed, ...(options.heads ? { heads: options.heads } : {}) });
  const adam = new Adam({ variables: agent.trainableVariables(), epsilon: config.adamEpsilon });
  const buffer = new RolloutBuffer({
    numSteps: T,
    numEnvs: P,
    obsShape: env.observationSpace.shape,
    obsDtype: env.observationSpace.dtype,
    stateShapes: core.stateShapes,
  });
  const refs = sequenceRefs(T, P, config.bpttLength);
  // One reused set of minibatch arrays per minibatch size (a shifted pass may end with a smaller one).
  const minibatchArrays = new Map<number, MinibatchArrays>();

  const callbackState = () => Object.fromEntries(callbacks.filter((cb) => cb.state).map((cb) => [cb.name!, cb.state!()]));
  const parts: RunParts = { config, env, agent, adam, rng, callbackState };
  // A write that died with its process left a temporary folder: remove it before it fills the disk for good.
  for (const path of checkpointDir ? removeStaleTemps(checkpointDir, { runLockHeld: lock !== null }) : []) warn(`removed ${path}, left by an interrupted checkpoint write`);
  let saved: ReturnType<typeof loadLatestCheckpoint> = null;
  let run: RunState;
  try {
    saved = options.resume && checkpointDir ? loadLatestCheckpoint(checkpointDir, { warn }) : null;
    run = saved ? await restoreRun(saved, parts) : await freshRun(config, env, core);
  } catch (err) {
    adam.dispose();
    agent.dispose();
    throw err;
  }
  const savedMeta = saved ? (saved.meta as unknown as RunCheckpointMeta) : null;
  for (const cb of callbacks) cb.restore?.(savedMeta?.callbacks?.[cb.name!]);
  // A resumed run may have another budget (the ppo README, "Continuing a run"): the schedules follow the new one.
  const change =
    savedMeta && savedMeta.config.totalSteps !== config.totalSteps ? budgetChange(savedMeta.config, config, numUpdates(savedMeta.config), totalUpdates, run.update) : null;
  const engine = createAgentEngine(engineKind, agent, adam, config);
  let csv: ProgressCsv | undefined;
  const metricNames = callbacks.flatMap((cb) => cb.metricNames ?? []);
  if (options.runDir) {
    const ppo = { ...config, engine: engine.kind };
    const budgets = budgetHistory(options.runDir, savedMeta, config.totalSteps, run.globalStep);
    writeJsonAtomic(runPath(options.runDir, 'config'), { ppo, encoder: encoder.config(), core: core.config(), heads: agent.heads.config(), budgets });
    csv = new ProgressCsv(join(options.runDir, 'progress.csv'), saved ? run.update : undefined);
    csv.ensureColumns(metricNames);
  }
  // Steps past the checkpoint were logged by a run that stopped before checkpointing them; they are logged again.
  scalarWriter?.purgeAfter?.(run.globalStep);
  let lastCheckpoint = checkpointDir ? (listCheckpoints(checkpointDir).at(-1) ?? null) : null;

  for (const cb of callbacks)
    await cb.onTrainStart?.({
      ...(options.runDir !== undefined ? { runDir: options.runDir } : {}),
      totalSteps: totalUpdates * P * T,
      totalUpdates,
      startStep: run.globalStep,
      startUpdate: run.update,
      stepsPerUpdate: P * T,
      budgetChange: change,
    });
  const startTime = performance.now();
  const startStep = run.globalStep;
  let lastMetrics: Metrics | null = null;
  let stopped = false;
  try {
    while (run.update < totalUpdates) {
      // Aborted before this process trained an update: the run is still exactly its checkpoint (or fresh).
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
      const learningRate = scheduledValue(config.lrSchedule, config.learningRate, run.update, totalUpdates);
      const clipEpsilon = scheduledValue(config.clipSchedule, config.clipEpsilon, run.update, totalUpdates);

      // 1. Rollout (the ppo README "Rollout").
      const rollout = await collectRollout(engine, env, buffer, run, config, rng);

      // 2. Advantages (the ppo README "Advantages"), bootstrapped with V(obs_T) under the current state.
      const learnStart = performance.now();
      const lastValues = tf.tidy(() => {
        const x = obsTensor(run.obs, P, env.observationSpace.shape);
        const starts = tf.tensor1d(Float32Array.from(run.starts));
        return engine.values(x, starts, run.state, seedTensor(rng)).dataSync() as Float32Array;
      });
      const { advantages, returns } = computeGae({
        rewards: buffer.rewards,
        values: buffer.values,
        dones: buffer.dones,
        lastValues,
        numEnvs: P,
        gamma: config.gamma,
        lambda: config.gaeLambda,
        ...(config.gaeHorizon !== null ? { horizon: config.gaeHorizon } : {}),
      });
      if (config.normalizeAdvantages) normalizeInPlace(advantages);

      // 3. Recurrent minibatches (the ppo README "Recurrent minibatches").
      const losses = learn(engine, adam, buffer, advantages, returns, refs, rng, config, learningRate, clipEpsilon, minibatchArrays, run.update);
      assertFiniteTerms(losses, { update: run.update + 1, learningRate, ...(checkpointDir ? { newestCheckpoint: lastCheckpoint } : {}) });
      const learnSeconds = (performance.now() - learnStart) / 1000;

      run.update += 1;
      run.globalStep += P * T;

      // 4. Log.
      const elapsed = (performance.now() - startTime) / 1000;
      const total = rollout.envSeconds + rollout.actSeconds + learnSeconds;
      const recent = summarize(run.recentReturns);
      const metrics: Metrics = {
        update: run.update,
        global_step: run.globalStep,
        'charts/fps': (run.globalStep - startStep) / elapsed,
        'charts/episode_return_mean': recent.mean,
        'charts/episode_return_median': recent.median,
        'charts/episode_return_min': recent.min,
        'charts/episode_return_max': recent.max,
        'charts/episode_length_mean': summarize(run.recentLengths).mean,
        'charts/episodes': rollout.episodes,
        'charts/learning_rate': learningRate,
        'charts/clip_epsilon': clipEpsilon,
        ...losses,
        'losses/explained_variance': explainedVariance(buffer.values, returns),
        'time/env_share': rollout.envSeconds / total,
        'time/act_share': rollout.actSeconds / total,
        'time/learn_share': learnSeconds / total,
        ...rollout.diagnostics,
      };
      for (const name of metricNames) metrics[name] = NaN;
      // The agent for callbacks that need it this update: the graph engine's resident weights are pulled once.
      let synced = false;
      const syncedAgent = () => {
        if (!synced) engine.syncModel();
        synced = true;
        return agent;
      };
      for (const cb of callbacks) {
        if (!cb.onUpdateEnd) continue;
        const added = await cb.onUpdateEnd({ update: run.update, globalStep: run.globalStep, stepsPerUpdate: P * T, metrics, agent: syncedAgent });
        if (added) Object.assign(metrics, added);
      }
      lastMetrics = metrics;
      csv?.write(metrics);
      if (scalarWriter) {
        for (const [name, value] of Object.entries(metrics)) if (!Number.isNaN(value)) scalarWriter.scalar(name, value, run.globalStep);
        scalarWriter.flush?.();
      }
      for (const cb of callbacks) cb.onProgress?.(metrics);

      // 5. The user's hook, then the checkpoint (a stop request still leaves a checkpoint to resume from).
      let decision: void | 'stop' = undefined;
      for (const cb of callbacks) {
        if (!cb.onUpdate) continue;
        if ((await cb.onUpdate(metrics, syncedAgent())) === 'stop') decision = 'stop';
      }
      // An env that steps synchronously (the Warehouse) never lets the event loop turn: give signal handlers and
      // timers (the lock's refresh) one turn per update, so a stop request is seen at this update's end.
      await yieldToEventLoop();
      stopped = (decision === 'stop' || options.signal?.aborted === true) && run.update < totalUpdates;
      const due = config.checkpointEvery > 0 && (run.update % config.checkpointEvery === 0 || run.update === totalUpdates || stopped);
      if (checkpointDir && due) {
        engine.syncModel();
        assertFiniteWeights(agent, { update: run.update, learningRate, newestCheckpoint: lastCheckpoint });
        lock?.assertHeld();
        const path = writeCheckpoint(checkpointDir, run, parts);
        lastCheckpoint = path;
        for (const cb of callbacks) cb.onCheckpoint?.(path, run.update);
      }
      if (stopped) break;
    }
  } catch (err) {
    engine.dispose();
    agent.dispose();
    throw err;
  } finally {
    for (const cb of callbacks) cb.onTrainEnd?.();
    tf.dispose(run.state);
  }
  // The agent handed back holds the newest weights (the graph engine's resident values are pulled here).
  const engineStats = engine.stats ? { ...engine.stats } : null;
  engine.dispose();
  adam.dispose();
  return { agent, updates: run.update, globalStep: run.globalStep, lastMetrics, stopped, checkpoint: lastCheckpoint, engine: engine.kind, engineStats };
}

function checkCompatible(config: PpoConfig, env: VecEnv, encoder: Encoder): void {
  if (env.numEnvs !== config.numEnvs)
    throw new Error(`numEnvs must equal the env's number of envs (got numEnvs=${config.numEnvs}, env has ${env.numEnvs})`);
  if (env.observationSpace.shape.join() !== encoder.obsShape.join())
    throw new Error(`the encoder's obsShape [${encoder.obsShape}] must equal the env's observation shape [${env.observationSpace.shape}]`);
  if (env.actionSpace.kind !== 'discrete') throw new Error(`PPO here needs a discrete action space (got ${env.actionSpace.kind})`);
}

/**
 * `config.json`'s `budgets`: the run's budgets in order, each with the agent step it took over from. A run
 * resumed under a new budget appends one; a folder written before the field existed starts with its
 * checkpoint's budget.
 */
function budgetHistory(runDir: string, savedMeta: RunCheckpointMeta | null, totalSteps: number, step: number): BudgetRecord[] {
  const path = runPath(runDir, 'config');
  let budgets: BudgetRecord[] = [];
  if (savedMeta) {
    const recorded = existsSync(path) ? readJsonFile<{ budgets?: BudgetRecord[] }>(path, 'it is written by training; retrain the run into a new folder').budgets : undefined;
    budgets = Array.isArray(recorded) ? recorded.filter((b) => b.fromStep <= step) : [{ totalSteps: savedMeta.config.totalSteps, fromStep: 0 }];
  }
  if (budgets.at(-1)?.totalSteps !== totalSteps) budgets.push({ totalSteps, fromStep: step });
  return budgets;
}

async function freshRun(config: PpoConfig, env: VecEnv, core: MemoryCore): Promise<RunState> {
  return {
    update: 0,
    globalStep: 0,
    obs: await env.reset(config.seed),
    starts: new Uint8Array(config.numEnvs).fill(1),
    state: core.initialState(config.numEnvs),
    recentReturns: [],
    recentLengths: [],
  };
}

/**
 * `epochs` passes of shuffled recurrent minibatches, one Adam step each; returns the mean loss terms over the
 * minibatches (a shifted pass's smaller last one counts as one). The terms stay on the device until the end
 * (one readback per update); the minibatch arrays are reused per minibatch size. With `memoryWriteBack`, each
 * minibatch's recomputed states are written into `buffer` before the next one is gathered (torch-ac's order).
 */
export function learn(
  engine: AgentEngine,
  adam: Adam,
  buffer: RolloutBuffer,
  advantages: Float32Array,
  returns: Float32Array,
  refs: ReturnType<typeof sequenceRefs>,
  rng: Rng,
  config: PpoConfig,
  learningRate: number,
  clipEpsilon: number,
  arrays: Map<number, MinibatchArrays>,
  updatesBefore: number,
): Metrics {
  const L = config.bpttLength;
  const shifted = { length: L, numSteps: config.numSteps };
  const writeBack = writeBackOffsets(config);
  let sums: tf.Tensor1D | null = null;
  let steps = 0;
  const lr = tf.scalar(learningRate);
  const clip = tf.scalar(clipEpsilon);
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    // The pass count runs over the whole run (torch-ac's batch_num), so a resumed run shifts the same passes.
    const pass = updatesBefore * config.epochs + epoch;
    const shift = isShiftedPass(config.sequenceShift, pass) ? shifted : undefined;
    for (const batch of epochMinibatches(refs, config.seqsPerBatch, rng, shift, config.minibatchGrouping)) {
      const mb = gatherMinibatch(buffer, advantages, returns, batch, L, arrays.get(batch.length));
      arrays.set(batch.length, mb);
      adam.iterations += 1;
      const iteration = tf.scalar(adam.iterations);
      const seed = seedTensor(rng);
      const tensors = minibatchTensors(mb, buffer, { learningRate: lr, clipEpsilon: clip, iteration, seed });
      const { terms, memory } = engine.update(tensors);
      tf.dispose([...Object.values(tensors).flat().filter((t) => t !== lr && t !== clip)]);
      if (memory.length > 0) writeBackMemory(buffer, batch, writeBack, memory);
      tf.dispose(memory);
      const next: tf.Tensor1D = sums ? tf.add(sums, terms) : terms;
      if (sums) tf.dispose([sums, terms]);
      sums = next;
      steps += 1;
    }
  }
  const means = sums!.dataSync();
  tf.dispose([sums!, lr, clip]);
  return Object.fromEntries(UPDATE_TERMS.map((name, i) => [name, means[i]! / steps]));
}
