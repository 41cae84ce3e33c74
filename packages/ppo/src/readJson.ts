import { readFileSync } from 'node:fs';

/**
 * Reads a JSON file of a run folder; a missing or corrupt file fails with its path (JSON.parse's own
 * message names no file, which leaves the user guessing which of a run's files is damaged).
 *
 * @param fix what the user can do about a damaged file, appended to the message
 * @example
 * const spec = readJsonFile<SavedRunSpec>(runPath(runDir, 'spec'), 'retrain the run into a new --out');
 */
export function readJsonFile<T>(path: string, fix: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path} is missing; ${fix}` : `cannot read ${path} (${code ?? String(err)}); ${fix}`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); ${fix}`, { cause: err });
  }
}
