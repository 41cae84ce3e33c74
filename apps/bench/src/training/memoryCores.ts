import { FLAT_CORE_OPTIONS, LSTM_CORE_OPTIONS, coreFromConfig, parseOptions, type MemoryCore } from '@mempo/core-attention';
// Importing the plugin packages also registers their cores ('iam', 'rim') for coreFromConfig.
import { IAM_OPTIONS } from '@mempo/iam';
import { RIM_OPTIONS, type RIMReferenceQuirks } from '@mempo/rim';
import { PAPER_MEMORIES, paperCore, paperCoreConfig, type CoreRecipe, type PaperFamily } from '@mempo/ppo';

/** The memory cores the CLI and studies can name. */
export const MEMORY_NAMES = PAPER_MEMORIES;
export type MemoryName = (typeof MEMORY_NAMES)[number];

/** Core sizes the user may override (`--units`, `--k`, `--hidden`). */
export interface CoreOverrides {
  /** RIM: number of units U. */
  units?: number;
  /** RIM: active units k. */
  k?: number;
  /** Hidden size: per unit for RIM, total for lstm/gru/fnn, recurrent branch for IAM. */
  hidden?: number;
  /** RIM: the reference code's quirks to reproduce (`@mempo/rim`'s RIMReferenceQuirks, e.g. `{ cellFromHidden: true }`). */
  referenceQuirks?: RIMReferenceQuirks;
}

/**
 * The env family decides the paper configuration a core starts from (the rim README, the iam README); `gym`
 * is any other gymnasium env the bridge hosts (the envs README, "Any gymnasium env").
 */
export type EnvFamily = 'atari' | 'minigrid' | 'warehouse' | 'gym';

/**
 * The recipe row (ppo's `paperAgent` table, the ppo README "Paper agents") a family builds from: its paper's;
 * `gym` has no paper and takes MiniGrid's small sizes, which suit small control tasks such as CartPole.
 */
export function recipeFamily(family: EnvFamily): PaperFamily {
  return family === 'gym' ? 'minigrid' : family;
}

/**
 * The sizes a core is built with: the overrides over the paper's sizes; units and k only for RIM, and RIM's
 * reference quirks when a request sets them (absent otherwise, so runs without them compare as before).
 */
export type CoreSizes = { units: number; k: number; hidden: number; referenceQuirks?: RIMReferenceQuirks } | { hidden: number };

/**
 * The sizes {@link makeCore} builds `memory` with on `family`, known before anything is built: what a run
 * folder and a study fingerprint compare.
 *
 * @example
 * coreSizes('rim', 'minigrid', { k: 2 }); // { units: 4, k: 2, hidden: 16 }
 */
export function coreSizes(memory: MemoryName, family: EnvFamily, overrides: CoreOverrides): CoreSizes {
  const paper = paperCore(recipeFamily(family), memory);
  if (memory === 'rim') {
    const units = overrides.units ?? (paper['units'] as number);
    const quirks = overrides.referenceQuirks ? { referenceQuirks: overrides.referenceQuirks } : {};
    return checked(memory, { units, k: overrides.k ?? Math.min(paper['k'] as number, units), hidden: overrides.hidden ?? paper.hiddenSize, ...quirks });
  }
  return checked(memory, { hidden: overrides.hidden ?? paper.hiddenSize });
}

/** The option schema of each memory, from the package that owns the core (rim, iam, core-attention). */
const CORE_OPTIONS = { rim: RIM_OPTIONS, iam: IAM_OPTIONS, lstm: LSTM_CORE_OPTIONS, gru: FLAT_CORE_OPTIONS, fnn: FLAT_CORE_OPTIONS } as const;

/**
 * Sizes checked by the core's own option schema, so a CLI flag, a study file and a saved run.json fail with
 * its words: `rim.k: 5 is more than units 4; must be at most units`.
 */
function checked(memory: MemoryName, sizes: CoreSizes): CoreSizes {
  const { hidden, ...rest } = sizes;
  parseOptions<unknown>(CORE_OPTIONS[memory], { ...rest, hiddenSize: hidden }, memory);
  return sizes;
}

/**
 * Builds a memory core at {@link coreSizes}' sizes with the family's paper configuration (the rim README,
 * the iam README) and the agent preset's options for that core (`AGENT_PRESETS[preset].cores[memory]`, e.g.
 * the RIM reference's `selection` and key/value initialisation under `minigrid-rim`).
 */
export function makeCore(
  memory: MemoryName,
  family: EnvFamily,
  inputShape: readonly [number, number],
  overrides: CoreOverrides,
  seed: number,
  presetOptions: Readonly<Record<string, unknown>> = {},
): MemoryCore {
  const sizes = coreSizes(memory, family, overrides);
  const { hidden, ...rimSizes } = sizes as { hidden: number };
  let paper: CoreRecipe = paperCore(recipeFamily(family), memory);
  // A gym env's Nature CNN regions (a picture) take the dynamic IAM, as on Atari; a one-element embedding the
  // static IAM without input restriction, as on MiniGrid.
  if (family === 'gym' && memory === 'iam' && inputShape[0] > 1) paper = { name: 'iam', variant: 'dynamic', hiddenSize: paper.hiddenSize };
  return coreFromConfig(paperCoreConfig({ ...paper, ...presetOptions, ...rimSizes, hiddenSize: hidden }, inputShape, seed));
}
