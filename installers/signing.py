"""Signing and verifying kiosk release archives (Ed25519 over the archive's SHA-256).

Head office keeps the release private key; IT gets the public key once (e.g. printed in the
install guide) and runs ``verify`` before installing. The signature file is small text:

    pika-release-signature v1
    sha256 <hex of the archive>
    key <hex of the public key>
    sig <hex of the Ed25519 signature over the line "sha256 <hex>">

Windows builds additionally need Authenticode (signtool / osslsigncode) so SmartScreen and
antivirus trust the executable; that step needs a code-signing certificate and is not here.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEADER = "pika-release-signature v1"


class SignatureError(Exception):
    """The archive does not match its signature, or the signature is not ours."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _raw(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign(archive: Path, private_key: Ed25519PrivateKey) -> Path:
    statement = f"sha256 {sha256_file(archive)}"
    signature = private_key.sign(statement.encode()).hex()
    out = archive.with_name(archive.name + ".sig")
    out.write_text(
        f"{HEADER}\n{statement}\nkey {_raw(private_key.public_key())}\nsig {signature}\n"
    )
    return out


def verify(archive: Path, signature_file: Path, trusted_public_key_hex: str) -> None:
    """Raises :class:`SignatureError` unless ``archive`` is signed by the trusted key."""
    lines = dict(
        line.split(" ", 1) for line in signature_file.read_text().splitlines()[1:] if " " in line
    )
    if signature_file.read_text().splitlines()[:1] != [HEADER]:
        raise SignatureError("not a Pika release signature file")
    if lines.get("key") != trusted_public_key_hex.lower():
        raise SignatureError("signed by a key that is not the trusted release key")
    statement = f"sha256 {sha256_file(archive)}"
    if lines.get("sha256") != statement.split(" ", 1)[1]:
        raise SignatureError("the archive's contents differ from what was signed")
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(trusted_public_key_hex))
    try:
        key.verify(bytes.fromhex(lines.get("sig", "")), statement.encode())
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("the signature does not verify") from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError(f"{path} is not an Ed25519 private key")
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sign or verify a kiosk release archive.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sign")
    s.add_argument("archive", type=Path)
    s.add_argument("--key", type=Path, required=True, help="Ed25519 private key (PEM)")
    v = sub.add_parser("verify")
    v.add_argument("archive", type=Path)
    v.add_argument("--public-key", required=True, help="the trusted release key, hex")
    g = sub.add_parser("new-key", help="make a release key pair (keep the PEM secret)")
    g.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "sign":
        print(sign(args.archive, load_private_key(args.key)))
    elif args.command == "verify":
        try:
            verify(
                args.archive, args.archive.with_name(args.archive.name + ".sig"), args.public_key
            )
        except (SignatureError, OSError) as exc:
            print(f"NOT VERIFIED: {exc}", file=sys.stderr)
            return 1
        print(f"verified: {args.archive.name}")
    else:
        key = Ed25519PrivateKey.generate()
        args.out.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        args.out.chmod(0o600)
        print(f"public key (give this to IT): {_raw(key.public_key())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
