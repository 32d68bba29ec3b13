"""Labelled QR image folders: which images are scored and what each must read as.

Layout (the zxing blackbox layout): ``NAME.png|jpg|webp|...`` with ``NAME.txt`` beside it, the
exact expected payload as UTF-8 (read as bytes, so ``\\r\\n`` stays ``\\r\\n``). An empty
``NAME.txt`` means the image holds no code: any payload read from it is wrong.
``NAME.result.txt`` and ``*.metadata.txt`` are facts about a symbol, never payloads; an image
with no ``NAME.txt`` is not scored (e.g. one part of a structured-append message).

A whole folder is left out when any of these says so:

- a marker file ``.not-scored`` in it;
- a README (``README``, ``README.md``, ``README.txt``) in it or above it (inside the scanned
  root) with a line that says "not scored" and names the folder, either in backticks or as
  the first cell of a Markdown table row (the shared data set's README does this);
- an ``--exclude`` glob matching its path relative to the root.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.core.scanning.capture import IMAGE_SUFFIXES

NOT_SCORED_MARKER = ".not-scored"
_README_NAMES = ("README", "README.md", "README.txt")
_NOT_SCORED = re.compile(r"not\s+scored", re.IGNORECASE)
_BACKTICKED = re.compile(r"`([^`]+)`")
_TABLE_FIRST_CELL = re.compile(r"^\s*\|\s*([^|]+?)\s*\|")


@dataclass(frozen=True, slots=True)
class LabelledImage:
    path: Path
    expected: str  # "" = the image holds no code
    set_name: str  # folder relative to the root, "." for the root itself


@dataclass(frozen=True, slots=True)
class LabelledSet:
    images: list[LabelledImage]
    skipped_sets: list[str]  # folders left out, with the rule that left each out
    unlabelled: int  # images with no NAME.txt
    bad_labels: list[str]  # NAME.txt files that are not UTF-8


def _not_scored_names(readme: Path) -> set[str]:
    try:
        text = readme.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    names: set[str] = set()
    for line in text.splitlines():
        if not _NOT_SCORED.search(line):
            continue
        names.update(n.strip().strip("/") for n in _BACKTICKED.findall(line))
        cell = _TABLE_FIRST_CELL.match(line)
        if cell:
            names.add(cell.group(1).strip().strip("`").strip("/"))
    return {n for n in names if n}


def _excluded_by_readmes(root: Path, folder: Path) -> str | None:
    """The README that excludes ``folder``, if one in it or an ancestor up to root does."""
    rel = folder.relative_to(root)
    here = folder
    while True:
        for name in _README_NAMES:
            readme = here / name
            if readme.is_file():
                target = folder.relative_to(here).as_posix()
                names = _not_scored_names(readme)
                if target in names or (here == folder and _says_itself_not_scored(readme)):
                    return f"{rel.as_posix()} ({readme.relative_to(root).as_posix()})"
        if here == root:
            return None
        here = here.parent


def _says_itself_not_scored(readme: Path) -> bool:
    # A set's own README whose first heading or line says it is not scored.
    try:
        lines = [ln for ln in readme.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return False
    first = next((ln for ln in lines if ln.strip()), "")
    return bool(_NOT_SCORED.search(first))


def load_labelled_images(root: Path, exclude: Iterable[str] = ()) -> LabelledSet:
    """Every scored image under ``root`` (sorted), with its expected payload."""
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    patterns = list(exclude)
    images: list[LabelledImage] = []
    skipped: list[str] = []
    bad: list[str] = []
    unlabelled = 0
    folders = [root, *sorted(p for p in root.rglob("*") if p.is_dir())]
    excluded_roots: list[Path] = []
    for folder in folders:
        if any(folder.is_relative_to(parent) for parent in excluded_roots):
            continue
        rel = folder.relative_to(root).as_posix()
        reason = None
        if (folder / NOT_SCORED_MARKER).exists():
            reason = f"{rel} ({NOT_SCORED_MARKER})"
        elif any(fnmatch.fnmatch(rel, p) for p in patterns):
            reason = f"{rel} (--exclude)"
        else:
            reason = _excluded_by_readmes(root, folder)
        if reason is not None:
            skipped.append(reason)
            excluded_roots.append(folder)
            continue
        for image in sorted(folder.iterdir()):
            if not image.is_file() or image.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            label = image.with_suffix(".txt")
            if not label.is_file():
                unlabelled += 1
                continue
            try:
                expected = label.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                bad.append(label.relative_to(root).as_posix())
                continue
            images.append(LabelledImage(image, expected, rel))
    return LabelledSet(images, skipped, unlabelled, bad)
