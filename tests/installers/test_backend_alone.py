"""Head office installs and runs without the kiosk: `pip install ".[backend]"` in a fresh
virtualenv brings no Qt and no OpenCV, and `pika-backend serve` migrates a real Postgres and
answers its health checks (issue 13: a backend-only install).

Installs about 40 packages into a new virtualenv (about a minute, from pip's cache after the
first time), so it runs in CI (any truthy ``CI``: tests/support/ci.py) and when asked for
(PIKA_BUILD_TESTS=1); elsewhere it skips and says how to run it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pika_bench.backend_server import settings_env, throwaway_database
from tests.backend.support import make_settings
from tests.support.ci import running_in_ci

ROOT = Path(__file__).resolve().parents[2]
WANTED = running_in_ci() or os.environ.get("PIKA_BUILD_TESTS") == "1"

#: What the kiosk needs and head office must not drag in.
KIOSK_ONLY = ("PySide6", "cv2", "sqlcipher3", "keyring", "pyzbar", "reedsolo", "qrcode")


@pytest.mark.slow
@pytest.mark.skipif(
    not WANTED,
    reason="installs the backend alone in a new virtualenv (~1 min): "
    "run with PIKA_BUILD_TESTS=1 scripts/test tests/installers",
)
def test_the_backend_installs_alone_and_serves(tmp_path: Path, postgres_server: str) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
            "-c", str(ROOT / "constraints.txt"), f"{ROOT}[backend]",
        ],
        check=True,
        timeout=900,
    )  # fmt: skip

    # Outside the checkout and without PYTHONPATH: the installed package, not the source tree.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    found = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util, sys; import sync_backend.app;"
            f"print([m for m in {KIOSK_ONLY!r} if importlib.util.find_spec(m)]);"
            "print([m for m in sys.modules if m == 'app' or m.startswith('app.')])",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert found.stdout.splitlines() == ["[]", "[]"], found.stdout + found.stderr

    with throwaway_database(postgres_server, prefix="pika_alone") as url:
        server_env = settings_env(make_settings(url))
        server_env.pop("PYTHONPATH", None)
        port = _free_port()
        log = tmp_path / "serve.log"
        with open(log, "wb") as out:
            server = subprocess.Popen(
                [str(venv / "bin" / "pika-backend"), "serve", "--host", "127.0.0.1",
                 "--port", str(port), "--workers", "1"],
                cwd=tmp_path,
                env=server_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            assert _answers(f"http://127.0.0.1:{port}/health/ready", server), log.read_text()
            live = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=5)
            assert live.status_code == 200
        finally:
            server.terminate()
            server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str, server: subprocess.Popen[bytes], timeout_s: float = 60) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False
