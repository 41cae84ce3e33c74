import { INIT_SCHEMES, type InitScheme } from '@mempo/core-attention';
import { AGENT_PRESETS, LINEAR_HEADS, type AgentSpec, type PresetName } from '@mempo/ppo';
import { z } from 'zod';
import type { MemoryName } from './memoryCores.js';

/** The agent a run trains: its preset's `AGENT_PRESETS` entry less the prose, with any overrides applied. */
export type RunAgent = Omit<AgentSpec, 'knownDifferences'>;

const scheme = z.enum(INIT_SCHEMES as [InitScheme, ...InitScheme[]], {
  error: (issue) => `${JSON.stringify(issue.input)} is not an init scheme; must be one of ${INIT_SCHEMES.map((s) => `'${s}'`).join(', ')}`,
});

/**
 * Changes to a preset's agent for one run (a study memory entry's `agent`, for ablations): each field
 * undoes or alters one thing the preset's agent does, and is checked here alone.
 * - `heads`: `'preset'` (the preset's heads) or `'linear'` (one linear layer per head, Glorot, actor gain
 *   0.01: ppo's `LINEAR_HEADS`, what mempo had before heads were data).
 * - `encoderInit`: the encoder layers' initialisation (`{ scheme, gain? }`, core-attention's InitScheme).
 * - `rim`: RIM core options over the preset's (`selection`, `inputInit`, `cellBias`; `@mempo/rim` RIMCellArgs);
 *   rim memories only.
 */
export const agentOverridesSchema = z.strictObject({
  heads: z.enum(['preset', 'linear'], { error: (issue) => `${JSON.stringify(issue.input)} is not a heads choice; must be 'preset' or 'linear'` }).optional(),
  encoderInit: z
    .strictObject({
      scheme,
      gain: z.number({ error: (issue) => `${JSON.stringify(issue.input)} is not a number; must be > 0` }).positive({ error: (issue) => `${JSON.stringify(issue.input)} is out of range; must be > 0` }).optional(),
    })
    .optional(),
  rim: z
    .strictObject({
      selection: z.enum(['null-attention', 'real-logit'], { error: (issue) => `${JSON.stringify(issue.input)} is not a selection rule; must be 'null-attention' or 'real-logit'` }).optional(),
      inputInit: scheme.optional(),
      cellBias: z.boolean({ error: (issue) => `${JSON.stringify(issue.input)} is not a boolean; must be true or false` }).optional(),
    })
    .optional(),
});

/** A run's changes to its preset's agent ({@link agentOverridesSchema}). */
export type AgentOverrides = z.output<typeof agentOverridesSchema>;

/**
 * The agent a run trains: the preset's, with `overrides` applied. Overrides that change nothing (`heads:
 * 'preset'`, a RIM option equal to the preset's) give the same agent, so the same fingerprint.
 *
 * @example
 * resolveAgent('minigrid-rim', 'rim', { heads: 'linear', rim: { cellBias: true } }).cores['rim']; // { selection: 'real-logit', inputInit: 'torch-ac', cellBias: true }
 */
export function resolveAgent(preset: PresetName, memory: MemoryName, overrides: AgentOverrides = {}): RunAgent {
  if (overrides.rim !== undefined && memory !== 'rim') throw new Error(`agent.rim applies to rim memories only (memory is '${memory}'); remove it`);
  const { knownDifferences: _known, ...agent } = structuredClone(AGENT_PRESETS[preset]);
  if (overrides.heads === 'linear') agent.heads = structuredClone(LINEAR_HEADS);
  if (overrides.encoderInit !== undefined) agent.encoderInit = { ...overrides.encoderInit };
  if (overrides.rim !== undefined) agent.cores = { ...agent.cores, rim: { ...agent.cores['rim'], ...overrides.rim } };
  return agent;
}
