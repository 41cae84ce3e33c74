export {
  REQUIRED_PYTHON_PACKAGES,
  requirementsFile,
  pythonExecutable,
  pinnedPythonVersions,
  inspectPythonEnv,
  type PythonEnvReport,
} from './pythonRuntime.js';
