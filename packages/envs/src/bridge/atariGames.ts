import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pythonExecutable } from '../pythonRuntime.js';
import { BridgeError, pythonPackageDir } from './workerProcess.js';

// The worker's own name resolution (`rom_name`) decides what a game id means, so this check accepts exactly
// the ids `makeAtariEnv` accepts.
const PROBE = `
import json, sys, warnings
from ale_py import roms
from mempo_envs.batches import rom_name
warnings.simplefilter("ignore")
games = json.loads(sys.argv[1])
print(json.dumps([g for g in games if roms.get_rom_path(rom_name(g)) is None]))
`;

/**
 * The game ids among `games` that name no ROM of the installed ale-py, found without starting an env: a
 * study or a command can reject an unknown Atari id before any run trains. Ids are read as `makeAtariEnv`
 * reads them (`breakout`, `Breakout`, `ALE/Breakout-v5`, `BreakoutNoFrameskip-v4`).
 *
 * @example
 * await unknownAtariGames(['breakout', 'ALE/Pong-v5', 'tetris2']); // ['tetris2']
 */
export async function unknownAtariGames(games: readonly string[], python = pythonExecutable()): Promise<string[]> {
  if (games.length === 0) return [];
  if (!existsSync(python)) throw new BridgeError(`no Python interpreter at ${python}: run 'npm run setup' (or set MEMPO_PYTHON)`, 'setup');
  const pythonPath = [pythonPackageDir, process.env.PYTHONPATH].filter(Boolean).join(':');
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      python,
      ['-c', PROBE, JSON.stringify(games)],
      { timeout: 60_000, env: { ...process.env, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' } },
      (err, out, errOut) =>
        err
          ? reject(new BridgeError(`${python} could not list ale-py's ROMs (${errOut.trim().split('\n').pop() ?? err.message}): run 'npm run setup'`, 'setup'))
          : resolve(out),
    ),
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '[]') as string[];
}
