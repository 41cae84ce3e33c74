"""The bridge worker: reads request frames on stdin, answers one reply frame per request on stdout, writes
diagnostics to stderr, and exits when stdin closes (spec/envs.md, "Gymnasium bridge").

Requests carry ``id`` and ``op``; replies echo ``id`` with ``ok: true`` and the result, or ``ok: false`` with
``kind`` and a one-line ``error``. Ops: ``make`` {family, envId, numEnvs, options}, ``reset`` {seed},
``step`` (array ``actions`` int32 [P]), ``bench`` {steps, seed} (times stepping inside the worker alone).
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from typing import Any

from .protocol import ProtocolError, decode_arrays, encode_frame, read_frame


def _die_with_parent() -> None:
    # Linux: the kernel kills the worker when the Node parent dies, even by SIGKILL, so no orphan keeps
    # running a long step before it would notice its closed stdin.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Worker:
    def __init__(self) -> None:
        self.batch = None

    def handle(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
        from .batches import WorkerError, make_batch

        op = header.get("op")
        if op == "make":
            if self.batch is not None:
                raise WorkerError("bad_request", "this worker already hosts an env: start a new worker")
            num_envs = header.get("numEnvs")
            if not isinstance(num_envs, int) or num_envs < 1:
                raise WorkerError("bad_option", f"numEnvs must be an integer >= 1 (got {num_envs!r})")
            self.batch = make_batch(header.get("family"), header.get("envId"), num_envs, header.get("options") or {})
            return {"obsShape": list(self.batch.obs_shape), "numActions": self.batch.num_actions}, {}
        if self.batch is None:
            raise WorkerError("bad_request", f"'{op}' before 'make'")
        if op == "reset":
            seed = header.get("seed")
            if seed is not None and (not isinstance(seed, int) or seed < 0):
                raise WorkerError("bad_option", f"seed must be a non-negative integer (got {seed!r})")
            return {}, {"obs": self.batch.reset(seed)}
        if not self.batch.started:
            raise WorkerError("bad_request", f"'{op}' before the first reset(): call reset() first")
        if op == "step":
            actions = decode_arrays(header, payload).get("actions")
            n = self.batch.num_envs
            if actions is None or actions.shape != (n,):
                raise WorkerError("bad_request", f"step needs int32 actions of shape [{n}]")
            if actions.min() < 0 or actions.max() >= self.batch.num_actions:
                raise WorkerError("bad_option", f"actions must be in 0..{self.batch.num_actions - 1}")
            result = self.batch.step(actions)
            reply = {"finalEnvs": result.final_envs, "episodes": result.episodes}
            arrays = {
                "obs": result.obs,
                "reward": result.reward,
                "terminated": result.terminated,
                "truncated": result.truncated,
                "finalObs": result.final_obs,
            }
            return reply, arrays
        if op == "bench":
            return self.bench(int(header.get("steps", 1000)), int(header.get("seed", 0))), {}
        raise WorkerError("bad_request", f"unknown op {op!r}")

    def bench(self, steps: int, seed: int) -> dict[str, Any]:
        """Steps with uniform random actions inside the worker: the baseline the bridge overhead is measured
        against (the same work, minus encoding, pipes and Node)."""
        import numpy as np

        rng = np.random.default_rng(seed)
        n = self.batch.num_envs
        start = time.perf_counter()
        for _ in range(steps):
            self.batch.step(rng.integers(0, self.batch.num_actions, n, dtype=np.int32))
        seconds = time.perf_counter() - start
        return {"steps": steps, "seconds": seconds}


def serve(stdin, stdout) -> int:
    from .batches import WorkerError

    worker = Worker()
    while True:
        try:
            header, payload = read_frame(stdin)
        except EOFError:
            return 0
        except ProtocolError as err:
            print(f"mempo_envs worker: {err}", file=sys.stderr, flush=True)
            return 3
        reply: dict[str, Any]
        arrays: dict[str, Any] = {}
        try:
            result, arrays = worker.handle(header, payload)
            reply = {"ok": True, **result}
        except WorkerError as err:
            reply = {"ok": False, "kind": err.kind, "error": str(err)}
        except ModuleNotFoundError as err:
            reply = {"ok": False, "kind": "missing_package", "error": f"Python package {err.name} is missing"}
        except Exception as err:  # noqa: BLE001 - every failure becomes a reply; the trace goes to stderr
            traceback.print_exc(file=sys.stderr)
            reply = {"ok": False, "kind": "internal", "error": f"{type(err).__name__}: {err}"}
        reply["id"] = header.get("id")
        stdout.writelines(encode_frame(reply, arrays))
        stdout.flush()


def _widen_channel(fd: int) -> None:
    # A batch of Atari frames (8×4×84×84 B = 220 KiB) should cross in one write. Node gives a child's stdio as
    # a Unix socket pair (pipes when started otherwise): widen whichever it is; a failure only costs speed.
    import socket

    try:
        sock = socket.socket(fileno=os.dup(fd))
    except OSError:
        sock = None
    if sock is not None:
        with sock:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            except OSError:
                pass
        return
    try:
        import fcntl

        fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ
    except (OSError, ImportError):
        pass


def main() -> int:
    _die_with_parent()
    _widen_channel(1)
    # The protocol owns the original stdout; anything else printing to fd 1 (a library's banner, a stray
    # print, C code) lands on stderr instead of corrupting a frame.
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the worker stops
    return serve(sys.stdin.buffer, protocol_out)


if __name__ == "__main__":
    sys.exit(main())
