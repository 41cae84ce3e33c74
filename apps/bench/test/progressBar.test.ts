import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Metrics, TrainStartInfo } from '@mempo/ppo';
import { ConsoleProgress } from '../src/training/progressBar.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** A stream that keeps what is written; `isTTY` as asked. */
function sink(isTTY: boolean): Writable & { text: string; isTTY: boolean } {
  const stream = new Writable({ write: (chunk, _enc, done) => ((stream.text += String(chunk)), done()) }) as Writable & { text: string; isTTY: boolean };
  stream.text = '';
  stream.isTTY = isTTY;
  return stream;
}

const start: TrainStartInfo = { totalSteps: 640, totalUpdates: 20, startStep: 0, startUpdate: 0, stepsPerUpdate: 32, budgetChange: null };
const row = (update: number, extra: Metrics = {}): Metrics => ({
  update, global_step: 32 * update, 'charts/fps': 1000, 'charts/episode_return_mean': 0.5, 'eval/mean_return': NaN, ...extra,
});

describe('ConsoleProgress (the app draws the progress the ppo library reports through callbacks)', () => {
  it('writes one plain line every linesEvery updates and at the last on a stream that is not a terminal', () => {
    const out = sink(false);
    const bar = new ConsoleProgress('warehouse lstm', { stream: out, linesEvery: 8 });
    bar.onTrainStart(start);
    for (let u = 1; u <= 20; u++) bar.onProgress(row(u, u === 8 ? { 'eval/mean_return': 0.75 } : {}));
    bar.onTrainEnd();
    expect(out.text).not.toContain('\r');
    expect(out.text.split('\n')).toEqual([
      'warehouse lstm: from update 0 of 20 (0/640 steps)',
      'warehouse lstm: update 8/20 | 256/640 steps (40%) | 1000 fps | return 0.50 | eval 0.75',
      'warehouse lstm: update 16/20 | 512/640 steps (80%) | 1000 fps | return 0.50 | eval 0.75',
      'warehouse lstm: update 20/20 | 640/640 steps (100%) | 1000 fps | return 0.50 | eval 0.75',
      '',
    ]);
  });

  it('draws a cli-progress bar on a terminal', () => {
    const out = sink(true);
    const bar = new ConsoleProgress('test', { stream: out });
    bar.onTrainStart(start);
    bar.onProgress(row(20));
    bar.onTrainEnd();
    expect(out.text).toMatch(/test .*\| 640\/640 steps \| 1000 fps \| ETA .* \| return 0\.50 \| eval —/);
  });

  it('refuses a line interval that is not a positive integer', () => {
    expect(() => new ConsoleProgress('x', { linesEvery: 0 })).toThrow('linesEvery must be a positive integer of updates (got 0)');
  });

  it('is no longer part of the ppo library', () => {
    expect(existsSync(`${ROOT}packages/ppo/src/progressBar.ts`)).toBe(false);
  });
});
