"""Records what ale-py's AtariVectorEnv returns for given seeds and actions, for the parity test of the
native addon (test/parity.test.ts). Run with the repo's virtualenv:

    .venv/bin/python packages/ale-node/python/record_ale_py.py <config.json> <actions.bin> <out.jsonl>

config.json: {"game", "numEnvs", "seed", "options": {ale-py AtariVectorEnv keyword arguments}}; actions.bin:
int32 little endian [steps, numEnvs]. Writes one JSON line for the reset and one per step: sha256 of each
env's observation (and, in same-step mode, of the final observation of each env that ended), rewards,
terminations, truncations, lives and episode frame numbers. Digests keep a 2,000-step recording small while
any differing byte of any frame still shows, at the step and env where it first differs.
"""

from __future__ import annotations

import hashlib
import json
import sys

import numpy as np
from ale_py.vector_env import AtariVectorEnv


def digests(rows: np.ndarray) -> list[str]:
    return [hashlib.sha256(np.ascontiguousarray(row).tobytes()).hexdigest() for row in rows]


def record(obs, info, out, extra=None):
    line = {
        "obs": digests(obs),
        "lives": [int(v) for v in info["lives"]],
        "episodeFrame": [int(v) for v in info["episode_frame_number"]],
    }
    if extra:
        line.update(extra)
    out.write(json.dumps(line) + "\n")


def main() -> None:
    config_path, actions_path, out_path = sys.argv[1:4]
    with open(config_path) as f:
        config = json.load(f)
    num_envs = config["numEnvs"]
    actions = np.fromfile(actions_path, dtype="<i4").reshape(-1, num_envs)
    env = AtariVectorEnv(config["game"], num_envs, **config["options"])
    same_step = str(config["options"].get("autoreset_mode", "NextStep")).lower().replace("_", "") == "samestep"
    with open(out_path, "w") as out:
        obs, info = env.reset(seed=config["seed"])
        record(obs, info, out)
        for step_actions in actions:
            obs, reward, terminated, truncated, info = env.step(step_actions)
            if not np.array_equal(info["env_id"], np.arange(num_envs)):
                raise RuntimeError(f"rows out of env order: {info['env_id']}")
            done = terminated | truncated
            extra = {
                "reward": [int(v) for v in reward],
                "terminated": [int(v) for v in terminated],
                "truncated": [int(v) for v in truncated],
            }
            if same_step:
                # ale-py puts final_obs in info only at steps where some env ended.
                final = np.asarray(info["final_obs"]) if done.any() else None
                extra["finalObs"] = {str(i): hashlib.sha256(final[i].tobytes()).hexdigest() for i in np.flatnonzero(done)}
            record(obs, info, out, extra)
    env.close()


if __name__ == "__main__":
    main()
