"""The registry check and the generic gym batch (registry.py, batches.GymBatch), in process."""

import unittest

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from mempo_envs.batches import WorkerError, make_batch
from mempo_envs.registry import ObservationView, describe_env, flattenable
from test_worker import run

TEXT_ID = "MempoTest/TextObservation-v0"
SEQUENCE_ID = "MempoTest/SequenceObservation-v0"


class OneSpaceEnv(gym.Env):
    """An env that observes a sample of ``observation_space`` and ends after one step: only its spaces matter."""

    def __init__(self, observation_space):
        self.observation_space = observation_space
        self.action_space = spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return self.observation_space.sample(), {}

    def step(self, action):
        return self.observation_space.sample(), 0.0, True, False, {}


def setUpModule():
    gym.register(TEXT_ID, entry_point=lambda: OneSpaceEnv(spaces.Text(4, min_length=1, charset="ab")))
    gym.register(SEQUENCE_ID, entry_point=lambda: OneSpaceEnv(spaces.Sequence(spaces.Discrete(3))))


def tearDownModule():
    for env_id in (TEXT_ID, SEQUENCE_ID):
        gym.registry.pop(env_id, None)


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

    def test_discrete_and_tuple_observations_are_described_as_flattened_vectors(self):
        lake = describe_env("FrozenLake-v1")
        self.assertIsNone(lake["problem"])
        self.assertEqual(lake["observationSpace"], {
            "kind": "vector", "shape": [16], "dtype": "float32",
            "source": {"text": "Discrete(16)", "shape": [], "dtype": "int64", "key": None},
            "flattened": True, "low": 0.0, "high": 1.0,
        })
        blackjack = describe_env("Blackjack-v1")
        self.assertIsNone(blackjack["problem"])
        self.assertEqual(blackjack["observationSpace"]["shape"], [45])  # one-hots of 32 + 11 + 2
        self.assertEqual(blackjack["observationSpace"]["source"], {
            "text": "Tuple(Discrete(32), Discrete(11), Discrete(2))", "shape": None, "dtype": None, "key": None,
        })
        self.assertTrue(blackjack["observationSpace"]["flattened"])

    def test_text_and_sequence_observations_are_refused_naming_what_is_hosted(self):
        for env_id, text in ((TEXT_ID, "Text(1, 4, charset=ab)"), (SEQUENCE_ID, "Sequence(Discrete(3), stack=False)")):
            got = describe_env(env_id)
            self.assertEqual(got["observationSpace"], {"kind": "unsupported", "text": text})
            self.assertEqual(
                got["problem"],
                f"'{env_id}' observes {text}: the bridge hosts a uint8 Box image H×W×C, a flat Box vector, "
                "MiniGrid's Dict with an 'image', or a Discrete, MultiDiscrete or MultiBinary, or a Tuple or Dict of "
                "those and Boxes (sent as gymnasium's flatten: one-hot per Discrete); not Graph, Sequence, Text or OneOf",
            )
            with self.assertRaises(WorkerError) as refused:
                make_batch("gym", env_id, 1, {})
            self.assertEqual((refused.exception.kind, str(refused.exception)), ("unsupported_env", got["problem"]))

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

    def test_frozen_lake_sends_gymnasiums_one_hot_of_the_state(self):
        batch = make_batch("gym", "FrozenLake-v1", 2, {})
        try:
            self.assertEqual((batch.obs_shape, batch.obs_dtype, batch.num_actions), ((16,), "float32", 4))
            obs = batch.reset(3)
            for i in range(2):
                # Env i of a batch reset with seed s is the env reset with s + i (the envs README).
                env = gym.make("FrozenLake-v1")
                state, _ = env.reset(seed=3 + i)
                env.close()
                expected = np.zeros(16, np.float32)
                expected[state] = 1
                np.testing.assert_array_equal(obs[i], expected)
                np.testing.assert_array_equal(obs[i], spaces.flatten(env.observation_space, state))
            result = batch.step(np.array([2, 1], np.int32))  # right, down
            self.assertEqual(result.obs.dtype, np.float32)
            self.assertEqual(result.obs.sum(axis=1).tolist(), [1.0, 1.0])
        finally:
            batch.close()

    def test_blackjack_sends_the_flattened_tuple(self):
        batch = make_batch("gym", "Blackjack-v1", 1, {})
        env = gym.make("Blackjack-v1")
        try:
            sent = batch.reset(7)[0]
            hand, _ = env.reset(seed=7)
            np.testing.assert_array_equal(sent, spaces.flatten(env.observation_space, hand).astype(np.float32))
            # One 1 in each part: the player's sum (of 32), the dealer's card (of 11), the usable ace (of 2).
            self.assertEqual([sent[:32].sum(), sent[32:43].sum(), sent[43:].sum()], [1, 1, 1])
            self.assertEqual(int(np.argmax(sent[:32])), hand[0])
        finally:
            batch.close()
            env.close()

    def test_flattenable_spaces_and_their_views(self):
        nested = spaces.Dict({"pos": spaces.Box(-1, 1, (2, 2)), "door": spaces.MultiDiscrete([2, 3]), "keys": spaces.MultiBinary(3)})
        view = ObservationView(nested)
        self.assertEqual((view.kind, view.shape, view.flattened), ("vector", (12,), True))
        sample = nested.sample()
        np.testing.assert_array_equal(view(sample), spaces.flatten(nested, sample).astype(np.float32))
        self.assertTrue(flattenable(spaces.Tuple((spaces.Discrete(3, start=-1), nested))))
        for refused in (
            spaces.Tuple((spaces.Discrete(2), spaces.Text(3))),
            spaces.OneOf((spaces.Discrete(2), spaces.Discrete(3))),
            spaces.Graph(spaces.Box(0, 1, (2,)), None),
            spaces.Tuple(()),
        ):
            self.assertFalse(flattenable(refused), refused)
            self.assertIsNone(ObservationView(refused).kind)
        # A bare Box keeps its own rules: a 2-D grid is neither a picture nor a flat vector, and is not flattened.
        self.assertIsNone(ObservationView(spaces.Box(0, 1, (3, 4))).kind)

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
