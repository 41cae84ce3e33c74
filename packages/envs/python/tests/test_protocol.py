"""Codec tests (stdlib unittest; run from packages/envs/python: ``python -m unittest discover tests``)."""

import io
import struct
import unittest

import numpy as np

from mempo_envs.protocol import MAGIC, ProtocolError, decode_arrays, encode_frame, read_frame


def roundtrip(header, arrays):
    stream = io.BytesIO(b"".join(encode_frame(header, arrays)))
    got_header, payload = read_frame(stream)
    return got_header, decode_arrays(got_header, payload)


class ProtocolTest(unittest.TestCase):
    def test_roundtrip_keeps_values_shapes_and_dtypes(self):
        arrays = {
            "obs": np.arange(2 * 7 * 7 * 3, dtype=np.uint8).reshape(2, 7, 7, 3),
            "reward": np.array([0.5, -1.25], dtype=np.float32),
            "actions": np.array([3, 6], dtype=np.int32),
            "empty": np.zeros((0, 4), dtype=np.uint8),
        }
        header, got = roundtrip({"id": 7, "op": "step"}, arrays)
        self.assertEqual(header["id"], 7)
        for name, array in arrays.items():
            self.assertEqual(got[name].dtype, array.dtype)
            np.testing.assert_array_equal(got[name], array)

    def test_offsets_are_eight_byte_aligned(self):
        header, _ = roundtrip({}, {"a": np.zeros(3, np.uint8), "b": np.zeros(5, np.float32)})
        self.assertEqual([a["offset"] % 8 for a in header["arrays"]], [0, 0])

    def test_rejects_bad_magic_and_truncation(self):
        with self.assertRaisesRegex(ProtocolError, "bad frame magic"):
            read_frame(io.BytesIO(b"garbage garbage garbage"))
        frame = b"".join(encode_frame({"id": 1}, {"a": np.zeros(16, np.uint8)}))
        with self.assertRaisesRegex(ProtocolError, "unreadable frame"):
            read_frame(io.BytesIO(frame[:-3]))
        with self.assertRaises(EOFError):
            read_frame(io.BytesIO(b""))

    def test_rejects_oversized_header(self):
        with self.assertRaisesRegex(ProtocolError, "too large"):
            read_frame(io.BytesIO(struct.pack("<III", MAGIC, 1 << 30, 0)))

    def test_rejects_unsupported_dtype(self):
        with self.assertRaisesRegex(ValueError, "dtype float64"):
            encode_frame({}, {"x": np.zeros(2)})


if __name__ == "__main__":
    unittest.main()
