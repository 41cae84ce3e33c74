import { readFileSync } from 'node:fs';
import { PRESET_NAMES, ppoOverridesSchema, type PresetName } from '@mempo/ppo';
import { FLAT_CORE_OPTIONS } from '@mempo/core-attention';
import { RIM_OPTIONS } from '@mempo/rim';
import { z } from 'zod';
import { agentOverridesSchema } from '../training/agentOverrides.js';
import { MEMORY_NAMES } from '../training/memoryCores.js';
import { envIdProblems } from '../training/envIds.js';
import { ENV_OPTIONS } from '../training/envOptions.js';

const positiveInt = z.number().int().positive();

/**
 * PPO fields over the study's preset, checked by ppo's own schema (the same messages as the CLI's flags and
 * `resolveConfig`). Seed, frames, envs and engine are the study's own keys, so a `ppo` block may not set them.
 */
const ppoBlock = ppoOverridesSchema
  .superRefine((ppo, ctx) => {
    for (const [field, key] of [['seed', 'seeds'], ['totalSteps', 'frames'], ['numEnvs', 'envs'], ['engine', 'engine']] as const)
      if (ppo[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is set by the study's ${key}; remove it from ppo` });
  })
  .optional();

/** One memory entry of a study: a core, its size overrides and the label its table row carries. */
const memoryEntry = z
  .object({
    label: z.string().min(1).describe('row label in the tables, e.g. "RIM (k=3)"'),
    memory: z.enum(MEMORY_NAMES),
    // Checked by the owning packages' option schemas, in their words (rim's RIM_OPTIONS, core-attention's FLAT_CORE_OPTIONS).
    units: RIM_OPTIONS.shape.units,
    k: RIM_OPTIONS.shape.k,
    hidden: FLAT_CORE_OPTIONS.shape.hiddenSize.describe('hidden size: per unit for rim, the state for lstm/gru/iam, the layer for fnn'),
    stack: ENV_OPTIONS.shape.stack.describe('frames stacked per observation (e.g. 8 for "FNN 8-obs")'),
    referenceQuirks: z
      .object({ cellFromHidden: z.boolean().optional().describe('c := h after every step, as the RIM reference model.py') })
      .strict()
      .optional()
      .describe("rim only: the RIM reference code's quirks (@mempo/rim RIMReferenceQuirks)"),
    ppo: ppoBlock.describe("PPO fields for this memory's runs, over the study's ppo block and preset"),
    agent: agentOverridesSchema
      .optional()
      .describe("changes to the preset's agent for this memory's runs (ablations): heads 'preset' | 'linear', encoderInit, rim options"),
  })
  .strict()
  .superRefine((m, ctx) => {
    const rim = RIM_OPTIONS.safeParse({ units: m.units, k: m.k });
    for (const issue of rim.success ? [] : rim.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    if (m.memory !== 'rim' && (m.units !== undefined || m.k !== undefined))
      ctx.addIssue({ code: 'custom', path: [m.units !== undefined ? 'units' : 'k'], message: `units and k apply to rim only (memory is '${m.memory}'); remove them` });
    if (m.memory !== 'rim' && m.referenceQuirks !== undefined)
      ctx.addIssue({ code: 'custom', path: ['referenceQuirks'], message: `referenceQuirks apply to rim only (memory is '${m.memory}'); remove it` });
    if (m.memory !== 'rim' && m.agent?.rim !== undefined)
      ctx.addIssue({ code: 'custom', path: ['agent', 'rim'], message: `rim options apply to rim only (memory is '${m.memory}'); remove it` });
  });

/** One training env of the grid and the envs its final policy is evaluated on. */
const experimentEntry = z
  .object({
    train: z.string().min(1).describe('the training env id (★ in the tables)'),
    evaluate: z.array(z.string().min(1)).default([]).describe('held-out env ids, zero-shot'),
    frames: positiveInt.optional().describe("agent steps summed over envs; default: the study's frames"),
  })
  .strict();

/** A Slurm time limit as `sbatch --time` takes it: minutes, `M:S`, `H:M:S`, `D-H`, `D-H:M` or `D-H:M:S`. */
export const SLURM_TIME = /^(\d+-\d+(:\d+){0,2}|\d+(:\d+){0,2})$/;
/** A Slurm memory request as `sbatch --mem` takes it: a number with an optional K, M, G or T suffix. */
export const SLURM_MEMORY = /^\d+[KMGT]?$/;
/** One extra `#SBATCH` option: starts with a dash, one line. */
export const SBATCH_OPTION = /^--?[A-Za-z][^\n]*$/;

/**
 * Resources of each array task when the study runs with `--executor slurm` (the command-line flags override
 * them one by one). Unset fields are left to the cluster's defaults.
 */
export const slurmSchema = z
  .object({
    partition: z.string().regex(/^[\w.-]+$/, 'partition must be a partition name (letters, digits, _ . -)').optional(),
    cpusPerTask: positiveInt.optional().describe('sbatch --cpus-per-task; also the TensorFlow threads of the run'),
    mem: z.string().regex(SLURM_MEMORY, "mem must be a number with an optional K, M, G or T suffix, e.g. '8G'").optional(),
    time: z.string().regex(SLURM_TIME, "time must be a Slurm time limit, e.g. '90' (minutes), '4:00:00' or '1-12:00:00'").optional(),
    gres: z.string().regex(/^[\w:.,=-]+$/, "gres must be a generic-resource request, e.g. 'gpu:1'").optional(),
    maxConcurrent: positiveInt.optional().describe('array tasks running at once (the %M of --array)'),
    signalGrace: positiveInt.default(120).describe('seconds before the time limit at which a task checkpoints and is requeued'),
    sbatchLines: z.array(z.string().regex(SBATCH_OPTION, 'each extra line is one sbatch option, e.g. "--account=lab"')).default([]),
  })
  .strict();

/**
 * The study file schema (the root README, "Studies"): a grid of
 * experiments (training env + evaluation envs) × memories × seeds under one PPO preset.
 */
export const studySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'name must be lowercase letters, digits and dashes (it names the output folder)'),
    description: z.string().default(''),
    family: z.enum(['atari', 'minigrid', 'warehouse', 'gym']),
    preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]),
    ppo: ppoBlock.describe("PPO fields over the preset's, for every run (e.g. { \"entropyCoef\": 0.02 })"),
    frames: positiveInt.describe('agent steps summed over envs, per run'),
    seeds: z.array(z.number().int().nonnegative()).min(1).describe('one run per seed per cell'),
    envs: positiveInt.optional().describe("parallel envs per run; default: the preset's"),
    flicker: ENV_OPTIONS.shape.flicker.unwrap().default(0.5).describe('Atari: flicker probability'),
    legacyItemRemoval: z
      .boolean()
      .default(false)
      .describe("Warehouse: the original code's item-removal loop, under which the published curves were made (default: the clean rule)"),
    engine: z
      .enum(['auto', 'graph', 'eager'])
      .default('auto')
      .describe('execution engine of every run: graph (one TensorFlow graph per update and acting step, native backend), eager, or auto'),
    evalEpisodes: positiveInt.default(100),
    diagnosticSteps: z.number().int().nonnegative().default(100).describe('steps of env 0 whose core diagnostics are recorded'),
    unit: z.string().default('agent steps').describe('what "frames" counts, printed in the report'),
    experiments: z.array(experimentEntry).min(1),
    memories: z.array(memoryEntry).min(1),
    published: z
      .record(z.string(), z.record(z.string(), z.number()))
      .default({})
      .describe('published mean return per label and env id (from the paper or reference code named in publishedSource)'),
    publishedSource: z.string().default(''),
    slurm: slurmSchema.optional().describe('resources of each run on a Slurm cluster (--executor slurm)'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const labels = s.memories.map((m) => m.label);
    labels.forEach((label, i) => {
      if (labels.indexOf(label) !== i) ctx.addIssue({ code: 'custom', path: ['memories', i, 'label'], message: `label '${label}' is used twice; labels must be unique` });
    });
    if (new Set(s.seeds).size !== s.seeds.length) ctx.addIssue({ code: 'custom', path: ['seeds'], message: 'seeds must be distinct' });
    const envIds = new Set(s.experiments.flatMap((e) => [e.train, ...e.evaluate]));
    // MiniGrid and gym ids are checked against the bridge's registry when the study is loaded (checkStudyEnvs).
    if (s.family === 'minigrid' || s.family === 'gym')
      s.memories.forEach((m, i) => {
        if (m.stack !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['memories', i, 'stack'],
            message: `${s.family === 'minigrid' ? 'MiniGrid' : 'gym'} observations are not stacked; remove stack`,
          });
      });
    if (s.family !== 'warehouse' && s.legacyItemRemoval)
      ctx.addIssue({ code: 'custom', path: ['legacyItemRemoval'], message: `applies to the Warehouse only (this study's family is ${s.family}); remove legacyItemRemoval` });
    if (s.family === 'warehouse')
      s.experiments.forEach((e, i) => {
        if (e.train !== 'warehouse' || e.evaluate.some((id) => id !== 'warehouse'))
          ctx.addIssue({ code: 'custom', path: ['experiments', i, 'train'], message: "the warehouse family has one env: use 'warehouse'" });
      });
    for (const [label, perEnv] of Object.entries(s.published)) {
      if (!labels.includes(label))
        ctx.addIssue({ code: 'custom', path: ['published', label], message: `label '${label}' must be one of the memories' labels (${labels.join(', ')})` });
      for (const env of Object.keys(perEnv))
        if (!envIds.has(env))
          ctx.addIssue({ code: 'custom', path: ['published', label, env], message: `env '${env}' is not trained or evaluated in this study (${[...envIds].join(', ')})` });
    }
  });

/** A validated study (defaults filled in). */
export type Study = z.output<typeof studySchema>;
/** One memory entry of a study. */
export type StudyMemory = Study['memories'][number];

/** `a.b[2].c` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/**
 * Validates parsed JSON as a study. Throws one Error listing every problem as `<source>: <field path>: <message>`,
 * so a malformed study file fails before any run starts.
 */
export function parseStudy(json: unknown, source = 'study'): Study {
  const result = studySchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`);
  throw new Error(`${source} is not a valid study file:\n${lines.join('\n')}`);
}

/**
 * Checks the env ids of a parsed study before any run starts (envIds.ts `envIdProblems`): Atari ids against
 * ale-py's ROMs, MiniGrid and gym ids against the bridge worker's registry (registered, Discrete actions, an
 * observation an encoder reads), each in one Python call, so an unknown evaluation env fails when the study is
 * loaded, not after its runs have trained. The Warehouse's one id is checked by the schema itself.
 */
export async function checkStudyEnvs(study: Study, source = 'study'): Promise<void> {
  if (study.family === 'warehouse') return;
  const problems = await envIdProblems(study.family, study.experiments.flatMap((e) => [e.train, ...e.evaluate]));
  const lines: string[] = [];
  study.experiments.forEach((e, i) => {
    if (problems[e.train] !== undefined) lines.push(`  experiments[${i}].train: env '${e.train}' ${problems[e.train]}`);
    e.evaluate.forEach((id, j) => {
      if (problems[id] !== undefined) lines.push(`  experiments[${i}].evaluate[${j}]: env '${id}' ${problems[id]}`);
    });
  });
  if (lines.length > 0) throw new Error(`${source} is not a valid study file:\n${lines.join('\n')}`);
}

/** Reads and validates a study file. */
export function loadStudy(path: string): Study {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`study file ${path} cannot be read; pass a path to a JSON study file (see apps/bench/studies/)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); fix the syntax`);
  }
  return parseStudy(json, path);
}
