/** Exit codes of a stopped run, as shells report a process ended by the signal: 128 + its number. */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** The signals a training process stops on. */
export type StopSignal = keyof typeof EXIT_CODES;

/** What {@link installStopHandlers} returns. */
export interface StopHandlers {
  /** Aborted by the first SIGINT or SIGTERM; pass it to training. */
  signal: AbortSignal;
  /** The first signal received, or null. */
  received(): StopSignal | null;
  /** 130 after SIGINT, 143 after SIGTERM. */
  exitCode(): number;
  /** Removes the handlers (Node's default action applies again). */
  dispose(): void;
}

/**
 * Ctrl-C and SIGTERM for a training process: the first asks training to stop at its next safe point (it
 * finishes the update in progress and checkpoints it); a second ends the process at once, as an impatient
 * user means it to (the run then resumes from its previous checkpoint).
 *
 * @example
 * const stop = installStopHandlers();
 * try {
 *   const result = await runTraining({ ...spec, signal: stop.signal });
 *   if (result.stopped && stop.received()) process.exitCode = stop.exitCode();
 * } finally {
 *   stop.dispose();
 * }
 */
export function installStopHandlers(log: (line: string) => void = (line) => console.error(line)): StopHandlers {
  const controller = new AbortController();
  let received: StopSignal | null = null;
  const onSignal = (signal: StopSignal): void => {
    if (received !== null) {
      log(`\n${signal} again: stopping now, without checkpointing the update in progress`);
      process.exit(EXIT_CODES[signal]);
    }
    received = signal;
    log(`\nstopping after this update… (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again stops at once, losing the update)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received === null ? 0 : EXIT_CODES[received]),
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** What {@link installRelayHandlers} returns. */
export interface RelayHandlers {
  /** Aborted by the first SIGINT or SIGTERM, with the signal's name as its reason. */
  stop: AbortSignal;
  /** Aborted by the second, with the signal's name as its reason. */
  kill: AbortSignal;
  /** 130 after SIGINT, 143 after SIGTERM, 0 before any signal. */
  exitCode(): number;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Ctrl-C and SIGTERM for a process that runs training in child processes (the study's local pool): it does
 * not stop itself but passes each signal on — the first (`stop`) lets every child finish its update and
 * checkpoint, the second (`kill`) ends them at once — and then ends when they have.
 *
 * @example
 * const relay = installRelayHandlers();
 * await runPool(plans, { stop: relay.stop, kill: relay.kill });
 */
export function installRelayHandlers(log: (line: string) => void = (line) => console.error(line)): RelayHandlers {
  const stop = new AbortController();
  const kill = new AbortController();
  let received: StopSignal | null = null;
  const onSignal = (signal: StopSignal): void => {
    if (received !== null) {
      log(`\n${signal} again: ending the running runs now, without checkpointing their updates in progress`);
      kill.abort(signal);
      return;
    }
    received = signal;
    log(`\nstopping the study: each running run finishes its update and checkpoints; no new run starts (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again stops at once)`);
    stop.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    kill: kill.signal,
    exitCode: () => (received === null ? 0 : EXIT_CODES[received]),
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Quotes one argument for a POSIX shell when it needs it. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The lines a stopped run prints: where its checkpoint is and the command that resumes it (this process's
 * own command line: rerunning a training command on its run folder resumes it).
 *
 * @example
 * stopReport({ updates: 7, globalStep: 7168, checkpoint: 'runs/x/checkpoints/update-000007' });
 * // "stopped at update 7 (7168 agent steps); checkpoint: runs/x/checkpoints/update-000007\nresume with: node …"
 */
export function stopReport(
  result: { updates: number; globalStep: number; checkpoint: string | null },
  argv: readonly string[] = [process.argv0, ...process.argv.slice(1)],
): string {
  const where = result.checkpoint === null ? 'no checkpoint yet, so a rerun starts the run afresh' : `checkpoint: ${result.checkpoint}`;
  return `stopped at update ${result.updates} (${result.globalStep} agent steps); ${where}\nresume with: ${argv.map(shellQuote).join(' ')}`;
}
