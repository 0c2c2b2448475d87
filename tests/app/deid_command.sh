#!/usr/bin/env bash
# meridian-cli deid as a user runs it: the demo CT series in, de-identified copies out.
# Usage: deid_command.sh MERIDIAN_CLI DEMO_DATA OUT_DIR
set -euo pipefail
cli=$1 demo=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
check() { if ! eval "$1"; then echo "FAILED: $2" >&2; exit 1; fi; }

"$cli" deid "$demo/ct-abdomen-stent-dicom" "$out/series" --json > "$out/summary.json"
check "python3 -c 'import json,sys; s=json.load(open(\"$out/summary.json\")); sys.exit(0 if s[\"written\"]==256 and not s[\"refused\"] else 1)'" \
  "256 files written, none refused"
check "test \$(find '$out/series' -name '*.dcm' | wc -l) -eq 256" "256 .dcm files"
check "! grep -rlq 'Demo^Stent' '$out/series'" "the patient's name is gone"
check "! grep -rlq GEMS_ '$out/series'" "GE private blocks are gone"
check "test \$(find '$out/series' -mindepth 1 -maxdepth 1 -type d | wc -l) -eq 1" "one series folder (UIDs consistent)"

# A file in, a file out; the same path as the input is refused (exit 2) and leaves it alone.
before=$(sha256sum "$demo/ct-slice.dcm")
"$cli" deid "$demo/ct-slice.dcm" "$out/one.dcm" > /dev/null
check "test -s '$out/one.dcm'" "single file written"
set +e
"$cli" deid "$demo/ct-slice.dcm" "$demo/ct-slice.dcm" 2> /dev/null; rc=$?
set -e
check "test $rc -eq 2" "writing over the input is a usage error (got $rc)"
check "test \"\$(sha256sum '$demo/ct-slice.dcm')\" = \"$before\"" "the input is unchanged"
# A folder with a file whose pixels carry burned-in text: that one is refused (named on
# stderr), the other is written, and the exit code says the export is incomplete (3).
mkdir -p "$out/mixed-in"
cp "$demo/ct-abdomen-stent-dicom/IM0000.dcm" "$out/mixed-in/burned.dcm"
cp "$demo/ct-abdomen-stent-dicom/IM0001.dcm" "$out/mixed-in/clean.dcm"
dcmodify -nb -i "(0028,0301)=YES" "$out/mixed-in/burned.dcm"
set +e
"$cli" deid "$out/mixed-in" "$out/mixed-out" > /dev/null 2> "$out/mixed.err"; rc=$?
set -e
check "test $rc -eq 3" "a refused file makes the exit code 3 (got $rc)"
check "grep -q 'burned.dcm: Burned In Annotation is YES' '$out/mixed.err'" "stderr names the refused file and why"
check "test \$(find '$out/mixed-out' -type f | wc -l) -eq 1" "only the clean file was written"
echo "deid command: all checks passed"
