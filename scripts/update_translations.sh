#!/usr/bin/env bash
# Refresh resources/translations/pika_es.ts from the Qt sources (pyside6-lupdate keeps the
# existing translations), then compile it to pika_es.qm (pyside6-lrelease). Run after changing
# any user-visible text in app/ui, translate the new entries in the .ts (Qt Linguist or an
# editor), and run it again. tests/ui/test_translations.py fails while an entry is unfinished.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sources="$(find app/ui -name '*.py' | sort) app/core/error_kinds.py app/core/sync/result_labels.py"
.venv/bin/pyside6-lupdate $sources -ts resources/translations/pika_es.ts -no-obsolete
.venv/bin/pyside6-lrelease resources/translations/pika_es.ts -qm resources/translations/pika_es.qm
