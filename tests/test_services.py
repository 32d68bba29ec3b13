"""tests/support/services.py: the throwaway Postgres and Redis start, serve and leave nothing,
in every run (not only on machines without servers); a server named but down is an error."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from tests.support import services


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary folder the throwaway servers go into (one the ``postgres`` user can enter)."""
    folder = Path(tempfile.mkdtemp(prefix="pika-test-services-"))
    folder.chmod(0o755)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_private_servers_serve_and_leave_nothing_behind(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIKA_TEST_POSTGRES", services.PRIVATE)
    monkeypatch.setenv("PIKA_TEST_REDIS", services.PRIVATE)
    with services.postgres_in_use() as postgres, services.redis_in_use() as redis_url:
        assert sa.make_url(postgres).port not in (None, 5432)
        engine = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text('CREATE DATABASE "pika_services_probe"'))
                assert conn.execute(sa.text("SHOW fsync")).scalar_one() == "off"
        finally:
            engine.dispose()
        client = redis.Redis.from_url(redis_url)
        assert client.set("probe", "1") and client.get("probe") == b"1"
        client.close()
        assert len(list(scratch.iterdir())) == 2  # one folder each
    assert services.postgres_problem(postgres) is not None
    assert services.redis_problem(redis_url) is not None
    assert list(scratch.iterdir()) == []


def test_a_named_server_that_does_not_answer_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIKA_TEST_REDIS", "redis://127.0.0.1:1/0")
    with pytest.raises(
        services.ServiceError, match=re.escape("PIKA_TEST_REDIS=redis://127.0.0.1:1/0")
    ):
        services.redis_in_use()


def test_postgres_binaries_are_found_off_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Debian (scripts/setup.sh) keeps initdb in /usr/lib/postgresql/<version>/bin."""
    monkeypatch.setenv("PATH", os.defpath)
    bindir = services.postgres_bindir()
    assert bindir.parts[:4] == ("/", "usr", "lib", "postgresql")
    assert (bindir / "postgres").exists()
