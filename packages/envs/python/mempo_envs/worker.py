"""The bridge worker: reads request frames on stdin, answers one reply frame per request on stdout, writes
diagnostics to stderr, and exits when stdin closes (the envs README, "Gymnasium bridge").

Requests carry ``id`` and ``op``; replies echo ``id`` with ``ok: true`` and the result, or ``ok: false`` with
``kind`` and a one-line ``error``. Ops: ``make`` {family, envId, numEnvs, options, frames, spinMicros},
``reset`` {seed}, ``step`` (array ``actions`` int32 [P]), ``bench`` {seed} (array ``actions`` int32 [T, P]:
times stepping them inside the worker alone), ``ping`` (an empty reply: the cost of one message), ``render`` {env, tileSize} (array ``rgb`` uint8 [H, W, 3]: env
``env``'s full view as a person sees it, for videos; MiniGrid only), ``describe`` {envIds} (before or without
``make``: whether the bridge can host each id, with its spaces; registry.py).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
import traceback
from typing import Any

from .protocol import FrameWriter, ProtocolError, decode_arrays, read_frame


def _die_with_parent() -> None:
    # Linux: the kernel kills the worker when the Node parent dies, even by SIGKILL, so no orphan keeps
    # running a long step before it would notice its closed stdin.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class RequestWait:
    """Waits for the next request on a file descriptor, polling for up to ``spin_seconds`` before blocking
    when the client has lately answered that fast.

    A client that only picks actions sends the next step within about 100 µs of a reply. A worker asleep in
    ``read`` costs a wake-up on each request (about 40 µs on a 2-vCPU VM, where an idle vCPU halts), and
    the client pays for waking it inside its own ``write``; polling avoids both, and halves the empty round
    trip that ``GymBridgeEnv.ping`` times (``nx run bench:speed --suite envs``). A client that runs a policy network between steps answers after
    milliseconds, and polling would only burn CPU: so the worker polls only while the client's last answer
    came within the window, and otherwise blocks at once (``make``'s ``spinMicros``; 0 never polls).
    """

    def __init__(self, stream) -> None:
        try:
            fd = stream.fileno()
        except (OSError, ValueError, AttributeError):
            fd = None
        self.poller = None
        if fd is not None:
            self.poller = select.poll()
            self.poller.register(fd, select.POLLIN)
        self.spin_seconds = 0.0
        # How long the client took to send the previous request after the previous reply.
        self.last_wait = 0.0

    def __call__(self) -> None:
        if self.poller is None or self.spin_seconds <= 0:
            return
        start = time.perf_counter()
        if self.last_wait <= self.spin_seconds:
            deadline = start + self.spin_seconds
            while not self.poller.poll(0):
                if time.perf_counter() >= deadline:
                    break
            else:
                self.last_wait = time.perf_counter() - start
                return
        self.poller.poll()
        self.last_wait = time.perf_counter() - start


class Worker:
    def __init__(self, wait: RequestWait | None = None) -> None:
        self.batch = None
        self.wait = wait
        # make's ``frames: "newest"``: for a batch that stacks frames, send only each env's newest frame,
        # plus ``restartedEnvs``; the client keeps the stacks (a quarter of the bytes for 4 Atari frames).
        self.newest_only = False

    def handle(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
        from .batches import WorkerError, make_batch

        op = header.get("op")
        if op == "ping":
            return {}, {}
        if op == "describe":
            # The registry check (registry.py): answered before any 'make', so a client can refuse an id up front.
            from .registry import describe_env

            ids = header.get("envIds")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise WorkerError("bad_request", f"describe needs envIds, a list of env id strings (got {ids!r})")
            return {"envs": [describe_env(i) for i in ids]}, {}
        if op == "make":
            if self.batch is not None:
                raise WorkerError("bad_request", "this worker already hosts an env: start a new worker")
            num_envs = header.get("numEnvs")
            if not isinstance(num_envs, int) or num_envs < 1:
                raise WorkerError("bad_option", f"numEnvs must be an integer >= 1 (got {num_envs!r})")
            frames = header.get("frames", "full")
            if frames not in ("full", "newest"):
                raise WorkerError("bad_option", f"frames must be 'full' or 'newest' (got {frames!r})")
            spin = header.get("spinMicros", 0)
            if not isinstance(spin, int) or isinstance(spin, bool) or not 0 <= spin <= 100_000:
                raise WorkerError("bad_option", f"spinMicros must be an integer in 0..100000 (got {spin!r})")
            self.batch = make_batch(header.get("family"), header.get("envId"), num_envs, header.get("options") or {})
            if self.wait is not None:
                self.wait.spin_seconds = spin * 1e-6
            self.newest_only = frames == "newest" and self.batch.stacked_frames > 0
            return {
                "obsShape": list(self.batch.obs_shape),
                "obsDtype": self.batch.obs_dtype,
                "numActions": self.batch.num_actions,
                "frames": "newest" if self.newest_only else "full",
            }, {}
        if self.batch is None:
            raise WorkerError("bad_request", f"'{op}' before 'make'")
        if op == "reset":
            seed = header.get("seed")
            if seed is not None and (not isinstance(seed, int) or seed < 0):
                raise WorkerError("bad_option", f"seed must be a non-negative integer (got {seed!r})")
            obs = self.batch.reset(seed)
            return {}, {"obs": _newest(obs) if self.newest_only else obs}
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
            obs, final_obs = result.obs, result.final_obs
            if self.newest_only:
                reply["restartedEnvs"] = result.restarted_envs
                obs, final_obs = _newest(obs), _newest(final_obs)
            arrays = {
                "obs": obs,
                "reward": result.reward,
                "terminated": result.terminated,
                "truncated": result.truncated,
                "finalObs": final_obs,
            }
            return reply, arrays
        if op == "bench":
            return self.bench(header, payload), {}
        if op == "render":
            env = header.get("env")
            if not isinstance(env, int) or isinstance(env, bool) or not 0 <= env < self.batch.num_envs:
                raise WorkerError("bad_option", f"render env must be an integer in 0..{self.batch.num_envs - 1} (got {env!r})")
            tile = header.get("tileSize", 32)
            if not isinstance(tile, int) or isinstance(tile, bool) or not 4 <= tile <= 128:
                raise WorkerError("bad_option", f"render tileSize must be an integer in 4..128 (got {tile!r})")
            render = getattr(self.batch, "render", None)
            if render is None:
                raise WorkerError("bad_request", "render is available for MiniGrid envs only: Atari frames come from the observation")
            import numpy as np

            return {}, {"rgb": np.ascontiguousarray(render(env, tile), dtype=np.uint8)}
        raise WorkerError("bad_request", f"unknown op {op!r}")

    def bench(self, header: dict[str, Any], payload) -> dict[str, Any]:
        """Resets with ``seed`` and steps through ``actions`` ``[T, P]`` inside the worker, with no messages:
        the baseline the bridge overhead is measured against. A client that resets with the same seed and
        sends the same actions gets the same games, so both sides do exactly the same emulation work."""
        from .batches import WorkerError

        seed = header.get("seed")
        if not isinstance(seed, int) or seed < 0:
            raise WorkerError("bad_option", f"bench needs a non-negative integer seed (got {seed!r})")
        actions = decode_arrays(header, payload).get("actions")
        n = self.batch.num_envs
        if actions is None or actions.ndim != 2 or actions.shape[1] != n or actions.shape[0] < 1:
            raise WorkerError("bad_request", f"bench needs int32 actions of shape [steps, {n}]")
        if actions.min() < 0 or actions.max() >= self.batch.num_actions:
            raise WorkerError("bad_option", f"actions must be in 0..{self.batch.num_actions - 1}")
        self.batch.reset(seed)
        step = self.batch.step
        start = time.perf_counter()
        for row in actions:
            step(row)
        return {"steps": int(actions.shape[0]), "seconds": time.perf_counter() - start}


def _newest(stacks):
    """The newest (last) frame of each stack: ``[N, k, ...] -> [N, ...]``."""
    import numpy as np

    return np.ascontiguousarray(stacks[:, -1])


def serve(stdin, stdout) -> int:
    from .batches import WorkerError

    wait = RequestWait(stdin)
    worker = Worker(wait)
    out = FrameWriter(stdout)
    while True:
        wait()
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
        out.write(reply, arrays)


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
    protocol_out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the worker stops
    # Unbuffered: each frame is read with exact-size reads and written with one writev, with no copy
    # through Python's stream buffers.
    return serve(os.fdopen(os.dup(0), "rb", buffering=0), protocol_out)


if __name__ == "__main__":
    sys.exit(main())
