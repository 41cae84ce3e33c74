#!/usr/bin/env bash
# The GPU checks in one command, for a machine with an NVIDIA GPU after `npm run setup -- --gpu` (about 5 min):
#   1. `mempo doctor`: the CUDA build is loaded, the devices TensorFlow created, the CUDA libraries it mapped;
#   2. buildParity: two Atari RIM updates on the GPU build against the CPU build, eager and graph engines,
#      within the GPU tolerance stated in apps/bench/src/buildParity.ts;
#   3. the main job's speed: `atari --memory rim` per-update agent steps/s on the graph and the eager engine
#      (after the first update, which includes the graph's compile), and the GPU memory it used (nvidia-smi).
# Usage: tools/gpu-check.sh [graph updates (default 6)] [eager updates (default 3)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
graph_updates="${1:-6}"
eager_updates="${2:-3}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== doctor"
timeout 300 node apps/bench/dist/cli.js doctor || true

echo "== GPU build against CPU build (two Atari RIM updates, both engines)"
timeout 900 node apps/bench/dist/buildParity.js

# Per-update steps/s from progress.csv: charts/fps is cumulative since the start, so each update's time is
# the difference of global_step / fps between consecutive rows.
per_update_fps() {
  node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(","));
    const head = rows.shift(); const step = head.indexOf("global_step"); const fps = head.indexOf("charts/fps");
    const t = rows.map((r) => Number(r[step]) / Number(r[fps])); const n = rows.map((r) => Number(r[step]));
    const per = t.slice(1).map((x, i) => (n[i + 1] - n[i]) / (x - t[i]));
    console.log("per-update agent steps/s after the first:", per.map((v) => v.toFixed(0)).join(" "),
      "| mean", (per.reduce((a, b) => a + b, 0) / per.length).toFixed(1));
  ' "$1"
}

for engine in graph eager; do
  updates=$graph_updates
  [ "$engine" = eager ] && updates=$eager_updates
  echo "== atari --memory rim --engine $engine ($updates updates of 1024 agent steps)"
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 500 > "$work/memory-$engine.txt" 2>/dev/null &
  sampler=$!
  timeout 900 node apps/bench/dist/cli.js atari --memory rim --engine "$engine" --frames $((updates * 1024)) \
    --out "$work/run-$engine" > "$work/log-$engine.txt" 2>&1 || { cat "$work/log-$engine.txt"; kill "$sampler"; exit 1; }
  kill "$sampler" 2>/dev/null || true
  per_update_fps "$work/run-$engine/progress.csv"
  peak=$(sort -n "$work/memory-$engine.txt" | tail -n1)
  echo "GPU memory used, peak MiB: ${peak:-unknown (nvidia-smi gave nothing)}"
done
