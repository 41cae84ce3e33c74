#!/usr/bin/env bash
# One-shot set-up of a fresh machine: Node dependencies, the native TensorFlow backend (provisioned from PyPI,
# see tools/provision-libtensorflow.sh), the project-local Python virtualenv for the environments, and a
# build of every package. Safe to re-run: each step skips what is already in place.
#
# `npm run setup -- --gpu` (or MEMPO_GPU=1) also provisions the CUDA build, @tensorflow/tfjs-node-gpu, from the
# tensorflow wheel and NVIDIA's wheels on PyPI (about 2.8 GB, cached); without it nothing GPU-related is fetched.
set -euo pipefail
gpu="${MEMPO_GPU:-0}"
for arg in "$@"; do
  case "$arg" in
    --gpu) gpu=1 ;;
    *) echo "setup: unknown option '$arg' (the only option is --gpu)" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python="${PYTHON:-python3}"
step() { printf '\n== %s\n' "$*"; }
started=$(date +%s)

step "checking toolchain"
node -e 'const [M,m]=process.versions.node.split(".").map(Number); if (M<20||(M===20&&m<10)) { console.error("mempo needs Node >= 20.10 (found "+process.version+")"); process.exit(1) }'
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "mempo needs Python >= 3.10 for the environments (set PYTHON=/path/to/python3)")'

step "installing Node dependencies (npm ci; dependency install scripts run explicitly below)"
# --ignore-scripts: the one dependency that needs an install step (tfjs-node's native addon) is built by the
# provisioning step, which knows how to do it offline. package.json's allowScripts records the same policy
# for npm versions that enforce it.
npm ci --ignore-scripts --no-audit --no-fund

step "provisioning the native TensorFlow backend"
bash tools/provision-libtensorflow.sh cpu
if [ "$gpu" = 1 ]; then
  step "provisioning the CUDA build of the native backend (@tensorflow/tfjs-node-gpu)"
  bash tools/provision-libtensorflow.sh gpu
fi

step "creating the Python virtualenv for the environments (.venv)"
venv="$root/.venv"
req="$root/packages/envs/python/requirements.txt"
stamp="$venv/.mempo-requirements"
if [ -x "$venv/bin/python" ] && cmp -s "$req" "$stamp"; then
  echo "virtualenv is up to date with $req"
else
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi

step "building the ALE addon (@mempo/ale-node) from ale-py's source distribution"
# The native Atari envs; packages/ale-node/scripts/build-addon.sh caches the sdist in ~/.cache/mempo and
# rebuilds only what changed. Without it Atari falls back to the Python bridge.
bash packages/ale-node/scripts/build-addon.sh

step "building the packages"
npx nx run-many -t build --outputStyle=static

step "linking the mempo command"
# npm ci links a workspace's bin only if its file exists, and dist/cli.js is built after it: link it now, so
# that `npx mempo` works (checked by .ci/run).
npm rebuild @mempo/bench --ignore-scripts

echo
echo "set-up finished in $(( $(date +%s) - started )) s"
