#!/usr/bin/env bash
# Set-up of the ONNX Runtime peer (issue 20): ONNX Runtime's CPU build from the npm
# package onnxruntime-node 1.30.0 (its install script only fetches GPU parts, hence
# --ignore-scripts) and the exported models, all into one folder under build/. Only the
# benchmark uses it; nothing Meridian runs depends on it.
#
#   bash tests/bench/vit_onnx_setup.sh [DIR=build/onnx-peer]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-build/onnx-peer}"
mkdir -p "$dir"
# Node and npm come from Debian (nodejs, npm) when the machine has neither. They are not in
# packaging/debian-packages.txt: only this benchmark needs them, and Debian's npm conflicts
# with NodeSource's nodejs (which carries its own npm), so installing it for every set-up
# would break machines that have that one.
if ! command -v npm >/dev/null; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends nodejs npm
fi
if [ ! -f "$dir/node_modules/onnxruntime-node/package.json" ]; then
  npm install --ignore-scripts --no-audit --no-fund --prefix "$dir" onnxruntime-node@1.30.0
fi
if [ ! -f "$dir/vit_b_16.onnx" ] || [ ! -f "$dir/linear_fc2.onnx" ]; then
  /usr/bin/python3 "$here/vit_onnx_export.py" "$dir"
fi
echo "ONNX Runtime peer ready in $dir"
