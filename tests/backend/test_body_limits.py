"""Every route refuses a body past its limit with 413, counted as it streams (issue 12, defect 4).

Before: a chunked body (no Content-Length) went through the size check untouched, and FastAPI
read all of it before the route could refuse it: 300 MB to ``/v1/devices/enrol`` grew a worker
from 155 to 1,046 MB before the 422, and the same on admin routes before the 401.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from pika_bench.backend_server import free_port, settings_env, start_server, stop_server
from pika_protocol import sync_wire
from sync_backend.deps import services_of
from sync_backend.settings import Settings
from tests.backend.support import Kit

CHUNK = b"x" * 65536
#: What a hostile client offers to send; the server must stop it long before the end.
OFFERED_BYTES = 192 * 1024 * 1024


def chunks(total: int) -> Iterator[bytes]:
    for _ in range(total // len(CHUNK)):
        yield CHUNK


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.fixture(scope="module")
def served(settings: Settings) -> Iterator[tuple[str, int]]:
    """A real ``pika-backend serve`` (one worker: the serving process is the worker)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        process = start_server(
            settings_env(settings), port, workers=1, log_path=Path(folder) / "server.log"
        )
        try:
            yield f"http://127.0.0.1:{port}", process.pid
        finally:
            stop_server(process)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (sync_wire.ENROL_PATH, {}),
        ("/v1/admin/businesses", {}),  # no admin token: before, 401 only after the whole body
        (sync_wire.PUSH_PATH, {"Authorization": "Bearer nobody", "Idempotency-Key": "k"}),
    ],
)
def test_a_streamed_body_is_refused_before_it_grows_the_worker(
    served: tuple[str, int], path: str, headers: dict[str, str]
) -> None:
    url, pid = served
    before = peak_rss_mb(pid)
    response = httpx.post(
        url + path,
        headers={**headers, "Content-Type": "application/json"},
        content=chunks(OFFERED_BYTES),
        timeout=120,
    )
    assert response.status_code == 413, response.text[:200]
    assert response.json()["error"]["code"] == "body_too_large"
    assert "content-length" not in response.request.headers  # really chunked
    grown = peak_rss_mb(pid) - before
    assert grown < 32, f"worker peak RSS grew {grown:.0f} MB for a refused body"
    # The worker still serves.
    assert httpx.get(url + "/health/live", timeout=10).status_code == 200


def test_push_takes_larger_bodies_than_other_routes(client: TestClient, kit: Kit) -> None:
    """Push carries batches: its limit is ``max_push_body_bytes``, every other route's
    ``max_body_bytes``; both count streamed bytes."""
    settings = services_of(client.app).settings  # type: ignore[arg-type]
    assert settings.max_push_body_bytes > settings.max_body_bytes
    between = settings.max_body_bytes + 1024

    def body() -> Iterator[bytes]:  # a generator: no Content-Length
        yield b'{"code": "' + b"A" * between + b'"}'

    enrol = client.post(sync_wire.ENROL_PATH, content=body())
    assert enrol.status_code == 413 and enrol.json()["error"]["code"] == "body_too_large"
    kiosk = kit.kiosk(kit.business())
    push = client.post(
        sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": "k", "Content-Type": "application/json"},
        content=body(),
    )
    assert push.status_code == 422  # read whole, then refused by the schema, not by size


def test_declared_length_over_the_limit_is_refused_unread(client: TestClient) -> None:
    limit = services_of(client.app).settings.max_body_bytes  # type: ignore[arg-type]
    response = client.post(
        "/v1/admin/businesses", content=b"{" + b" " * limit + b"}", headers={"X": "y"}
    )
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
