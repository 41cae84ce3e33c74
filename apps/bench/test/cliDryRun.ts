import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../src/program.js';

/**
 * What parsing one argv did: the command whose action it reached (or whose help it showed) with its parsed
 * arguments by name (`{ study: 'minigrid-rim' }`), or commander's error.
 */
export type DryRunResult = { reached: string; help: boolean; arguments: Record<string, unknown> } | { error: string };

/** `study export`: a command's names from below the root. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** Thrown out of commander instead of exiting, carrying the command that ended the parse. */
class ParseEnd extends Error {
  constructor(
    readonly command: Command,
    readonly commanderError: CommanderError,
  ) {
    super(commanderError.message);
  }
}

/**
 * Parses `argv` (the words after `mempo`) with the real program, every action replaced by a recorder: commander's
 * own checks and every flag's parser run (unknown commands and flags, choices, the zod-backed value parsers,
 * required options, argument counts), and nothing starts (no backend, no env, no file written).
 */
export async function dryRunCli(argv: readonly string[]): Promise<DryRunResult> {
  const program = buildProgram();
  const reached: { command: string; arguments: Record<string, unknown> }[] = [];
  for (const command of allCommands(program)) {
    command
      .exitOverride((err) => {
        throw new ParseEnd(command, err);
      })
      .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
    // The root has no action (a bare `mempo` shows help); every command under it does.
    if (command !== program)
      command.action(() => {
        const values = command.registeredArguments.map((argument, i) => [argument.name(), command.processedArgs[i]]);
        reached.push({ command: commandPath(command), arguments: Object.fromEntries(values) });
      });
  }
  // The root's preAction hook copies --atari-backend into the environment for child processes; keep ours as it was.
  const atariBackend = process.env.MEMPO_ATARI_BACKEND;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    if (reached.length !== 1) return { error: `no action reached (${reached.length} actions ran)` };
    return { reached: reached[0]!.command, help: false, arguments: reached[0]!.arguments };
  } catch (err) {
    if (!(err instanceof ParseEnd)) throw err;
    if (err.commanderError.code === 'commander.helpDisplayed' && (err.command !== program || argv.join(' ') === '--help'))
      return { reached: commandPath(err.command), help: true, arguments: {} };
    return { error: err.commanderError.message };
  } finally {
    if (atariBackend === undefined) delete process.env.MEMPO_ATARI_BACKEND;
    else process.env.MEMPO_ATARI_BACKEND = atariBackend;
  }
}
