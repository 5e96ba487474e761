#!/usr/bin/env bash
# Runs the non-browser suite a second time at another date and hour, under Debian's faketime, so
# that a test reading the wall clock instead of the injected clock fails at once. CI runs it after
# `make test`; TOCSIN_FAKE_AT picks another moment (any `date -d` string).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null 2>&1; then
  echo "Installing Debian's faketime for the second run..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq faketime >/dev/null
fi
# A leap day, a quarter of an hour before midnight UTC: a test that takes "today" or "now" from the
# wall clock crosses a day, a month and the hour the fixed test clock (03:00) never shows.
FAKE_AT="${TOCSIN_FAKE_AT:-2028-02-29 23:45:00 UTC}"
echo "Second run of the non-browser suite with the wall clock at ${FAKE_AT}"
# -m: the multi-threaded libfaketime, since the test workers run threads.
exec faketime -m "${FAKE_AT}" .venv/bin/pytest -n 2 -p no:cacheprovider -q -m "not browser"
