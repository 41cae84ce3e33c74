import { FNNCore, GRUCore, LSTMCore, type MemoryCore } from '@mempo/core-attention';
import { IAMDynamicCore, IAMStaticCore } from '@mempo/iam';
import { RIMCore, type RIMReferenceQuirks } from '@mempo/rim';

/** The memory cores the CLI and studies can name. */
export const MEMORY_NAMES = ['rim', 'iam', 'lstm', 'gru', 'fnn'] as const;
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
 * Paper sizes per family:
 * - Atari (RIM paper): U = 6, k = 5, GRU-based RIM with 6 × 85 = 510 hidden; LSTM 512; FNN 512; IAM d-patch
 *   with attention 256 and LSTM 256 (the iam README).
 * - MiniGrid (RIM reference): U = 4, H = 16, k = 3, d_value 64, LSTM cell; LSTM 64.
 * - Warehouse (IAM paper): IAM static (FNN 576→256 + LSTM 64 on the d-set); LSTM 256 after a 640 layer;
 *   FNN 256 after a 640 layer.
 * - Any other gymnasium env (no paper): MiniGrid's small sizes, which suit small control tasks such as CartPole.
 */
const PAPER_SIZES = {
  atari: { units: 6, k: 5, rimHidden: 85, rimCell: 'gru' as const, hidden: 512, iamHidden: 256 },
  minigrid: { units: 4, k: 3, rimHidden: 16, rimCell: 'lstm' as const, hidden: 64, iamHidden: 64 },
  warehouse: { units: 4, k: 3, rimHidden: 64, rimCell: 'lstm' as const, hidden: 256, iamHidden: 64 },
  gym: { units: 4, k: 3, rimHidden: 16, rimCell: 'lstm' as const, hidden: 64, iamHidden: 64 },
};

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
  const paper = PAPER_SIZES[family];
  if (memory === 'rim') {
    const units = overrides.units ?? paper.units;
    const quirks = overrides.referenceQuirks ? { referenceQuirks: overrides.referenceQuirks } : {};
    return { units, k: overrides.k ?? Math.min(paper.k, units), hidden: overrides.hidden ?? paper.rimHidden, ...quirks };
  }
  return { hidden: overrides.hidden ?? (memory === 'iam' ? paper.iamHidden : paper.hidden) };
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
  const [numElements, inputSize] = inputShape;
  const paper = PAPER_SIZES[family];
  const sizes = coreSizes(memory, family, overrides);
  switch (memory) {
    case 'rim': {
      const { units, k } = sizes as { units: number; k: number };
      return new RIMCore({
        inputSize,
        numElements,
        units,
        k,
        hiddenSize: sizes.hidden,
        cell: paper.rimCell,
        // d_value = the embedding width on MiniGrid (reference) and the Warehouse; the paper's 400 on Atari.
        ...(family === 'atari' ? {} : { inputValueSize: 64 }),
        ...presetOptions,
        ...(overrides.referenceQuirks ? { referenceQuirks: overrides.referenceQuirks } : {}),
        seed,
      });
    }
    case 'iam':
      if (family === 'warehouse')
        return new IAMStaticCore({ inputSize, numElements, hiddenSize: sizes.hidden, seed });
      if (family === 'minigrid' || (family === 'gym' && numElements === 1))
        // No published d-set for MiniGrid's 64-d embedding (nor any one-element embedding of another env):
        // the recurrent branch reads every feature (the IAM paper's "no input restriction" ablation), the FNN
        // branch is one layer as wide as the embedding. A Nature CNN's 49 regions take the dynamic IAM.
        return new IAMStaticCore({
          inputSize, numElements, dSet: Array.from({ length: numElements * inputSize }, (_, i) => i),
          fnnSizes: [inputSize], hiddenSize: sizes.hidden, seed,
        });
      return new IAMDynamicCore({ numRegions: numElements, regionSize: inputSize, hiddenSize: sizes.hidden, seed });
    case 'lstm':
      return new LSTMCore({ inputSize, numElements, hiddenSize: sizes.hidden, seed });
    case 'gru':
      return new GRUCore({ inputSize, numElements, hiddenSize: sizes.hidden, seed });
    case 'fnn':
      return new FNNCore({ inputSize, numElements, hiddenSize: sizes.hidden, seed });
  }
}
