/**
 * Length-prefixed binary frames shared with `python/mempo_envs/protocol.py` (the envs README, "Protocol").
 *
 * A frame is `magic u32 | headerLen u32 | payloadLen u32 | header (UTF-8 JSON) | payload`, little endian.
 * `header.arrays` lists `{ name, dtype, shape, offset }`; each array's raw row-major bytes lie in the payload
 * at `offset`, a multiple of 8, so every dtype can be viewed in place.
 */

/** "MPE1": a desynchronised or foreign stream fails on its first frame. */
export const FRAME_MAGIC = 0x4d504531;
const PREFIX_BYTES = 12;
const ALIGN = 8;
/** Replies larger than this are treated as garbage rather than buffered. */
const MAX_HEADER_BYTES = 1 << 20;
const MAX_PAYLOAD_BYTES = 1 << 30;

/** The dtypes the protocol carries. */
export type WireDtype = 'uint8' | 'int32' | 'float32';
/** A typed array the protocol can carry. */
export type WireArray = Uint8Array | Int32Array | Float32Array;

interface ArraySpec {
  name: string;
  dtype: WireDtype;
  shape: number[];
  offset: number;
}

/** A decoded frame: its JSON header and its arrays (views of a payload buffer owned by this frame). */
export interface Frame {
  header: Record<string, unknown>;
  arrays: Map<string, { data: WireArray; shape: number[] }>;
}

/** The stream holds something that is not a valid frame; the connection cannot recover. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

function dtypeOf(array: WireArray): WireDtype {
  if (array instanceof Uint8Array) return 'uint8';
  if (array instanceof Int32Array) return 'int32';
  return 'float32';
}

const CONSTRUCTORS = { uint8: Uint8Array, int32: Int32Array, float32: Float32Array } as const;

/** Encodes one frame; `arrays` maps names to a typed array and its shape. */
export function encodeFrame(
  header: Record<string, unknown>,
  arrays: Record<string, { data: WireArray; shape: number[] }> = {},
): Buffer {
  const specs: ArraySpec[] = [];
  let offset = 0;
  for (const [name, { data, shape }] of Object.entries(arrays)) {
    specs.push({ name, dtype: dtypeOf(data), shape, offset });
    offset += Math.ceil(data.byteLength / ALIGN) * ALIGN;
  }
  const head = Buffer.from(JSON.stringify({ ...header, arrays: specs }), 'utf8');
  const frame = Buffer.alloc(PREFIX_BYTES + head.length + offset);
  frame.writeUInt32LE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(head.length, 4);
  frame.writeUInt32LE(offset, 8);
  head.copy(frame, PREFIX_BYTES);
  const payloadStart = PREFIX_BYTES + head.length;
  for (const spec of specs) {
    const { data } = arrays[spec.name]!;
    frame.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), payloadStart + spec.offset);
  }
  return frame;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

function parseHeader(bytes: Uint8Array): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(textDecoder.decode(bytes));
  } catch (err) {
    throw new ProtocolError(`frame header is not JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new ProtocolError('frame header is not a JSON object');
  return header as Record<string, unknown>;
}

/** Views the payload's arrays in place; `payload` starts at offset 0 of its own buffer, so every offset is aligned. */
function viewArrays(record: Record<string, unknown>, payload: Uint8Array<ArrayBuffer>): Frame['arrays'] {
  const specs = record.arrays ?? [];
  if (!Array.isArray(specs)) throw new ProtocolError('frame header field arrays is not a list');
  const arrays: Frame['arrays'] = new Map();
  for (const raw of specs as ArraySpec[]) {
    const ctor = CONSTRUCTORS[raw?.dtype];
    const shapeOk = Array.isArray(raw?.shape) && raw.shape.every((s) => Number.isInteger(s) && s >= 0);
    if (!ctor || !shapeOk || !Number.isInteger(raw.offset) || raw.offset % ALIGN !== 0)
      throw new ProtocolError(`frame array spec ${JSON.stringify(raw)} is malformed`);
    const count = raw.shape.reduce((a, b) => a * b, 1);
    const bytes = count * ctor.BYTES_PER_ELEMENT;
    if (raw.offset + bytes > payload.length)
      throw new ProtocolError(`frame array ${raw.name} (${bytes} B at ${raw.offset}) overruns the payload`);
    arrays.set(raw.name, { data: new ctor(payload.buffer, payload.byteOffset + raw.offset, count), shape: raw.shape });
  }
  delete record.arrays;
  return arrays;
}

/**
 * Cuts a byte stream into frames; `push` returns every frame completed by the new chunk.
 *
 * Each frame's bytes are copied once, as they arrive, into buffers owned by that frame alone: the arrays of
 * a returned frame are views of its own payload buffer, which callers may keep (a stacked Atari batch is
 * 220 KiB: joining the stream's 64 KiB chunks first and then copying each array out would copy it twice).
 */
export class FrameReader {
  private readonly prefix = new Uint8Array(PREFIX_BYTES);
  private readonly prefixView = new DataView(this.prefix.buffer);
  /** Bytes of the current frame received so far, prefix included. */
  private received = 0;
  private header: Uint8Array | null = null;
  private payload: Uint8Array<ArrayBuffer> | null = null;

  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.received < PREFIX_BYTES) {
        const n = Math.min(PREFIX_BYTES - this.received, chunk.length - at);
        this.prefix.set(chunk.subarray(at, at + n), this.received);
        this.received += n;
        at += n;
        if (this.received === PREFIX_BYTES) {
          this.startFrame(chunk.subarray(at));
          if (this.header!.length + this.payload!.length === 0) frames.push(this.finishFrame());
        }
        continue;
      }
      const header = this.header!;
      const payload = this.payload!;
      const offset = this.received - PREFIX_BYTES;
      if (offset < header.length) {
        const n = Math.min(header.length - offset, chunk.length - at);
        header.set(chunk.subarray(at, at + n), offset);
        this.received += n;
        at += n;
      } else {
        const n = Math.min(payload.length - (offset - header.length), chunk.length - at);
        payload.set(chunk.subarray(at, at + n), offset - header.length);
        this.received += n;
        at += n;
      }
      if (this.received === PREFIX_BYTES + header.length + payload.length) frames.push(this.finishFrame());
    }
    return frames;
  }

  private startFrame(rest: Uint8Array): void {
    const magic = this.prefixView.getUint32(0, true);
    if (magic !== FRAME_MAGIC) {
      const seen = Buffer.concat([this.prefix, rest.subarray(0, 40 - PREFIX_BYTES)]).toString('latin1');
      throw new ProtocolError(`reply does not start with a frame (got ${JSON.stringify(seen)})`);
    }
    const headerLen = this.prefixView.getUint32(4, true);
    const payloadLen = this.prefixView.getUint32(8, true);
    if (headerLen > MAX_HEADER_BYTES || payloadLen > MAX_PAYLOAD_BYTES)
      throw new ProtocolError(`reply frame too large (header ${headerLen} B, payload ${payloadLen} B)`);
    this.header = new Uint8Array(headerLen);
    this.payload = new Uint8Array(payloadLen);
  }

  private finishFrame(): Frame {
    const header = parseHeader(this.header!);
    const arrays = viewArrays(header, this.payload!);
    this.received = 0;
    this.header = null;
    this.payload = null;
    return { header, arrays };
  }
}
