import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packWorkspaces, readRootLock, runnableExamples, scratchLockfile, type PackedPackage } from '../packaging/scratchProject.js';

const repoRoot = new URL('../..', import.meta.url).pathname;
/** The packages a user installs without the rest of the repository, in dependency order. */
const LIBRARIES = ['packages/graph', 'packages/core-attention', 'packages/rim', 'packages/iam', 'packages/ale-node', 'packages/envs', 'packages/ppo'];
/** The libraries that do tensor math: tfjs-core is their peer dependency. */
const TENSOR_LIBRARIES = ['@mempo/graph', '@mempo/core-attention', '@mempo/rim', '@mempo/iam', '@mempo/ppo'];
/**
 * What the scratch project takes from the registry: tfjs-core and one backend, and Node's type declarations,
 * which any TypeScript project on Node has (envs, ale-node and ppo use Node's APIs, so their types name
 * `Buffer` and `NodeJS`; graph, core-attention, rim and iam compile without them).
 */
const REGISTRY = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@types/node'];

const scratch = mkdtempSync(join(tmpdir(), 'mempo-packaging-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (command: string, args: string[], cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

// One scratch project through the steps a user takes: the packages' tarballs, an offline install next to
// tfjs-core and the cpu backend only, the READMEs' runnable examples compiled strictly (skipLibCheck off) and run.
describe('packed libraries in a project of their own', () => {
  let packed: PackedPackage[] = [];

  it('packs each library with its built entry points, types, README and LICENSE, and no build leftovers', () => {
    for (const folder of LIBRARIES)
      if (!existsSync(join(repoRoot, folder, 'dist/index.js'))) throw new Error(`${folder}/dist is missing: run npm run build first`);
    mkdirSync(join(scratch, 'tarballs'));
    packed = packWorkspaces(repoRoot, LIBRARIES, join(scratch, 'tarballs'));
    expect(packed.map((p) => p.name)).toEqual(['@mempo/graph', '@mempo/core-attention', '@mempo/rim', '@mempo/iam', '@mempo/ale-node', '@mempo/envs', '@mempo/ppo']);
    for (const p of packed) {
      expect(p.files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
      expect(p.files.filter((f) => f.endsWith('.tsbuildinfo') || f.endsWith('.map') || f.startsWith('src/'))).toEqual([]);
      const manifest = JSON.parse(readFileSync(join(repoRoot, LIBRARIES[packed.indexOf(p)]!, 'package.json'), 'utf8'));
      expect(manifest.license).toBe('Apache-2.0');
      expect(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })).not.toContain('@tensorflow/tfjs');
      if (TENSOR_LIBRARIES.includes(p.name)) expect(manifest.peerDependencies['@tensorflow/tfjs-core']).toBe('^4.20.0');
    }
    expect(packed[1]!.files).toEqual(expect.arrayContaining(['dist/registerGradients.bundle.js', 'dist/registerGradients.d.ts']));
    // tsc's unbundled output of the entry point would fail in Node; the package's exports never name it.
    expect(packed[1]!.files).not.toContain('dist/registerGradients.js');
    expect(readFileSync(join(repoRoot, 'LICENSE'), 'utf8')).toContain('Apache License');
    // Every manifest of the repository agrees with the LICENSE, the private root and app included.
    const manifests = ['package.json', 'apps/bench/package.json', ...LIBRARIES.map((folder) => `${folder}/package.json`)];
    const licenses = manifests.map((path) => [path, JSON.parse(readFileSync(join(repoRoot, path), 'utf8')).license]);
    expect(licenses).toEqual(manifests.map((path) => [path, 'Apache-2.0']));
  });

  it('installs offline from the npm cache with only tfjs-core, the cpu backend and @types/node beside them', () => {
    const tarballs = Object.fromEntries(LIBRARIES.map((folder, i) => [folder, { name: packed[i]!.name, file: `tarballs/${packed[i]!.filename}` }]));
    const { lock, dependencies } = scratchLockfile(readRootLock(repoRoot), tarballs, REGISTRY);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: lock.name, private: true, type: 'module', dependencies }, null, 2));
    writeFileSync(join(scratch, 'package-lock.json'), JSON.stringify(lock, null, 2));
    run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], scratch);
    const installed = Object.keys(lock.packages).filter((path) => path !== '');
    expect(installed.filter((path) => /node_modules\/@tensorflow\/tfjs(-(layers|converter|data|backend-webgl|node))?$/.test(path))).toEqual([]);
    expect(existsSync(join(scratch, 'node_modules/@mempo/rim/dist/index.js'))).toBe(true);
  });

  it('ships docs that stand alone: no README or type declaration points outside the package', () => {
    const outside = /\.\.\/shared|DESIGN\.md|\bspec [\w-]+\.md|\]\(\.\.\//;
    const offending: string[] = [];
    for (const p of packed) {
      const root = join(scratch, 'node_modules', p.name);
      for (const file of p.files.filter((f) => f.endsWith('.md') || f.endsWith('.d.ts'))) {
        readFileSync(join(root, file), 'utf8')
          .split('\n')
          .forEach((line, i) => outside.test(line) && offending.push(`${p.name}/${file}:${i + 1}: ${line.trim()}`));
      }
    }
    expect(offending).toEqual([]);
  });

  it("compiles the READMEs' runnable examples with strict tsc, skipLibCheck off", () => {
    const examples = LIBRARIES.flatMap((folder) => runnableExamples(`${folder}/README.md`, readFileSync(join(repoRoot, folder, 'README.md'), 'utf8')));
    expect(examples.map((e) => e.readme)).toEqual([
      'packages/core-attention/README.md',
      'packages/rim/README.md',
      'packages/iam/README.md',
      'packages/ppo/README.md',
    ]);
    mkdirSync(join(scratch, 'examples'));
    for (const e of examples) writeFileSync(join(scratch, 'examples', `${e.readme.split('/')[1]}-${e.index}.ts`), e.code);
    const compilerOptions = {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false,
      noUncheckedIndexedAccess: true, outDir: 'dist', rootDir: 'examples',
    };
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['examples'] }, null, 2));
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    let output = '';
    try {
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], scratch);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    expect(output).toBe('');
  });

  it('runs each example in plain Node ESM', () => {
    const outputs = ['core-attention-1', 'rim-1', 'iam-1', 'ppo-1'].map((name) => run(process.execPath, [`dist/${name}.js`], scratch));
    expect(outputs[0]).toMatch(/^loss \d+\.\d+ gradients 3$/m);
    expect(outputs[1]).toMatch(/^loss \d+\.\d+ active units per step 3$/m);
    expect(outputs[2]).toMatch(/^static output \[ 8, 320 \]$/m);
    expect(outputs[2]).toMatch(/^dynamic output \[ 8, 512 \] alpha \[ 8, 1, 49 \] 1$/m);
    expect(outputs[3]).toMatch(/^updates 2 episodes 2$/m);
  });
});
