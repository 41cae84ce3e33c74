/**
 * Length-prefixed binary frames shared with `python/mempo_envs/protocol.py` (spec/envs.md, "Protocol").
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

/** A decoded frame: its JSON header and its arrays (copied out of the receive buffer). */
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

function decodeFrame(headBytes: Buffer, payload: Buffer): Frame {
  let header: unknown;
  try {
    header = JSON.parse(headBytes.toString('utf8'));
  } catch (err) {
    throw new ProtocolError(`frame header is not JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new ProtocolError('frame header is not a JSON object');
  const record = header as Record<string, unknown>;
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
    // Copy into a fresh, aligned buffer: callers keep the arrays while the receive buffer is reused.
    const data = new ctor(count);
    new Uint8Array(data.buffer).set(payload.subarray(raw.offset, raw.offset + bytes));
    arrays.set(raw.name, { data, shape: raw.shape });
  }
  delete record.arrays;
  return { header: record, arrays };
}

/** Cuts a byte stream into frames; `push` returns every frame completed by the new chunk. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < PREFIX_BYTES) return frames;
      const head = this.peek(PREFIX_BYTES);
      const magic = head.readUInt32LE(0);
      if (magic !== FRAME_MAGIC) {
        const text = JSON.stringify(this.peek(Math.min(this.buffered, 40)).toString('latin1'));
        throw new ProtocolError(`reply does not start with a frame (got ${text})`);
      }
      const headerLen = head.readUInt32LE(4);
      const payloadLen = head.readUInt32LE(8);
      if (headerLen > MAX_HEADER_BYTES || payloadLen > MAX_PAYLOAD_BYTES)
        throw new ProtocolError(`reply frame too large (header ${headerLen} B, payload ${payloadLen} B)`);
      const total = PREFIX_BYTES + headerLen + payloadLen;
      if (this.buffered < total) return frames;
      const all = this.take(total);
      const headerEnd = PREFIX_BYTES + headerLen;
      frames.push(decodeFrame(all.subarray(PREFIX_BYTES, headerEnd), all.subarray(headerEnd)));
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = joined.length > n ? [joined.subarray(n)] : [];
    this.buffered -= n;
    return joined.subarray(0, n);
  }
}
