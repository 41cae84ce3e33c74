import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VENV_LIB = fileURLToPath(new URL('../../../.venv/lib', import.meta.url));

/**
 * The folder of Atari ROMs: `MEMPO_ALE_ROMS` when set, else `ale_py/roms` of the ale-py wheel that
 * `npm run setup` installs into `<repo>/.venv` (the ROMs ship in that wheel).
 */
export function romDirectory(): string {
  const fromEnv = process.env.MEMPO_ALE_ROMS;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`MEMPO_ALE_ROMS=${fromEnv} does not exist: point it at a folder of <game>.bin ROMs or unset it`);
    return fromEnv;
  }
  const pythons = existsSync(VENV_LIB) ? readdirSync(VENV_LIB).filter((d) => d.startsWith('python')).sort() : [];
  for (const python of pythons) {
    const dir = join(VENV_LIB, python, 'site-packages', 'ale_py', 'roms');
    if (existsSync(dir)) return dir;
  }
  throw new Error(`ale-py's ROMs are not installed (no ${join(VENV_LIB, 'python3.*', 'site-packages', 'ale_py', 'roms')}): run 'npm run setup'`);
}

/** 'ALE/Breakout-v5', 'BreakoutNoFrameskip-v4', 'Breakout', 'MsPacman' and 'breakout' name ROMs the way ale-py does. */
export function romName(game: string): string {
  return game
    .replace(/^ALE\//, '')
    .replace(/-v\d+$/, '')
    .replace(/NoFrameskip$|Deterministic$/, '')
    .replace(/(?<=[a-z0-9])(?=[A-Z])/g, '_')
    .toLowerCase();
}

/** The ROM names available in `dir`. */
export function availableGames(dir = romDirectory()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** The ROM file of `game`; throws naming the game, the folder and an example when there is none. */
export function romPath(game: string, dir = romDirectory()): string {
  if (typeof game !== 'string' || game.length === 0)
    throw new Error(`game must be a ROM name such as 'breakout' (got game=${JSON.stringify(game)})`);
  const path = join(dir, `${romName(game)}.bin`);
  if (!existsSync(path)) {
    const games = availableGames(dir);
    throw new Error(
      `no ROM for game '${game}' (looked for ${path}): use one of the ${games.length} ROM names in ${dir}, such as 'breakout' or 'pong'`,
    );
  }
  return path;
}
