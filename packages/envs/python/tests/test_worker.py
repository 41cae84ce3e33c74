"""Worker request handling over in-memory streams (no subprocess)."""

import io
import os
import socket
import threading
import time
import unittest

import numpy as np

from mempo_envs.protocol import decode_arrays, encode_frame, read_frame
from mempo_envs.worker import RequestWait, serve


def run(requests):
    stdin = io.BytesIO(b"".join(b"".join(encode_frame(h, a)) for h, a in requests))
    stdout = io.BytesIO()
    code = serve(stdin, stdout)
    stdout.seek(0)
    replies = []
    for _ in requests:
        header, payload = read_frame(stdout)
        replies.append((header, decode_arrays(header, payload)))
    return code, replies


class WorkerTest(unittest.TestCase):
    def test_make_reset_step_and_errors(self):
        code, replies = run([
            ({"id": 1, "op": "step"}, {}),
            ({"id": 2, "op": "make", "family": "minigrid", "envId": "MiniGrid-Empty-5x5-v0", "numEnvs": 2}, {}),
            ({"id": 3, "op": "step"}, {"actions": np.array([2, 2], np.int32)}),
            ({"id": 4, "op": "reset", "seed": 0}, {}),
            ({"id": 5, "op": "step"}, {"actions": np.array([2, 9], np.int32)}),
            ({"id": 6, "op": "step"}, {"actions": np.array([2, 2], np.int32)}),
        ])
        self.assertEqual(code, 0)  # stdin ended: the worker exits cleanly
        self.assertEqual([h["id"] for h, _ in replies], [1, 2, 3, 4, 5, 6])
        self.assertEqual(replies[0][0]["error"], "'step' before 'make'")
        self.assertEqual(replies[1][0]["obsShape"], [7, 7, 3])
        self.assertEqual(replies[1][0]["numActions"], 7)
        self.assertEqual(replies[2][0]["error"], "'step' before the first reset(): call reset() first")
        self.assertEqual(replies[3][1]["obs"].shape, (2, 7, 7, 3))
        self.assertEqual(replies[4][0]["kind"], "bad_option")
        header, arrays = replies[5]
        self.assertTrue(header["ok"])
        self.assertEqual(arrays["reward"].dtype, np.float32)
        self.assertEqual(arrays["finalObs"].shape, (0, 7, 7, 3))

    def test_bench_replays_the_clients_seed_and_actions(self):
        actions = np.random.default_rng(0).integers(0, 3, (40, 2), dtype=np.int32)
        make = {"id": 1, "op": "make", "family": "minigrid", "envId": "MiniGrid-Empty-5x5-v0", "numEnvs": 2}
        code, replies = run([
            (make, {}),
            ({"id": 2, "op": "reset", "seed": 0}, {}),
            ({"id": 3, "op": "bench", "seed": 4}, {"actions": actions}),
            ({"id": 4, "op": "bench", "seed": 4}, {"actions": actions[:, :1]}),
            ({"id": 5, "op": "bench"}, {"actions": actions}),
            ({"id": 6, "op": "bench", "seed": 4}, {"actions": actions + 5}),
        ])
        self.assertEqual(code, 0)
        self.assertEqual(replies[2][0]["steps"], 40)
        self.assertGreater(replies[2][0]["seconds"], 0)
        self.assertEqual(replies[3][0]["error"], "bench needs int32 actions of shape [steps, 2]")
        self.assertEqual(replies[4][0]["error"], "bench needs a non-negative integer seed (got None)")
        self.assertEqual(replies[5][0]["error"], "actions must be in 0..6")

    def test_render_draws_the_whole_minigrid_grid(self):
        make = {"id": 1, "op": "make", "family": "minigrid", "envId": "MiniGrid-Empty-5x5-v0", "numEnvs": 2}
        code, replies = run([
            (make, {}),
            ({"id": 2, "op": "reset", "seed": 0}, {}),
            ({"id": 3, "op": "render", "env": 1, "tileSize": 16}, {}),
            ({"id": 4, "op": "render", "env": 2}, {}),
            ({"id": 5, "op": "render", "env": 0, "tileSize": 3}, {}),
        ])
        self.assertEqual(code, 0)
        rgb = replies[2][1]["rgb"]
        # 5×5 cells (walls included) at 16 px per cell.
        self.assertEqual((rgb.shape, rgb.dtype), ((80, 80, 3), np.uint8))
        self.assertEqual(replies[3][0]["error"], "render env must be an integer in 0..1 (got 2)")
        self.assertEqual(replies[4][0]["error"], "render tileSize must be an integer in 4..128 (got 3)")

    def test_ping_answers_before_make(self):
        _, replies = run([({"id": 1, "op": "ping"}, {})])
        self.assertEqual(replies[0][0], {"ok": True, "id": 1, "arrays": []})

    def test_make_validates_frames_and_spin(self):
        make = {"op": "make", "family": "minigrid", "envId": "MiniGrid-Empty-5x5-v0", "numEnvs": 1}
        _, replies = run([
            ({**make, "id": 1, "frames": "some"}, {}),
            ({**make, "id": 2, "spinMicros": -1}, {}),
            ({**make, "id": 3, "frames": "newest", "spinMicros": 50}, {}),
        ])
        self.assertEqual(replies[0][0]["error"], "frames must be 'full' or 'newest' (got 'some')")
        self.assertEqual(replies[1][0]["error"], "spinMicros must be an integer in 0..100000 (got -1)")
        # MiniGrid stacks no frames, so it keeps sending whole observations.
        self.assertEqual(replies[2][0]["frames"], "full")

    def test_atari_newest_frames_are_the_last_block_of_each_stack(self):
        make = {"id": 1, "op": "make", "family": "atari", "envId": "breakout", "numEnvs": 2,
                "options": {"stack": 4, "numThreads": 1}}
        actions = np.array([1, 3], np.int32)
        _, full = run([(make, {}), ({"id": 2, "op": "reset", "seed": 9}, {}), ({"id": 3, "op": "step"}, {"actions": actions})])
        _, newest = run([({**make, "frames": "newest"}, {}), ({"id": 2, "op": "reset", "seed": 9}, {}),
                         ({"id": 3, "op": "step"}, {"actions": actions})])
        self.assertEqual(newest[0][0]["frames"], "newest")
        self.assertEqual(newest[0][0]["obsShape"], [4, 84, 84])
        for reply in (1, 2):
            self.assertEqual(newest[reply][1]["obs"].shape, (2, 84, 84))
            np.testing.assert_array_equal(newest[reply][1]["obs"], full[reply][1]["obs"][:, -1])
        self.assertEqual(newest[2][0]["restartedEnvs"], [])

    def test_request_wait_polls_only_for_a_client_that_answered_fast(self):
        class CountingPoller:
            """Counts non-blocking polls (the spin) and blocking ones (the sleep): what the wait did, whatever
            CPU time a loaded machine gives the test."""

            def __init__(self, inner):
                self.inner = inner
                self.spins = 0
                self.blocks = 0

            def poll(self, timeout=None):
                if timeout == 0:
                    self.spins += 1
                else:
                    self.blocks += 1
                return self.inner.poll(timeout)

        ours, theirs = socket.socketpair()
        with os.fdopen(os.dup(theirs.fileno()), "rb", buffering=0) as stream:
            wait = RequestWait(stream)
            wait.spin_seconds = 0.05
            poller = wait.poller = CountingPoller(wait.poller)

            def wait_for_late_request():
                # The request comes after 150 ms, after the 50 ms window.
                poller.spins = poller.blocks = 0
                sender = threading.Timer(0.15, lambda: ours.send(b"x"))
                sender.start()
                wait()
                sender.join()
                stream.read(1)
                return poller.spins, poller.blocks

            polled = wait_for_late_request()  # the client has not been slow yet: poll for 50 ms, then sleep
            self.assertGreater(wait.last_wait, 0.1)
            slept = wait_for_late_request()  # it was slow last time: sleep at once
        ours.close()
        theirs.close()
        self.assertGreater(polled[0], 1)
        self.assertEqual(polled[1], 1)
        self.assertEqual(slept, (0, 1))

    def test_garbage_on_stdin_ends_the_worker_with_code_3(self):
        self.assertEqual(serve(io.BytesIO(b"not a frame at all"), io.BytesIO()), 3)


if __name__ == "__main__":
    unittest.main()
