import { join } from 'node:path';
import type { EngineChoice, PresetName } from '@mempo/ppo';
import type { EnvChoice } from '../training/environments.js';
import type { CoreOverrides, MemoryName } from '../training/memoryCores.js';
import type { AgentOverrides } from '../training/agentOverrides.js';
import type { PpoOverrides } from '../training/resolvedRun.js';
import { fingerprintOf, resolvePlan, type ResolvedPlan } from './runFingerprint.js';
import type { Study } from './studySchema.js';

/** One run of a study, as the runner hands it to a child process (`plan.json`, JSON). */
export interface PlannedRun {
  /** Unique within the study; also the run folder's name. */
  id: string;
  /** Run folder. */
  runDir: string;
  /** The memory entry's label (the table row). */
  label: string;
  memory: MemoryName;
  core: CoreOverrides;
  stack?: number;
  preset: PresetName;
  /** PPO fields over the preset's: the study's `ppo` block, then the memory entry's. */
  ppo?: PpoOverrides;
  /** Changes to the preset's agent: the memory entry's `agent`. */
  agent?: AgentOverrides;
  /** Execution engine (results agree between engines within float32 rounding). */
  engine: EngineChoice;
  seed: number;
  frames: number;
  numEnvs?: number;
  train: EnvChoice;
  /** Training env first, then the held-out envs. */
  evaluate: EnvChoice[];
  evalEpisodes: number;
  diagnosticSteps: number;
  /** Every setting as the run uses it; what a reused study folder is compared with. */
  resolved: ResolvedPlan;
  /** {@link fingerprintOf} `resolved`; `eval.json` records the one it was made under. */
  fingerprint: string;
}

/** `RIM (k=3)` → `rim-k-3`: a label as a folder-name fragment. */
export function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The grid of a study: experiments × memories × seeds, in that order; run folders under `<outDir>/runs/`.
 * Frame budgets are rounded down to whole updates; `onNote` hears each rounding once.
 */
export function planRuns(study: Study, outDir: string, onNote: (line: string) => void = () => {}): PlannedRun[] {
  const noted = new Set<string>();
  const runs: PlannedRun[] = [];
  const choice = (id: string): EnvChoice => ({
    family: study.family,
    id,
    flicker: study.family === 'atari' ? study.flicker : 0,
    ...(study.legacyItemRemoval ? { legacyItemRemoval: true } : {}),
  });
  for (const experiment of study.experiments) {
    for (const entry of study.memories) {
      for (const seed of study.seeds) {
        const id = `${experiment.train}--${slug(entry.label)}--s${seed}`;
        const settings = {
          runDir: join(outDir, 'runs', id),
          label: entry.label,
          memory: entry.memory,
          core: { units: entry.units, k: entry.k, hidden: entry.hidden, ...(entry.referenceQuirks ? { referenceQuirks: entry.referenceQuirks } : {}) },
          ...(entry.stack !== undefined ? { stack: entry.stack } : {}),
          preset: study.preset,
          ...(study.ppo !== undefined || entry.ppo !== undefined ? { ppo: { ...study.ppo, ...entry.ppo } } : {}),
          ...(entry.agent !== undefined ? { agent: entry.agent } : {}),
          engine: study.engine,
          seed,
          frames: experiment.frames ?? study.frames,
          ...(study.envs !== undefined ? { numEnvs: study.envs } : {}),
          train: choice(experiment.train),
          evaluate: [experiment.train, ...experiment.evaluate.filter((e) => e !== experiment.train)].map(choice),
          evalEpisodes: study.evalEpisodes,
          diagnosticSteps: study.diagnosticSteps,
        };
        let resolution: ReturnType<typeof resolvePlan>;
        try {
          resolution = resolvePlan(settings);
        } catch (err) {
          throw new Error(`study ${study.name}, run ${id}: ${(err as Error).message}`, { cause: err });
        }
        const { resolved, notes } = resolution;
        for (const note of notes) {
          const line = `${experiment.train}: ${note.replace(/^--frames/, 'frames')}`;
          if (!noted.has(line)) onNote(line);
          noted.add(line);
        }
        runs.push({ id, ...settings, frames: resolved.training.frames, resolved, fingerprint: fingerprintOf(resolved) });
      }
    }
  }
  const ids = runs.map((r) => r.id);
  const clash = ids.find((id, i) => ids.indexOf(id) !== i);
  if (clash !== undefined) throw new Error(`two runs share the folder '${clash}': give the memories labels that differ in letters or digits`);
  return runs;
}
