#!/usr/bin/env bash
# Inputs the model service tests need besides the demo set and the bundled model:
#  - small-slide.tif: the demo IHC image (512x512) as a tiled JPEG pyramid, the layout the
#    demo slide has, small enough that the bundled model runs it in a second or two (the demo
#    slide is 8x larger: ~1300 patches, too slow for a unit test on two shared cores);
#  - ct-model: a tiny ViT that takes CT only (a model for another modality than a photo);
#  - bad-weights-model: the bundled model with one byte of its weights changed.
#   make_service_fixtures.sh MAKE_TINY_MODEL DEMO_DATA BUNDLED_MODEL OUT
set -euo pipefail
maker=$1 demo=$2 bundled=$3 out=$4
mkdir -p "$out"
vips tiffsave "$demo/pathology-ihc.png" "$out/small-slide.tif.part.tif" --tile --pyramid --compression jpeg \
  --Q 90 --tile-width 128 --tile-height 128
mv "$out/small-slide.tif.part.tif" "$out/small-slide.tif"
rm -rf "$out/ct-model" "$out/bad-weights-model"
"$maker" "$out/ct-model" ct 64 2 64 normal,abnormal > /dev/null
cp -r "$bundled" "$out/bad-weights-model"
# Flip one byte in the middle of the tensor data (not the header): the file still parses,
# only its SHA-256 differs from the card's.
/usr/bin/python3 - "$out/bad-weights-model/weights.safetensors" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x01
open(path, "wb").write(bytes(data))
PY
echo "service fixtures in $out"
