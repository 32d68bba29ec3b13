#!/usr/bin/env bash
# Build the kiosk as a one-folder PyInstaller bundle, smoke-test it, archive and sign it.
#   installers/build.sh                      -> dist/pika-kiosk-<version>-linux-<arch>.tar.gz
#   PIKA_RELEASE_KEY=release.pem installers/build.sh   (signs; without it the archive is unsigned
#   and the script says so). Make a key once with: python installers/signing.py new-key release.pem
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
command -v objdump >/dev/null || { echo "build: PyInstaller needs binutils (apt-get install binutils)" >&2; exit 1; }
out=${DIST_DIR:-dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath "$out" --workpath "$work" \
  installers/pika-kiosk.spec
# The smoke test runs the frozen program itself, outside the virtualenv. Its self-check keeps a
# key in the OS keyring exactly as a normal start does, so it runs in a D-Bus session with an
# unlocked gnome-keyring, as on a Linux counter PC (and proves the bundle's Secret Service
# backend works).
if ! command -v gnome-keyring-daemon >/dev/null || ! command -v dbus-run-session >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "build: installing gnome-keyring and dbus-daemon for the self-check"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      gnome-keyring dbus-daemon >/dev/null
  else
    echo "build: the self-check needs a keyring: apt-get install gnome-keyring dbus-daemon" >&2
    exit 1
  fi
fi
# A keyring of its own in the build's work folder, never the builder's login keyring.
QT_QPA_PLATFORM=offscreen XDG_DATA_HOME="$work/keyring" env -u PYTHONPATH -u PYTHON_KEYRING_BACKEND \
  dbus-run-session -- bash -c \
  'printf build | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$0" --self-check' \
  "$out/pika-kiosk/pika-kiosk" > "$out/self-check.json"
version=$(.venv/bin/python -c "import importlib.metadata as m; print(m.version('pika-counter'))")
archive="$out/pika-kiosk-$version-linux-$(uname -m).tar.gz"
tar -C "$out" -czf "$archive" pika-kiosk
if [ -n "${PIKA_RELEASE_KEY:-}" ]; then
  .venv/bin/python installers/signing.py sign "$archive" --key "$PIKA_RELEASE_KEY"
else
  echo "build: PIKA_RELEASE_KEY not set: $archive is NOT signed" >&2
fi
echo "$archive"
