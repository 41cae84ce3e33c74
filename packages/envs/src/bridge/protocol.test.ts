import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_MAGIC, FrameReader, ProtocolError } from './protocol.js';

const arrays = {
  obs: { data: Uint8Array.from({ length: 2 * 3 * 5 }, (_, i) => i), shape: [2, 3, 5] },
  reward: { data: Float32Array.from([0.5, -1.25]), shape: [2] },
  actions: { data: Int32Array.from([3, -6, 7]), shape: [3] },
};

describe('bridge protocol', () => {
  it('round-trips a header and arrays, whatever the chunking of the stream', () => {
    const frame = encodeFrame({ id: 4, op: 'step' }, arrays);
    const twice = Buffer.concat([frame, frame]);
    for (const cut of [1, 5, 12, 13, frame.length - 1, frame.length, frame.length + 7]) {
      const reader = new FrameReader();
      const frames = [...reader.push(twice.subarray(0, cut)), ...reader.push(twice.subarray(cut))];
      expect(frames).toHaveLength(2);
      for (const f of frames) {
        expect(f.header).toEqual({ id: 4, op: 'step' });
        for (const [name, { data, shape }] of Object.entries(arrays)) {
          const got = f.arrays.get(name)!;
          expect(got.shape).toEqual(shape);
          expect(got.data.constructor).toBe(data.constructor);
          expect(Array.from(got.data)).toEqual(Array.from(data));
        }
      }
    }
  });

  it('gives each frame arrays of its own, whatever the chunk held', () => {
    const frame = encodeFrame({ id: 1 }, arrays);
    const reader = new FrameReader();
    const [a, b] = reader.push(Buffer.concat([frame, frame]));
    const obsA = a!.arrays.get('obs')!.data;
    const obsB = b!.arrays.get('obs')!.data;
    obsA[0] = 99;
    expect(obsB[0]).toBe(0);
    expect(obsA.buffer).not.toBe(obsB.buffer);
    // The float array is viewed in place, at an aligned offset of the frame's own payload buffer.
    expect(a!.arrays.get('reward')!.data.buffer).toBe(obsA.buffer);
  });

  it('places arrays at 8-byte aligned offsets', () => {
    const frame = encodeFrame({}, arrays);
    const headerLen = frame.readUInt32LE(4);
    const header = JSON.parse(frame.subarray(12, 12 + headerLen).toString()) as { arrays: { offset: number }[] };
    expect(header.arrays.map((a) => a.offset)).toEqual([0, 32, 40]);
    expect(frame.readUInt32LE(8)).toBe(56);
  });

  it('rejects garbage, oversized frames and arrays that overrun the payload', () => {
    expect(() => new FrameReader().push(Buffer.from('Traceback (most recent call last)'))).toThrow(
      new ProtocolError('reply does not start with a frame (got "Traceback (most recent call last)")'),
    );
    const huge = Buffer.alloc(12);
    huge.writeUInt32LE(FRAME_MAGIC, 0);
    huge.writeUInt32LE(1 << 24, 4);
    expect(() => new FrameReader().push(huge)).toThrow('reply frame too large (header 16777216 B, payload 0 B)');
    const frame = encodeFrame({ id: 1 }, { a: { data: new Uint8Array(8), shape: [8] } });
    const lying = Buffer.from(frame.toString('latin1').replace('"shape":[8]', '"shape":[9]'), 'latin1');
    expect(() => new FrameReader().push(lying)).toThrow('frame array a (9 B at 0) overruns the payload');
  });
});
