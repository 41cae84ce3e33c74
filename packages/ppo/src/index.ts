export { type PpoConfig, type Schedule, type EngineChoice, type UpdateRounding, type SequenceShift, type MinibatchGrouping, CONFIG_FIELDS, validateConfig, numUpdates, updatesFor } from './config.js';
export { EVAL_OPTIONS } from './evalOptions.js';
export { PPO_FIELD_SCHEMAS, ppoConfigSchema, ppoOverridesSchema, parsePpoField, parsePpoOverrides } from './configSchema.js';
export { PRESETS, PRESET_NAMES, type PresetName, resolveConfig } from './presets.js';
export { AGENT_PRESETS, type AgentSpec } from './agentPresets.js';
export { paperAgent, paperCore, paperCoreConfig, paperEncoder, PAPER_FAMILIES, PAPER_MEMORIES, type PaperAgent, type PaperFamily, type PaperMemory, type CoreRecipe, type EncoderRecipe } from './paperAgents.js';
export { scheduledValue, budgetChange, type BudgetChange } from './schedules.js';
export { Rng } from './rng.js';
export { computeGae, normalizeInPlace, explainedVariance, type GaeArgs, type GaeResult } from './advantages.js';
export { RolloutBuffer, type RolloutBufferArgs } from './rolloutBuffer.js';
export { sequenceRefs, epochMinibatches, isShiftedPass, gatherMinibatch, type SequenceRef, type MinibatchArrays } from './minibatches.js';
export { ppoLoss, type PpoLossInputs, type PpoLossOptions, type PpoLossTerms } from './loss.js';
export { Adam, type AdamArgs, type AdamStepInputs } from './adam.js';
export type { Encoder, EncoderConfig } from './encoder.js';
export { MlpEncoder, type MlpEncoderArgs } from './mlpEncoder.js';
export { MinigridConvEncoder, type MinigridConvEncoderArgs } from './minigridConvEncoder.js';
export { NatureCnnEncoder, type NatureCnnEncoderArgs } from './natureCnnEncoder.js';
export { ActorCriticHeads, LINEAR_HEADS, type ActorCriticHeadsArgs, type HeadSpec, type HeadsSpec, type LayerInit } from './heads.js';
export { ActorCritic, type ActorCriticArgs, type ActStep, type PredictOptions, type Prediction } from './actorCritic.js';
export { encoderFromConfig } from './encoderFromConfig.js';
export { ENCODER_OPTIONS, MLP_ENCODER_ARGS, MINIGRID_CONV_ENCODER_ARGS, NATURE_CNN_ENCODER_ARGS, parseEncoderOptions, type EncoderOptions } from './encoderSchema.js';
export { loadAgent, type LoadedAgent, type LoadAgentOptions, type RunConfigFile } from './loadAgent.js';
export { act, actGreedy, actStep, sampleActions, seedTensor, readSample, obsTensor, type Acted, type ActStepResult } from './acting.js';
export { collectRollout, type RunState, type RolloutSummary } from './rollout.js';
export {
  saveCheckpoint,
  encodeCheckpoint,
  newestCheckpointMeta,
  loadCheckpoint,
  loadLatestCheckpoint,
  listCheckpoints,
  removeStaleTemps,
  CheckpointDamagedError,
  type CheckpointContents,
  type LoadLatestOptions,
} from './checkpoint.js';
export { snapshotRun, writeCheckpoint, restoreRun, resumeValue, RESUME_FREE_FIELDS, type ResultConfig, type RunCheckpointMeta, type RunParts } from './runCheckpoint.js';
export { RUN_FILES, CHECKPOINT_FILES, BEST_FILES, LOCK_FILES, runPath, type RunFile } from './runFolder.js';
export { acquireRunLock, assertRunNotLocked, readLockHolder, type RunLock, type RunLockHolder, type RunLockOptions } from './runLock.js';
export { assertFiniteTerms, assertFiniteWeights, type DivergenceContext } from './divergence.js';
export { writeFileAtomic, writeJsonAtomic, writeFolderAtomic, makeDirectory, describeWriteError } from './atomicWrite.js';
export { readJsonFile } from './readJson.js';
export { evaluate, evaluateAll, summarize, type EvaluateOptions, type EvaluationResult } from './evaluate.js';
export { ProgressCsv, readProgressCsv, type Metrics, type ScalarWriter } from './progressCsv.js';
export { createAgentEngine, resolveEngine, type AgentEngine, type EngineKind } from './agentEngine.js';
export { minibatchUpdate, minibatchTensors, UPDATE_TERMS, type MinibatchTensors, type UpdateResult } from './minibatchUpdate.js';
export { writeBackMemory, writeBackOffsets } from './memoryWriteBack.js';
export { train, type TrainOptions, type TrainResult, type BudgetRecord } from './train.js';
export { type TrainCallbacks, type TrainCallbackList, type TrainStartInfo, type UpdateEndContext } from './callbacks.js';
export { EvalCallback, EVAL_METRICS, type EvalCallbackOptions, type EvaluationRow, type BestMeta } from './evalCallback.js';
/** Re-exported from `@mempo/envs`, where it lives, for code that imported it from here. */
export type { ResumableVecEnv } from '@mempo/envs';
