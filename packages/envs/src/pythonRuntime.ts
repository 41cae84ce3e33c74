import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Python packages the environment bridge needs, by import name → requirements name. */
export const REQUIRED_PYTHON_PACKAGES = {
  gymnasium: 'gymnasium',
  minigrid: 'minigrid',
  ale_py: 'ale-py',
  numpy: 'numpy',
} as const;

/** Where the project's pinned requirements live (installed by `npm run setup` into `<repo>/.venv`). */
export const requirementsFile = fileURLToPath(new URL('../python/requirements.txt', import.meta.url));

/**
 * The interpreter that runs the environment workers: `MEMPO_PYTHON` when set, else the project-local
 * virtualenv `<repo>/.venv/bin/python` created by `npm run setup`.
 */
export function pythonExecutable(): string {
  return process.env.MEMPO_PYTHON ?? fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url));
}

/** The exact versions pinned in requirements.txt, keyed by requirements name (lower case). */
export function pinnedPythonVersions(file = requirementsFile): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^([A-Za-z0-9_.-]+)==([^\s;]+)$/.exec(line);
    if (match) pins[match[1]!.toLowerCase()] = match[2]!;
  }
  return pins;
}

/** What `inspectPythonEnv` found. `problems` is empty when the environments can run. */
export interface PythonEnvReport {
  python: string;
  pythonVersion: string | null;
  /** Installed version per requirements name, null when missing. */
  packages: Record<string, string | null>;
  /** ROM ids shipped in the ale-py wheel that we rely on, and whether each file is present. */
  roms: Record<string, boolean>;
  /** One line per problem, each saying what to run to fix it. */
  problems: string[];
}

const PROBE = `
import json, sys, importlib
out = {"python": sys.version.split()[0], "packages": {}, "roms": {}}
for mod in ${JSON.stringify(Object.keys(REQUIRED_PYTHON_PACKAGES))}:
    try:
        out["packages"][mod] = importlib.import_module(mod).__version__
    except Exception:
        out["packages"][mod] = None
try:
    import os
    from ale_py import roms
    for game in ("breakout", "pong"):
        path = roms.get_rom_path(game)
        out["roms"][game] = bool(path) and os.path.exists(path)
except Exception:
    pass
print(json.dumps(out))
`;

/**
 * Checks the Python side of the environments: interpreter present, each required package importable at
 * the pinned version, the Atari ROMs present. Never throws; problems are reported with their fix.
 */
export async function inspectPythonEnv(python = pythonExecutable()): Promise<PythonEnvReport> {
  const report: PythonEnvReport = { python, pythonVersion: null, packages: {}, roms: {}, problems: [] };
  if (!existsSync(python)) {
    report.problems.push(`no Python interpreter at ${python}: run 'npm run setup' (or set MEMPO_PYTHON)`);
    return report;
  }
  let probed: { python: string; packages: Record<string, string | null>; roms: Record<string, boolean> };
  try {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(python, ['-c', PROBE], { timeout: 60_000 }, (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
      ),
    );
    probed = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  } catch (err) {
    report.problems.push(`${python} failed to start: ${(err as Error).message.split('\n')[0]}; run 'npm run setup'`);
    return report;
  }
  report.pythonVersion = probed.python;
  report.roms = probed.roms;
  const pins = pinnedPythonVersions();
  for (const [module, requirement] of Object.entries(REQUIRED_PYTHON_PACKAGES)) {
    const found = probed.packages[module] ?? null;
    report.packages[requirement] = found;
    const pinned = pins[requirement];
    if (found === null) report.problems.push(`Python package ${requirement} is missing: run 'npm run setup'`);
    else if (pinned && found !== pinned)
      report.problems.push(`Python package ${requirement} is ${found}, pinned ${pinned}: run 'npm run setup'`);
  }
  for (const [game, present] of Object.entries(report.roms)) {
    if (!present) report.problems.push(`the ${game} ROM is missing from ale-py: run 'npm run setup'`);
  }
  if (Object.keys(report.roms).length === 0 && report.packages['ale-py'])
    report.problems.push(`ale-py could not list its ROMs: run 'npm run setup'`);
  return report;
}
