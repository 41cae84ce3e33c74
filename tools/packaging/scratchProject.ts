import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One entry of npm's lockfile (v3) `packages` map. */
type LockEntry = {
  version?: string;
  resolved?: string;
  integrity?: string;
  license?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
};

/** npm's lockfile, version 3. */
export type Lockfile = { name: string; version?: string; lockfileVersion: 3; requires: true; packages: Record<string, LockEntry> };

/** A workspace package packed into a tarball. */
export interface PackedPackage {
  /** e.g. `@mempo/rim` */
  name: string;
  /** The tarball's file name in the pack destination. */
  filename: string;
  /** The paths inside the tarball. */
  files: string[];
}

/** A fenced README example marked as runnable: ```` ```ts runnable ````. */
export interface RunnableExample {
  /** The README it came from, relative to the repository root. */
  readme: string;
  /** 1-based index among that README's runnable blocks. */
  index: number;
  code: string;
}

const RUNNABLE_BLOCK = /^```ts runnable\n([\s\S]*?)^```$/gm;

/**
 * The README blocks fenced ```` ```ts runnable ````, verbatim: the packaging test compiles and runs exactly what
 * the README shows, so the docs cannot drift from what works.
 */
export function runnableExamples(readme: string, text: string): RunnableExample[] {
  return [...text.matchAll(RUNNABLE_BLOCK)].map((match, i) => ({ readme, index: i + 1, code: match[1]! }));
}

/** `npm pack` of workspace folders (e.g. `packages/rim`) into `destination`; lifecycle scripts run (prepack copies the LICENSE). */
export function packWorkspaces(repoRoot: string, workspaces: readonly string[], destination: string): PackedPackage[] {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination, ...workspaces.flatMap((w) => ['-w', w])], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const packed = JSON.parse(out.slice(out.indexOf('['))) as { name: string; filename: string; files: { path: string }[] }[];
  return packed.map((p) => ({ name: p.name, filename: p.filename, files: p.files.map((f) => f.path) }));
}

/** The lockfile path a dependency `dep` of the package at `from` resolves to, walking up like Node does. */
function resolveInLock(packages: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${dep}`;
    if (packages[candidate] && !packages[candidate]!.link) return candidate;
    const up = base.lastIndexOf('/node_modules/');
    if (base === '') return undefined;
    base = up >= 0 ? base.slice(0, up) : '';
  }
}

/**
 * A lockfile for a scratch project that depends on packed workspace packages (`file:` tarballs) and on
 * registry packages at the versions the repository's own lockfile pins, holding exactly the closure of their
 * dependencies with the repository's resolved URLs and integrity hashes. With it `npm ci --offline` installs
 * from the npm cache that the repository's `npm ci` filled, without the registry (no package metadata needed).
 *
 * @param rootLock the repository's package-lock.json
 * @param tarballs per workspace folder (`packages/rim`), the package name and the tarball path relative to the scratch project
 * @param registry registry packages the scratch project depends on directly, by name
 */
export function scratchLockfile(
  rootLock: Lockfile,
  tarballs: Record<string, { name: string; file: string }>,
  registry: readonly string[],
): { lock: Lockfile; dependencies: Record<string, string> } {
  const src = rootLock.packages;
  const byName = new Map(Object.entries(tarballs).map(([folder, t]) => [t.name, folder]));
  const lockPackages: Record<string, LockEntry> = {};
  const dependencies: Record<string, string> = {};
  const pending: string[] = []; // lockfile paths still to copy
  // Workspace folders become node_modules/<name> in the scratch project; nested paths follow them.
  const scratchPath = (path: string): string => {
    for (const [folder, t] of Object.entries(tarballs)) if (path.startsWith(`${folder}/`)) return `node_modules/${t.name}${path.slice(folder.length)}`;
    return path;
  };
  const depsOf = (entry: LockEntry): string[] => [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional),
  ];
  const visit = (from: string, entry: LockEntry): void => {
    for (const dep of depsOf(entry)) {
      const folder = byName.get(dep);
      if (folder) continue; // another packed package: added below with its tarball
      const target = resolveInLock(src, from, dep);
      if (!target) {
        if (entry.optionalDependencies?.[dep] !== undefined) continue;
        throw new Error(`${from || 'root'}: dependency ${dep} is not in package-lock.json; run npm install in the repository first`);
      }
      pending.push(target);
    }
  };
  for (const [folder, t] of Object.entries(tarballs)) {
    const ws = src[folder];
    if (!ws) throw new Error(`package-lock.json has no workspace ${folder}`);
    const { license, dependencies: deps, peerDependencies, peerDependenciesMeta } = ws;
    const entry: LockEntry = { version: ws.version!, resolved: `file:${t.file}`, license, dependencies: deps, peerDependencies, peerDependenciesMeta };
    for (const field of Object.keys(entry)) if (entry[field] === undefined) delete entry[field];
    lockPackages[`node_modules/${t.name}`] = entry;
    dependencies[t.name] = `file:${t.file}`;
    visit(folder, ws);
  }
  for (const name of registry) {
    const entry = src[`node_modules/${name}`];
    if (!entry?.version) throw new Error(`package-lock.json pins no ${name}; add it to the repository's dependencies`);
    dependencies[name] = entry.version;
    pending.push(`node_modules/${name}`);
  }
  while (pending.length > 0) {
    const target = pending.pop()!;
    const path = scratchPath(target);
    if (lockPackages[path]) continue;
    const entry: LockEntry = { ...src[target]! };
    for (const flag of ['dev', 'devOptional', 'peer', 'optional', 'extraneous']) delete entry[flag];
    lockPackages[path] = entry;
    visit(target, src[target]!);
  }
  const name = 'mempo-packaging-check';
  return { lock: { name, lockfileVersion: 3, requires: true, packages: { '': { name, dependencies }, ...lockPackages } }, dependencies };
}

/** The repository's package-lock.json. */
export function readRootLock(repoRoot: string): Lockfile {
  return JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
}
