"""Worker request handling over in-memory streams (no subprocess)."""

import io
import unittest

import numpy as np

from mempo_envs.protocol import decode_arrays, encode_frame, read_frame
from mempo_envs.worker import serve


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

    def test_garbage_on_stdin_ends_the_worker_with_code_3(self):
        self.assertEqual(serve(io.BytesIO(b"not a frame at all"), io.BytesIO()), 3)


if __name__ == "__main__":
    unittest.main()
