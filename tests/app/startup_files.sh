#!/usr/bin/env bash
# Start-up creates no files (issue 16): `meridian-cli --help` and `info` on a DICOM file leave
# HOME and the XDG folders as they were; the log folder and file appear only when something is
# logged, e.g. `convert` of a slice with trailing padding, which logs a warning that must
# reach the file (the control that shows this check can fail).
#   startup_files.sh MERIDIAN_CLI DEMO_DATA OUT_DIR
set -euo pipefail
cli=$1 demo=$2 out=$3
rm -rf "$out" && mkdir -p "$out/home" "$out/data"
fail() { echo "FAIL: $*"; exit 1; }
# A home of our own: every folder a program could write into by default is under it.
run() {
  env -u MERIDIAN_DATA_DIR HOME="$out/home" XDG_DATA_HOME="$out/home/.local/share" \
    XDG_CONFIG_HOME="$out/home/.config" XDG_CACHE_HOME="$out/home/.cache" XDG_STATE_HOME="$out/home/.local/state" \
    "$cli" "$@"
}
created() { (cd "$out/home" && find . -mindepth 1 | sort); }

run --help > "$out/help.out" || fail "--help exited $?"
[ -z "$(created)" ] || fail "--help created: $(created)"
run info "$demo/ct-ankle-512.dcm" > "$out/info.out" || fail "info exited $?"
[ -z "$(created)" ] || fail "info created: $(created)"
run info --json "$demo/ct-ankle-512.dcm" > "$out/info.json" || fail "info --json exited $?"
[ -z "$(created)" ] || fail "info --json created: $(created)"
echo "--help and info created nothing under HOME"

# The control: a logged warning creates the file and is in it.
cp "$demo/ct-ankle-512.dcm" "$out/data/padded.dcm"
head -c 4096 /dev/zero >> "$out/data/padded.dcm"
run convert "$out/data/padded.dcm" "$out/data/padded.nii" > "$out/padded.out" 2> "$out/padded.err" ||
  fail "convert of a padded file exited $?: $(cat "$out/padded.err")"
log="$out/home/.local/share/meridian/logs/meridian.log"
[ -f "$log" ] || fail "a logged warning did not create $log (created: $(created)); stderr: $(cat "$out/padded.err")"
grep -q "trailing padding" "$log" || fail "the warning is not in $log: $(cat "$log")"
echo "a logged warning created $log and is in it"
echo "startup files: all checks passed"
