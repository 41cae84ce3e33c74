import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseOptions } from '@mempo/core-attention';
import { CONFIG_FIELDS, PRESETS, resolveConfig } from '@mempo/ppo';
import { RIM_OPTIONS } from '@mempo/rim';
import { addTrainingCommands } from '../src/trainingCommands.js';
import { addEvaluateCommand } from '../src/evaluateCommand.js';
import { addRecordCommand } from '../src/record/recordCommand.js';
import { PPO_FLAGS, parsePpoFlag, ppoFieldShape, ppoFlagValues } from '../src/training/ppoFlags.js';
import { resolveRun } from '../src/training/resolvedRun.js';
import { planRuns } from '../src/studies/studyRuns.js';
import { parseStudy } from '../src/studies/studySchema.js';

/** The exact message of an out-of-range clip range, wherever the value comes from. */
const CLIP_MESSAGE = 'ppo.clipEpsilon: 1.5 is out of range; must be in (0, 1)';

/** The CLI's commands, parsed in this process; commander throws instead of exiting, and prints nothing. */
function program(): Command {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  addTrainingCommands(p, () => undefined);
  addEvaluateCommand(p, () => undefined);
  addRecordCommand(p, () => undefined);
  for (const command of p.commands) command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  return p;
}

function parseError(args: string[]): string {
  try {
    program().parse(['node', 'mempo', ...args]);
  } catch (err) {
    if (err instanceof CommanderError) return err.message;
    throw err;
  }
  throw new Error(`${args.join(' ')} parsed without an error`);
}

const study = {
  name: 'tiny',
  family: 'warehouse',
  preset: 'iam',
  frames: 2048,
  seeds: [1],
  experiments: [{ train: 'warehouse' }],
  memories: [{ label: 'LSTM', memory: 'lstm', hidden: 16 }],
};

describe('PPO settings: one schema behind the CLI, study files and the library', () => {
  it('help lists a flag for every PPO field, with its description and the preset default', () => {
    for (const family of ['atari', 'minigrid', 'warehouse']) {
      const help = program().commands.find((c) => c.name() === family)!.helpInformation();
      for (const field of CONFIG_FIELDS) {
        expect(help, field).toContain(`--${PPO_FLAGS[field]} `);
        expect(help, field).toContain(`ppo.${field}: ${ppoFieldShape(field).description.slice(0, 20)}`);
      }
    }
    const warehouse = program().commands.find((c) => c.name() === 'warehouse')!.helpInformation().replace(/\s+/g, ' ');
    expect(warehouse).toContain(`--learning-rate <x> ppo.learningRate: Adam learning rate at the start of the run (iam preset: ${PRESETS.iam.learningRate})`);
    // The flags the README's commands use keep their names.
    expect([PPO_FLAGS.totalSteps, PPO_FLAGS.numEnvs, PPO_FLAGS.seed, PPO_FLAGS.engine, PPO_FLAGS.entropyCoef]).toEqual(['frames', 'envs', 'seed', 'engine', 'entropy-coef']);
  });

  it('an out-of-range value gives the same message from a flag, a study file and the library', () => {
    expect(parseError(['atari', '--clip-epsilon', '1.5'])).toBe(`error: option '--clip-epsilon <x>' argument '1.5' is invalid. ${CLIP_MESSAGE}`);
    expect(() => parseStudy({ ...study, ppo: { clipEpsilon: 1.5 } }, 's.json')).toThrow(`s.json is not a valid study file:\n  ${CLIP_MESSAGE}`);
    expect(() => parseStudy({ ...study, memories: [{ ...study.memories[0], ppo: { clipEpsilon: 1.5 } }] }, 's.json')).toThrow(
      `s.json is not a valid study file:\n  memories[0].${CLIP_MESSAGE}`,
    );
    expect(() => resolveConfig('iam', { clipEpsilon: 1.5 })).toThrow(new Error(CLIP_MESSAGE));
  });

  it('core sizes are checked by the core package’s schema, in the same words from a flag, a study file and the library', async () => {
    const message = 'rim.k: 5 is more than units 4; must be at most units';
    await expect(program().parseAsync(['node', 'mempo', 'minigrid', '--units', '4', '--k', '5'])).rejects.toThrow(new Error(message));
    expect(() => parseStudy({ ...study, family: 'minigrid', preset: 'minigrid-rim', experiments: [{ train: 'MiniGrid-Empty-5x5-v0' }], memories: [{ label: 'R', memory: 'rim', units: 4, k: 5 }] }, 's.json')).toThrow(
      `s.json is not a valid study file:\n  memories[0].${message.slice('rim.'.length)}`,
    );
    expect(() => parseOptions(RIM_OPTIONS, { units: 4, k: 5 }, 'rim')).toThrow(new Error(message));
    await expect(program().parseAsync(['node', 'mempo', 'warehouse', '--memory', 'lstm', '--hidden', '0'])).rejects.toThrow(
      new Error('lstm.hiddenSize: 0 is out of range; must be an integer ≥ 1'),
    );
  });

  it('env and evaluation options: --flicker (training and evaluate) and a study’s flicker fail in the same words, as --eval-every does', () => {
    expect(parseError(['atari', '--flicker', '2'])).toBe("error: option '--flicker <p>' argument '2' is invalid. env.flicker: 2 is out of range; must be in [0, 1]");
    expect(parseError(['evaluate', '--run', 'r', '--flicker', '2'])).toBe("error: option '--flicker <p>' argument '2' is invalid. env.flicker: 2 is out of range; must be in [0, 1]");
    expect(parseError(['record', '--run', 'r', '--seed', '-1'])).toBe("error: option '--seed <n>' argument '-1' is invalid. --seed must be an integer ≥ 0 (got '-1')");
    expect(() => parseStudy({ ...study, flicker: 2 }, 's.json')).toThrow('s.json is not a valid study file:\n  flicker: 2 is out of range; must be in [0, 1]');
    expect(parseError(['warehouse', '--stack', '0'])).toContain('env.stack: 0 is out of range; must be an integer ≥ 1');
    // Evaluation during training: ppo's EVAL_OPTIONS, the same wording.
    expect(parseError(['warehouse', '--eval-every', '0'])).toContain('eval.every: 0 is out of range; must be an integer ≥ 1');
    expect(parseError(['warehouse', '--eval-episodes', 'ten'])).toContain('eval.episodes: "ten" is not a number; must be an integer ≥ 1');
  });

  it('parses flag text by the field’s type and refuses what the schema refuses', () => {
    expect(parsePpoFlag('maxGradNorm', 'null')).toBeNull();
    expect(parsePpoFlag('normalizeAdvantages', 'true')).toBe(true);
    expect(parsePpoFlag('lrSchedule', 'linear')).toBe('linear');
    expect(parsePpoFlag('epochs', '8')).toBe(8);
    expect(parseError(['warehouse', '--epochs', '2.5'])).toContain('ppo.epochs: 2.5 is not an integer; must be an integer ≥ 1');
    expect(parseError(['warehouse', '--gamma', 'high'])).toContain('ppo.gamma: "high" is not a number; must be in [0, 1]');
    expect(parseError(['warehouse', '--clip-value', 'yes'])).toContain('ppo.clipValue: "yes" is not a boolean; must be true or false');
    expect(parseError(['warehouse', '--lr-schedule', 'cosine'])).toContain(`ppo.lrSchedule: "cosine" is not allowed; must be one of 'constant', 'linear'`);
    expect(parseError(['warehouse', '--frames', '-3'])).toContain('ppo.totalSteps: -3 is out of range; must be an integer ≥ 1');
  });

  it('flags reach the resolved run; relations between fields are checked against the preset', () => {
    const command = program().commands.find((c) => c.name() === 'warehouse')!;
    command.action(() => {});
    command.parse(['--learning-rate', '1e-3', '--entropy-coef', '0.05', '--max-grad-norm', '0.5', '--envs', '4'], { from: 'user' });
    const { seed, totalSteps, numEnvs, engine, ...ppo } = ppoFlagValues(command.opts());
    expect([seed, totalSteps, numEnvs, engine]).toEqual([1, undefined, 4, undefined]);
    expect(ppo).toEqual({ learningRate: 1e-3, entropyCoef: 0.05, maxGradNorm: 0.5 });
    const request = { env: { family: 'warehouse' as const, id: 'warehouse', flicker: 0 }, memory: 'lstm' as const, preset: 'iam' as const, seed: 1, core: {} };
    const { run } = resolveRun({ ...request, numEnvs, totalSteps: 4096, ppo });
    expect([run.ppo.learningRate, run.ppo.entropyCoef, run.ppo.maxGradNorm, run.ppo.numEnvs, run.ppo.epochs]).toEqual([1e-3, 0.05, 0.5, 4, PRESETS.iam.epochs]);
    expect(() => resolveRun({ ...request, ppo: { bpttLength: 100 } })).toThrow('ppo.bpttLength: 100 does not divide numSteps 128; must be a divisor of numSteps');
  });

  it('a study merges its ppo block with each memory’s, the memory’s winning', () => {
    const runs = planRuns(
      parseStudy({
        ...study,
        ppo: { entropyCoef: 0.02, epochs: 4 },
        memories: [
          { label: 'LSTM', memory: 'lstm', hidden: 16, ppo: { epochs: 6 } },
          { label: 'GRU', memory: 'gru', hidden: 16 },
        ],
      }),
      '/out',
    );
    expect(runs.map((r) => r.ppo)).toEqual([{ entropyCoef: 0.02, epochs: 6 }, { entropyCoef: 0.02, epochs: 4 }]);
    expect(runs.map((r) => r.resolved.training.ppo.epochs)).toEqual([6, 4]);
    expect(runs[0]!.fingerprint).not.toBe(planRuns(parseStudy(study), '/out')[0]!.fingerprint);
    expect(() => parseStudy({ ...study, ppo: { seed: 3, lr: 1 } }, 's.json')).toThrow(
      `s.json is not a valid study file:\n  ppo: unknown field 'lr'; must be one of ${CONFIG_FIELDS.join(', ')}`,
    );
    expect(() => parseStudy({ ...study, ppo: { seed: 3 } }, 's.json')).toThrow("ppo.seed: is set by the study's seeds; remove it from ppo");
  });

  it('a flag for a PPO field reaches the run’s config.json and run.json; resuming with another value is refused naming the flag', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mempo-ppo-flags-')), 'run');
    const train = (...flags: string[]) =>
      program().parseAsync(['node', 'mempo', 'warehouse', '--memory', 'lstm', '--hidden', '16', '--frames', '1024', '--out', out, ...flags]);
    await train('--learning-rate', '0.001', '--entropy-coef', '0.05', '--lr-schedule', 'constant');
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { ppo: Record<string, unknown> };
    expect([config.ppo['learningRate'], config.ppo['entropyCoef'], config.ppo['lrSchedule'], config.ppo['epochs']]).toEqual([0.001, 0.05, 'constant', PRESETS.iam.epochs]);
    const spec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { ppo: unknown };
    expect(spec.ppo).toEqual({ learningRate: 0.001, entropyCoef: 0.05, lrSchedule: 'constant' });
    await expect(train('--learning-rate', '0.002', '--entropy-coef', '0.05', '--lr-schedule', 'constant')).rejects.toThrow(
      `${out} holds a run with other settings (run.json): --learning-rate 0.002 here, 0.001 in the run.`,
    );
  });
});
