#!/usr/bin/env bash
# Screenshots of every kiosk state in Spanish and English, in a real window under Xvfb, at the
# three screen sizes kiosks have: scripts/screenshots.sh -> docs/screenshots/WxH/{es,en}-NN-state.png
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PYTHON_KEYRING_BACKEND=tests.support.memory_keyring.MemoryKeyring
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" QT_LOGGING_RULES="qt.multimedia.*=false"
# the kiosk's shots from before the size folders; the manager app's (manager-*.png) stay
rm -f docs/screenshots/es-*.png docs/screenshots/en-*.png
for size in 1024x768 1280x800 1920x1080; do
  for lang in es en; do
    xvfb-run -a -s "-screen 0 ${size}x24" \
      .venv/bin/python scripts/screenshots.py --lang "$lang" --size "$size"
  done
done
