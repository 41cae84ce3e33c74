import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventFileWriter, isEventFile, purgeEventsAfter, readEventFile } from '../src/training/tensorBoardEvents.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mempo-tb-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const eventFiles = (dir: string) => readdirSync(dir).filter(isEventFile).map((name) => join(dir, name));

describe('TensorBoard event files written in JS', () => {
  it('writes the version record, the hparams session start and scalars as checksummed TFRecords', () => {
    const dir = tempDir();
    const writer = new EventFileWriter(join(dir, 'tb'));
    writer.hparams({ memory: 'rim', 'ppo/learningRate': 2.5e-4, 'ppo/clipValue': true });
    writer.scalar('charts/fps', 310, 1024);
    writer.scalar('losses/value_loss', 0.25, 1024);
    expect(readdirSync(dir)).toEqual([]);
    writer.flush();
    writer.scalar('charts/fps', 320, 2048);
    writer.flush();
    const [file, ...others] = eventFiles(join(dir, 'tb'));
    expect(others).toEqual([]);
    expect(file).toMatch(/\/events\.out\.tfevents\.\d+\.[^/]+\.\d+\.\d+\.v2$/);
    const events = readEventFile(file!);
    expect(events.map((e) => [e.step, e.tags])).toEqual([
      [0, []],
      [0, ['_hparams_/session_start_info']],
      [1024, ['charts/fps']],
      [1024, ['losses/value_loss']],
      [2048, ['charts/fps']],
    ]);
    const bytes = readFileSync(file!);
    expect(bytes.includes(Buffer.from('brain.Event:2'))).toBe(true);
    expect(bytes.includes(Buffer.from('hparams'))).toBe(true);
    // A flipped byte breaks the record's checksum: reading stops before it.
    const damaged = Buffer.from(bytes);
    const last = events.at(-1)!.record.byteOffset;
    damaged[last + 20] = damaged[last + 20]! ^ 0xff;
    writeFileSync(file!, damaged);
    expect(readEventFile(file!)).toHaveLength(4);
  });

  it('purges the steps after a checkpoint and keeps the hparams record at step 0', () => {
    const dir = tempDir();
    const writer = new EventFileWriter(dir);
    writer.hparams({ memory: 'lstm' });
    for (const step of [1024, 2048, 3072]) writer.scalar('charts/fps', step / 10, step);
    writer.flush();
    expect(purgeEventsAfter(dir, 2048)).toBe(1);
    const resumed = new EventFileWriter(dir);
    resumed.scalar('charts/fps', 300, 3072);
    resumed.flush();
    const pairs = eventFiles(dir).flatMap((f) => readEventFile(f).flatMap((e) => e.tags.map((t) => `${t}@${e.step}`)));
    expect(pairs.sort()).toEqual(['_hparams_/session_start_info@0', 'charts/fps@1024', 'charts/fps@2048', 'charts/fps@3072']);
  });
});
