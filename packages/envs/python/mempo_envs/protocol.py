"""Length-prefixed binary frames shared with packages/envs/src/bridge/protocol.ts.

A frame is ``magic u32 | header_len u32 | payload_len u32 | header (UTF-8 JSON) | payload`` (little
endian). ``header["arrays"]`` lists ``{name, dtype, shape, offset}``; each array's raw C-order bytes lie in
the payload at ``offset``, which is a multiple of 8 so the TypeScript side can view any dtype in place.
Only the standard library is imported here so that the worker can report a missing numpy as a reply.
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

MAGIC = 0x4D504531  # "MPE1": a desynchronised or foreign stream fails on the first frame
PREFIX = struct.Struct("<III")
MAX_HEADER_BYTES = 1 << 20
MAX_PAYLOAD_BYTES = 1 << 30
DTYPES = ("uint8", "int32", "float32")
ALIGN = 8


class ProtocolError(Exception):
    """The byte stream does not hold a valid frame; the connection cannot recover."""


def encode_frame(header: dict[str, Any], arrays: dict[str, Any] | None = None) -> list[bytes | memoryview]:
    """Returns the frame as byte chunks, written in order (large arrays are not copied).

    ``arrays`` maps names to C-contiguous numpy arrays of one of ``DTYPES``.
    """
    specs = []
    chunks: list[bytes | memoryview] = []
    offset = 0
    for name, array in (arrays or {}).items():
        dtype = str(array.dtype)
        if dtype not in DTYPES:
            raise ValueError(f"array {name!r} has dtype {dtype}; the protocol carries only {DTYPES}")
        # A C-contiguous array is written from its own memory, without a copy.
        data = memoryview(array if array.flags.c_contiguous else array.copy(order="C")).cast("B") if array.size else b""
        specs.append({"name": name, "dtype": dtype, "shape": list(array.shape), "offset": offset})
        chunks.append(data)
        pad = -len(data) % ALIGN
        if pad:
            chunks.append(b"\0" * pad)
        offset += len(data) + pad
    head = json.dumps({**header, "arrays": specs}, separators=(",", ":")).encode("utf-8")
    return [PREFIX.pack(MAGIC, len(head), offset), head, *chunks]


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError(f"stream ended after {0 if data is None else len(data)} of {n} bytes")
    return data


def read_frame(stream: BinaryIO) -> tuple[dict[str, Any], bytes]:
    """Reads one frame. Raises EOFError on a clean end of stream before a frame, ProtocolError on garbage."""
    prefix = stream.read(PREFIX.size)
    if not prefix:
        raise EOFError("end of stream")
    if len(prefix) != PREFIX.size:
        raise ProtocolError(f"truncated frame prefix ({len(prefix)} of {PREFIX.size} bytes)")
    magic, header_len, payload_len = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise ProtocolError(f"bad frame magic 0x{magic:08x} (expected 0x{MAGIC:08x})")
    if header_len > MAX_HEADER_BYTES or payload_len > MAX_PAYLOAD_BYTES:
        raise ProtocolError(f"frame too large (header {header_len} B, payload {payload_len} B)")
    try:
        header = json.loads(_read_exact(stream, header_len).decode("utf-8"))
        payload = _read_exact(stream, payload_len)
    except (EOFError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ProtocolError(f"unreadable frame: {err}") from err
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not a JSON object")
    return header, payload


def decode_arrays(header: dict[str, Any], payload: bytes) -> dict[str, Any]:
    """Views the payload's arrays as numpy arrays (read-only, no copy)."""
    import numpy as np

    out = {}
    for spec in header.get("arrays", []):
        dtype = np.dtype(spec["dtype"])
        shape = tuple(int(s) for s in spec["shape"])
        count = 1
        for s in shape:
            count *= s
        end = spec["offset"] + count * dtype.itemsize
        if spec["dtype"] not in DTYPES or end > len(payload):
            raise ProtocolError(f"array {spec.get('name')!r} does not fit the payload")
        out[spec["name"]] = np.frombuffer(payload, dtype=dtype, count=count, offset=spec["offset"]).reshape(shape)
    return out
