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
echo "checker caught all $expected planted violations"
