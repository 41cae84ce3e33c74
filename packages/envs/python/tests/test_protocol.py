"""Codec tests (stdlib unittest; run from packages/envs/python: ``python -m unittest discover tests``)."""

import io
import os
import socket
import struct
import threading
import unittest

import numpy as np

from mempo_envs.protocol import MAGIC, FrameWriter, ProtocolError, decode_arrays, encode_frame, read_frame


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

    def test_frame_writer_resumes_partial_writes_on_a_socket(self):
        # A 1 MiB frame through a socket with a small send buffer: writev takes it in many pieces.
        ours, theirs = socket.socketpair()
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        big = np.arange(1 << 20, dtype=np.uint32).astype(np.uint8).reshape(1024, 1024)
        reader_out = {}

        def read():
            with os.fdopen(os.dup(theirs.fileno()), "rb", buffering=0) as stream:
                reader_out["frame"] = read_frame(stream)

        thread = threading.Thread(target=read)
        thread.start()
        with os.fdopen(os.dup(ours.fileno()), "wb", buffering=0) as stream:
            writer = FrameWriter(stream)
            self.assertIsNotNone(writer.fd)
            writer.write({"id": 3}, {"big": big, "small": np.array([1.5], np.float32)})
        thread.join(timeout=10)
        ours.close()
        theirs.close()
        header, payload = reader_out["frame"]
        got = decode_arrays(header, payload)
        self.assertEqual(header["id"], 3)
        np.testing.assert_array_equal(got["big"], big)
        np.testing.assert_array_equal(got["small"], [1.5])

    def test_header_without_fields_and_names_needing_escapes(self):
        header, got = roundtrip({}, {'quo"te': np.array([7], np.int32)})
        self.assertEqual(header["arrays"][0]["name"], 'quo"te')
        np.testing.assert_array_equal(got['quo"te'], [7])

    def test_rejects_unsupported_dtype(self):
        with self.assertRaisesRegex(ValueError, "dtype float64"):
            encode_frame({}, {"x": np.zeros(2)})


if __name__ == "__main__":
    unittest.main()
