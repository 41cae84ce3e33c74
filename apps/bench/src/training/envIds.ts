import { MINIGRID_ENV_IDS, unknownAtariGames } from '@mempo/envs';
import type { EnvFamily } from './memoryCores.js';

/** The family an id certainly belongs to without asking ale-py: the Warehouse or a MiniGrid id; else null. */
function knownFamily(id: string): EnvFamily | null {
  if (id === 'warehouse') return 'warehouse';
  if ((MINIGRID_ENV_IDS as readonly string[]).includes(id)) return 'minigrid';
  return null;
}

/**
 * Why each of `ids` is not an env of `family`, by id (ids that are fine are absent). Checked before any env
 * starts: a MiniGrid id against the registered list, an Atari id against ale-py's ROMs (one Python call for
 * all ids), the Warehouse by its one name. The reason names the family an id belongs to when it is another.
 *
 * @example
 * await envIdProblems('warehouse', ['MiniGrid-DoorKey-8x8-v0']);
 * // { 'MiniGrid-DoorKey-8x8-v0': "is a minigrid env, not a warehouse env (the warehouse family has one env: 'warehouse')" }
 */
export async function envIdProblems(family: EnvFamily, ids: readonly string[]): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  const unique = [...new Set(ids)];
  const other = (id: string): string => {
    const known = knownFamily(id);
    return known !== null && known !== family ? `is a ${known} env, not a ${family} env` : `is not a ${family} env`;
  };
  if (family === 'warehouse') {
    for (const id of unique) if (id !== 'warehouse') problems[id] = `${other(id)} (the warehouse family has one env: 'warehouse')`;
  } else if (family === 'minigrid') {
    for (const id of unique) if (knownFamily(id) !== 'minigrid') problems[id] = `${other(id)}: use one of ${MINIGRID_ENV_IDS.join(', ')}`;
  } else {
    const games = unique.filter((id) => knownFamily(id) === null);
    for (const id of unique) if (knownFamily(id) !== null) problems[id] = `${other(id)}: use an Atari ROM name such as 'breakout' or 'pong'`;
    for (const id of await unknownAtariGames(games))
      problems[id] = "is not an Atari ROM of ale-py: use a ROM name such as 'breakout', 'pong' or 'ALE/Breakout-v5'";
  }
  return problems;
}
