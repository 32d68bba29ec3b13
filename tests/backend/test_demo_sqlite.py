"""The zero-setup demo: migrations, head-office CLI and the push path on SQLite."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pika_protocol import sync_wire
from sync_backend.app import create_app
from sync_backend.cli import demo_settings, main, seed_demo
from sync_backend.migrate import head_revision, upgrade


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_head_office_cli_on_the_demo_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "demo.db")
    demo = ["--demo", "--demo-db", db]
    now = datetime.now(UTC)  # print-book refuses an offer that has ended by the real clock
    assert run(capsys, "migrate", *demo)["migrated_to"] == head_revision()
    business = run(capsys, "create-business", "Heladería Sur", "--tier", "BASIC", *demo)
    offer = run(
        capsys,
        "create-offer",
        "--business",
        str(business["id"]),
        "--title",
        "Helado 2x1",
        "--discount",
        "2x1",
        "--from",
        (now - timedelta(days=1)).isoformat(),
        "--until",
        (now + timedelta(days=365)).isoformat(),
        "--variant",
        "1:A:1",
        "--variant",
        "2:B:1",
        *demo,
    )
    pdf = tmp_path / "book.pdf"
    book = run(
        capsys, "print-book", "--offer", str(offer["id"]), "--copies", "3", "--pdf", str(pdf), *demo
    )
    assert book["copies"] == 3 and pdf.read_bytes().startswith(b"%PDF")
    qr = tmp_path / "code.png"
    code = run(
        capsys,
        "enrolment-code",
        "--business",
        str(business["id"]),
        "--qr",
        str(qr),
        "--server",
        "https://pika.example/",
        *demo,
    )
    assert len(code["code"]) == 12 and qr.read_bytes().startswith(b"\x89PNG")
    assert code["qr_text"] == f"pika-enrol:{code['code']}@https://pika.example"
    assert run(capsys, "revoke-voucher", str(book["first_serial"]), "--reason", "test", *demo)[
        "serial"
    ]
    assert run(capsys, "rotate-signing-key", *demo)["key_id"] == 2
    assert run(capsys, "fraud-check", *demo) == {"new_flags": 0}
    assert run(capsys, "purge-idempotency", *demo) == {"purged": 0}
    # A refusal is a clear error on stderr and exit code 2, not a traceback.
    assert main(["revoke-voucher", str(book["first_serial"]), *demo]) == 2
    assert "already_revoked" in capsys.readouterr().err
    for copies in ("0", "-3", "100001"):
        assert main(["print-book", "--offer", str(offer["id"]), "--copies", copies, *demo]) == 2
        assert "invalid_copies" in capsys.readouterr().err


def test_push_and_pull_on_sqlite(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path / "demo.db")
    upgrade(settings.database_url)
    seeded = seed_demo(settings)
    with TestClient(create_app(settings)) as client:
        enrolled = client.post(
            sync_wire.ENROL_PATH, json={"code": seeded["enrolment_code"], "device_name": "Caja"}
        ).json()
        headers = {"Authorization": f"Bearer {enrolled['api_key']}"}
        pulled = client.get(sync_wire.PULL_PATH, headers=headers).json()
        assert len(pulled["vouchers"]) == 24 and pulled["cursor"]
        token = pulled["vouchers"][0]["token"]
        # The demo offer is valid from "yesterday" on the real clock: scan inside it.
        scanned_at = datetime.now(UTC)

        def item() -> dict[str, object]:
            return {
                "id": str(uuid.uuid4()),
                "kind": "redemption",
                "token": token,
                "business_id": seeded["business_id"],
                "reason": "valid",
                "scanned_at": scanned_at.isoformat(),
                "device_id": enrolled["device_id"],
                "source": "manual",
            }

        first, second = item(), item()
        body = {"items": [first, second]}
        answer = client.post(
            sync_wire.PUSH_PATH, headers={**headers, "Idempotency-Key": "a"}, json=body
        )
        assert [r["outcome"] for r in answer.json()["results"]] == ["accepted", "conflict"]
        replay = client.post(
            sync_wire.PUSH_PATH, headers={**headers, "Idempotency-Key": "a"}, json=body
        )
        assert replay.content == answer.content
        again = client.post(
            sync_wire.PUSH_PATH,
            headers={**headers, "Idempotency-Key": "b"},
            json={"items": [first]},
        )
        assert again.json()["results"][0]["outcome"] == "duplicate"
        other = client.post(
            sync_wire.PUSH_PATH,
            headers={**headers, "Idempotency-Key": "a"},
            json={"items": [first]},
        )
        assert other.status_code == 422

        # A void frees the copy on SQLite too (the narrowed partial unique index).
        void = {
            "id": str(uuid.uuid4()),
            "kind": "void",
            "redemption_id": first["id"],
            "void_reason": "cashier-undo",
            "voided_at": (scanned_at + timedelta(minutes=1)).isoformat(),
            "business_id": seeded["business_id"],
            "device_id": enrolled["device_id"],
        }
        body = {"items": [void, item()]}
        voided = client.post(
            sync_wire.PUSH_PATH, headers={**headers, "Idempotency-Key": "c"}, json=body
        )
        assert [r["outcome"] for r in voided.json()["results"]] == ["accepted", "accepted"]
