"""Where a process's resident memory lives, for ``pika-bench soak --heap``: glibc's own
accounting (``mallinfo2``: bytes in use vs free in its arenas), SQLite's allocator, and
``/proc/self/smaps`` grouped by kind of mapping. Tells a leak (bytes in use grow) from
allocator fragmentation (free bytes held grow) from file pages (libraries, the database)."""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path
from typing import Any


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    if not hasattr(libc, "mallinfo2"):
        return None
    libc.mallinfo2.restype = _MallInfo2
    return libc


_LIBC = _libc()


def mallinfo() -> dict[str, float] | None:
    """glibc's arenas in MB: ``in_use`` (malloc'd, not freed), ``free_held`` (freed but kept),
    ``mmapped`` (large blocks), or None off glibc."""
    if _LIBC is None:
        return None
    info = _LIBC.mallinfo2()
    mb = 1024 * 1024
    return {
        "arena_mb": round(info.arena / mb, 2),
        "in_use_mb": round(info.uordblks / mb, 2),
        "free_held_mb": round(info.fordblks / mb, 2),
        "mmapped_mb": round(info.hblkhd / mb, 2),
        "top_free_mb": round(info.keepcost / mb, 2),
    }


def sqlite_memory_mb() -> float | None:
    """Bytes SQLCipher's allocator holds (page cache, statements, schema), in MB."""
    try:
        import sqlcipher3._sqlite3 as ext

        lib = ctypes.CDLL(ext.__file__)
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        return round(lib.sqlite3_memory_used() / 1024 / 1024, 2)
    except (OSError, AttributeError, ImportError):
        return None


def smaps_by_kind(pid: int | str = "self") -> dict[str, float]:
    """Resident MB per kind of mapping: heap, anonymous (by size: arenas and big blocks),
    stacks, shared libraries, other files, in MB."""
    kinds: dict[str, float] = {}
    kind = "other"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split(maxsplit=5)
        if head and "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
            start, end = (int(x, 16) for x in head[0].split("-"))
            size = end - start
            name = head[5] if len(head) > 5 else ""
            if name == "[heap]":
                kind = "heap"
            elif name.startswith("[stack"):
                kind = "stack"
            elif name.startswith("["):
                kind = "special"
            elif ".so" in name:
                kind = "libraries"
            elif name:
                kind = "files"
            elif start % (64 * 1024 * 1024) == 0:
                kind = "anon_thread_arenas"  # glibc's per-thread heaps are 64 MB aligned
            elif size >= 1024 * 1024:
                kind = "anon_large"
            else:
                kind = "anon_small"
        elif line.startswith("Rss:"):
            kinds[kind] = kinds.get(kind, 0.0) + int(line.split()[1]) / 1024
    return {k: round(v, 1) for k, v in sorted(kinds.items())}


def snapshot() -> dict[str, Any]:
    return {"malloc": mallinfo(), "sqlite_mb": sqlite_memory_mb(), "smaps": smaps_by_kind()}
