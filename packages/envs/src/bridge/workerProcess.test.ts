import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pythonExecutable } from '../pythonRuntime.js';
import { makeMiniGridEnv } from './miniGrid.js';
import { BridgeError, liveWorkerCount, WorkerProcess } from './workerProcess.js';

/** True while `pid` runs (a zombie awaiting its reaper counts as gone). */
function processRuns(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs = 3000): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    if (!processRuns(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** A stand-in worker: a Python one-liner instead of the bridge module. */
function fakeWorker(code: string): WorkerProcess {
  return new WorkerProcess({ label: 'fake worker', args: ['-c', code] });
}

describe('bridge failure behaviour', () => {
  afterEach(() => {
    expect(liveWorkerCount()).toBe(0);
  });

  it('rejects a step whose worker is killed mid-step, with the signal, and leaves no process', async () => {
    const env = await makeMiniGridEnv({ envId: 'MiniGrid-Empty-5x5-v0', numEnvs: 2 });
    await env.reset(0);
    const pid = env.pid!;
    // Stopped first, so the step is certainly still pending when the kill lands (a fast worker could
    // otherwise answer before the signal arrives).
    process.kill(pid, 'SIGSTOP');
    const pending = env.step(new Int32Array([2, 2]));
    process.kill(pid, 'SIGKILL');
    const err = (await pending.catch((e: unknown) => e)) as BridgeError;
    expect(err).toBeInstanceOf(BridgeError);
    expect(err.kind).toBe('crashed');
    expect(err.details.signal).toBe('SIGKILL');
    expect(err.message).toContain(`MiniGrid-Empty-5x5-v0 worker (pid ${pid}) was killed by SIGKILL during 'step'`);
    // The env stays failed with the same error.
    await expect(env.reset(0)).rejects.toBe(err);
    await env.close();
    expect(await gone(pid)).toBe(true);
  });

  it('reports the exit code and the stderr tail of a worker that dies', async () => {
    const worker = fakeWorker("import sys; sys.stderr.write('loading...\\nboom: the emulator broke\\n'); sys.exit(7)");
    const err = (await worker.request('step', {}, {}, 10_000).catch((e: unknown) => e)) as BridgeError;
    expect(err.kind).toBe('crashed');
    expect(err.details.exitCode).toBe(7);
    expect(err.details.stderrTail).toBe('loading...\nboom: the emulator broke');
    expect(err.message).toMatch(/^fake worker \(pid \d+\) exited with code 7 during 'step'; stderr tail:\nloading\.\.\.\nboom: the emulator broke$/);
    await worker.close();
  });

  it('kills a worker that hangs past the timeout and rejects within a bounded time', async () => {
    const env = await makeMiniGridEnv({ envId: 'MiniGrid-Empty-5x5-v0', numEnvs: 1, callTimeoutMs: 400 });
    await env.reset(0);
    const pid = env.pid!;
    process.kill(pid, 'SIGSTOP');
    const start = Date.now();
    const err = (await env.step(new Int32Array([2])).catch((e: unknown) => e)) as BridgeError;
    expect(Date.now() - start).toBeLessThan(2000);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain(`(pid ${pid}) did not answer 'step' within 400 ms and was killed`);
    expect(await gone(pid)).toBe(true);
    await env.close();
  });

  it('kills a worker that answers garbage and shows what it sent', async () => {
    const worker = fakeWorker("import sys, time; sys.stdout.write('Traceback: not a frame at all'); sys.stdout.flush(); time.sleep(30)");
    const pid = worker.pid!;
    const err = (await worker.request('reset', {}, {}, 10_000).catch((e: unknown) => e)) as BridgeError;
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('sent a malformed reply (reply does not start with a frame (got "Traceback: not a frame at all"))');
    expect(await gone(pid)).toBe(true);
    await worker.close();
  });

  it('refuses calls on a closed env with a clear error', async () => {
    const env = await makeMiniGridEnv({ envId: 'MiniGrid-Empty-5x5-v0', numEnvs: 1 });
    const pid = env.pid!;
    await env.close();
    expect(await gone(pid)).toBe(true);
    await expect(env.step(new Int32Array([0]))).rejects.toThrow('MiniGrid-Empty-5x5-v0 worker: step() on a closed env; create a new one');
    await expect(env.reset()).rejects.toThrow('reset() on a closed env; create a new one');
    await env.close();
  });

  it('says how to fix a missing interpreter or Python package in one line', async () => {
    await expect(makeMiniGridEnv({ envId: 'MiniGrid-Empty-5x5-v0', numEnvs: 1, python: '/nonexistent/bin/python' })).rejects.toThrow(
      /^no Python interpreter at \/nonexistent\/bin\/python: run 'npm run setup' \(or set MEMPO_PYTHON\)$/,
    );
    // `-S` hides site-packages from the real interpreter: numpy, gymnasium and minigrid are then missing.
    const worker = new WorkerProcess({ label: 'bare worker', args: ['-S', '-u', '-m', 'mempo_envs.worker'] });
    const err = (await worker
      .request('make', { family: 'minigrid', envId: 'MiniGrid-Empty-5x5-v0', numEnvs: 1 }, {}, 10_000)
      .catch((e: unknown) => e)) as BridgeError;
    expect(err.kind).toBe('setup');
    expect(err.message).toMatch(/^bare worker: Python package (numpy|gymnasium) is missing: run 'npm run setup'$/);
    await worker.close();
  });
});

// The orphan checks need a separate Node process that loads the bridge: it runs the bridge sources
// transpiled to plain JS, laid out like the package so the worker's Python folder resolves the same way.
const BRIDGE_SOURCES = [
  'pythonRuntime.ts',
  'random.ts',
  'wrappers/flicker.ts',
  'bridge/protocol.ts',
  'bridge/workerProcess.ts',
  'bridge/newestFrameStacks.ts',
  'bridge/gymBridgeEnv.ts',
];
const CHILD = `
import { GymBridgeEnv } from './src/bridge/gymBridgeEnv.js';
const env = await GymBridgeEnv.create({ family: 'minigrid', envId: 'MiniGrid-Empty-5x5-v0', numEnvs: 1 });
await env.reset(0);
process.stdout.write('worker ' + env.pid + '\\n');
const mode = process.argv[2];
if (mode === 'throw') throw new Error('user code failed');
if (mode === 'wait') setInterval(() => {}, 1000);
if (mode === 'close') await env.close();
`;

describe('no orphan workers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mempo-bridge-'));
    const srcRoot = fileURLToPath(new URL('..', import.meta.url));
    for (const file of BRIDGE_SOURCES) {
      const out = join(dir, 'src', file.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(out), { recursive: true });
      const source = readFileSync(join(srcRoot, file), 'utf8');
      const js = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      });
      writeFileSync(out, js.outputText);
    }
    symlinkSync(fileURLToPath(new URL('../../python', import.meta.url)), join(dir, 'python'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(dir, 'child.mjs'), CHILD);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the child in `mode`, sends it `signal` once its worker runs, and reports how it ended. */
  function runChild(mode: string, signal?: NodeJS.Signals) {
    return new Promise<{ workerPid: number; code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn(process.execPath, ['child.mjs', mode], {
        cwd: dir,
        env: { ...process.env, MEMPO_PYTHON: pythonExecutable() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let workerPid = 0;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`child '${mode}' did not end; stdout: ${out}`));
      }, 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /worker (\d+)/.exec(out);
        if (match && !workerPid) {
          workerPid = Number(match[1]);
          if (signal) child.kill(signal);
        }
      });
      child.on('exit', (code, sig) => {
        clearTimeout(timer);
        resolve({ workerPid, code, signal: sig });
      });
    });
  }

  it('leaves no worker after a normal end, an awaited close, a throw, SIGINT, SIGTERM or SIGKILL of the Node process', async () => {
    const cases = [
      { mode: 'end', expected: { code: 0, signal: null } },
      // awaiting close() as the script's last act must not let Node exit mid-close (exit 13)
      { mode: 'close', expected: { code: 0, signal: null } },
      { mode: 'throw', expected: { code: 1, signal: null } },
      { mode: 'wait', signal: 'SIGINT' as const, expected: { code: null, signal: 'SIGINT' } },
      { mode: 'wait', signal: 'SIGTERM' as const, expected: { code: null, signal: 'SIGTERM' } },
      { mode: 'wait', signal: 'SIGKILL' as const, expected: { code: null, signal: 'SIGKILL' } },
    ];
    const ends = await Promise.all(cases.map((c) => runChild(c.mode, c.signal)));
    for (const [k, end] of ends.entries()) {
      expect(end.workerPid).toBeGreaterThan(0);
      expect({ code: end.code, signal: end.signal }).toEqual(cases[k]!.expected);
      expect(await gone(end.workerPid)).toBe(true);
    }
  });
});
