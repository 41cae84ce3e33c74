import { describeGymEnvs, unknownAtariGames, type GymEnvDescription } from '@mempo/envs';
import type { EnvFamily } from './memoryCores.js';

/** The family an id certainly belongs to by its name alone: the Warehouse or a MiniGrid id; else null. */
function knownFamily(id: string): EnvFamily | null {
  if (id === 'warehouse') return 'warehouse';
  if (id.startsWith('MiniGrid-')) return 'minigrid';
  return null;
}

/**
 * Why the bridge cannot host a described id for training, or undefined when it can: the registry check's own
 * problem (unknown id with close matches, continuous actions, an unsupported observation), or an image no
 * encoder reads (environments.ts `observationEncoder`: MiniGrid's 7×7×3 codes, or pictures sent as 84×84).
 */
function hostingProblem(found: GymEnvDescription): string | undefined {
  // The worker's lines start with the id (or "unknown gymnasium env id '<id>'"); here they follow it.
  if (found.problem !== null)
    return found.problem.startsWith(`'${found.envId}' `)
      ? found.problem.slice(found.envId.length + 3)
      : found.problem.replace(/^unknown gymnasium env id '[^']*' /, 'is not a registered gymnasium id ');
  const obs = found.observationSpace;
  if (obs?.kind === 'image' && obs.shape.join() !== '7,7,3')
    return `observes [${obs.shape}] images: the conv encoders read MiniGrid's [7, 7, 3] codes or larger pictures (as 84×84 grayscale)`;
  return undefined;
}

/**
 * Why each of `ids` is not an env of `family`, by id (ids that are fine are absent). Checked before any env
 * starts: MiniGrid and other gymnasium ids against the bridge worker's registry (one call for all ids:
 * registered, with close matches when not; Discrete actions; an observation an encoder reads), an Atari id
 * against ale-py's ROMs (one Python call for all ids), the Warehouse by its one name. The reason names the
 * family an id belongs to when it is another.
 *
 * @example
 * await envIdProblems('gym', ['CartPole-v1', 'Pendulum-v1']);
 * // { 'Pendulum-v1': "has action space Box(-2.0, 2.0, (1,), float32): the bridge hosts Discrete action spaces only …" }
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
  } else if (family === 'minigrid' || family === 'gym') {
    const hint = family === 'minigrid' ? "use a MiniGrid id such as 'MiniGrid-MemoryS7-v0' (other gymnasium ids: the gym family)" : "use a gymnasium id such as 'CartPole-v1'";
    const asked = unique.filter((id) => (family === 'minigrid' ? knownFamily(id) === 'minigrid' : knownFamily(id) !== 'warehouse'));
    for (const id of unique) if (!asked.includes(id)) problems[id] = `${other(id)}: ${hint}`;
    for (const [id, found] of Object.entries(await describeGymEnvs(asked))) {
      const problem = hostingProblem(found);
      if (problem !== undefined) problems[id] = problem;
    }
  } else {
    const games = unique.filter((id) => knownFamily(id) === null);
    for (const id of unique) if (knownFamily(id) !== null) problems[id] = `${other(id)}: use an Atari ROM name such as 'breakout' or 'pong'`;
    for (const id of await unknownAtariGames(games))
      problems[id] = "is not an Atari ROM of ale-py: use a ROM name such as 'breakout', 'pong' or 'ALE/Breakout-v5'";
  }
  return problems;
}
