#!/usr/bin/env bash
# Runs one command under its own virtual X server (1920x1080x24, Mesa GL), then stops it.
# Xvfb chooses a free display itself (-displayfd), so tests run in parallel never race for
# a display number the way `xvfb-run -a` can. CTest runs each GUI test through this script
# (the test executable's CROSSCOMPILING_EMULATOR), one server per test process.
#   with_xvfb.sh COMMAND [ARG...]
set -u
scratch=$(mktemp -d "${TMPDIR:-/tmp}/meridian-xvfb.XXXXXX")
server=
display=
# Starts a server and waits until a client can really connect to it. -noreset: without it
# the server resets itself each time its last client leaves, and a client that connects during
# that reset is refused ("could not connect to display :0", a Qt abort): so it went whenever a
# test ran the window twice in one server, or right after this script's own xdpyinfo probe.
# A server that never answers is replaced once by a fresh one on another display.
start_server() {
  local fifo=$scratch/display.$1
  mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp -noreset 3>"$fifo" 2>"$scratch/xvfb.log" &
  server=$!
  display=
  read -r -t 60 display <"$fifo"
  [ -n "$display" ] || return 1
  for _ in $(seq 100); do
    xdpyinfo -display ":$display" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
stop_server() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
if ! start_server 1; then
  echo "with_xvfb: Xvfb (display '${display}') did not answer; its log and the sockets, then a second try:" >&2
  cat "$scratch/xvfb.log" >&2
  ls -la /tmp/.X11-unix/ >&2
  stop_server
  if ! start_server 2; then
    echo "with_xvfb: Xvfb did not start:" >&2
    cat "$scratch/xvfb.log" >&2
    stop_server
    rm -rf "$scratch"
    exit 1
  fi
fi
DISPLAY=:$display "$@"
rc=$?
if ! kill -0 "$server" 2>/dev/null; then  # the server went away under the command: say why
  echo "with_xvfb: Xvfb :$display stopped while the command ran (exit $rc):" >&2
  cat "$scratch/xvfb.log" >&2
fi
stop_server
rm -rf "$scratch"
exit "$rc"
