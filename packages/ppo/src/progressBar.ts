import cliProgress from 'cli-progress';
import type { Metrics } from './progressCsv.js';

/** Receives the run's progress after every update (a console bar, or a study runner's own display). */
export interface ProgressReporter {
  start(totalSteps: number, startStep: number): void;
  update(metrics: Metrics): void;
  stop(): void;
}

function formatNumber(v: number | undefined, digits = 2): string {
  return v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);
}

/**
 * A console progress bar on stderr: steps done, FPS, ETA and the recent mean episode return.
 *
 * @example
 * await train({ ..., progress: new ConsoleProgress('lstm seed 1') });
 */
export class ConsoleProgress implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;

  /**
   * @param label printed before the bar
   * @param stream where to draw (default stderr); on a non-TTY stream (CI logs) a plain line is written every 10 s
   */
  constructor(label = 'train', stream: NodeJS.WritableStream = process.stderr) {
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {percentage}% | {value}/{total} steps | {fps} fps | ETA {eta_formatted} | return {ret}`,
        stream,
        noTTYOutput: true,
        notTTYSchedule: 10_000,
        etaBuffer: 20,
        hideCursor: false,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  start(totalSteps: number, startStep: number): void {
    this.bar.start(totalSteps, startStep, { fps: '—', ret: '—' });
  }

  update(metrics: Metrics): void {
    this.bar.update(metrics['global_step'] ?? 0, {
      fps: formatNumber(metrics['charts/fps'], 0),
      ret: formatNumber(metrics['charts/episode_return_mean']),
    });
  }

  stop(): void {
    this.bar.stop();
  }
}
