"""Whether this run is CI: one answer for every test that is required, or only run, in CI."""

from __future__ import annotations

import os

TRUTHY = frozenset({"1", "true", "yes"})


def running_in_ci() -> bool:
    """True for any truthy ``CI`` (``1``, ``true``, ``yes``, in any case), as CI services set it."""
    return os.environ.get("CI", "").strip().lower() in TRUTHY
