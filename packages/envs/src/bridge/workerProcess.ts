import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pythonExecutable } from '../pythonRuntime.js';
import { encodeFrame, FrameReader, type Frame, type WireArray } from './protocol.js';

/** Where the `mempo_envs` Python package lives (put on the worker's PYTHONPATH). */
export const pythonPackageDir = fileURLToPath(new URL('../../python', import.meta.url));

/** Why a bridge call failed. */
export type BridgeErrorKind =
  /** Interpreter or Python package missing: the message says what to run. */
  | 'setup'
  /** The worker refused the request (unknown env id, bad option); the worker is still usable. */
  | 'rejected'
  /** The worker exited or was killed. */
  | 'crashed'
  /** The worker did not answer within the timeout and was killed. */
  | 'timeout'
  /** The worker answered something that is not a valid reply and was killed. */
  | 'protocol'
  /** The env was closed. */
  | 'closed';

/** An error from the gymnasium bridge, with what is known about the worker at the time. */
export class BridgeError extends Error {
  override name = 'BridgeError';
  constructor(
    message: string,
    readonly kind: BridgeErrorKind,
    readonly details: {
      /** The worker's exit code, when it exited. */
      exitCode?: number | null;
      /** The signal that ended the worker, when one did. */
      signal?: NodeJS.Signals | null;
      /** The last lines the worker wrote to stderr. */
      stderrTail?: string;
      /** The worker's own error kind for `rejected` (e.g. `unknown_env`, `bad_option`). */
      remoteKind?: string;
    } = {},
  ) {
    super(message);
  }
}

/** How to start a worker. */
export interface WorkerProcessArgs {
  /** Names the worker in error messages, e.g. `MiniGrid-Empty-5x5-v0 worker`. */
  label: string;
  /** Interpreter; default `pythonExecutable()` (MEMPO_PYTHON, else `<repo>/.venv/bin/python`). */
  python?: string;
  /** Interpreter arguments; default runs the bridge worker module. */
  args?: string[];
}

interface Pending {
  id: number;
  op: string;
  resolve: (frame: Frame) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const STDERR_KEEP_BYTES = 8192;
const STDERR_TAIL_LINES = 20;
/** After the worker exits, how long to wait for the rest of its stderr before reporting. */
const STDERR_DRAIN_MS = 300;
/** How long `close()` lets the worker exit on its own before killing it. */
const CLOSE_GRACE_MS = 2000;

// Every live worker, so that no Python process outlives this Node process (the envs README: "no orphan
// processes are left, also when the Node process is interrupted").
const live = new Set<WorkerProcess>();
const killAll = (): void => {
  for (const worker of live) worker.kill();
};
const onSignal = (signal: NodeJS.Signals): void => {
  // Someone else handles the signal (a trainer stopping at its next safe point, which still steps its envs):
  // the shutdown is theirs, and the 'exit' hook kills any worker still alive when the process ends.
  if (process.listenerCount(signal) > 1) return;
  killAll();
  uninstallHooks();
  // Our listener suppressed Node's default action: restore it.
  process.kill(process.pid, signal);
};
let hooksInstalled = false;
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}
function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', killAll);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
}

/** Number of bridge workers this process currently owns (for tests and diagnostics). */
export function liveWorkerCount(): number {
  return live.size;
}

/**
 * One Python worker process and its request/reply channel: one request at a time, each with a timeout.
 * Any failure of the process (exit, kill, timeout, garbage on stdout) rejects the pending call with a
 * `BridgeError` carrying the exit code or signal and the stderr tail, kills the process group, and makes
 * every later call reject with the same error.
 */
export class WorkerProcess {
  readonly label: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly reader = new FrameReader();
  private stderrText = '';
  private pending: Pending | null = null;
  private nextId = 1;
  private failure: BridgeError | null = null;
  private closed = false;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;

  constructor(args: WorkerProcessArgs) {
    this.label = args.label;
    const python = args.python ?? pythonExecutable();
    if (!existsSync(python))
      throw new BridgeError(`no Python interpreter at ${python}: run 'npm run setup' (or set MEMPO_PYTHON)`, 'setup');
    const pythonPath = [pythonPackageDir, process.env.PYTHONPATH].filter(Boolean).join(':');
    // detached: the worker leads its own process group, so one kill reaches anything it starts, and a
    // Ctrl-C in the terminal reaches Node, which then decides (see onSignal).
    this.child = spawn(python, args.args ?? ['-u', '-m', 'mempo_envs.worker'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' },
    });
    live.add(this);
    installHooks();
    // An idle worker must not keep Node alive: a script that ends without close() exits normally and the
    // exit hook kills the worker. A pending call's timer keeps the process alive until its reply.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { unref(): void }).unref();
    this.child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrText = (this.stderrText + chunk.toString('utf8')).slice(-STDERR_KEEP_BYTES);
    });
    // A write to a dead worker's stdin errors with EPIPE; the exit handler reports the real cause.
    this.child.stdin.on('error', () => {});
    let stderrClosed = false;
    const stderrDone = new Promise<void>((resolve) =>
      this.child.stderr.on('close', () => {
        stderrClosed = true;
        resolve();
      }),
    );
    this.exited = new Promise<void>((resolve) => {
      this.child.on('error', (err) => {
        this.fail(new BridgeError(`${this.label}: could not start ${python} (${err.message}): run 'npm run setup'`, 'setup'));
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.forget();
        const report = () => {
          if (!this.closed) this.fail(this.crashError(code, signal));
          resolve();
        };
        if (stderrClosed) report();
        else void Promise.race([stderrDone, new Promise((r) => setTimeout(r, STDERR_DRAIN_MS))]).then(report);
      });
    });
  }

  /** The worker's process id (also its process group id). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines the worker wrote to stderr. */
  stderrTail(): string {
    return this.stderrText.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
  }

  /** Sends one request and resolves with the reply; rejects with a `BridgeError` on any failure. */
  request(
    op: string,
    fields: Record<string, unknown>,
    arrays: Record<string, { data: WireArray; shape: number[] }>,
    timeoutMs: number,
  ): Promise<Frame> {
    if (this.closed) return Promise.reject(new BridgeError(`${this.label}: ${op}() on a closed env; create a new one`, 'closed'));
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending)
      return Promise.reject(
        new BridgeError(`${this.label}: ${op}() while '${this.pending.op}' is pending: await each call before the next`, 'rejected'),
      );
    const id = this.nextId++;
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        const tail = this.stderrTail();
        this.fail(
          new BridgeError(
            `${this.label} (pid ${this.pid}) did not answer '${op}' within ${timeoutMs} ms and was killed` +
              (tail ? `; stderr tail:\n${tail}` : '; stderr was empty'),
            'timeout',
            { stderrTail: tail },
          ),
        );
      }, timeoutMs);
      this.pending = { id, op, resolve, reject, timer };
      this.child.stdin.write(encodeFrame({ id, op, ...fields }, arrays));
    });
  }

  /** Ends the worker: closes its stdin (it exits by itself), then kills it if it has not exited in time. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.settle(new BridgeError(`${this.label}: closed while a call was pending`, 'closed'));
    // The worker and its pipes are unref'd (see the constructor), so while close() is awaited something must
    // hold the event loop, or a caller awaiting only this would see Node exit mid-close (exit code 13).
    const hold = setInterval(() => undefined, CLOSE_GRACE_MS);
    try {
      if (this.exitInfo === null && !this.failure) {
        this.child.stdin.end();
        const grace = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), CLOSE_GRACE_MS).unref());
        if ((await Promise.race([this.exited.then(() => 'exited' as const), grace])) === 'late') this.kill();
      } else {
        this.kill();
      }
      await this.exited;
    } finally {
      clearInterval(hold);
    }
  }

  /** Kills the worker's process group at once (synchronous: safe inside an `exit` handler). */
  kill(): void {
    if (this.exitInfo === null && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.forget();
  }

  private forget(): void {
    live.delete(this);
    if (live.size === 0) uninstallHooks();
  }

  private onStdout(chunk: Buffer): void {
    if (this.failure) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.fail(this.protocolError((err as Error).message));
      return;
    }
    for (const frame of frames) {
      const pending = this.pending;
      if (!pending || frame.header.id !== pending.id) {
        this.fail(this.protocolError(`unexpected reply id ${JSON.stringify(frame.header.id)} (expected ${pending?.id ?? 'none'})`));
        return;
      }
      if (frame.header.ok === true) {
        this.settle(null, frame);
      } else if (frame.header.ok === false && typeof frame.header.error === 'string') {
        const remoteKind = String(frame.header.kind ?? 'internal');
        const hint = remoteKind === 'missing_package' ? ": run 'npm run setup'" : '';
        this.settle(
          new BridgeError(`${this.label}: ${frame.header.error}${hint}`, remoteKind === 'missing_package' ? 'setup' : 'rejected', {
            remoteKind,
            stderrTail: this.stderrTail(),
          }),
        );
      } else {
        this.fail(this.protocolError(`reply has no ok/error fields: ${JSON.stringify(frame.header).slice(0, 200)}`));
        return;
      }
    }
  }

  private settle(err: Error | null, frame?: Frame): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    if (err) pending.reject(err);
    else pending.resolve(frame!);
  }

  private fail(err: BridgeError): void {
    if (this.failure) return;
    this.failure = err;
    this.kill();
    this.settle(err);
  }

  private protocolError(what: string): BridgeError {
    const tail = this.stderrTail();
    return new BridgeError(
      `${this.label} (pid ${this.pid}) sent a malformed reply (${what}) and was killed` +
        (tail ? `; stderr tail:\n${tail}` : ''),
      'protocol',
      { stderrTail: tail },
    );
  }

  private crashError(code: number | null, signal: NodeJS.Signals | null): BridgeError {
    const tail = this.stderrTail();
    const missing = /No module named '([^'.]+)/.exec(tail);
    if (missing)
      return new BridgeError(`${this.label}: Python package ${missing[1]} is missing: run 'npm run setup'`, 'setup', {
        exitCode: code,
        signal,
        stderrTail: tail,
      });
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const during = this.pending ? ` during '${this.pending.op}'` : '';
    return new BridgeError(
      `${this.label} (pid ${this.pid}) ${how}${during}` + (tail ? `; stderr tail:\n${tail}` : '; stderr was empty'),
      'crashed',
      { exitCode: code, signal, stderrTail: tail },
    );
  }
}
