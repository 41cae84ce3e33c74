"""What the bridge can host, decided up front from gymnasium's registry (the envs README, "Any gymnasium
env"): an id is hosted when it is registered, its action space is ``Discrete`` and its observation is one the
agent's encoders read. ``describe_env`` answers that for one id without stepping it; ``ObservationView``
turns a raw observation into what the bridge sends.

Observations the bridge sends, by what the env observes:
- MiniGrid's ``Dict`` with an ``image``: the 7×7×3 uint8 codes (the MiniGrid family's path);
- a uint8 ``Box`` image ``H×W×C`` of at most ``SMALL_IMAGE`` cells a side: as it is (the MiniGrid conv
  encoder's input);
- a larger uint8 image: grayscale 84×84, ``[1, 84, 84]`` (the Nature CNN's input, as ALE preprocesses);
- a flat ``Box`` vector of ``D`` numbers: float32 ``[D]`` (the MLP encoder's input);
- a ``Discrete``, ``MultiDiscrete`` or ``MultiBinary`` observation, or a ``Tuple``/``Dict`` of those and
  ``Box`` spaces: float32 ``[D]`` made by gymnasium's own ``spaces.flatten`` (one-hot per ``Discrete``, values of a
  ``Box`` or ``MultiBinary`` as they are, the parts concatenated in the space's order), as Stable-Baselines3
  reads them; ``D`` is ``spaces.flatten_space``'s length (FrozenLake-v1: 16, Blackjack-v1: 32 + 11 + 2 = 45).
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

# A side of at most this many cells is a symbolic grid (MiniGrid's 7×7 view), not a picture to downscale.
SMALL_IMAGE = 16
# The Nature DQN input (Mnih et al. 2015), as ALE's own preprocessing makes it.
NATURE_SIZE = 84
# ITU-R BT.601 luma weights, the grayscale ALE computes (ale_py ``obs_type="grayscale"``).
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def register_all() -> None:
    """Registers the env packages of ``requirements.txt`` with gymnasium (MiniGrid's and ALE's ids)."""
    import ale_py
    import gymnasium as gym
    import minigrid

    gym.register_envs(minigrid)
    gym.register_envs(ale_py)


def flattenable(space) -> bool:
    """Whether ``space`` is a ``Discrete``, ``MultiDiscrete``, ``MultiBinary`` or ``Box``, or a ``Tuple``/``Dict``
    tree of them, whose ``spaces.flatten_space`` is a 1-D ``Box`` (the envs README, "Any gymnasium env")."""
    from gymnasium import spaces

    # The leaves ``spaces.flatten`` turns into a fixed-length vector of numbers that mean something to an MLP;
    # it flattens a Text to character indices and a OneOf to a tagged union, and a Graph or Sequence not at all.
    leaves = (spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary, spaces.Box)

    def leaves_ok(node) -> bool:
        # An empty Tuple or Dict has nothing to send (and flatten_space cannot concatenate nothing).
        if isinstance(node, (spaces.Tuple, spaces.Dict)):
            parts = list(node.spaces.values()) if isinstance(node, spaces.Dict) else list(node.spaces)
            return len(parts) > 0 and all(leaves_ok(part) for part in parts)
        return isinstance(node, leaves)

    if not leaves_ok(space):
        return False
    flat = spaces.flatten_space(space)
    return isinstance(flat, spaces.Box) and len(flat.shape) == 1 and flat.shape[0] >= 1


def _bound(values: np.ndarray, pick) -> float | None:
    # JSON has no infinity (Node's JSON.parse refuses Python's "Infinity"): an unbounded side is null.
    value = float(pick(values))
    return value if np.isfinite(value) else None


class ObservationView:
    """Maps one env's raw observation to the array the bridge sends; ``shape``/``dtype`` describe it.
    ``source`` is the space the sent array is read from (MiniGrid's ``image``, or the whole space);
    ``space`` is the ``Box`` it is sent as (``spaces.flatten_space(source)`` when ``flattened``)."""

    def __init__(self, space) -> None:
        from gymnasium import spaces

        self.key = None
        self.flattened = False
        if isinstance(space, spaces.Dict) and "image" in space.spaces:
            self.key = "image"
            space = space.spaces["image"]
        self.source = self.space = space
        self.kind = None
        if not isinstance(space, spaces.Box):
            # A bare Box keeps the rules below (a picture or a flat vector): flattening a 2-D grid or a
            # grayscale picture into a long vector would hide it from the conv encoders.
            if self.key is None and flattenable(space):
                self.space = spaces.flatten_space(space)
                self.kind, self.shape, self.dtype, self.flattened = "vector", tuple(self.space.shape), np.float32, True
                self.flatten = spaces.flatten
            return
        shape = tuple(space.shape)
        if space.dtype == np.uint8 and len(shape) == 3 and shape[2] in (1, 3, 4):
            if shape[0] <= SMALL_IMAGE and shape[1] <= SMALL_IMAGE:
                self.kind, self.shape, self.dtype = "image", shape, np.uint8
            else:
                self.kind, self.shape, self.dtype = "nature", (1, NATURE_SIZE, NATURE_SIZE), np.uint8
                # Nearest-row/column sampling onto 84×84: numpy only (the worker has no image library).
                self.rows = np.arange(NATURE_SIZE) * shape[0] // NATURE_SIZE
                self.cols = np.arange(NATURE_SIZE) * shape[1] // NATURE_SIZE
        elif len(shape) == 1 and shape[0] >= 1 and np.issubdtype(space.dtype, np.number):
            self.kind, self.shape, self.dtype = "vector", shape, np.float32

    def __call__(self, obs) -> np.ndarray:
        if self.flattened:
            return np.asarray(self.flatten(self.source, obs), dtype=np.float32)
        if self.key is not None:
            obs = obs[self.key]
        if self.kind == "nature":
            small = np.asarray(obs)[np.ix_(self.rows, self.cols)]
            gray = small[..., :3] @ LUMA if small.shape[2] >= 3 else small[..., 0]
            return np.rint(gray).astype(np.uint8)[None]
        return np.asarray(obs, dtype=self.dtype)

    def describe(self) -> dict[str, Any]:
        low, high = np.asarray(self.space.low), np.asarray(self.space.high)
        # A Tuple or Dict has no shape or dtype of its own: JSON null.
        shape, dtype = self.source.shape, self.source.dtype
        return {
            "kind": self.kind,
            "shape": list(self.shape),
            "dtype": np.dtype(self.dtype).name,
            "source": {
                "text": str(self.source),
                "shape": None if shape is None else list(shape),
                "dtype": None if dtype is None else np.dtype(dtype).name,
                "key": self.key,
            },
            "flattened": self.flattened,
            "low": _bound(low, np.min),
            "high": _bound(high, np.max),
        }


def unsupported_observation(env_id: str, space) -> str:
    return (
        f"'{env_id}' observes {space}: the bridge hosts a uint8 Box image H×W×C, a flat Box vector, "
        "MiniGrid's Dict with an 'image', or a Discrete, MultiDiscrete or MultiBinary, or a Tuple or Dict of those "
        "and Boxes (sent as gymnasium's flatten: one-hot per Discrete); not Graph, Sequence, Text or OneOf"
    )


def unsupported_action(env_id: str, space) -> str:
    return (
        f"'{env_id}' has action space {space}: the bridge hosts Discrete action spaces only "
        "(e.g. CartPole-v1's Discrete(2)); pick an env with discrete actions"
    )


def unknown_id(env_id: str) -> str:
    import gymnasium as gym

    close = difflib.get_close_matches(str(env_id), list(gym.registry), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "e.g. 'CartPole-v1' or 'MiniGrid-MemoryS7-v0'"
    return f"unknown gymnasium env id '{env_id}' ({len(gym.registry)} registered): {hint}"


def describe_env(env_id: str) -> dict[str, Any]:
    """Whether the bridge can host ``env_id``, and its spaces when it is registered. Builds the env once to
    read its spaces (a registry entry does not carry them) and closes it. ``problem`` is None when it can be
    hosted, else a one-line reason with the fix; ``suggestions`` are close registered ids for an unknown one.
    """
    import gymnasium as gym
    from gymnasium import spaces

    register_all()
    if not isinstance(env_id, str) or env_id not in gym.registry:
        close = difflib.get_close_matches(str(env_id), list(gym.registry), n=3, cutoff=0.6)
        return {"envId": env_id, "registered": False, "suggestions": close, "problem": unknown_id(env_id)}
    try:
        env = gym.make(env_id)
    except Exception as err:  # noqa: BLE001 - a registered id whose dependencies are missing, say
        return {"envId": env_id, "registered": True, "suggestions": [],
                "problem": f"'{env_id}' is registered but cannot be built ({type(err).__name__}: {err})"}
    try:
        action, observation = env.action_space, env.observation_space
    finally:
        env.close()
    view = ObservationView(observation)
    result: dict[str, Any] = {"envId": env_id, "registered": True, "suggestions": [], "problem": None}
    if isinstance(action, spaces.Discrete):
        result["actionSpace"] = {"kind": "discrete", "n": int(action.n), "start": int(action.start)}
    else:
        result["actionSpace"] = {"kind": "unsupported", "text": str(action)}
        result["problem"] = unsupported_action(env_id, action)
    if view.kind is None:
        result["observationSpace"] = {"kind": "unsupported", "text": str(observation)}
        result["problem"] = result["problem"] or unsupported_observation(env_id, observation)
    else:
        result["observationSpace"] = view.describe()
    return result
