from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from installers.signing import SignatureError, _raw, sign, verify


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "pika-kiosk-0.1.0-linux-x86_64.tar.gz"
    path.write_bytes(b"not really a tarball, but bytes are bytes" * 1000)
    return path


def test_signed_archive_verifies_with_the_release_key(archive) -> None:
    key = Ed25519PrivateKey.generate()
    signature = sign(archive, key)
    verify(archive, signature, _raw(key.public_key()))


def test_a_changed_archive_is_refused(archive) -> None:
    key = Ed25519PrivateKey.generate()
    signature = sign(archive, key)
    data = bytearray(archive.read_bytes())
    data[500] ^= 1
    archive.write_bytes(bytes(data))
    with pytest.raises(SignatureError, match="differ"):
        verify(archive, signature, _raw(key.public_key()))


def test_a_signature_by_another_key_is_refused(archive) -> None:
    signature = sign(archive, Ed25519PrivateKey.generate())
    with pytest.raises(SignatureError, match="not the trusted"):
        verify(archive, signature, _raw(Ed25519PrivateKey.generate().public_key()))


def test_a_forged_signature_line_is_refused(archive) -> None:
    key = Ed25519PrivateKey.generate()
    signature = sign(archive, key)
    lines = signature.read_text().splitlines()
    lines[3] = "sig " + "00" * 64
    signature.write_text("\n".join(lines) + "\n")
    with pytest.raises(SignatureError, match="does not verify"):
        verify(archive, signature, _raw(key.public_key()))
