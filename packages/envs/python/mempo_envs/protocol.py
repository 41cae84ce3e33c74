"""Length-prefixed binary frames shared with packages/envs/src/bridge/protocol.ts.

A frame is ``magic u32 | header_len u32 | payload_len u32 | header (UTF-8 JSON) | payload`` (little
endian). ``header["arrays"]`` lists ``{name, dtype, shape, offset}``; each array's raw C-order bytes lie in
the payload at ``offset``, which is a multiple of 8 so the TypeScript side can view any dtype in place.
Only the standard library is imported here so that the worker can report a missing numpy as a reply.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any, BinaryIO

MAGIC = 0x4D504531  # "MPE1": a desynchronised or foreign stream fails on the first frame
PREFIX = struct.Struct("<III")
MAX_HEADER_BYTES = 1 << 20
MAX_PAYLOAD_BYTES = 1 << 30
DTYPES = ("uint8", "int32", "float32")
# numpy's array-protocol type strings (a C attribute; ``dtype.name`` is computed in Python on every access).
_WIRE_DTYPES = {"|u1": "uint8", "<i4": "int32", "<f4": "float32"}
ALIGN = 8


class ProtocolError(Exception):
    """The byte stream does not hold a valid frame; the connection cannot recover."""


# One encoder for every frame: json.dumps with keyword arguments builds a new encoder per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_NAMES: dict[str, str] = {}
_PADDING = bytes(ALIGN)


def _name_json(name: str) -> str:
    text = _NAMES.get(name)
    if text is None:
        text = _NAMES[name] = _ENCODER.encode(name)
    return text


def encode_frame(header: dict[str, Any], arrays: dict[str, Any] | None = None) -> list[bytes | memoryview]:
    """Returns the frame as byte chunks, written in order (C-contiguous arrays are not copied).

    ``arrays`` maps names to numpy arrays of one of ``DTYPES``. The array specs are formatted directly
    rather than through ``json``, and the dtype is read from ``dtype.str``: a step reply is sent thousands
    of times per second, and this cuts its encoding from 26 to 11 µs.
    """
    specs = []
    chunks: list[bytes | memoryview] = []
    offset = 0
    for name, array in (arrays or {}).items():
        dtype = _WIRE_DTYPES.get(array.dtype.str)
        if dtype is None:
            raise ValueError(f"array {name!r} has dtype {array.dtype}; the protocol carries only {DTYPES}")
        shape = ",".join(map(str, array.shape))
        specs.append(f'{{"name":{_name_json(name)},"dtype":"{dtype}","shape":[{shape}],"offset":{offset}}}')
        size = array.nbytes
        if size:
            chunks.append(memoryview(array if array.flags.c_contiguous else array.copy(order="C")).cast("B"))
            pad = -size % ALIGN
            if pad:
                chunks.append(_PADDING[:pad])
            offset += size + pad
    fields = _ENCODER.encode(header)
    if not fields.startswith("{"):
        raise ValueError("a frame header must be a dict")
    head = f'{fields[:-1]}{"," if len(fields) > 2 else ""}"arrays":[{",".join(specs)}]}}'.encode("utf-8")
    return [PREFIX.pack(MAGIC, len(head), offset), head, *chunks]


class FrameWriter:
    """Writes frames to a binary stream: one ``writev`` system call per frame when the stream is a file
    descriptor (the worker's stdout), else ``writelines`` and ``flush`` (in-memory streams in tests)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        try:
            self.fd: int | None = stream.fileno()
        except (OSError, ValueError, AttributeError):
            self.fd = None

    def write(self, header: dict[str, Any], arrays: dict[str, Any] | None = None) -> None:
        chunks = encode_frame(header, arrays)
        if self.fd is None:
            self.stream.writelines(chunks)
            self.stream.flush()
            return
        views = [memoryview(c) for c in chunks]
        while views:
            # A socket may take part of a large frame; resume after the bytes it took.
            written = os.writev(self.fd, views)
            while views and written >= len(views[0]):
                written -= len(views.pop(0))
            if written:
                views[0] = views[0][written:]


def _read_into(stream: BinaryIO, target: memoryview) -> int:
    got = 0
    while got < len(target):
        n = stream.readinto(target[got:])
        if not n:
            break
        got += n
    return got


def read_frame(stream: BinaryIO) -> tuple[dict[str, Any], memoryview]:
    """Reads exactly one frame (never past it). Raises EOFError on a clean end of stream before a frame,
    ProtocolError on garbage. The payload is a view of a buffer owned by this frame alone."""
    prefix = bytearray(PREFIX.size)
    got = _read_into(stream, memoryview(prefix))
    if got == 0:
        raise EOFError("end of stream")
    if got != PREFIX.size:
        raise ProtocolError(f"truncated frame prefix ({got} of {PREFIX.size} bytes)")
    magic, header_len, payload_len = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise ProtocolError(f"bad frame magic 0x{magic:08x} (expected 0x{MAGIC:08x})")
    if header_len > MAX_HEADER_BYTES or payload_len > MAX_PAYLOAD_BYTES:
        raise ProtocolError(f"frame too large (header {header_len} B, payload {payload_len} B)")
    body = bytearray(header_len + payload_len)
    view = memoryview(body)
    got = _read_into(stream, view)
    try:
        if got != len(body):
            raise EOFError(f"stream ended after {got} of {len(body)} bytes")
        header = json.loads(body[:header_len].decode("utf-8"))
    except (EOFError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ProtocolError(f"unreadable frame: {err}") from err
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not a JSON object")
    return header, view[header_len:]


def decode_arrays(header: dict[str, Any], payload: bytes | memoryview) -> dict[str, Any]:
    """Views the payload's arrays as numpy arrays (no copy)."""
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
