#!/usr/bin/env bash
# Builds the ale-node addon (build/ale_node.node) from the pinned ale-py source distribution on PyPI.
#
# The sdist holds ALE's complete C++ source, its vector env included; it is downloaded once into the cache,
# checked against its pinned sha256, unpacked there (never into the repo) and compiled with CMake together
# with our wrapper (native/). Re-running rebuilds only what changed.
#
# Env:
#   MEMPO_CACHE       cache folder (default ~/.cache/mempo): sdists/ and ale-src/ live there
#   MEMPO_PYPI_SIMPLE PyPI simple index (default https://pypi.org/simple)
#   MEMPO_BUILD_JOBS  parallel compile jobs (default: the number of cores)
#   PYTHON            interpreter used to download (default python3)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
ale_version=0.12.1
ale_sha256=c503d574c5983e1063b451201ccb779d935919c0f6bf116fb0f4f8aa4c86d249
cache="${MEMPO_CACHE:-$HOME/.cache/mempo}"
index="${MEMPO_PYPI_SIMPLE:-https://pypi.org/simple}"
python="${PYTHON:-python3}"
jobs="${MEMPO_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
sdist="$cache/sdists/ale_py-$ale_version.tar.gz"
src="$cache/ale-src/ale_py-$ale_version"
build="$here/build"

say() { echo "ale-node: $*"; }
fail() { echo "ale-node: $*" >&2; exit 1; }

# What the build needs from the system. Debian/Ubuntu: cmake, g++, make, zlib1g-dev; installed here when
# missing and we may (root with apt-get), otherwise the error names the command.
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v c++ >/dev/null || command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
printf '#include <zlib.h>\n' | c++ -E -x c++ - >/dev/null 2>&1 || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} from the distribution's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    fail "building the addon needs ${missing[*]}: run 'sudo apt-get install ${missing[*]}' (or your system's equivalent), then 'npm run setup'"
  fi
fi

if [ ! -f "$src/.mempo-unpacked" ]; then
  if ! echo "$ale_sha256  $sdist" | sha256sum -c --status 2>/dev/null; then
    say "downloading ale-py==$ale_version's source distribution from PyPI (11.5 MB, cached in $cache/sdists)"
    mkdir -p "$cache/sdists"
    "$python" - "$index" "$ale_version" "$sdist.part" <<'PY'
import re, sys, urllib.request
index, version, out = sys.argv[1], sys.argv[2], sys.argv[3]
name = f"ale_py-{version}.tar.gz"
page = urllib.request.urlopen(f"{index.rstrip('/')}/ale-py/", timeout=60).read().decode()
links = [m for m in re.findall(r'href="([^"]+)"', page) if m.split("#")[0].endswith("/" + name) or m.split("#")[0] == name]
if not links:
    sys.exit(f"ale-node: {name} is not listed on {index}/ale-py/")
url = urllib.request.urljoin(f"{index.rstrip('/')}/ale-py/", links[0].split("#")[0])
with urllib.request.urlopen(url, timeout=300) as r, open(out, "wb") as f:
    while chunk := r.read(1 << 20):
        f.write(chunk)
PY
    echo "$ale_sha256  $sdist.part" | sha256sum -c --status || fail "the download of ale_py-$ale_version.tar.gz does not match its pinned sha256 $ale_sha256"
    mv "$sdist.part" "$sdist"
  fi
  say "unpacking $(basename "$sdist") into $cache/ale-src"
  rm -rf "$src" && mkdir -p "$cache/ale-src"
  tar -xzf "$sdist" -C "$cache/ale-src"
  touch "$src/.mempo-unpacked"
fi

node_modules="$root/node_modules"
[ -f "$node_modules/node-api-headers/include/node_api.h" ] && [ -f "$node_modules/node-addon-api/napi.h" ] ||
  fail "node-api-headers and node-addon-api are missing from $node_modules: run 'npm ci --ignore-scripts' first"

if [ ! -f "$build/CMakeCache.txt" ]; then
  say "configuring (CMake, Release)"
  cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DALE_SOURCE_DIR="$src" \
    -DNODE_API_HEADERS_DIR="$node_modules/node-api-headers/include" \
    -DNODE_ADDON_API_DIR="$node_modules/node-addon-api" >/dev/null
fi
say "compiling ALE and the wrapper ($jobs jobs)"
cmake --build "$build" --target ale_node -j "$jobs"
[ -f "$build/ale_node.node" ] || fail "the build finished without $build/ale_node.node; see the compiler output above"
node -e "const a=require('$build/ale_node.node'); console.log('ale-node: built', '$build/ale_node.node', '(ALE ' + a.aleVersion + ')')"
