#!/usr/bin/env bash
# Runs check_layers.sh on the broken fixture and demands that it fails with exactly the
# expected number of violations: proof that the checker can fail.
set -u
here=$(cd "$(dirname "$0")" && pwd)
expected=$1
out=$(bash "$here/check_layers.sh" "$here/fixtures/broken_tree" "$here/fixtures/broken_links.txt")
rc=$?
echo "$out"
found=$(grep -c '^LAYER VIOLATION:' <<<"$out")
if [ "$rc" -ne 1 ] || [ "$found" -ne "$expected" ]; then
  echo "expected exit 1 with $expected violations, got exit $rc with $found"
  exit 1
fi
# Each planted file and each planted link line must be named: a count alone could be made
# up by one rule reporting twice while another went blind.
missed=0
while IFS= read -r planted; do
  rel=${planted#"$here/"}
  grep -qF "$rel:" <<<"$out" || { echo "not reported: $rel"; missed=1; }
done < <(grep -rl '^// planted violation' "$here/fixtures/broken_tree")
while IFS= read -r line; do
  target=${line%%:*}
  IFS=';' read -ra libs <<<"${line#*: }"
  for lib in "${libs[@]}"; do
    planted=0
    case "$lib" in Qt*|VTK::*|meridian_viewers|meridian_ui) [ "$target" = meridian_ui ] || planted=1 ;; esac
    case "$target:$lib" in
      meridian_model:meridian_core_io|meridian_model:meridian_project) planted=1 ;;
      meridian_ui:meridian_model|meridian_ui:meridian_model_service) planted=1 ;;
      meridian_model_service_loader:meridian_model|meridian_model_service_loader:meridian_model_service) planted=1 ;;
    esac
    if [ "$planted" -eq 1 ]; then
      grep -qF "$target links $lib " <<<"$out" || { echo "not reported: $target links $lib"; missed=1; }
    fi
  done
done <"$here/fixtures/broken_links.txt"
[ "$missed" -eq 0 ] || exit 1
echo "checker caught all $expected planted violations"
