#!/usr/bin/env bash
# Runs one command under its own virtual X server (1920x1080x24, Mesa GL), then stops it.
# Xvfb chooses a free display itself (-displayfd), so tests run in parallel never race for
# a display number the way `xvfb-run -a` can. CTest runs each GUI test through this script
# (the test executable's CROSSCOMPILING_EMULATOR), one server per test process.
#   with_xvfb.sh COMMAND [ARG...]
set -u
scratch=$(mktemp -d "${TMPDIR:-/tmp}/meridian-xvfb.XXXXXX")
fifo=$scratch/display
mkfifo "$fifo"
Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp 3>"$fifo" 2>"$scratch/xvfb.log" &
server=$!
display=
read -r -t 60 display <"$fifo"
if [ -z "$display" ]; then
  echo "with_xvfb: Xvfb did not start:" >&2
  cat "$scratch/xvfb.log" >&2
  kill "$server" 2>/dev/null
  rm -rf "$scratch"
  exit 1
fi
DISPLAY=:$display "$@"
rc=$?
if ! kill -0 "$server" 2>/dev/null; then  # the server went away under the command: say why
  echo "with_xvfb: Xvfb :$display stopped while the command ran (exit $rc):" >&2
  cat "$scratch/xvfb.log" >&2
fi
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
rm -rf "$scratch"
exit "$rc"
