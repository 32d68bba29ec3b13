"""Build the frozen kiosk and run its self-check: what IT installs must have every part.

Takes about a minute and 500 MB, so it runs in CI (any truthy ``CI``: tests/support/ci.py)
and when asked for (PIKA_BUILD_TESTS=1); elsewhere it skips and says how to run it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from installers.signing import _raw, verify
from tests.support.ci import running_in_ci

ROOT = Path(__file__).resolve().parents[2]
WANTED = running_in_ci() or os.environ.get("PIKA_BUILD_TESTS") == "1"


@pytest.mark.slow
@pytest.mark.skipif(
    not WANTED,
    reason="builds the frozen kiosk (~1 min): "
    "run with PIKA_BUILD_TESTS=1 scripts/test tests/installers",
)
def test_frozen_kiosk_builds_passes_its_self_check_and_is_signed(tmp_path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = tmp_path / "release.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    dist = tmp_path / "dist"
    env = {**os.environ, "DIST_DIR": str(dist), "PIKA_RELEASE_KEY": str(pem)}
    result = subprocess.run(
        ["bash", "installers/build.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    check = json.loads((dist / "self-check.json").read_text())
    assert check["ok"] and check["frozen"], check
    archive = Path(result.stdout.strip().splitlines()[-1])
    verify(archive, archive.with_name(archive.name + ".sig"), _raw(key.public_key()))
