#!/usr/bin/env bash
# What the programs load (issue 16): `meridian-cli --help`, `info`, `convert` and the window
# opening an image must not load LibTorch, OpenCV or Qt 5 (Debian's LibTorch pulls both in);
# a model command (`infer`) must load them through libmeridian_cli_model.so and work; a
# missing or broken library is a clear error with exit 1. ITK (with GDCM) and OpenSlide
# load on first use too: `--help`, `info` on a DICOM file, JPEG to PNG and the window on a
# JPEG map neither; a slide loads OpenSlide only, a NIfTI file or an NRRD output ITK only
# (a NIfTI output no ITK: Meridian writes NIfTI itself);
# without those libraries DICOM still reads and a NIfTI file gets a clear error.
# The dynamic loader itself reports every object it opens for the whole run, dlopen included
# (LD_DEBUG=files, one file per process); each check also requires a library that the run
# must have loaded, so an empty trace cannot pass.
#   startup_libraries.sh MERIDIAN_CLI MERIDIAN MAKE_TINY_MODEL DEMO_DATA OUT_DIR
set -euo pipefail
cli=$1 gui=$2 maker=$3 demo=$4 out=$5
rm -rf "$out" && mkdir -p "$out"
heavy='libtorch|libc10|libopencv|libQt5'
itk='libITK|libitk|libgdcm|libmeridian_io_itk'
slide='libopenslide|libmeridian_io_openslide'

# traced NAME CMD...: runs CMD with the loader's trace in $out/NAME.ld.PID; stdout and
# stderr in $out/NAME.out / .err; returns CMD's exit status.
traced() {
  local name=$1; shift
  set +e
  LD_DEBUG=files LD_DEBUG_OUTPUT="$out/$name.ld" "$@" > "$out/$name.out" 2> "$out/$name.err"
  local rc=$?
  set -e
  return $rc
}
# loaded NAME: the objects the run opened, one per line.
loaded() { cat "$out/$1".ld.* | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u; }
fail() { echo "FAIL: $*"; exit 1; }
expect_light() {  # expect_light NAME MUST_HAVE_PATTERN
  local libs; libs=$(loaded "$1")
  grep -qE "$2" <<< "$libs" || fail "$1: the trace lacks $2 (is LD_DEBUG working?)"
  if grep -E "$heavy" <<< "$libs"; then fail "$1 loaded the libraries above"; fi
  echo "$1: $(wc -l <<< "$libs") objects loaded, no LibTorch/OpenCV/Qt 5"
}

# without NAME PATTERN: the run named NAME loaded nothing matching PATTERN (ITK, OpenSlide).
without() {
  local libs; libs=$(loaded "$1")
  if grep -E "$2" <<< "$libs"; then fail "$1 loaded the libraries above, which it does not need"; fi
  return 0
}
# with NAME PATTERN: it did load something matching PATTERN.
with() { loaded "$1" | grep -qE "$2" || fail "$1 did not load $2"; }

traced help "$cli" --help || fail "--help exited $?"
grep -q "infer" "$out/help.out" || fail "--help does not list infer"
expect_light help 'libstdc\+\+'
without help "$itk|$slide"

traced info "$cli" info --json "$demo/ct-ankle-512.dcm" || fail "info exited $?: $(cat "$out/info.err")"
grep -q '"kind": "image"' "$out/info.out" || fail "info printed: $(cat "$out/info.out")"
expect_light info 'libdcmdata'
without info "$itk|$slide"
echo "info on DICOM: no ITK, GDCM or OpenSlide"

traced info-slide "$cli" info --json "$demo/pathology-ihc-slide.tif" || fail "info on a slide exited $?"
grep -q '"kind": "slide"' "$out/info-slide.out" || fail "info on a slide printed: $(cat "$out/info-slide.out")"
with info-slide 'libopenslide'
without info-slide "$itk"
traced info-nifti "$cli" info --json "$demo/ct-abdomen-stent.nii.gz" || fail "info on NIfTI exited $?"
grep -q '"kind": "volume"' "$out/info-nifti.out" || fail "info on NIfTI printed: $(cat "$out/info-nifti.out")"
with info-nifti 'libITKIONIFTI'
without info-nifti "$slide"
echo "info on a slide: OpenSlide only; on NIfTI: ITK only"

traced convert "$cli" convert "$demo/ct-abdomen-stent-dicom" "$out/stent.nii" \
  || fail "convert exited $?: $(cat "$out/convert.err")"
test -s "$out/stent.nii" || fail "convert wrote nothing"
expect_light convert 'libdcmdata'
without convert "$itk|$slide"  # NIfTI is Meridian's own writer (core/io/src/NiftiWriter.hpp)
traced convert-nrrd "$cli" convert "$demo/ct-abdomen-stent-dicom" "$out/stent.nrrd" \
  || fail "convert to NRRD exited $?: $(cat "$out/convert-nrrd.err")"
with convert-nrrd 'libmeridian_io_itk'  # NRRD is still ITK's, loaded when asked for
traced convert-png "$cli" convert "$demo/fundus-retina.jpg" "$out/fundus.png" || fail "convert to PNG exited $?"
without convert-png "$itk|$slide"

# Without the reader libraries: DICOM still reads; NIfTI says which library is missing.
MERIDIAN_IO_LIBRARY_DIR="$out/no-such-dir" "$cli" info "$demo/ct-ankle-512.dcm" > /dev/null \
  || fail "info on DICOM needed the reader libraries"
set +e
MERIDIAN_IO_LIBRARY_DIR="$out/no-such-dir" "$cli" info "$demo/ct-abdomen-stent.nii.gz" 2> "$out/no-itk.err"
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "info on NIfTI without libmeridian_io_itk.so exited 0"
grep -q "libmeridian_io_itk.so is missing; looked for:" "$out/no-itk.err" || fail "no ITK library: $(cat "$out/no-itk.err")"

# Only the window is traced, not the X server. with_xvfb.sh, not `xvfb-run -a`: that one races
# other tests for a display number and its server resets between clients (CI once got "could not
# connect to display :99" and a Qt abort here).
bash "$(dirname "$0")/../ui/with_xvfb.sh" \
  env LD_DEBUG=files LD_DEBUG_OUTPUT="$out/gui.ld" "$gui" --open "$demo/fundus-retina.jpg" --screenshot "$out/gui.png" \
  > "$out/gui.out" 2> "$out/gui.err" || fail "meridian --screenshot exited $?: $(cat "$out/gui.err")"
test -s "$out/gui.png" || fail "no screenshot"
expect_light gui 'libQt6Widgets'
without gui "$itk|$slide"

# A model command loads the model core on first use, and works.
"$maker" "$out/model" any 64 2 64 a,b > /dev/null
traced infer "$cli" infer --model "$out/model" "$demo/fundus-retina.jpg" --json || fail "infer exited $?: $(cat "$out/infer.err")"
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); p=next(iter(r["outputs"].values())); assert abs(sum(p.values())-1)<1e-4, r' \
  "$out/infer.out" || fail "infer printed no probabilities"
libs=$(loaded infer)
grep -q 'libmeridian_cli_model\.so' <<< "$libs" || fail "infer did not load libmeridian_cli_model.so"
grep -q 'libtorch_cpu' <<< "$libs" || fail "infer did not load LibTorch"
echo "infer: $(wc -l <<< "$libs") objects loaded, LibTorch among them"

# The library missing, or not a library: exit 1 and what the loader said.
set +e
MERIDIAN_CLI_MODEL_LIBRARY="$out/none.so" "$cli" infer --model "$out/model" "$demo/fundus-retina.jpg" 2> "$out/missing.err"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "a missing library gave exit $rc, want 1"
grep -q "libmeridian_cli_model.so is missing; looked for:" "$out/missing.err" || fail "missing: $(cat "$out/missing.err")"
echo "not an ELF file" > "$out/broken.so"
set +e
MERIDIAN_CLI_MODEL_LIBRARY="$out/broken.so" "$cli" version 2> "$out/broken.err"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "a broken library gave exit $rc, want 1"
grep -q "cannot be loaded: .*broken.so" "$out/broken.err" || fail "broken: $(cat "$out/broken.err")"
echo "startup libraries: all checks passed"
