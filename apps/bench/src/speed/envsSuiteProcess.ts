// The envs suite's timing process (envsSuite.ts, runEnvsSuite): receives the suite's options, reports progress
// lines and then the results over IPC, and exits.
import { timeEnvs, type EnvsSuiteMessage, type EnvsSuiteOptions } from './envsSuite.js';

function send(message: EnvsSuiteMessage): void {
  process.send!(message);
}

process.once('message', (options: EnvsSuiteOptions) => {
  timeEnvs(options, (line) => send({ progress: line }))
    .then((results) => send({ results }))
    .catch((err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    })
    .finally(() => process.disconnect());
});
