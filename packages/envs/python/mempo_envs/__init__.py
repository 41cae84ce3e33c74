"""The Python side of @mempo/envs: a worker that hosts batched gymnasium environments for the TypeScript
bridge (the envs README, "Gymnasium bridge"). Run it as ``python -m mempo_envs.worker``."""
