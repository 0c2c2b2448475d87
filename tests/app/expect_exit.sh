#!/usr/bin/env bash
# Runs a command and demands both its exit status and a line of its output (stdout and
# stderr together). CTest ignores the exit status of a test that sets
# PASS_REGULAR_EXPRESSION, so the tests that need both use this script and no regex.
#   expect_exit.sh CODE REGEX COMMAND [ARG...]
set -u
want=$1 regex=$2
shift 2
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne "$want" ]; then
  echo "expect_exit: wanted exit $want, got $rc from: $*"
  exit 1
fi
if ! grep -qE -- "$regex" <<<"$out"; then
  echo "expect_exit: exit $rc as wanted, but no line matches '$regex'"
  exit 1
fi
echo "expect_exit: exit $rc and '$regex' as wanted"
