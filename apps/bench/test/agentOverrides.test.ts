import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_PRESETS, LINEAR_HEADS, runPath } from '@mempo/ppo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { resolveAgent } from '../src/training/agentOverrides.js';
import { describeDifferences, runDifferences } from '../src/training/runFolderCheck.js';
import { runTraining } from '../src/training/runTraining.js';
import { planRuns } from '../src/studies/studyRuns.js';
import { loadStudy, parseStudy } from '../src/studies/studySchema.js';
import { STUDIES_DIR } from '../src/studies/studyCommands.js';

const root = mkdtempSync(join(tmpdir(), 'mempo-agent-overrides-'));
beforeAll(async () => {
  await useBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rim = { label: 'RIM', memory: 'rim', units: 4, k: 3, hidden: 16 };
const study = (memories: Record<string, unknown>[]) =>
  parseStudy({ name: 'ablation', family: 'minigrid', preset: 'minigrid-rim', frames: 80_000, seeds: [1], experiments: [{ train: 'MiniGrid-Empty-5x5-v0' }], memories }, 's.json');
const plan = (entry: Record<string, unknown>) => planRuns(study([{ ...rim, ...entry }]), '/out')[0]!;

describe("a study memory's agent overrides (ablations of the preset's agent)", () => {
  it("apply one change each to the preset's agent and leave the rest", () => {
    const preset = AGENT_PRESETS['minigrid-rim'];
    expect(resolveAgent('minigrid-rim', 'rim', { heads: 'linear' }).heads).toEqual(LINEAR_HEADS);
    expect(resolveAgent('minigrid-rim', 'rim', { encoderInit: { scheme: 'glorot' } })).toMatchObject({ heads: preset.heads, encoderInit: { scheme: 'glorot' } });
    expect(resolveAgent('minigrid-rim', 'rim', { rim: { cellBias: true } }).cores['rim']).toEqual({ ...preset.cores['rim'], cellBias: true });
    expect(resolveAgent('minigrid-rim', 'rim', { rim: { selection: 'null-attention', inputInit: 'uniform' } }).cores['rim']).toEqual({
      ...preset.cores['rim'], selection: 'null-attention', inputInit: 'uniform',
    });
    // The preset itself is untouched, and the prose is not part of a run's agent.
    expect(preset.cores['rim']).toMatchObject({ cellBias: false });
    expect('knownDifferences' in resolveAgent('minigrid-rim', 'rim')).toBe(false);
    expect(() => resolveAgent('minigrid-rim', 'lstm', { rim: { cellBias: true } })).toThrow("agent.rim applies to rim memories only (memory is 'lstm'); remove it");
  });

  it('change the fingerprint only when they change the agent, and reach the resolved run', () => {
    const base = plan({});
    expect(plan({ agent: { heads: 'preset' } }).fingerprint).toBe(base.fingerprint);
    expect(plan({ agent: { rim: { cellBias: false } } }).fingerprint).toBe(base.fingerprint);
    const linear = plan({ agent: { heads: 'linear' } });
    expect(linear.fingerprint).not.toBe(base.fingerprint);
    expect(linear.resolved.training.agent.heads).toEqual(LINEAR_HEADS);
    const biased = plan({ agent: { rim: { cellBias: true } } });
    expect(biased.fingerprint).not.toBe(base.fingerprint);
    expect(biased.agent).toEqual({ rim: { cellBias: true } });
    // A PPO override of the memory entry is part of the fingerprint too.
    const quarter = plan({ ppo: { valueCoef: 0.25 } });
    expect(quarter.fingerprint).not.toBe(base.fingerprint);
    expect(quarter.resolved.training.ppo.valueCoef).toBe(0.25);
    // A reused folder names the change (the runner then refuses the trained run rather than re-evaluating it).
    const cores = (p: typeof base) => JSON.stringify(p.resolved.training.agent.cores);
    expect(cores(biased)).toContain('"cellBias":true');
    expect(describeDifferences(runDifferences(biased.resolved.training, base.resolved.training), 'in the study', '')).toBe(
      `agent.cores ${cores(biased)} in the study, ${cores(base)} in the run`,
    );
  });

  it('are checked field by field, naming the field, the value and what it must be', () => {
    const bad = (agent: unknown, memory = rim) => () => study([{ ...memory, agent }]);
    expect(bad({ heads: 'mlp' })).toThrow(`memories[0].agent.heads: "mlp" is not a heads choice; must be 'preset' or 'linear'`);
    expect(bad({ encoderInit: { scheme: 'he' } })).toThrow(
      `memories[0].agent.encoderInit.scheme: "he" is not an init scheme; must be one of 'uniform', 'glorot', 'torch-ac', 'orthogonal', 'variance-scaling'`,
    );
    expect(bad({ encoderInit: { scheme: 'orthogonal', gain: 0 } })).toThrow('memories[0].agent.encoderInit.gain: 0 is out of range; must be > 0');
    expect(bad({ rim: { selection: 'top-k' } })).toThrow(`memories[0].agent.rim.selection: "top-k" is not a selection rule; must be 'null-attention' or 'real-logit'`);
    expect(bad({ rim: { cellBias: 'no' } })).toThrow('memories[0].agent.rim.cellBias: "no" is not a boolean; must be true or false');
    expect(bad({ rim: { cellBias: true } }, { label: 'LSTM', memory: 'lstm', hidden: 64 } as typeof rim)).toThrow(
      "memories[0].agent.rim: rim options apply to rim only (memory is 'lstm'); remove it",
    );
    expect(bad({ head: 'linear' })).toThrow(/memories\[0\]\.agent: Unrecognized key: "head"/);
  });

  it("build the run's agent and are recorded in config.json and run.json", async () => {
    const runDir = join(root, 'warehouse-rim');
    const agent = { heads: 'linear' as const, encoderInit: { scheme: 'uniform' as const }, rim: { cellBias: false, selection: 'real-logit' as const } };
    const result = await runTraining({
      env: { family: 'warehouse', id: 'warehouse', flicker: 0 }, memory: 'rim', preset: 'iam', seed: 1, totalSteps: 1024, numEnvs: 8,
      core: { units: 2, k: 1, hidden: 4 }, agent, runDir, progress: false,
    });
    result.agent.dispose();
    const config = JSON.parse(readFileSync(runPath(runDir, 'config'), 'utf8')) as { heads: Record<string, unknown>; encoder: Record<string, unknown>; core: Record<string, unknown> };
    expect(config.heads).toMatchObject(LINEAR_HEADS);
    expect(config.encoder).toMatchObject({ init: 'uniform' });
    expect(config.core).toMatchObject({ cellBias: false, selection: 'real-logit' });
    expect(JSON.parse(readFileSync(runPath(runDir, 'spec'), 'utf8'))).toMatchObject({ agent });
    // The same folder under other overrides is refused before anything is written.
    await expect(
      runTraining({ env: { family: 'warehouse', id: 'warehouse', flicker: 0 }, memory: 'rim', preset: 'iam', seed: 1, totalSteps: 1024, numEnvs: 8, core: { units: 2, k: 1, hidden: 4 }, runDir, progress: false }),
    ).rejects.toThrow(/holds a run with other settings \(run\.json\): agent\.heads /);
  });
});

describe('the minigrid-ablation study', () => {
  it('undoes exactly one difference of the reference agent per row', () => {
    const ablation = loadStudy(join(STUDIES_DIR, 'minigrid-ablation.json'));
    const runs = planRuns(ablation, '/out').filter((r) => r.seed === 1);
    expect(runs.map((r) => r.label)).toEqual([
      'RIM reference agent', '− c := h', '− torch-ac heads', '− PyTorch conv init', '− real-logit ranking', '− unit-norm key/value init',
      '+ group LSTM bias', '− value loss 0.5 (0.25)', '− 40th update (floor)', '− half-shifted epochs', '− memory write-back',
      'LSTM reference agent', 'LSTM − torch-ac heads',
    ]);
    expect(planRuns(ablation, '/out')).toHaveLength(13 * 3);
    expect([ablation.frames, ablation.seeds, ablation.evalEpisodes, ablation.experiments]).toEqual([
      80_000, [1, 2, 3], 100, [{ train: 'MiniGrid-Empty-5x5-v0', evaluate: ['MiniGrid-Empty-16x16-v0'] }],
    ]);
    // Each row against its reference agent: the resolved settings that differ, by path.
    const flatten = (value: unknown, prefix = ''): Record<string, unknown> =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.assign({}, ...Object.entries(value).map(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k)))
        : { [prefix]: JSON.stringify(value) };
    const changed = (run: (typeof runs)[number], reference: (typeof runs)[number]) => {
      const [a, b] = [flatten(run.resolved.training), flatten(reference.resolved.training)];
      return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
    };
    const [rimRef, ...rest] = runs;
    expect(rimRef!.resolved.training.core).toEqual({ units: 4, k: 3, hidden: 16, referenceQuirks: { cellFromHidden: true } });
    expect(rimRef!.resolved.training.frames).toBe(81_920);
    const byLabel = Object.fromEntries(rest.map((r) => [r.label, changed(r, r.memory === 'rim' ? rimRef! : runs[11]!)]));
    expect(byLabel).toEqual({
      '− c := h': ['core.referenceQuirks.cellFromHidden'],
      '− torch-ac heads': expect.arrayContaining(['agent.heads.actor.hidden', 'agent.heads.critic.outputInit.scheme']),
      '− PyTorch conv init': ['agent.encoderInit.scheme'],
      '− real-logit ranking': ['agent.cores.rim.selection'],
      '− unit-norm key/value init': ['agent.cores.rim.inputInit'],
      '+ group LSTM bias': ['agent.cores.rim.cellBias'],
      '− value loss 0.5 (0.25)': ['ppo.valueCoef'],
      '− 40th update (floor)': ['frames', 'ppo.totalSteps', 'ppo.updateRounding'],
      '− half-shifted epochs': ['ppo.sequenceShift'],
      '− memory write-back': ['ppo.memoryWriteBack'],
      'LSTM reference agent': [],
      'LSTM − torch-ac heads': expect.arrayContaining(['agent.heads.actor.hidden']),
    });
    expect(byLabel['− torch-ac heads']!.every((k) => k.startsWith('agent.heads.'))).toBe(true);
    expect(byLabel['LSTM − torch-ac heads']!.every((k) => k.startsWith('agent.heads.'))).toBe(true);
    expect(Object.keys(ablation.published)).toEqual(['RIM reference agent', 'LSTM reference agent']);
  });
});
