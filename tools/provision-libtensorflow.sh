#!/usr/bin/env bash
# Provisions the native TensorFlow library for @tensorflow/tfjs-node (or, with `gpu`, @tensorflow/tfjs-node-gpu)
# without the packages' own download.
#
# tfjs-node's install script fetches libtensorflow 2.9.1 from a host outside the package registries; on
# machines that reach only npm, PyPI and Debian that fails. The `tensorflow-cpu` wheel on PyPI carries the
# same C API (TF_* / TFE_* in libtensorflow_cc.so.2 + libtensorflow_framework.so.2) and its headers, so we
# lay those out where tfjs-node's binding.gyp looks (deps/lib, deps/include), write the 2.9.1 marker that
# makes scripts/install.js skip its download, and build the addon from source.
#
# The GPU build is laid out the same way from the `tensorflow` wheel (built with CUDA 12.2 / cuDNN 8.9), plus
# the CUDA libraries from NVIDIA's wheels at the versions its `and-cuda` extra pins, unpacked into
# deps/nvidia/<name>/lib: libtensorflow's RUNPATH lists $ORIGIN/../nvidia/<name>/lib (for pip's layout), and
# $ORIGIN is deps/lib here, so TensorFlow finds them at run time without LD_LIBRARY_PATH.
#
# Usage: provision-libtensorflow.sh [cpu|gpu]   (default cpu)
# Env:
#   MEMPO_LIBTENSORFLOW=wheel (default) | download   download = the package's ordinary install (open internet)
#   MEMPO_TF_WHEEL_VERSION  pinned tensorflow(-cpu) version (default below)
#   MEMPO_CACHE             cache folder for the wheels (default ~/.cache/mempo)
#   PYTHON                  interpreter used for pip (default python3)
set -euo pipefail

variant="${1:-cpu}"
case "$variant" in
  cpu) package="@tensorflow/tfjs-node"; wheel_name="tensorflow-cpu"; wheel_glob="tensorflow_cpu" ;;
  gpu) package="@tensorflow/tfjs-node-gpu"; wheel_name="tensorflow"; wheel_glob="tensorflow" ;;
  *) echo "provision: the variant must be 'cpu' or 'gpu' (got '$variant')" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
pkg_dir="$root/node_modules/$package"
# Pinned: 2.15.1 is the newest wheel whose C API tfjs-node 4.22's binding was verified against here.
tf_version="${MEMPO_TF_WHEEL_VERSION:-2.15.1}"
# tfjs-node-gpu is not in package.json (a CPU machine never needs it); this is its pinned version, tfjs-node's.
tfjs_node_gpu_version="4.22.0"
# NVIDIA's wheels as tensorflow==2.15.1's `and-cuda` extra pins them (its METADATA, Requires-Dist).
nvidia_wheels=(
  nvidia-cublas-cu12==12.2.5.6 nvidia-cuda-cupti-cu12==12.2.142 nvidia-cuda-nvcc-cu12==12.2.140
  nvidia-cuda-nvrtc-cu12==12.2.140 nvidia-cuda-runtime-cu12==12.2.140 nvidia-cudnn-cu12==8.9.4.25
  nvidia-cufft-cu12==11.0.8.103 nvidia-curand-cu12==10.3.3.141 nvidia-cusolver-cu12==11.5.2.141
  nvidia-cusparse-cu12==12.1.2.141 nvidia-nccl-cu12==2.16.5 nvidia-nvjitlink-cu12==12.2.140
)
cache="${MEMPO_CACHE:-$HOME/.cache/mempo}/wheels"
python="${PYTHON:-python3}"
mode="${MEMPO_LIBTENSORFLOW:-wheel}"

[ -d "$root/node_modules/@tensorflow/tfjs-node" ] || { echo "provision: node_modules is missing; run 'npm ci --ignore-scripts' first" >&2; exit 1; }
if [ "$variant" = gpu ] && [ ! -d "$pkg_dir" ]; then
  echo "provision: installing $package@$tfjs_node_gpu_version (not saved to package.json; its install script runs below)"
  (cd "$root" && npm install --no-save --ignore-scripts --no-audit --no-fund "$package@$tfjs_node_gpu_version")
fi
[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] || mode=download

# node-gyp needs the Node headers; use the ones installed beside this node when present so that nothing is
# fetched from the Node.js download host.
node_prefix=$(dirname "$(dirname "$(command -v node)")")
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/common.gypi" ]; then
  export npm_config_nodedir="$node_prefix"
fi
# Never ask for a prebuilt addon: it lives on the same unreachable host.
export npm_config_build_from_source=true

addon="$pkg_dir/lib/napi-v8/tfjs_binding.node"
marker="$pkg_dir/deps/lib/libtensorflow.so.2.9.1"
source_stamp="$wheel_name==$tf_version"

if [ "$mode" = download ]; then
  echo "provision: using $package's own libtensorflow download"
  (cd "$root" && npm rebuild "$package" --foreground-scripts)
  exit 0
fi

if [ -f "$marker" ] && [ -f "$addon" ] && [ "$(cat "$pkg_dir/deps/.mempo-source" 2>/dev/null)" = "$source_stamp" ]; then
  echo "provision: libtensorflow from $source_stamp and the $package addon are already in place"
  exit 0
fi

# Downloads one pinned wheel into the cache unless it is there; prints its path.
cached_wheel() {
  local requirement="$1" glob="$2" found
  found=$(ls "$cache"/"$glob"-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$found" ]; then
    echo "provision: downloading $requirement from PyPI (cached in $cache)" >&2
    "$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$cache" "$requirement" >&2
    found=$(ls "$cache"/"$glob"-*.whl | head -n1)
  fi
  echo "$found"
}

mkdir -p "$cache"
[ "$variant" = gpu ] && echo "provision: the GPU build needs the tensorflow wheel (475 MB) and NVIDIA's CUDA 12.2 wheels (about 2.3 GB)"
wheel=$(cached_wheel "$wheel_name==$tf_version" "$wheel_glob-$tf_version")

echo "provision: unpacking the C API libraries and headers from $(basename "$wheel")"
deps="$pkg_dir/deps"
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
if [ "$variant" = gpu ]; then
  : > "$deps.tmp/.mempo-cuda"
  for requirement in "${nvidia_wheels[@]}"; do
    name="${requirement%%==*}"
    nv_wheel=$(cached_wheel "$requirement" "${name//-/_}-${requirement##*==}")
    # Only the shared libraries, into nvidia/<name>/lib exactly as pip lays them out under site-packages.
    "$python" - "$nv_wheel" "$deps.tmp" <<'PY'
import os, shutil, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        parts = name.split("/")
        if len(parts) == 4 and parts[0] == "nvidia" and parts[2] == "lib" and ".so" in parts[3]:
            target = os.path.join(out, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(name) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
PY
    echo "$requirement" >> "$deps.tmp/.mempo-cuda"
  done
fi
(
  cd "$deps.tmp/lib"
  # Link names for -ltensorflow / -ltensorflow_framework; the SONAMEs stay the real files the addon loads.
  ln -sf libtensorflow_cc.so.2 libtensorflow.so
  ln -sf libtensorflow_framework.so.2 libtensorflow_framework.so
  # tfjs-node's install script skips its download when this file exists.
  ln -sf libtensorflow_cc.so.2 libtensorflow.so.2.9.1
)
echo "$source_stamp" > "$deps.tmp/.mempo-source"
rm -rf "$deps" && mv "$deps.tmp" "$deps"

echo "provision: building the $package addon from source against it"
if [ "$variant" = cpu ]; then
  (cd "$root" && npm rebuild "$package" --foreground-scripts)
else
  # tfjs-node-gpu's npm install script passes `download`, which forces its libtensorflow download even when
  # deps/ is in place; its install.js without that argument builds against deps/ as tfjs-node's does.
  (cd "$pkg_dir" && PATH="$root/node_modules/.bin:$PATH" node scripts/install.js gpu)
fi
[ -f "$addon" ] || { echo "provision: the addon was not built ($addon missing)" >&2; exit 1; }
node -e "const tf=require('$pkg_dir'); if (tf.getBackend()!=='tensorflow') process.exit(1); console.log('provision: $package loaded: backend', tf.getBackend() + ', libtensorflow', tf.backend().binding.TF_Version)"
