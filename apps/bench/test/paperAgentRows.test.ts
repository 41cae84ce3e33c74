import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { coreFromConfig } from '@mempo/core-attention';
import { PAPER_FAMILIES, PAPER_MEMORIES, RESUME_FREE_FIELDS, paperAgent, paperCoreConfig, paperEncoder, type PaperFamily } from '@mempo/ppo';
import { useBackend } from '../src/backend.js';
import { addTrainingCommands } from '../src/trainingCommands.js';
import { makeEncoder } from '../src/training/environments.js';
import { makeCore } from '../src/training/memoryCores.js';
import { resolveRun } from '../src/training/resolvedRun.js';

/** An observation of each family as its env sends it (the envs README). */
const OBS: Record<PaperFamily, (stack: number) => number[]> = {
  atari: (stack) => [stack, 84, 84],
  minigrid: () => [7, 7, 3],
  warehouse: (stack) => (stack > 1 ? [stack, 73] : [73]),
};

describe("paperAgent's rows are what the CLI builds", () => {
  it.each(PAPER_FAMILIES.flatMap((family) => PAPER_MEMORIES.map((memory) => [family, memory] as const)))('%s × %s', async (family, memory) => {
    await useBackend('tensorflow');
    const row = paperAgent(family, memory);
    const command = (() => {
      const program = new Command();
      addTrainingCommands(program, () => undefined);
      return program.commands.find((c) => c.name() === family)!;
    })();
    // The command's defaults are the row's env and preset.
    expect(command.options.find((o) => o.long === '--env')?.defaultValue ?? 'warehouse').toBe(row.env);
    expect(command.options.find((o) => o.long === '--preset')?.defaultValue).toBe(row.preset);

    const { run } = resolveRun({ env: { family, id: row.env, flicker: family === 'atari' ? 0.5 : 0 }, memory, preset: row.preset, seed: 1, core: {} });
    expect(run.stack).toBe(row.stack);
    const { units, k, hiddenSize } = row.core as { units?: number; k?: number; hiddenSize: number };
    expect(run.core).toEqual(memory === 'rim' ? { units, k, hidden: hiddenSize } : { hidden: hiddenSize });
    const resultFields = Object.fromEntries(Object.entries(row.ppo).filter(([key]) => !(RESUME_FREE_FIELDS as readonly string[]).includes(key)));
    expect(run.ppo).toEqual({ ...resultFields, totalSteps: run.frames });

    // The encoder and core the training command builds (runTraining) have the configs the row's builders give.
    const obs = OBS[family](row.stack);
    const cliEncoder = makeEncoder(family, memory, obs, 1, row.agent.encoderInit, row.agent.encoderBias);
    const rowEncoder = paperEncoder(row, obs, 1);
    expect(cliEncoder.config()).toEqual(rowEncoder.config());
    const cliCore = makeCore(memory, family, cliEncoder.outputShape, {}, 1, row.agent.cores[memory]);
    const rowCore = coreFromConfig(paperCoreConfig(row.core, rowEncoder.outputShape, 1));
    expect(cliCore.config()).toEqual(rowCore.config());
    for (const part of [cliEncoder, rowEncoder, cliCore, rowCore]) part.dispose();
  });
});
