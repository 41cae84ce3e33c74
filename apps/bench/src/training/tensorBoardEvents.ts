import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '@aws-crypto/crc32c';
import protobuf from 'protobufjs';
import { describeWriteError, makeDirectory, writeFileAtomic, type ScalarWriter } from '@mempo/ppo';

/** One event of a TensorBoard event file. */
export interface TensorBoardEvent {
  step: number;
  wallTime: number;
  /** The tags of the summary values it carries (none for the file-version header). */
  tags: string[];
  /** The whole framed record as it is on disk, so a purge copies kept events byte for byte. */
  record: Uint8Array;
}

// The fields of tensorflow/core/util/event.proto and summary.proto that we write and read (field numbers as
// there), and of TensorBoard's hparams plugin (tensorboard/plugins/hparams/plugin_data.proto, api.proto, and
// google.protobuf.Value for the values); the decoder skips the others.
const ROOT = protobuf.Root.fromJSON({
  nested: {
    Event: {
      fields: {
        wallTime: { type: 'double', id: 1 },
        step: { type: 'int64', id: 2 },
        fileVersion: { type: 'string', id: 3 },
        summary: { type: 'Summary', id: 5 },
      },
    },
    Summary: { fields: { value: { rule: 'repeated', type: 'Value', id: 1 } } },
    Value: {
      fields: { tag: { type: 'string', id: 1 }, simpleValue: { type: 'float', id: 2 }, metadata: { type: 'SummaryMetadata', id: 9 } },
    },
    SummaryMetadata: { fields: { pluginData: { type: 'PluginData', id: 1 } } },
    PluginData: { fields: { pluginName: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } } },
    HParamsPluginData: { fields: { version: { type: 'int32', id: 1 }, sessionStartInfo: { type: 'SessionStartInfo', id: 3 } } },
    SessionStartInfo: {
      fields: { hparams: { keyType: 'string', type: 'HParamValue', id: 1 } as protobuf.IMapField, groupName: { type: 'string', id: 4 }, startTimeSecs: { type: 'double', id: 5 } },
    },
    HParamValue: { fields: { numberValue: { type: 'double', id: 2 }, stringValue: { type: 'string', id: 3 }, boolValue: { type: 'bool', id: 4 } } },
  },
});
const EVENT = ROOT.lookupType('Event');
const HPARAMS_DATA = ROOT.lookupType('HParamsPluginData');

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

/** One framed TFRecord: length, masked CRC of the length, the data, masked CRC of the data. */
function frame(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc(data), true);
  return out;
}

function eventRecord(fields: Record<string, unknown>): Uint8Array {
  return frame(EVENT.encode(EVENT.fromObject({ wallTime: Date.now() / 1000, ...fields })).finish());
}

/** A run's hyperparameters as TensorBoard's hparams plugin shows them: numbers, strings and booleans. */
export type HParams = Record<string, number | string | boolean>;

let filesOpened = 0;

/**
 * TensorBoard event files written in JS, on every backend: scalars (`simple_value`) and the run's
 * hyperparameters (the hparams plugin's session-start summary). Records are buffered and appended at
 * `flush()`; a new file starts with the `brain.Event:2` version record TensorBoard expects. `purgeAfter` is
 * {@link purgeEventsAfter}; the file is created at the first write, after any purge.
 *
 * @example
 * const tb = new EventFileWriter('runs/x/tb');
 * tb.hparams({ memory: 'rim', learningRate: 2.5e-4 });
 * tb.scalar('charts/fps', 310, 1024);
 * tb.flush();
 */
export class EventFileWriter implements ScalarWriter {
  private path: string | null = null;
  private pending: Uint8Array[] = [];

  constructor(private readonly dir: string) {}

  purgeAfter(step: number): void {
    purgeEventsAfter(this.dir, step);
  }

  scalar(name: string, value: number, step: number): void {
    this.push(eventRecord({ step, summary: { value: [{ tag: name, simpleValue: value }] } }));
  }

  /** The session-start record of the hparams plugin (step 0), so TensorBoard's HPARAMS tab lists the run. */
  hparams(values: HParams, groupName = ''): void {
    const hparams = Object.fromEntries(
      Object.entries(values).map(([key, v]) => [key, typeof v === 'number' ? { numberValue: v } : typeof v === 'boolean' ? { boolValue: v } : { stringValue: v }]),
    );
    const content = HPARAMS_DATA.encode(HPARAMS_DATA.fromObject({ version: 0, sessionStartInfo: { hparams, groupName, startTimeSecs: Date.now() / 1000 } })).finish();
    const metadata = { pluginData: { pluginName: 'hparams', content } };
    this.push(eventRecord({ step: 0, summary: { value: [{ tag: '_hparams_/session_start_info', metadata }] } }));
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const path = this.open();
    try {
      appendFileSync(path, Buffer.concat(this.pending));
    } catch (err) {
      throw describeWriteError(path, err);
    }
    this.pending = [];
  }

  private push(record: Uint8Array): void {
    if (this.path === null && this.pending.length === 0) this.pending.push(eventRecord({ fileVersion: 'brain.Event:2' }));
    this.pending.push(record);
  }

  private open(): string {
    if (this.path === null) {
      makeDirectory(this.dir);
      // Unique per process and writer, like TensorFlow's own `<time>.<host>.<pid>.<uid>` names.
      this.path = join(this.dir, `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}.${process.pid}.${filesOpened++}.v2`);
    }
    return this.path;
  }
}
