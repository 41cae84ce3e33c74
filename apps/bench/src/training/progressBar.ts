import cliProgress from 'cli-progress';
import type { Metrics, TrainCallbacks, TrainStartInfo } from '@mempo/ppo';

function formatNumber(v: number | undefined, digits = 2): string {
  return v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);
}

/** Options of {@link ConsoleProgress}. */
export interface ConsoleProgressOptions {
  /** Where to draw (default stderr). */
  stream?: NodeJS.WritableStream;
  /** On a stream that is not a terminal (a log file, CI): one line every this many updates, and at the last (default 10). */
  linesEvery?: number;
}

/**
 * The training commands' console progress, as a `train` callback (the library reports progress through
 * callbacks; the app draws it). On a terminal: a cli-progress bar with steps, FPS, ETA and the recent mean
 * episode return, redrawn in place. Elsewhere (a log file, CI) no carriage returns: one plain line every
 * `linesEvery` updates and at the last, and the latest evaluation's mean return when there is one.
 *
 * @example
 * await train({ ..., callbacks: [new ConsoleProgress('lstm seed 1'), evalCallback] });
 */
export class ConsoleProgress implements TrainCallbacks {
  private readonly label: string;
  private readonly stream: NodeJS.WritableStream;
  private readonly linesEvery: number;
  private bar: cliProgress.SingleBar | null = null;
  private totalUpdates = 0;
  private totalSteps = 0;
  private lastEval = NaN;

  constructor(label = 'train', options: ConsoleProgressOptions = {}) {
    const { stream = process.stderr, linesEvery = 10 } = options;
    if (!Number.isSafeInteger(linesEvery) || linesEvery < 1) throw new Error(`linesEvery must be a positive integer of updates (got ${linesEvery})`);
    this.label = label;
    this.stream = stream;
    this.linesEvery = linesEvery;
  }

  onTrainStart(info: TrainStartInfo): void {
    this.totalUpdates = info.totalUpdates;
    this.totalSteps = info.totalSteps;
    if (!(this.stream as NodeJS.WriteStream).isTTY) {
      this.stream.write(`${this.label}: from update ${info.startUpdate} of ${info.totalUpdates} (${info.startStep}/${info.totalSteps} steps)\n`);
      return;
    }
    this.bar = new cliProgress.SingleBar(
      {
        format: `${this.label} {bar} {percentage}% | {value}/{total} steps | {fps} fps | ETA {eta_formatted} | return {ret} | eval {eval}`,
        stream: this.stream,
        etaBuffer: 20,
        hideCursor: false,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(info.totalSteps, info.startStep, { fps: '—', ret: '—', eval: '—' });
  }

  onProgress(metrics: Metrics): void {
    const evalReturn = metrics['eval/mean_return'];
    if (evalReturn !== undefined && !Number.isNaN(evalReturn)) this.lastEval = evalReturn;
    const fps = formatNumber(metrics['charts/fps'], 0);
    const ret = formatNumber(metrics['charts/episode_return_mean']);
    const evalText = formatNumber(this.lastEval);
    if (this.bar) {
      this.bar.update(metrics['global_step'] ?? 0, { fps, ret, eval: evalText });
      return;
    }
    const update = metrics['update'] ?? 0;
    if (update % this.linesEvery !== 0 && update !== this.totalUpdates) return;
    const step = metrics['global_step'] ?? 0;
    const percent = ((100 * step) / this.totalSteps).toFixed(0);
    this.stream.write(`${this.label}: update ${update}/${this.totalUpdates} | ${step}/${this.totalSteps} steps (${percent}%) | ${fps} fps | return ${ret} | eval ${evalText}\n`);
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
