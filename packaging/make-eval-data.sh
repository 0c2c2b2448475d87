#!/usr/bin/env bash
# Assembles the evaluation suite's tasks (meridian-cli evaluate-suite) from real images that
# Debian packages nobody here made ship: mricron-data (Colin27 T1 + AAL atlas),
# insighttoolkit5-examples (ITK's example MR slices), dataset-fashion-mnist, plus what the demo
# set uses (scikit-image, pydicom, nibabel, imageio, octave-dicom). The three new packages are
# fetched as .deb files (apt-get download) and unpacked here, never installed; more CT and MR
# slices for the modality task's training side come from two npm packages
# (packaging/fetch-npm-dicom.sh: `npm pack`, pinned, cached in NPM_DIR, default build/npm-dicom).
#   make-eval-data.sh [DEST [DEMO_DATA]] [-- extra eval_suite_data.py options]
#   (defaults: build/eval-data, build/demo-data; the demo set is made when missing)
# DEST/suite.json lists the tasks; DEST/packages.json records package, version and licence.
# Idempotent: a complete set with the same recipe version is left alone.
set -euo pipefail

recipe=3   # bump when the recipe (this script or eval_suite_data.py) changes
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest=$(realpath -m "$here/../build/eval-data")
demo=$(realpath -m "$here/../build/demo-data")
if [ $# -gt 0 ] && [ "$1" != "--" ]; then dest=$(realpath -m "$1"); shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then demo=$(realpath -m "$1"); shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi
py=/usr/bin/python3

die() { printf 'make-eval-data: %s\n' "$*" >&2; exit 1; }
[ -x "$py" ] || die "$py not found; run packaging/setup-debian.sh first."

if [ -f "$dest/packages.json" ] && grep -q "\"recipe\": $recipe," "$dest/packages.json" && [ -f "$dest/suite.json" ]; then
  echo "make-eval-data: evaluation set already complete in $dest"
  exit 0
fi

mkdir -p "$(dirname "$dest")"
work=$(mktemp -d "$(dirname "$dest")/.eval-data.XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# bundled_model_data.py reads the demo set (the octave-dicom ankle, which eval_suite_data.py then
# leaves out of the modality task: it is a 3D rendering, not a CT slice).
[ -f "$demo/ct-ankle-512.dcm" ] || bash "$here/make-demo-data.sh" "$demo" >/dev/null

packages_json="{\"recipe\": $recipe, \"packages\": ["
sep=""
for pkg in mricron-data insighttoolkit5-examples dataset-fashion-mnist; do
  (cd "$work" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
    die "cannot download $pkg from the Debian archive (apt-get download $pkg)"
  deb=$(ls "$work/${pkg}"_*.deb)
  version=$(dpkg-deb -f "$deb" Version)
  dpkg-deb -x "$deb" "$work/pkg"
  # The licence of the "Files: *" stanza (the first License: line may be a comment's).
  licence=$(awk '/^Files: *\*$/ {f = 1} f && /^License:/ {sub(/^License: */, ""); print; exit}' \
    "$work/pkg/usr/share/doc/$pkg/copyright")
  packages_json+="$sep{\"package\": \"$pkg\", \"version\": \"$version\", \"licence\": \"$licence\"}"
  sep=", "
  rm -f "$deb"
done
npm_dir=$(realpath -m "${NPM_DIR:-$(dirname "$dest")/npm-dicom}")
bash "$here/fetch-npm-dicom.sh" "$npm_dir" || die "cannot fetch the npm DICOM packages (packaging/fetch-npm-dicom.sh)"
packages_json+=", $("$py" -c 'import json,sys; print(", ".join(json.dumps(p) for p in json.load(open(sys.argv[1]))["packages"]))' \
  "$npm_dir/npm-packages.json")"
packages_json+="]}"

"$py" "$here/eval_suite_data.py" "$work/set" \
  --mricron "$work/pkg/usr/share/mricron/templates" \
  --itk-data "$work/pkg/usr/share/doc/insighttoolkit5-examples/examples/Data" \
  --fmnist "$work/pkg/usr/share/datasets/fashion-mnist" \
  --npm-data "$npm_dir" --demo-data "$demo" "$@"
printf '%s\n' "$packages_json" >"$work/set/packages.json"

rm -rf "$dest"
mv "$work/set" "$dest"
echo "make-eval-data: evaluation set in $dest"
