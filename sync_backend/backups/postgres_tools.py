"""pg_dump and pg_restore of the server's own major version, and how they reach the server.

A pg_dump older than the server refuses to dump it, and an archive from a newer pg_dump may not
restore with an older pg_restore; so both tools must be of the server's major version, checked
before each run rather than discovered half way. Debian installs each version's tools in
``/usr/lib/postgresql/<major>/bin`` (package ``postgresql-client-<major>``); the one on
``PATH`` is a wrapper that may pick another version. ``PIKA_PG_BIN_DIR`` names the folder
outright.

The password never goes on a command line (``ps`` shows those) nor into an error message: the
tools get it as ``PGPASSWORD`` in their environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from sync_backend.backups.errors import DatabaseUnreachable, PostgresToolsMismatch

DEBIAN_BIN = "/usr/lib/postgresql/{major}/bin"
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


@dataclass(frozen=True, slots=True)
class Target:
    """A database as libpq tools see it: a URI without the password, and the password."""

    uri: str
    password: str | None
    name: str

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PGPASSWORD", None)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def target_of(database_url: str) -> Target:
    """``postgresql+psycopg://u:p@h:5432/db?sslmode=require`` as libpq's URI and password."""
    url = sa.make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise PostgresToolsMismatch(
            f"backups need Postgres, not {url.drivername} (the demo's SQLite file is copied "
            "as a file)",
            code="not_postgres",
        )
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return Target(uri, url.password, url.database or "")


def server_major(database_url: str) -> int:
    """The server's major version (the first thing each command asks the database)."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            number = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one())
    except sa.exc.OperationalError as exc:
        raise DatabaseUnreachable(
            f"the database {sa.make_url(database_url).database!r} did not answer: "
            f"{str(exc.orig).strip() if exc.orig else exc}"
        ) from exc
    finally:
        engine.dispose()
    return number // 10000


def tool_major(tool: Path) -> int:
    try:
        out = subprocess.run(
            [str(tool), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise PostgresToolsMismatch(f"{tool} --version failed: {exc}") from exc
    match = _VERSION.search(out)
    if match is None:
        raise PostgresToolsMismatch(f"{tool} --version said {out.strip()!r}")
    return int(match.group(1))


def find_tool(name: str, major: int, bin_dir: str = "") -> Path:
    """``name`` (pg_dump, pg_restore) of Postgres ``major``, or a typed error saying what to
    install."""
    candidates = (
        [Path(bin_dir) / name] if bin_dir else [Path(DEBIAN_BIN.format(major=major)) / name]
    )
    on_path = shutil.which(name)
    if not bin_dir and on_path:
        candidates.append(Path(on_path))
    install = (
        f"install Debian's postgresql-client-{major} (apt-get install postgresql-client-{major}) "
        f"or set PIKA_PG_BIN_DIR to the folder of version {major}'s tools"
    )
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            found = tool_major(candidate)
            if found != major:
                raise PostgresToolsMismatch(
                    f"{candidate} is version {found} but the server is {major}: {install}",
                    extra={"tool": str(candidate), "tool_major": found, "server_major": major},
                )
            return candidate
    raise PostgresToolsMismatch(f"{name} was not found: {install}", extra={"server_major": major})
