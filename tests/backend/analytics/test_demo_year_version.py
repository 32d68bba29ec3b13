"""A changed demo year is made anew on the managers' PCs: its version moves with its code.

``pika-manager --demo`` keeps the year it filled and reuses it while ``YEAR_VERSION`` is the
same (``app.core.dashboard.demo_backend``). Whoever changes what the year holds (its generator,
the rollups it fills, the schema) must bump that version, or a kept year of the old code is
shown for ever. This test notices the change: the fingerprint of that code, pinned here per
version, no longer matches. Comments and formatting do not count (the syntax tree does).
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from app.core.dashboard.demo_backend import YEAR_VERSION
from sync_backend.analytics import demo_year, rollups
from sync_backend.migrate import head_revision

#: YEAR_VERSION → the fingerprint of the code that made that year.
PINNED = {2: "d2932a3c51b43848"}


def fingerprint() -> str:
    digest = hashlib.sha256()
    for module in (demo_year, rollups):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        digest.update(ast.dump(ast.parse(source)).encode())
    digest.update(head_revision().encode())
    return digest.hexdigest()[:16]


def test_a_changed_demo_year_comes_with_a_new_version() -> None:
    now = fingerprint()
    assert PINNED.get(YEAR_VERSION) == now, (
        "the demo year's code or the schema changed: bump YEAR_VERSION in "
        f"app/core/dashboard/demo_backend.py and pin {{{YEAR_VERSION + 1}: {now!r}}} here "
        "(if what the year holds is truly unchanged, pin the new fingerprint to the same version)"
    )
