#!/usr/bin/env bash
# Installs what Pika Counter needs on a fresh Debian machine, then exits.
#   - Debian system libraries for Qt, QtMultimedia, zbar and Xvfb, Postgres and Redis for
#     the tests to start throwaway servers from, and promtool (Debian's prometheus) for the
#     alert rules' tests (only when run as root and something is
#     missing; otherwise it prints the apt-get line to run).
#   - a virtualenv in .venv with the project and its pinned dependencies (constraints.txt).
# Safe to run again: it only does what is missing. Sourced by scripts/demo and scripts/test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEBIAN_PACKAGES=(
  libgl1 libegl1 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3 libpulse0 libxrandr2
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libzbar0 xvfb fonts-dejavu-core
  # tests/ui/test_kiosk_on_x11.py: read the kiosk window's place back from a real X server,
  # with a (kiosk) window manager and without one
  x11-utils matchbox-window-manager
  # ... and open the manager panel there from the keyboard alone (tests/support/x11.py press)
  xdotool
  # tests/support/services.py: throwaway servers when none is running (not started here)
  postgresql redis-server
  # pika-backend backup / restore (sync_backend/backups): pg_dump and pg_restore; and
  # systemd-analyze, which checks the backup timer's calendar (tests/backend/backups)
  postgresql-client systemd
  # tests/deploy/test_alert_rules.py: promtool checks and unit-tests the alert rules (the
  # Prometheus server it comes with is not started here)
  prometheus
)

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing Debian packages: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: missing Debian packages; run as root: apt-get install ${missing[*]}" >&2
    fi
  fi
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "setup: installing the project and pinned dependencies into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[kiosk,backend,dev]"
  touch "$stamp"
fi
