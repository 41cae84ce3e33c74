import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { parse, type ParseEntry } from 'shell-quote';

/** One shell command as a README shows it: the file, the line it starts on, its text (continuations joined). */
export interface ReadmeLine {
  readme: string;
  line: number;
  text: string;
}

/** A README command that invokes mempo, as the argv the CLI parses (after `mempo`), or why it cannot. */
export type MempoCommand = ReadmeLine & ({ argv: string[] } | { problem: string });

/** How the repository starts the CLI, read from its package.json files so a renamed bin, script or target shows. */
export interface Invocations {
  /** The CLI's file relative to the repository root, e.g. `apps/bench/dist/cli.js`. */
  cliPath: string;
  /** Its bin name (`npx mempo`). */
  bin: string;
  /** Root npm scripts that run the CLI (`npm run mempo -- …`). */
  scripts: Set<string>;
  /** The nx project (`bench`) and, per target that runs the CLI, the arguments it passes first (`atari`). */
  nxProject: string;
  nxTargets: Map<string, string[]>;
  /** Every target of the nx project, including those that are not CLI commands (`build`). */
  allNxTargets: Set<string>;
}

/**
 * Placeholders the READMEs may use in commands, each with a typed example the parsers accept. A command keeps
 * its placeholders in the README (they tell the reader what to put there); the check substitutes these.
 * `<word>` placeholders may sit inside a word (`<out>/runs/<id>`); upper-case ones (`DIR`, `N`) are whole words.
 * A placeholder not listed here fails the check, naming it: add it here with an example, or write a value.
 */
export const PLACEHOLDERS: Readonly<Record<string, string>> = {
  '<command>': 'doctor',
  '<folder>': 'study-results/minigrid-rim',
  '<out>': 'study-results/minigrid-empty',
  '<id>': 'minigrid-empty-rim-s1',
  DIR: 'runs/wh-lstm',
  N: '3',
  NAME: 'minigrid-empty',
};

const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const UPPER_CASE_WORD = /^[A-Z]+$/;
const SEPARATORS = new Set(['&&', '||', ';', '|', '&']);

/** Reads how the CLI is started from the root and the app's package.json. */
export function readInvocations(repoRoot: string, app = 'apps/bench'): Invocations {
  const appPackage = JSON.parse(readFileSync(join(repoRoot, app, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
    nx: { name: string; targets: Record<string, { command?: string }> };
  };
  const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [bin, binFile] = Object.entries(appPackage.bin)[0]!;
  const cliPath = normalize(join(app, binFile));
  const cliPrefix = ['node', cliPath];
  const startsCli = (command: string): string[] | undefined => {
    const words = command.split(/\s+/);
    return words[0] === cliPrefix[0] && words[1] === cliPrefix[1] ? words.slice(2) : undefined;
  };
  const nxTargets = new Map<string, string[]>();
  for (const [target, { command }] of Object.entries(appPackage.nx.targets)) {
    const args = command === undefined ? undefined : startsCli(command);
    if (args) nxTargets.set(target, args);
  }
  const scripts = new Set(Object.entries(rootPackage.scripts).filter(([, command]) => startsCli(command)?.length === 0).map(([name]) => name));
  return { cliPath, bin, scripts, nxProject: appPackage.nx.name, nxTargets, allNxTargets: new Set(Object.keys(appPackage.nx.targets)) };
}

/** Every line of the README's ```` ```bash ```` / ```` ```sh ```` blocks, `\` continuations joined, with its first line number. */
export function shellBlockLines(readme: string, markdown: string): ReadmeLine[] {
  const lines = markdown.split('\n');
  const found: ReadmeLine[] = [];
  let inShell = false;
  let inOther = false;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```(\S*)/.exec(lines[i]!);
    if (fence) {
      if (inShell || inOther) inShell = inOther = false;
      else if (fence[1] === 'bash' || fence[1] === 'sh') inShell = true;
      else inOther = true;
      continue;
    }
    if (!inShell) continue;
    const start = i;
    let text = lines[i]!;
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`;
    if (text.trim() !== '') found.push({ readme, line: start + 1, text: text.trim() });
  }
  return found;
}

/**
 * Inline code spans outside fenced blocks that start like a command someone would copy: `npx mempo …`,
 * `npm run <script> -- …`, `node <cli> …`, `npx nx run <project>:…` or `nx run <project>:…` (the README's
 * command table). A bare `mempo <command>` in prose names a command rather than showing one and is not taken.
 */
export function inlineCommandSpans(readme: string, markdown: string, invocations: Invocations): ReadmeLine[] {
  const starts = [
    `npx ${invocations.bin} `,
    ...[...invocations.scripts].map((script) => `npm run ${script} `),
    `node ${invocations.cliPath} `,
    `npx nx run ${invocations.nxProject}:`,
    `nx run ${invocations.nxProject}:`,
  ];
  const found: ReadmeLine[] = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced || /^\s*```/.test(line)) return;
    for (const match of line.matchAll(/(?<!`)`([^`]+)`(?!`)/g)) {
      const span = match[1]!.trim();
      if (starts.some((start) => span.startsWith(start))) found.push({ readme, line: i + 1, text: span });
    }
  });
  return found;
}

/** One command of a shell line: its words, and what in it a shell would not pass to mempo as written. */
interface ShellCommand {
  words: string[];
  problem?: string;
}

/** The commands of a shell line: split at `&&`, `||`, `;`, `|`, `&`, the comment dropped, placeholders substituted. */
function commandsOf(text: string): ShellCommand[] {
  let substituted = text;
  for (const [placeholder, example] of Object.entries(PLACEHOLDERS))
    if (placeholder.startsWith('<')) substituted = substituted.split(placeholder).join(example);
  const commands: ShellCommand[] = [];
  let current: ShellCommand = { words: [] };
  for (const entry of parse(substituted, (name: string) => `$${name}`) as ParseEntry[]) {
    if (typeof entry === 'string') current.words.push(UPPER_CASE_WORD.test(entry) && entry in PLACEHOLDERS ? PLACEHOLDERS[entry]! : entry);
    else if ('comment' in entry) break;
    else if (entry.op === 'glob') current.words.push(entry.pattern);
    else if (SEPARATORS.has(entry.op)) {
      commands.push(current);
      current = { words: [] };
    } else
      current.problem ??= `'${entry.op}' in the command: a placeholder missing from PLACEHOLDERS (apps/bench/test/readmeCommandLines.ts) or a redirection; write a value, or add the placeholder with an example`;
  }
  commands.push(current);
  return commands.filter((command) => command.words.length > 0);
}

/** The argv after `mempo` if `words` invoke the CLI, a problem if they try to but cannot, undefined if they are another command. */
function mempoArgv(words: string[], invocations: Invocations): { argv: string[] } | { problem: string } | undefined {
  let rest = words;
  while (rest.length > 0 && ENV_ASSIGNMENT.test(rest[0]!)) rest = rest.slice(1);
  if (rest[0] === 'npx') {
    rest = rest.slice(1);
    while (rest[0]?.startsWith('--')) rest = rest.slice(1);
    if (rest[0] === invocations.bin) return { argv: rest.slice(1) };
  }
  const [first, second, third] = rest;
  if (first === 'node' && second !== undefined && normalize(second) === invocations.cliPath) return { argv: rest.slice(2) };
  if (first === 'npm' && second === 'run' && third !== undefined && invocations.scripts.has(third)) {
    if (rest.length === 3) return { argv: [] };
    if (rest[3] !== '--') return { problem: `npm passes arguments to a script only after '--': write 'npm run ${third} -- ${rest.slice(3).join(' ')}'` };
    return { argv: rest.slice(4) };
  }
  if (first === 'nx' && second === 'run' && third?.startsWith(`${invocations.nxProject}:`)) {
    const target = third.slice(invocations.nxProject.length + 1);
    const args = invocations.nxTargets.get(target);
    if (args) return { argv: [...args, ...rest.slice(3)] };
    if (invocations.allNxTargets.has(target)) return undefined;
    return { problem: `nx target '${third}' does not exist: the targets that run mempo are ${[...invocations.nxTargets.keys()].join(', ')}` };
  }
  return undefined;
}

/** The commands of the given README lines that invoke mempo, each as the argv its CLI parses or a problem. */
export function mempoCommands(lines: readonly ReadmeLine[], invocations: Invocations): MempoCommand[] {
  return lines.flatMap((line) =>
    commandsOf(line.text).flatMap(({ words, problem }): MempoCommand[] => {
      const found = mempoArgv(words, invocations);
      if (!found) return [];
      return [{ ...line, ...(problem !== undefined ? { problem } : found) }];
    }),
  );
}
