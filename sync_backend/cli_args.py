"""Argument types for ``pika-backend``: bad input is argparse's usage error (exit 2), never a
traceback from deep inside a command.

A database id or serial is a positive bigint (a larger number would only fail in the driver);
an output file needs a folder to go in; an A/B variant is NUMBER:LABEL:WEIGHT.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

#: Postgres ``bigint``'s largest value: no id or serial can be larger.
BIGINT_MAX = 2**63 - 1


def record_id(text: str) -> int:
    """A positive whole number that can name a row (ids, serials)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= BIGINT_MAX:
        raise argparse.ArgumentTypeError(f"{text} is not an id (1 to {BIGINT_MAX})")
    return value


def output_file(text: str) -> Path:
    """A file to write, in a folder that exists (checked before any work is done)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file name")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"no folder {path.parent} to write {path.name} in")
    return path


def variant(text: str) -> dict[str, Any]:
    """``NUMBER:LABEL:WEIGHT``, e.g. ``1:A:50``, as the offer schema's variant."""
    number, _, rest = text.partition(":")
    label, _, weight = rest.rpartition(":")
    if not (number.strip().isdigit() and weight.strip().isdigit() and label):
        raise argparse.ArgumentTypeError(f"a variant is NUMBER:LABEL:WEIGHT, e.g. 1:A:50: {text!r}")
    return {"variant": int(number), "label": label, "weight": int(weight)}
