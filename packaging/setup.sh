#!/usr/bin/env bash
# Meridian's two set-up commands (the first two lines of README.md):
#   bash packaging/setup.sh demo   install, build, then run the main job on the demo data:
#                                  the GUI when there is a display, else `meridian-cli demo`
#   bash packaging/setup.sh test   install, build, then run every test (GUI tests under Xvfb)
# Each step is idempotent: a second run only rebuilds what changed.
set -euo pipefail

mode=${1:-}
case "$mode" in
  demo|test) ;;
  *) echo "usage: bash packaging/setup.sh demo|test" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
step() { printf '\n== meridian: %s\n' "$*"; }

step "installing Debian packages (packaging/debian-packages.txt)"
bash packaging/setup-debian.sh

step "configuring and building (build/, $(nproc) jobs)"
start=$(date +%s)
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
echo "build took $(( $(date +%s) - start )) s"

step "assembling the demo data (build/demo-data)"
bash packaging/make-demo-data.sh build/demo-data

if [ "$mode" = test ]; then
  step "running the tests"
  # Serial on purpose: the GUI tests each start their own Xvfb through xvfb-run -a,
  # which races for display numbers when run in parallel.
  ctest --test-dir build --output-on-failure
  exit $?
fi

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  step "starting the workstation on the demo data"
  if build/bin/meridian build/demo-data; then exit 0; fi
  echo "meridian: the GUI could not start (see above); running the headless main job instead."
fi
step "no display: running the headless main job"
build/bin/meridian-cli demo --data build/demo-data --out build/demo-output
