"""Batched environments behind the worker: P environments stepped by one call, with same-step autoreset
(the envs README, "VecEnv") and per-episode statistics computed here, next to the rewards."""

from __future__ import annotations

import re
from typing import Any

import numpy as np


class WorkerError(Exception):
    """A request the worker refuses; ``kind`` lets the client word its one-line fix."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class StepResult:
    """One batched step: ``obs [P, ...]``, ``reward/terminated/truncated [P]``, and for the envs that ended,
    their final observations ``final_obs [K, ...]`` (rows in ``final_envs`` order) and episode stats.
    ``restarted_envs`` lists the envs that were reset (a subset of ``final_envs``: an Atari life loss ends an
    episode but the game, and its frame stack, go on)."""

    def __init__(self, obs, reward, terminated, truncated, final_envs, final_obs, episodes, restarted_envs):
        self.obs = obs
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
        self.final_envs = final_envs
        self.final_obs = final_obs
        self.episodes = episodes
        self.restarted_envs = restarted_envs


def _require_int(options: dict[str, Any], name: str, default: int, low: int) -> int:
    value = options.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise WorkerError("bad_option", f"option {name} must be an integer >= {low} (got {value!r})")
    return value


def _require_bool(options: dict[str, Any], name: str, default: bool) -> bool:
    value = options.get(name, default)
    if not isinstance(value, bool):
        raise WorkerError("bad_option", f"option {name} must be true or false (got {value!r})")
    return value


class GymBatch:
    """P envs of one gymnasium id stepped in one loop, with same-step autoreset. ``view`` (registry.py's
    ``ObservationView``) turns each raw observation into what the bridge sends: MiniGrid's 7×7×3 ``image``
    codes, a small uint8 image, a grayscale 84×84 frame, or a float32 vector (a Box's numbers, or gymnasium's
    ``spaces.flatten`` of a Discrete, Tuple or Dict observation: one-hot per Discrete). A ``Discrete(n, start)``
    action space takes the client's actions ``0 .. n-1`` shifted by ``start``."""

    def __init__(self, envs: list, view, action_start: int = 0):
        self.envs = envs
        self.view = view
        self.num_envs = len(envs)
        self.stacked_frames = 0
        self.obs_shape = tuple(view.shape)
        self.num_actions = int(envs[0].action_space.n)
        self.action_start = action_start
        self.obs = np.zeros((self.num_envs, *self.obs_shape), dtype=view.dtype)
        self.obs_dtype = self.obs.dtype.name
        self.returns = np.zeros(self.num_envs, dtype=np.float64)
        self.lengths = np.zeros(self.num_envs, dtype=np.int64)
        self.started = False

    def reset(self, seed: int | None) -> np.ndarray:
        for i, env in enumerate(self.envs):
            # the envs README: env i of a batch reset with `seed` gets `seed + i`.
            obs, _ = env.reset(seed=None if seed is None else seed + i)
            self.obs[i] = self.view(obs)
        self.returns[:] = 0
        self.lengths[:] = 0
        self.started = True
        return self.obs

    def step(self, actions: np.ndarray) -> StepResult:
        n = len(self.envs)
        reward = np.zeros(n, dtype=np.float32)
        terminated = np.zeros(n, dtype=np.uint8)
        truncated = np.zeros(n, dtype=np.uint8)
        final_envs, final_obs, episodes = [], [], []
        for i, env in enumerate(self.envs):
            obs, r, term, trunc, _ = env.step(int(actions[i]) + self.action_start)
            reward[i] = r
            terminated[i] = term
            truncated[i] = trunc
            self.returns[i] += r
            self.lengths[i] += 1
            if term or trunc:
                final_envs.append(i)
                final_obs.append(self.view(obs))
                episodes.append({"env": i, "return": float(self.returns[i]), "length": int(self.lengths[i])})
                self.returns[i] = 0
                self.lengths[i] = 0
                # Same-step autoreset; without a seed the env continues its own seeded generator, so a
                # batch reset with a seed replays the same sequence of layouts.
                obs, _ = env.reset()
            self.obs[i] = self.view(obs)
        stacked = np.stack(final_obs) if final_obs else np.zeros((0, *self.obs_shape), dtype=self.obs.dtype)
        return StepResult(self.obs, reward, terminated, truncated, final_envs, stacked, episodes, final_envs)

    def render(self, env: int, tile_size: int) -> np.ndarray:
        """Env ``env``'s whole grid as RGB ``[H, W, 3]`` uint8, ``tile_size`` pixels per cell, the agent's view
        highlighted: MiniGrid's own drawing, with no ``render_mode`` needed at ``make``."""
        get_frame = getattr(self.envs[env].unwrapped, "get_frame", None)
        if get_frame is None:
            raise WorkerError("bad_request", "render is available for MiniGrid envs only: Atari frames come from the observation")
        return get_frame(highlight=True, tile_size=tile_size)

    def close(self) -> None:
        for env in self.envs:
            env.close()


def minigrid_batch(env_id: str, num_envs: int, options: dict[str, Any]) -> GymBatch:
    """P MiniGrid envs. Obs: the 7×7×3 egocentric ``image`` codes (uint8)."""
    import gymnasium as gym
    import minigrid

    from .registry import ObservationView

    gym.register_envs(minigrid)
    if env_id not in gym.registry:
        import difflib

        known = [k for k in gym.registry if k.startswith("MiniGrid-")]
        closest = difflib.get_close_matches(str(env_id), known, n=1, cutoff=0) or ["MiniGrid-Empty-5x5-v0"]
        raise WorkerError(
            "unknown_env",
            f"unknown MiniGrid env id '{env_id}': use a registered id such as '{closest[0]}' ({len(known)} registered)",
        )
    if options:
        raise WorkerError("bad_option", f"MiniGrid takes no options (got {sorted(options)})")
    envs = [gym.make(env_id) for _ in range(num_envs)]
    return GymBatch(envs, ObservationView(envs[0].observation_space))


def gym_batch(env_id: str, num_envs: int, options: dict[str, Any]) -> GymBatch:
    """P envs of any registered gymnasium id the bridge can host (registry.py's ``describe_env``)."""
    import gymnasium as gym

    from .registry import ObservationView, describe_env

    described = describe_env(env_id)
    if described["problem"] is not None:
        raise WorkerError("unknown_env" if not described["registered"] else "unsupported_env", described["problem"])
    if options:
        raise WorkerError("bad_option", f"gym envs take no options (got {sorted(options)})")
    envs = [gym.make(env_id) for _ in range(num_envs)]
    return GymBatch(envs, ObservationView(envs[0].observation_space), described["actionSpace"]["start"])


def rom_name(game: str) -> str:
    """'ALE/Breakout-v5', 'BreakoutNoFrameskip-v4', 'Breakout' and 'breakout' all name the ROM 'breakout'."""
    name = re.sub(r"^ALE/", "", game)
    name = re.sub(r"-v\d+$", "", name)
    name = re.sub(r"NoFrameskip$|Deterministic$", "", name)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class AtariBatch:
    """``ale_py.AtariVectorEnv`` with the spec's preprocessing (the envs README, "Atari").

    Two deliberate differences from handing the options straight to ALE:
    - Episodic life uses ALE's ``life_loss_info`` (terminated on a lost life, the game goes on) rather than
      its ``episodic_life``, which in ale-py 0.12 restarts the whole game at every lost life, so a full-game
      score could never be reached.
    - Rewards come from ALE unclipped and are clipped here, so the unclipped full-game score can be summed
      across lives and reported as ``gameScore``.
    """

    def __init__(self, game: str, num_envs: int, options: dict[str, Any]):
        from ale_py import roms
        from ale_py.vector_env import AtariVectorEnv
        from gymnasium.vector import AutoresetMode

        known = {
            "stack", "frameskip", "noopMax", "episodicLife", "rewardClipping", "fireReset",
            "repeatActionProbability", "maxPool", "maxEpisodeFrames", "fullActionSpace", "numThreads",
        }
        unknown = sorted(set(options) - known)
        if unknown:
            raise WorkerError("bad_option", f"unknown Atari option(s) {unknown}: use only {sorted(known)}")
        rom = rom_name(game)
        if roms.get_rom_path(rom) is None:
            raise WorkerError(
                "unknown_env",
                f"unknown Atari game '{game}': use a ROM name such as 'breakout', 'pong' or 'ALE/Breakout-v5'",
            )
        stack = _require_int(options, "stack", 4, 1)
        self.clip = _require_bool(options, "rewardClipping", True)
        sticky = options.get("repeatActionProbability", 0.0)
        if not isinstance(sticky, (int, float)) or not 0 <= sticky <= 1:
            raise WorkerError("bad_option", f"option repeatActionProbability must be in [0, 1] (got {sticky!r})")
        self.env = AtariVectorEnv(
            rom,
            num_envs,
            stack_num=stack,
            frameskip=_require_int(options, "frameskip", 4, 1),
            noop_max=_require_int(options, "noopMax", 30, 0),
            maxpool=_require_bool(options, "maxPool", True),
            episodic_life=False,
            life_loss_info=_require_bool(options, "episodicLife", True),
            reward_clipping=False,
            use_fire_reset=_require_bool(options, "fireReset", True),
            repeat_action_probability=float(sticky),
            max_num_frames_per_episode=_require_int(options, "maxEpisodeFrames", 108000, 1),
            full_action_space=_require_bool(options, "fullActionSpace", False),
            num_threads=_require_int(options, "numThreads", 0, 0),
            autoreset_mode=AutoresetMode.SAME_STEP,
        )
        self.num_envs = num_envs
        self.stacked_frames = stack if stack >= 2 else 0
        self.obs_dtype = "uint8"
        self.obs_shape = tuple(self.env.single_observation_space.shape)
        self.num_actions = int(self.env.single_action_space.n)
        self.lives = np.zeros(num_envs, dtype=np.int32)
        self.env_order = np.arange(num_envs)
        self.returns = np.zeros(num_envs, dtype=np.float64)
        self.scores = np.zeros(num_envs, dtype=np.float64)
        self.lengths = np.zeros(num_envs, dtype=np.int64)
        self.started = False

    def reset(self, seed: int | None) -> np.ndarray:
        # ALE seeds env i with seed + i, as the envs README asks; -1 draws a random seed per env.
        obs, info = self.env.reset(seed=seed)
        self.lives[:] = info["lives"]
        self.returns[:] = 0
        self.scores[:] = 0
        self.lengths[:] = 0
        self.started = True
        return np.ascontiguousarray(obs).reshape(self.num_envs, *self.obs_shape)

    def step(self, actions: np.ndarray) -> StepResult:
        obs, raw, term, trunc, info = self.env.step(actions.astype(np.int32, copy=False))
        # Rows are env-ordered because batch_size == num_envs (synchronous mode); check rather than trust.
        if not np.array_equal(info["env_id"], self.env_order):
            raise RuntimeError(f"AtariVectorEnv returned rows out of order: {info['env_id']}")
        raw = raw.astype(np.float64)
        reward = np.sign(raw) if self.clip else raw
        self.returns += reward
        self.scores += raw
        self.lengths += 1
        lives = info["lives"]
        done = term | trunc
        # A lost life (terminated, the game goes on) shows as fewer lives; a game over autoresets and shows
        # the new game's full count, and single-life games keep 0 lives.
        game_over = done & ~(term & ~trunc & (lives < self.lives))
        episodes = []
        for i in np.flatnonzero(game_over):
            episodes.append({
                "env": int(i),
                "return": float(self.returns[i]),
                "length": int(self.lengths[i]),
                "gameScore": float(self.scores[i]),
            })
            self.returns[i] = 0
            self.scores[i] = 0
            self.lengths[i] = 0
        self.lives[:] = lives
        obs = np.ascontiguousarray(obs).reshape(self.num_envs, *self.obs_shape)
        final_envs = [int(i) for i in np.flatnonzero(done)]
        if final_envs:
            # After a lost life nothing was reset and ALE's final_obs row is stale: the episode's last
            # observation is the one returned. After a game over it is ALE's final_obs.
            final_obs = np.where(
                game_over[final_envs].reshape(-1, *([1] * len(self.obs_shape))),
                np.asarray(info["final_obs"])[final_envs].reshape(-1, *self.obs_shape),
                obs[final_envs],
            )
        else:
            final_obs = np.zeros((0, *self.obs_shape), dtype=np.uint8)
        return StepResult(
            obs,
            reward.astype(np.float32),
            term.astype(np.uint8),
            trunc.astype(np.uint8),
            final_envs,
            final_obs,
            episodes,
            [int(i) for i in np.flatnonzero(game_over)],
        )

    def close(self) -> None:
        self.env.close()


def make_batch(kind: str, env_id: str, num_envs: int, options: dict[str, Any]):
    if kind == "minigrid":
        return minigrid_batch(env_id, num_envs, options)
    if kind == "gym":
        return gym_batch(env_id, num_envs, options)
    if kind == "atari":
        return AtariBatch(env_id, num_envs, options)
    raise WorkerError("unknown_env", f"unknown env family '{kind}': use 'minigrid', 'gym' or 'atari'")
