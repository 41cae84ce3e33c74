import { existsSync, readdirSync, statSync } from 'node:fs';
import { stringify } from 'safe-stable-stringify';
import { RUN_FILES, newestCheckpointMeta, readJsonFile, runPath, type PpoConfig } from '@mempo/ppo';
import type { Encoder } from '@mempo/ppo';
import type { MemoryCore } from '@mempo/core-attention';
import { resolveRun, type ResolvedRun, type RunRequest } from './resolvedRun.js';
import { PPO_FLAGS } from './ppoFlags.js';

/** One setting on which a request and a recorded run disagree. */
export interface SpecDifference {
  /** A flag name without dashes (`memory`, `frames`), or `ppo.<field>` for a preset field. */
  field: string;
  requested: unknown;
  recorded: unknown;
}

/** PPO fields that are keys of a request and a study of their own, by that key. */
const OWN_KEYS: Partial<Record<keyof PpoConfig, string>> = { totalSteps: 'frames', numEnvs: 'envs', seed: 'seed' };

// Key order is not part of a setting: compare as JSON with sorted keys.
const same = (a: unknown, b: unknown): boolean => stringify(a) === stringify(b);

/** Every setting on which two resolved runs differ: the flags first, then the preset fields they leave. */
export function runDifferences(requested: ResolvedRun, recorded: ResolvedRun): SpecDifference[] {
  const pairs: [string, unknown, unknown][] = [
    ['env', requested.env.id, recorded.env.id],
    ['flicker', requested.env.flicker, recorded.env.flicker],
    ['legacyItemRemoval', requested.env.legacyItemRemoval ?? false, recorded.env.legacyItemRemoval ?? false],
    ['memory', requested.memory, recorded.memory],
    ['preset', requested.preset, recorded.preset],
    ['seed', requested.seed, recorded.seed],
    ['frames', requested.frames, recorded.frames],
    ['envs', requested.envs, recorded.envs],
    ['stack', requested.stack, recorded.stack],
  ];
  for (const key of ['units', 'k', 'hidden', 'referenceQuirks'] as const)
    pairs.push([key, (requested.core as Record<string, unknown>)[key], (recorded.core as Record<string, unknown>)[key]]);
  // The agent (preset's, with a study's overrides), part by part; plans written before it was resolved have none.
  // Another preset explains its agent as it explains its PPO fields (below).
  if (recorded.agent !== undefined && requested.preset === recorded.preset)
    for (const key of ['heads', 'encoderInit', 'encoderBias', 'cores'] as const) pairs.push([`agent.${key}`, requested.agent[key], recorded.agent[key]]);
  const differences = pairs.filter(([, a, b]) => !same(a, b)).map(([field, requested, recorded]) => ({ field, requested, recorded }));
  // Another preset explains its fields; with the same preset, a field that differs is a preset that changed.
  if (requested.preset !== recorded.preset) return differences;
  return [...differences, ...ppoDifferences(requested.ppo, recorded.ppo).filter((d) => !differences.some((f) => f.field === d.field))];
}

function ppoDifferences(requested: Partial<PpoConfig>, recorded: Partial<PpoConfig>): SpecDifference[] {
  return (Object.keys(requested) as (keyof PpoConfig)[])
    .filter((key) => !same(requested[key], recorded[key]))
    .map((key) => ({ field: OWN_KEYS[key] ?? `ppo.${key}`, requested: requested[key], recorded: recorded[key] }));
}

/**
 * `--memory gru here, lstm in the run` for each difference; a study names its fields without dashes
 * (`flagPrefix` '') and says where the request comes from (`requestedIn` 'in the study').
 */
export function describeDifferences(differences: readonly SpecDifference[], requestedIn = 'here', flagPrefix = '--'): string {
  // A PPO field is its generated flag on the CLI (`--learning-rate`), its `ppo.` key in a study.
  // The agent has no flags: its parts are named as a study names them (`agent.heads`). Other fields are
  // flags in kebab-case (`--legacy-item-removal`), study keys as they are.
  const name = (field: string) =>
    field.startsWith('ppo.') && flagPrefix !== ''
      ? `${flagPrefix}${PPO_FLAGS[field.slice(4) as keyof PpoConfig]}`
      : field.startsWith('agent.') || flagPrefix === ''
        ? field
        : `${flagPrefix}${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
  return differences.map((d) => `${name(d.field)} ${show(d.requested)} ${requestedIn}, ${show(d.recorded)} in the run`).join('; ');
}

function refusal(runDir: string, file: string, differences: readonly SpecDifference[]): Error {
  return new Error(
    `${runDir} holds a run with other settings (${file}): ${describeDifferences(differences)}. ` +
      'Nothing was written: rerun with the run’s settings to resume it, or pass a new --out',
  );
}

/**
 * A larger budget continues the run (README, "Continuing a run"): `--frames` may differ from the recorded
 * budget as long as it is not below the agent steps of the newest checkpoint. Returns the other differences.
 */
function budgetAllowed(runDir: string, requested: ResolvedRun, differences: readonly SpecDifference[]): SpecDifference[] {
  if (!differences.some((d) => d.field === 'frames')) return [...differences];
  const done = Number(newestCheckpointMeta(runPath(runDir, 'checkpoints'))?.['globalStep'] ?? 0);
  if (requested.frames < done)
    throw new Error(
      `--frames ${requested.frames} is less than the ${done} agent steps the run in ${runDir} has done: ` +
        `pass --frames ${done} or more to continue it, or a new --out. Nothing was written`,
    );
  return differences.filter((d) => d.field !== 'frames');
}

/**
 * Compares a training request with what its run folder already holds, before anything is written there:
 * `run.json` (every flag), else `config.json` (the PPO config). A folder that holds files but no run is
 * refused too, so `--out` never writes a run into an unrelated folder. Throws naming each difference; a
 * refusal leaves the folder as it was. Only `--frames` may differ, to continue the run to a new budget
 * not below the steps it has done.
 *
 * @example
 * checkRunFolder('runs/warehouse-lstm-s1', resolveRun(request).run); // throws when the run there is a gru
 */
export function checkRunFolder(runDir: string, requested: ResolvedRun): void {
  if (!existsSync(runDir)) return;
  if (!statSync(runDir).isDirectory()) throw new Error(`--out ${runDir} is a file, not a folder: pass a new or a run folder`);
  const entries = readdirSync(runDir);
  if (entries.length === 0) return;
  const fix = 'move the folder away or pass a new --out';
  const specPath = runPath(runDir, 'spec');
  if (existsSync(specPath)) {
    const saved = readJsonFile<RunRequest>(specPath, fix);
    const differences = budgetAllowed(runDir, requested, runDifferences(requested, resolveRun(saved).run));
    if (differences.length > 0) throw refusal(runDir, RUN_FILES.spec, differences);
    return;
  }
  const configPath = runPath(runDir, 'config');
  if (existsSync(configPath)) {
    const saved = readJsonFile<{ ppo: PpoConfig }>(configPath, fix);
    const differences = budgetAllowed(runDir, requested, ppoDifferences(requested.ppo, saved.ppo));
    if (differences.length > 0) throw refusal(runDir, RUN_FILES.config, differences);
    return;
  }
  const runFiles: readonly string[] = Object.values(RUN_FILES);
  if (!entries.some((name) => runFiles.includes(name)))
    throw new Error(`--out ${runDir} is a folder with other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}), not a run: pass a new or an empty folder`);
}

/**
 * Compares the encoder and core a request built with those `config.json` records, before training writes
 * anything: sizes the flags do not show (a changed paper default, an env with another observation shape)
 * would otherwise surface as a weight-shape error, or not at all.
 */
export function checkBuiltAgent(runDir: string, encoder: Encoder, core: MemoryCore): void {
  const configPath = runPath(runDir, 'config');
  if (!existsSync(configPath)) return;
  const saved = readJsonFile<{ encoder: unknown; core: unknown }>(configPath, 'move the folder away or pass a new --out');
  for (const [part, built, recorded] of [
    ['encoder', encoder.config(), saved.encoder],
    ['core', core.config(), saved.core],
  ] as const) {
    if (same(built, recorded)) continue;
    const b = built as Record<string, unknown>;
    const r = (recorded ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(r)])].filter((key) => !same(b[key], r[key]));
    throw new Error(
      `${runDir} holds a run with another ${part} (${RUN_FILES.config}): ${keys.map((key) => `${key} ${JSON.stringify(b[key])} here, ${JSON.stringify(r[key])} in the run`).join('; ')}. ` +
        'Nothing was written: rerun with the run’s settings to resume it, or pass a new --out',
    );
  }
}
