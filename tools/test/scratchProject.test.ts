import { describe, expect, it } from 'vitest';
import { runnableExamples, scratchLockfile, type Lockfile } from '../packaging/scratchProject.js';

describe('runnableExamples', () => {
  it('takes exactly the blocks fenced ```ts runnable, verbatim, and no other block', () => {
    const readme = ['# x', '```ts', 'fragment();', '```', '```ts runnable', 'const a = 1;', '', 'console.log(a);', '```', '```bash', 'npm i', '```', '```ts runnable', 'two();', '```', ''].join('\n');
    expect(runnableExamples('r.md', readme)).toEqual([
      { readme: 'r.md', index: 1, code: 'const a = 1;\n\nconsole.log(a);\n' },
      { readme: 'r.md', index: 2, code: 'two();\n' },
    ]);
  });
});

describe('scratchLockfile', () => {
  const entry = (version: string, dependencies?: Record<string, string>) => ({
    version,
    resolved: `https://registry.example/${version}.tgz`,
    integrity: `sha512-${version}`,
    dev: true,
    ...(dependencies ? { dependencies } : {}),
  });
  const root: Lockfile = {
    name: 'repo',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'repo' },
      'packages/lib': { version: '0.1.0', license: 'Apache-2.0', dependencies: { a: '1.0.0', '@x/other': '0.1.0' }, peerDependencies: { core: '^4.0.0' } },
      'packages/other': { version: '0.1.0', dependencies: { b: '2.0.0' } },
      'node_modules/@x/lib': { resolved: 'packages/lib', link: true },
      'node_modules/a': entry('1.0.0', { b: '1.0.0' }),
      'node_modules/a/node_modules/b': entry('1.0.0'),
      'node_modules/b': entry('2.0.0'),
      'node_modules/core': entry('4.2.0', { c: '1.0.0' }),
      'node_modules/c': entry('1.0.0'),
      'node_modules/unrelated': entry('9.0.0'),
    },
  };

  it('holds the closure of the tarballs and registry packages, nested versions where the repository has them', () => {
    const { lock, dependencies } = scratchLockfile(
      root,
      { 'packages/lib': { name: '@x/lib', file: 'tarballs/lib.tgz' }, 'packages/other': { name: '@x/other', file: 'tarballs/other.tgz' } },
      ['core'],
    );
    expect(dependencies).toEqual({ '@x/lib': 'file:tarballs/lib.tgz', '@x/other': 'file:tarballs/other.tgz', core: '4.2.0' });
    expect(Object.keys(lock.packages).sort()).toEqual(
      ['', 'node_modules/@x/lib', 'node_modules/@x/other', 'node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/b', 'node_modules/c', 'node_modules/core'].sort(),
    );
    expect(lock.packages['node_modules/@x/lib']).toEqual({
      version: '0.1.0',
      resolved: 'file:tarballs/lib.tgz',
      license: 'Apache-2.0',
      dependencies: { a: '1.0.0', '@x/other': '0.1.0' },
      peerDependencies: { core: '^4.0.0' },
    });
    // Copied with the repository's URL and hash, without its dev flag (a dependency of the scratch project).
    expect(lock.packages['node_modules/a/node_modules/b']).toEqual({ version: '1.0.0', resolved: 'https://registry.example/1.0.0.tgz', integrity: 'sha512-1.0.0' });
    expect(lock.packages['node_modules/b']!.version).toBe('2.0.0');
  });

  it('names a registry package the repository does not pin, and the fix', () => {
    expect(() => scratchLockfile(root, {}, ['missing'])).toThrow("package-lock.json pins no missing; add it to the repository's dependencies");
  });
});
