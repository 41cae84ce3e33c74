import { FNNCore, GRUCore, LSTMCore, type MemoryCore } from '@mempo/core-attention';
import { IAMDynamicCore, IAMStaticCore } from '@mempo/iam';
import { RIMCore } from '@mempo/rim';

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
}

/** The env family decides the paper configuration a core starts from (spec/rim.md, spec/iam.md). */
export type EnvFamily = 'atari' | 'minigrid' | 'warehouse';

/**
 * Paper sizes per family:
 * - Atari (RIM paper): U = 6, k = 5, GRU-based RIM with 6 × 85 = 510 hidden; LSTM 512; FNN 512; IAM d-patch
 *   with attention 256 and LSTM 256 (spec/iam.md).
 * - MiniGrid (RIM reference): U = 4, H = 16, k = 3, d_value 64, LSTM cell; LSTM 64.
 * - Warehouse (IAM paper): IAM static (FNN 576→256 + LSTM 64 on the d-set); LSTM 256 after a 640 layer;
 *   FNN 256 after a 640 layer.
 */
export function makeCore(
  memory: MemoryName,
  family: EnvFamily,
  inputShape: readonly [number, number],
  overrides: CoreOverrides,
  seed: number,
): MemoryCore {
  const [numElements, inputSize] = inputShape;
  const paper = {
    atari: { units: 6, k: 5, rimHidden: 85, rimCell: 'gru' as const, hidden: 512, iamHidden: 256 },
    minigrid: { units: 4, k: 3, rimHidden: 16, rimCell: 'lstm' as const, hidden: 64, iamHidden: 64 },
    warehouse: { units: 4, k: 3, rimHidden: 64, rimCell: 'lstm' as const, hidden: 256, iamHidden: 64 },
  }[family];
  switch (memory) {
    case 'rim': {
      const units = overrides.units ?? paper.units;
      return new RIMCore({
        inputSize,
        numElements,
        units,
        k: overrides.k ?? Math.min(paper.k, units),
        hiddenSize: overrides.hidden ?? paper.rimHidden,
        cell: paper.rimCell,
        // d_value = the embedding width on MiniGrid (reference) and the Warehouse; the paper's 400 on Atari.
        ...(family === 'atari' ? {} : { inputValueSize: 64 }),
        seed,
      });
    }
    case 'iam':
      if (family === 'warehouse')
        return new IAMStaticCore({ inputSize, numElements, hiddenSize: overrides.hidden ?? paper.iamHidden, seed });
      if (family === 'minigrid')
        // No published d-set for MiniGrid's 64-d embedding: the recurrent branch reads every feature (the
        // IAM paper's "no input restriction" ablation), the FNN branch is one layer as wide as the embedding.
        return new IAMStaticCore({
          inputSize, numElements, dSet: Array.from({ length: numElements * inputSize }, (_, i) => i),
          fnnSizes: [inputSize], hiddenSize: overrides.hidden ?? paper.iamHidden, seed,
        });
      return new IAMDynamicCore({ numRegions: numElements, regionSize: inputSize, hiddenSize: overrides.hidden ?? paper.iamHidden, seed });
    case 'lstm':
      return new LSTMCore({ inputSize, numElements, hiddenSize: overrides.hidden ?? paper.hidden, seed });
    case 'gru':
      return new GRUCore({ inputSize, numElements, hiddenSize: overrides.hidden ?? paper.hidden, seed });
    case 'fnn':
      return new FNNCore({ inputSize, numElements, hiddenSize: overrides.hidden ?? paper.hidden, seed });
  }
}
