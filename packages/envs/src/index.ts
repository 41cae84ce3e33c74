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
} from './vecEnv.js';
