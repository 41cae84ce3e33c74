#!/usr/bin/env bash
# Provisions the native TensorFlow library for @tensorflow/tfjs-node without its own download.
#
# tfjs-node's install script fetches libtensorflow 2.9.1 from a host outside the package registries; on
# machines that reach only npm, PyPI and Debian that fails. The `tensorflow-cpu` wheel on PyPI carries the
# same C API (TF_* / TFE_* in libtensorflow_cc.so.2 + libtensorflow_framework.so.2) and its headers, so we
# lay those out where tfjs-node's binding.gyp looks (deps/lib, deps/include), write the 2.9.1 marker that
# makes scripts/install.js skip its download, and build the addon from source.
#
# Env:
#   MEMPO_LIBTENSORFLOW=wheel (default) | download   download = tfjs-node's ordinary install (open internet)
#   MEMPO_TF_WHEEL_VERSION  pinned tensorflow-cpu version (default below)
#   MEMPO_CACHE             cache folder for the wheel (default ~/.cache/mempo)
#   PYTHON                  interpreter used for pip (default python3)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tfjs_node="$root/node_modules/@tensorflow/tfjs-node"
# Pinned: 2.15.1 is the newest wheel whose C API tfjs-node 4.22's binding was verified against here.
tf_version="${MEMPO_TF_WHEEL_VERSION:-2.15.1}"
cache="${MEMPO_CACHE:-$HOME/.cache/mempo}/wheels"
python="${PYTHON:-python3}"
mode="${MEMPO_LIBTENSORFLOW:-wheel}"

[ -d "$tfjs_node" ] || { echo "provision: $tfjs_node is missing; run 'npm ci --ignore-scripts' first" >&2; exit 1; }
[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] || mode=download

# node-gyp needs the Node headers; use the ones installed beside this node when present so that nothing is
# fetched from the Node.js download host.
node_prefix=$(dirname "$(dirname "$(command -v node)")")
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/common.gypi" ]; then
  export npm_config_nodedir="$node_prefix"
fi
# Never ask for a prebuilt addon: it lives on the same unreachable host.
export npm_config_build_from_source=true

addon="$tfjs_node/lib/napi-v8/tfjs_binding.node"
marker="$tfjs_node/deps/lib/libtensorflow.so.2.9.1"

if [ "$mode" = download ]; then
  echo "provision: using tfjs-node's own libtensorflow download"
  (cd "$root" && npm rebuild @tensorflow/tfjs-node --foreground-scripts)
  exit 0
fi

if [ -f "$marker" ] && [ -f "$addon" ] && [ "$(cat "$tfjs_node/deps/.mempo-source" 2>/dev/null)" = "tensorflow-cpu==$tf_version" ]; then
  echo "provision: libtensorflow from tensorflow-cpu==$tf_version and the addon are already in place"
  exit 0
fi

mkdir -p "$cache"
wheel=$(ls "$cache"/tensorflow_cpu-"$tf_version"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  echo "provision: downloading tensorflow-cpu==$tf_version from PyPI (about 210 MB, cached in $cache)"
  "$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$cache" "tensorflow-cpu==$tf_version"
  wheel=$(ls "$cache"/tensorflow_cpu-"$tf_version"-*.whl | head -n1)
fi

echo "provision: unpacking the C API libraries and headers from $(basename "$wheel")"
deps="$tfjs_node/deps"
rm -rf "$deps.tmp" && mkdir -p "$deps.tmp/lib" "$deps.tmp/include"
"$python" - "$wheel" "$deps.tmp" <<'PY'
import os, shutil, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
# The C API headers (tensorflow/c, and tsl/c which its status type moved to) and the header-only
# TF_TString inlines they include (kept under tsl/ since TF 2.12).
header_dirs = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tsl/c/",
               "tensorflow/include/tensorflow/core/platform/ctstring",
               "tensorflow/include/tsl/platform/ctstring")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in libs:
            target = os.path.join(out, "lib", os.path.basename(name))
        elif name.startswith(header_dirs) and name.endswith(".h"):
            target = os.path.join(out, "include", name[len("tensorflow/include/"):])
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
(
  cd "$deps.tmp/lib"
  # Link names for -ltensorflow / -ltensorflow_framework; the SONAMEs stay the real files the addon loads.
  ln -sf libtensorflow_cc.so.2 libtensorflow.so
  ln -sf libtensorflow_framework.so.2 libtensorflow_framework.so
  # tfjs-node's install script skips its download when this file exists.
  ln -sf libtensorflow_cc.so.2 libtensorflow.so.2.9.1
)
echo "tensorflow-cpu==$tf_version" > "$deps.tmp/.mempo-source"
rm -rf "$deps" && mv "$deps.tmp" "$deps"

echo "provision: building the tfjs-node addon from source against it"
(cd "$root" && npm rebuild @tensorflow/tfjs-node --foreground-scripts)
[ -f "$addon" ] || { echo "provision: the addon was not built ($addon missing)" >&2; exit 1; }
node -e "const tf=require('$tfjs_node'); if (tf.getBackend()!=='tensorflow') process.exit(1); console.log('provision: tfjs-node loaded: backend', tf.getBackend() + ', libtensorflow', tf.backend().binding.TF_Version)"
