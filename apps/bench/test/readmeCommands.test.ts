import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStudy } from '../src/studies/studyCommands.js';
import { dryRunCli } from './cliDryRun.js';
import { inlineCommandSpans, mempoCommands, readInvocations, shellBlockLines, type MempoCommand } from './readmeCommandLines.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const invocations = readInvocations(ROOT);

/** The READMEs users copy commands from: the root's and every package's and app's. */
const READMES = [
  'README.md',
  ...['packages', 'apps'].flatMap((folder) =>
    readdirSync(join(ROOT, folder))
      .map((name) => `${folder}/${name}/README.md`)
      .filter((path) => existsSync(join(ROOT, path))),
  ),
];

/** The mempo commands of one README text: its shell blocks' lines and its inline command spans. */
function commandsOf(readme: string, markdown: string): MempoCommand[] {
  return mempoCommands([...shellBlockLines(readme, markdown), ...inlineCommandSpans(readme, markdown, invocations)], invocations);
}

/** One failure line per command that does not parse as written: `README.md:153: <command>: <why>`. */
async function failures(commands: readonly MempoCommand[]): Promise<string[]> {
  const found: string[] = [];
  for (const command of commands) {
    const where = `${command.readme}:${command.line}: ${command.text}`;
    if ('problem' in command) found.push(`${where}: ${command.problem}`);
    else {
      const result = await dryRunCli(command.argv);
      if ('error' in result) found.push(`${where}: ${result.error}`);
      // A study is an argument the action resolves, not a parser: a renamed or broken study file shows here.
      else if (typeof result.arguments.study === 'string') {
        try {
          resolveStudy(result.arguments.study);
        } catch (err) {
          found.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }
  return found;
}

const readmeCommands = READMES.flatMap((readme) => commandsOf(readme, readFileSync(join(ROOT, readme), 'utf8')));

describe("the READMEs' mempo commands (README, Tests)", () => {
  it(`parse exactly as written: ${readmeCommands.length} commands from ${READMES.length} READMEs reach a command's action`, async () => {
    // A floor, so that a broken extraction cannot pass by checking nothing (README.md alone shows 32 today).
    expect(readmeCommands.length).toBeGreaterThanOrEqual(20);
    expect(await failures(readmeCommands)).toEqual([]);
  });

  it('reach the command each line names, including nx targets and npm scripts mapped through package.json', async () => {
    const byText = new Map(readmeCommands.map((c) => [c.text, c]));
    const expectations: [string, string][] = [
      ['npm run setup && npx nx run bench:atari --memory rim', 'atari'],
      ['npm run mempo -- study export minigrid-rim --out <folder> --to results/minigrid-rim', 'study export'],
      ['npx mempo gym --env CartPole-v1 --memory lstm', 'gym'],
      ['nx run bench:record --run DIR --episodes N', 'record'],
    ];
    for (const [text, command] of expectations) {
      const found = [...byText.values()].find((c) => c.text.startsWith(text));
      expect(found, text).toBeDefined();
      expect('argv' in found! && (await dryRunCli(found.argv))).toMatchObject({ reached: command, help: false });
    }
  });
});

describe('README command extraction', () => {
  const readme = [
    '# Example',
    '```bash',
    'MEMPO_GPU=1 npm run setup && npx mempo warehouse --memory lstm \\',
    '  --frames 2048   # a smoke run',
    'npm test; npm run mempo -- report minigrid-empty --out <out>',
    'echo done > /tmp/x',
    '```',
    '```json',
    '{ "npx mempo": "not a command" }',
    '```',
    'Run `npx nx run bench:speed --suite cores` or `mempo doctor` (prose).',
  ].join('\n');

  it('joins continuations, drops comments, splits chains, maps nx targets and substitutes placeholders', () => {
    const commands = commandsOf('EXAMPLE.md', readme);
    expect(commands).toEqual([
      { readme: 'EXAMPLE.md', line: 3, text: 'MEMPO_GPU=1 npm run setup && npx mempo warehouse --memory lstm  --frames 2048   # a smoke run', argv: ['warehouse', '--memory', 'lstm', '--frames', '2048'] },
      { readme: 'EXAMPLE.md', line: 5, text: 'npm test; npm run mempo -- report minigrid-empty --out <out>', argv: ['report', 'minigrid-empty', '--out', 'study-results/minigrid-empty'] },
      { readme: 'EXAMPLE.md', line: 11, text: 'npx nx run bench:speed --suite cores', argv: ['speed', '--suite', 'cores'] },
    ]);
  });

  it('fails a misspelt flag, naming the README, the line and commander’s message', async () => {
    const misspelt = ['# Example', '', '```bash', 'npx mempo atari --memroy rim', '```'].join('\n');
    expect(await failures(commandsOf('packages/rim/README.md', misspelt))).toEqual([
      "packages/rim/README.md:4: npx mempo atari --memroy rim: error: unknown option '--memroy'\n(Did you mean --memory?)",
    ]);
  });

  it('fails a removed command, an invalid value, an unknown nx target, npm arguments without --, an unknown placeholder and an unknown study', async () => {
    const broken = [
      '```sh',
      'npx mempo train --memory rim',
      'npx mempo warehouse --memory transformer',
      'npx mempo atari --clip-epsilon 1.5',
      'npx nx run bench:train --memory rim',
      'npm run mempo report minigrid-empty',
      'npx mempo evaluate --run <run-folder>',
      'npx mempo study export minigrid-rim',
      'npm run mempo -- report minigrid-emptty --out <out>',
      '```',
    ].join('\n');
    expect(await failures(commandsOf('README.md', broken))).toEqual([
      "README.md:2: npx mempo train --memory rim: error: unknown command 'train'",
      "README.md:3: npx mempo warehouse --memory transformer: error: option '--memory <core>' argument 'transformer' is invalid. Allowed choices are rim, iam, lstm, gru, fnn.",
      "README.md:4: npx mempo atari --clip-epsilon 1.5: error: option '--clip-epsilon <x>' argument '1.5' is invalid. ppo.clipEpsilon: 1.5 is out of range; must be in (0, 1)",
      `README.md:5: npx nx run bench:train --memory rim: nx target 'bench:train' does not exist: the targets that run mempo are ${[...invocations.nxTargets.keys()].join(', ')}`,
      "README.md:6: npm run mempo report minigrid-empty: npm passes arguments to a script only after '--': write 'npm run mempo -- report minigrid-empty'",
      "README.md:7: npx mempo evaluate --run <run-folder>: '<' in the command: a placeholder missing from PLACEHOLDERS (apps/bench/test/readmeCommandLines.ts) or a redirection; write a value, or add the placeholder with an example",
      "README.md:8: npx mempo study export minigrid-rim: error: required option '--to <dir>' not specified",
      expect.stringMatching(/^README\.md:9: npm run mempo -- report minigrid-emptty --out <out>: study must be a JSON file or one of .*minigrid-empty.* \(got 'minigrid-emptty'\)$/),
    ]);
  });

  it('accepts --help of a command and refuses a bare mempo, which reaches no command', async () => {
    expect(await dryRunCli(['study', 'export', '--help'])).toEqual({ reached: 'study export', help: true, arguments: {} });
    expect(await dryRunCli(['study', 'status', 'minigrid-rim', '--out', 'x'])).toEqual({ reached: 'study status', help: false, arguments: { study: 'minigrid-rim' } });
    expect(await dryRunCli([])).toEqual({ error: expect.stringContaining('(outputHelp)') });
  });
});
