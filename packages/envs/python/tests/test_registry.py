"""The registry check and the generic gym batch (registry.py, batches.GymBatch), in process."""

import unittest

import numpy as np

from mempo_envs.batches import WorkerError, make_batch
from mempo_envs.registry import ObservationView, describe_env
from test_worker import run


class DescribeEnvTest(unittest.TestCase):
    def test_unknown_id_names_close_registered_ids(self):
        got = describe_env("CartPole-v9")
        self.assertFalse(got["registered"])
        self.assertEqual(got["suggestions"][:2], ["CartPole-v1", "CartPole-v0"])
        self.assertRegex(
            got["problem"],
            r"^unknown gymnasium env id 'CartPole-v9' \(\d+ registered\): did you mean 'CartPole-v1', 'CartPole-v0'",
        )

    def test_continuous_actions_are_refused_with_the_space(self):
        got = describe_env("Pendulum-v1")
        self.assertTrue(got["registered"])
        self.assertEqual(
            got["problem"],
            "'Pendulum-v1' has action space Box(-2.0, 2.0, (1,), float32): the bridge hosts Discrete action spaces "
            "only (e.g. CartPole-v1's Discrete(2)); pick an env with discrete actions",
        )
        self.assertEqual(got["actionSpace"], {"kind": "unsupported", "text": "Box(-2.0, 2.0, (1,), float32)"})

    def test_tuple_observations_are_refused(self):
        got = describe_env("Blackjack-v1")
        self.assertEqual(
            got["problem"],
            "'Blackjack-v1' observes Tuple(Discrete(32), Discrete(11), Discrete(2)): the bridge hosts a uint8 Box "
            "image H×W×C, a flat Box vector or MiniGrid's Dict with an 'image'",
        )

    def test_spaces_of_a_vector_a_minigrid_and_a_picture_env(self):
        cart = describe_env("CartPole-v1")
        self.assertIsNone(cart["problem"])
        self.assertEqual(cart["actionSpace"], {"kind": "discrete", "n": 2, "start": 0})
        # CartPole's velocities are unbounded: JSON carries that as null (it has no infinity).
        self.assertEqual(cart["observationSpace"]["kind"], "vector")
        self.assertEqual(cart["observationSpace"]["shape"], [4])
        self.assertEqual(cart["observationSpace"]["dtype"], "float32")
        self.assertIsNone(cart["observationSpace"]["low"])
        memory = describe_env("MiniGrid-MemoryS7-v0")
        self.assertEqual(memory["observationSpace"]["kind"], "image")
        self.assertEqual(memory["observationSpace"]["shape"], [7, 7, 3])
        self.assertEqual(memory["observationSpace"]["source"]["key"], "image")
        breakout = describe_env("ALE/Breakout-v5")
        self.assertEqual(breakout["observationSpace"]["kind"], "nature")
        self.assertEqual(breakout["observationSpace"]["shape"], [1, 84, 84])
        self.assertEqual(breakout["observationSpace"]["source"]["shape"], [210, 160, 3])

    def test_describe_op_answers_before_make(self):
        _, replies = run([
            ({"id": 1, "op": "describe", "envIds": ["CartPole-v1", "MiniGrid-MemoryS11-v0"]}, {}),
            ({"id": 2, "op": "describe", "envIds": "CartPole-v1"}, {}),
        ])
        header = replies[0][0]
        self.assertTrue(header["ok"])
        self.assertEqual([e["envId"] for e in header["envs"]], ["CartPole-v1", "MiniGrid-MemoryS11-v0"])
        self.assertEqual([e["problem"] for e in header["envs"]], [None, None])
        self.assertEqual(replies[1][0]["error"], "describe needs envIds, a list of env id strings (got 'CartPole-v1')")


class GymBatchTest(unittest.TestCase):
    def test_cartpole_sends_float32_vectors_and_autoresets(self):
        batch = make_batch("gym", "CartPole-v1", 3, {})
        try:
            obs = batch.reset(0)
            self.assertEqual((obs.dtype, obs.shape), (np.float32, (3, 4)))
            ended = []
            for _ in range(60):  # always pushing left topples the pole within a few dozen steps
                result = batch.step(np.zeros(3, np.int32))
                ended += result.episodes
                self.assertEqual(result.obs.dtype, np.float32)
                self.assertEqual(result.final_obs.shape, (len(result.final_envs), 4))
            self.assertEqual(sorted({e["env"] for e in ended}), [0, 1, 2])
            self.assertTrue(all(e["return"] == e["length"] for e in ended))  # reward 1 per step
        finally:
            batch.close()

    def test_unlisted_minigrid_ids_build_through_both_families(self):
        for family in ("minigrid", "gym"):
            batch = make_batch(family, "MiniGrid-MemoryS7-v0", 2, {})
            try:
                obs = batch.reset(1)
                self.assertEqual((obs.dtype, obs.shape, batch.num_actions), (np.uint8, (2, 7, 7, 3), 7))
            finally:
                batch.close()

    def test_refusals_carry_the_worker_kind(self):
        with self.assertRaises(WorkerError) as unknown:
            make_batch("gym", "CartPol-v1", 1, {})
        self.assertEqual(unknown.exception.kind, "unknown_env")
        with self.assertRaises(WorkerError) as continuous:
            make_batch("gym", "Pendulum-v1", 1, {})
        self.assertEqual(continuous.exception.kind, "unsupported_env")
        with self.assertRaises(WorkerError) as options:
            make_batch("gym", "CartPole-v1", 1, {"stack": 4})
        self.assertEqual(str(options.exception), "gym envs take no options (got ['stack'])")

    def test_large_images_become_84x84_grayscale(self):
        from gymnasium import spaces

        view = ObservationView(spaces.Box(0, 255, (210, 160, 3), np.uint8))
        frame = np.zeros((210, 160, 3), np.uint8)
        frame[:105] = (255, 0, 0)  # top half pure red: luma 0.299 · 255 = 76
        got = view(frame)
        self.assertEqual((got.dtype, got.shape), (np.uint8, (1, 84, 84)))
        self.assertEqual(int(got[0, 0, 0]), 76)
        self.assertEqual(int(got[0, 83, 0]), 0)


if __name__ == "__main__":
    unittest.main()
