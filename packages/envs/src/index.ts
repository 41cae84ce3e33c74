export {
  REQUIRED_PYTHON_PACKAGES,
  requirementsFile,
  pythonExecutable,
  pinnedPythonVersions,
  inspectPythonEnv,
  type PythonEnvReport,
} from './pythonRuntime.js';
export type {
  ObsArray,
  ObservationSpace,
  DiscreteActionSpace,
  EpisodeStats,
  StepInfo,
  VecStepResult,
  VecEnv,
  ResumableVecEnv,
} from './vecEnv.js';
export { isResumableVecEnv } from './vecEnv.js';
export { FlickerWrapper, type FlickerArgs } from './wrappers/flicker.js';
export { BridgeError, liveWorkerCount, type BridgeErrorKind } from './bridge/workerProcess.js';
export { GymBridgeEnv, type BridgeOptions, type GymBridgeEnvArgs, type GymFamily, type WorkerBenchResult } from './bridge/gymBridgeEnv.js';
export { MINIGRID_ENV_IDS, makeMiniGridEnv, type MiniGridEnvArgs } from './bridge/miniGrid.js';
export { makeGymEnv, type GymEnvArgs } from './bridge/gymEnv.js';
export {
  describeGymEnvs,
  type DescribeGymEnvsOptions,
  type GymEnvDescription,
  type GymObservationKind,
  type GymObservationSpace,
  type UnsupportedSpace,
} from './bridge/gymRegistry.js';
export { Random32 } from './random.js';
export { EpisodeTracker, type EpisodeTrackerState } from './episodeStats.js';
export { Warehouse, type WarehouseArgs, type WarehouseStepResult, type WarehouseState } from './warehouse/warehouse.js';
export {
  WAREHOUSE_SIZE,
  WAREHOUSE_SHELVES,
  WAREHOUSE_OBS_SIZE,
  WAREHOUSE_ITEM_OFFSET,
  SHELF_CELLS,
  SPAWN_ORDER,
  robotObsIndex,
  shelfObsIndex,
} from './warehouse/layout.js';
export { greedyWarehouseAction } from './warehouse/policies.js';
export { CueMemoryTask, type CueMemoryTaskArgs, type CueMemoryStepResult, type CueMemoryTaskState } from './memoryTask/cueMemoryTask.js';
export { FrameStack, type FrameStackArgs, type FrameStackState } from './wrappers/frameStack.js';
export type { AtariOptions } from './atariOptions.js';
export { makeAtariEnv, type AtariEnvArgs } from './bridge/atari.js';
export { NativeAtariEnv, type NativeAtariEnvArgs, type NativeAtariEnvState } from './ale/nativeAtariEnv.js';
export {
  ATARI_BACKENDS,
  createAtariEnv,
  defaultAtariBackend,
  nativeAtariStatus,
  type AtariBackend,
  type NativeAtariStatus,
} from './ale/atariBackend.js';
export { unknownAtariGames } from './bridge/atariGames.js';
