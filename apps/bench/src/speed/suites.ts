import { nativeDeviceLine, useBackend, type BackendName } from '../backend.js';
import { coresTable, runCoresSuite } from './coresSuite.js';
import { runEngineSuite } from './engineSuite.js';
import { envsTable, runEnvsSuite } from './envsSuite.js';
import { engineTable } from './speedReport.js';
import { runTrainSuite, trainTable } from './trainSuite.js';
import { runWarehouseSuite, warehouseTables } from './warehouseSuite.js';

/** What every suite hands back: JSON-able results and the Markdown table printed for them. */
export interface SuiteOutput {
  results: unknown;
  table: string;
}

/** Options shared by the suites; each uses the ones that apply to it. */
export interface SuiteOptions {
  /** Engine suite: the backends to compare (default: all that load). Others: the one backend to use. */
  backends?: BackendName[];
  backend?: string;
  onProgress: (line: string) => void;
}

/** The `mempo speed --suite <name>` registry. */
export const SPEED_SUITES = {
  engine: async ({ backends, onProgress }) => {
    const results = await runEngineSuite(backends, onProgress);
    return { results, table: engineTable(results) };
  },
  cores: async ({ backend, onProgress }) => {
    await useBackend(backend);
    const results = await runCoresSuite({ onProgress });
    return { results, table: coresTable(results) };
  },
  warehouse: async ({ backend, onProgress }) => {
    await useBackend(backend);
    const results = await runWarehouseSuite({}, onProgress);
    return { results, table: warehouseTables(results) };
  },
  envs: async ({ onProgress }) => {
    const results = await runEnvsSuite({}, onProgress);
    return { results, table: envsTable(results) };
  },
  train: async ({ backend, onProgress }) => {
    const results = await runTrainSuite({ backend, onProgress });
    return { results, table: trainTable(results) };
  },
} satisfies Record<string, (opts: SuiteOptions) => Promise<SuiteOutput>>;

export type SpeedSuiteName = keyof typeof SPEED_SUITES;

/**
 * Runs one suite; when the native backend took part, the table ends with the build that ran and the device
 * TensorFlow placed the ops on (the CPU or the CUDA build, CPU or GPU).
 */
export async function runSpeedSuite(name: SpeedSuiteName, options: SuiteOptions): Promise<SuiteOutput & { device: string | null }> {
  const output = await SPEED_SUITES[name](options);
  const device = nativeDeviceLine();
  return { ...output, table: device ? `${output.table}\n${device}` : output.table, device };
}
