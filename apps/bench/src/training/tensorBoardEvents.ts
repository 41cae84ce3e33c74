import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '@aws-crypto/crc32c';
import protobuf from 'protobufjs';
import { writeFileAtomic } from '@mempo/ppo';

/** One event of a TensorBoard event file. */
export interface TensorBoardEvent {
  step: number;
  wallTime: number;
  /** The tags of the summary values it carries (none for the file-version header). */
  tags: string[];
  /** The whole framed record as it is on disk, so a purge copies kept events byte for byte. */
  record: Uint8Array;
}

// The fields of tensorflow/core/util/event.proto and summary.proto that a purge and its test read; the
// decoder skips the others.
const EVENT = protobuf.Root.fromJSON({
  nested: {
    Event: {
      fields: { wallTime: { type: 'double', id: 1 }, step: { type: 'int64', id: 2 }, summary: { type: 'Summary', id: 5 } },
    },
    Summary: { fields: { value: { rule: 'repeated', type: 'Value', id: 1 } } },
    Value: { fields: { tag: { type: 'string', id: 1 } } },
  },
}).lookupType('Event');

/** TFRecord's checksum: CRC-32C, rotated and offset so that a CRC of data holding CRCs stays informative. */
function maskedCrc(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** Whether `name` is a TensorBoard event file (`events.out.tfevents.<time>.<host>…`). */
export function isEventFile(name: string): boolean {
  return name.startsWith('events.out.tfevents.');
}

/**
 * Reads the events of one event file (TFRecord framing: u64 length, masked CRC of the length, the Event
 * proto, masked CRC of the data). Reading stops at the first record that is incomplete or fails its checksum:
 * the tail a process killed mid-write leaves.
 *
 * @example
 * readEventFile('runs/x/tb/events.out.tfevents.1700000000.host.123.0.v2').map((e) => [e.step, e.tags]);
 */
export function readEventFile(path: string): TensorBoardEvent[] {
  const bytes = new Uint8Array(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events: TensorBoardEvent[] = [];
  for (let at = 0; at + 12 <= bytes.length; ) {
    const length = Number(view.getBigUint64(at, true));
    const end = at + 12 + length + 4;
    if (end > bytes.length || view.getUint32(at + 8, true) !== maskedCrc(bytes.subarray(at, at + 8))) break;
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (view.getUint32(at + 12 + length, true) !== maskedCrc(data)) break;
    const event = EVENT.toObject(EVENT.decode(data), { longs: Number, defaults: true }) as {
      wallTime: number;
      step: number;
      summary?: { value: { tag: string }[] };
    };
    events.push({ step: event.step, wallTime: event.wallTime, tags: (event.summary?.value ?? []).map((v) => v.tag), record: bytes.subarray(at, end) });
    at = end;
  }
  return events;
}

/**
 * Drops every event after `step` from the event files in `dir`, as TensorBoard does for the events before a
 * `purge_step` (tfjs-node's writer cannot write the marker that asks it to): a resumed run logs those steps
 * again. Files that need no change are left as they are; the others are rewritten atomically with the kept
 * records byte for byte. Returns how many events were dropped.
 *
 * @example
 * purgeEventsAfter('runs/x/tb', 10_240); // before resuming from the checkpoint at agent step 10,240
 */
export function purgeEventsAfter(dir: string, step: number): number {
  if (!existsSync(dir)) return 0;
  let dropped = 0;
  for (const name of readdirSync(dir).filter(isEventFile)) {
    const path = join(dir, name);
    const size = readFileSync(path).byteLength;
    const events = readEventFile(path);
    const kept = events.filter((e) => e.step <= step);
    const keptBytes = kept.reduce((n, e) => n + e.record.byteLength, 0);
    if (keptBytes === size) continue;
    dropped += events.length - kept.length;
    writeFileAtomic(path, Buffer.concat(kept.map((e) => e.record)));
  }
  return dropped;
}
