import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { describeWriteError, makeDirectory, processIsAlive, tempFolderOwner, writeFileAtomic, writeFolderAtomic, writeJsonAtomic } from './atomicWrite.js';

// The module's own node:fs calls go through this mock, so a test can make one of them fail the way a full
// disk or a read-only mount does (neither can be set up without privileges).
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, writeSync: vi.fn(real.writeSync), mkdirSync: vi.fn(real.mkdirSync) };
});

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: ${message}`), { code });

const dir = mkdtempSync(join(tmpdir(), 'mempo-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('writes files and JSON whole, creating missing folders, leaving no temporary file', () => {
    const path = join(dir, 'a', 'b', 'config.json');
    writeJsonAtomic(path, { ppo: { seed: 1 } });
    writeFileAtomic(join(dir, 'a', 'bytes.bin'), new Uint8Array([1, 2, 255]));
    expect(readFileSync(path, 'utf8')).toBe('{\n  "ppo": {\n    "seed": 1\n  }\n}\n');
    expect([...readFileSync(join(dir, 'a', 'bytes.bin'))]).toEqual([1, 2, 255]);
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['b', 'bytes.bin']);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['config.json']);
  });

  it('leaves no signal or exit listener behind (one would keep a Ctrl-C from ending a process with an env worker)', () => {
    const listeners = () => ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit'].map((event) => process.listenerCount(event));
    const before = listeners();
    writeJsonAtomic(join(dir, 'listeners.json'), {});
    expect(listeners()).toEqual(before);
  });

  it('names the path and the fix for ENOSPC, EROFS, EACCES, a missing folder and a file in the way', () => {
    const path = 'runs/x/config.json';
    const messages = ['ENOSPC', 'EROFS', 'EACCES', 'ENOENT', 'ENOTDIR'].map((code) => describeWriteError(path, errno(code, 'raw')).message);
    expect(messages).toEqual([
      'cannot write runs/x/config.json: the disk is full (ENOSPC); free space or choose another --out',
      'cannot write runs/x/config.json: the file system is read-only (EROFS); choose a writable --out',
      'cannot write runs/x/config.json: permission denied (EACCES); make the folder writable or choose another --out',
      'cannot write runs/x/config.json: its folder runs/x does not exist (ENOENT); create it or choose another --out',
      'cannot write runs/x/config.json: a part of runs/x is a file, not a folder (ENOTDIR); choose another --out',
    ]);
    expect(describeWriteError(path, errno('EIO', 'i/o error')).message).toBe('cannot write runs/x/config.json: EIO: i/o error');
  });

  it('reports the real cause of a failed mkdir (Node reports ENOENT for a read-only mount)', () => {
    vi.mocked(fs.mkdirSync).mockImplementationOnce(() => {
      throw errno('EROFS', 'read-only file system, mkdir');
    });
    const target = join(dir, 'ro', 'run');
    expect(() => makeDirectory(target)).toThrow(`cannot write ${join(dir, 'ro')}: the file system is read-only (EROFS); choose a writable --out`);
    writeFileSync(join(dir, 'plain-file'), '');
    expect(() => writeJsonAtomic(join(dir, 'plain-file', 'run', 'config.json'), {})).toThrow(
      `cannot write ${join(dir, 'plain-file', 'run')}: a part of ${join(dir, 'plain-file')} is a file, not a folder (ENOTDIR); choose another --out`,
    );
  });

  it('writes a folder atomically and, when the disk fills mid-write, removes its temporary folder and keeps the old one', () => {
    const final = join(dir, 'checkpoints', 'update-000002');
    writeFolderAtomic(final, { 'manifest.json': '{"v":1}', 'tensors.bin': new Uint8Array(8) });
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['update-000002']);
    vi.mocked(fs.writeSync).mockImplementationOnce(() => {
      throw errno('ENOSPC', 'no space left on device, write');
    });
    expect(() => writeFolderAtomic(final, { 'manifest.json': '{"v":2}' })).toThrow(
      `cannot write ${final}: the disk is full (ENOSPC); free space or choose another --out`,
    );
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['update-000002']);
    expect(readFileSync(join(final, 'manifest.json'), 'utf8')).toBe('{"v":1}');
  });

  it('reads the owner pid of a temporary folder and whether it lives', () => {
    expect(tempFolderOwner('update-000004.tmp-1234')).toBe(1234);
    expect(tempFolderOwner('update-000004')).toBeNull();
    expect(processIsAlive(process.pid)).toBe(true);
    // Above Linux's largest pid_max (2^22), so never a live process.
    expect(processIsAlive(2 ** 22 + 1)).toBe(false);
  });
});
