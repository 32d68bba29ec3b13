"""The restore drill: a database filled through the API, backed up, restored into a fresh one,
identical table by table, and still signing with the same secret (and only with it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pika_protocol.tokens import verify
from sync_backend.app import create_app
from sync_backend.backups import archive
from sync_backend.backups.dump import take_backup
from sync_backend.backups.errors import DatabaseNotEmpty
from sync_backend.backups.fingerprint import fingerprint
from sync_backend.backups.restore import restore_backup, user_objects
from sync_backend.settings import Settings
from tests.backend.backups.support import (
    empty_database,
    fill_through_the_api,
    pulled_tokens,
    settings_for,
)
from tests.backend.support import ADMIN, Kit, push

pytestmark = pytest.mark.postgres


def test_a_restored_backup_is_the_same_database_and_still_signs(
    client: TestClient,
    kit: Kit,
    session: Session,
    settings: Settings,
    database_url: str,
    postgres_server: str,
    tmp_path: Path,
) -> None:
    filled = fill_through_the_api(client, kit, session)
    before = fingerprint(database_url)
    empty = [t for t, v in before.items() if t not in ("sequences", "triggers") and not v[0]]
    assert not empty, f"the drill leaves these tables empty: {empty}"
    # 6 redemptions (one voided since), a conflict and a rejected scan
    assert before["redemptions"][0] == 8 and before["events"][0] > 0
    assert before["signing_keys"][0] == 2 and before["vouchers"][0] == 18

    backup = take_backup(database_url, tmp_path / "backups", keep_days=7)
    assert backup.path.name.startswith("pika-") and backup.path.suffix == ".dump"
    assert archive.verify_checksum(backup.path) == backup.sha256
    assert backup.path.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    # The secret that decrypts the signing keys is in the environment, never in the dump.
    assert settings.signing_key_secret.encode() not in backup.path.read_bytes()

    with empty_database(postgres_server) as restored_url:
        restored = restore_backup(restored_url, backup.path)
        assert restored.sha256 == backup.sha256 and restored.tables == len(before) - 2
        after = fingerprint(restored_url)
        assert after == before
        # The event log is append-only after a restore too (its triggers came back).
        engine = sa.create_engine(restored_url, poolclass=sa.pool.NullPool)
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text("UPDATE events SET kind = 'x'"))
        engine.dispose()

        # Same secret: the kiosk's key still works, pull signs the same tokens again, a new
        # book is signed, and a push after the restore is idempotent with the ones before.
        kiosk = filled["kiosk"]
        with TestClient(create_app(settings_for(settings, restored_url))) as again:
            assert pulled_tokens(again, kiosk) == filled["tokens"]
            book = again.post(
                f"/v1/admin/offers/{filled['offer']}/books", headers=ADMIN, json={"copies": 2}
            )
            assert book.status_code == 201, book.text
            fresh = pulled_tokens(again, kiosk)
            assert len(fresh) == 20
            replay = push(again, kiosk, kiosk.item(filled["tokens"][2]))
            assert replay.json()["results"][0]["outcome"] == "conflict"
            keys = _public_keys(restored_url)
            signed_by = {verify(t, keys).claims.key_id for t in fresh}  # type: ignore[union-attr]
            assert signed_by == {1, 2}

        # Another secret: the signing keys at rest cannot be read, and it says so.
        other = settings_for(
            settings, restored_url, signing_key_secret=Fernet.generate_key().decode()
        )
        with TestClient(create_app(other)) as wrong:
            answer = wrong.post(
                f"/v1/admin/offers/{filled['offer']}/books", headers=ADMIN, json={"copies": 1}
            )
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "signing_key_unreadable"

        # A second restore into the now full database is refused before anything changes.
        with pytest.raises(DatabaseNotEmpty, match="restore into a new empty database"):
            restore_backup(restored_url, backup.path)
        assert user_objects(restored_url) > 0


def _public_keys(database_url: str) -> dict[int, Ed25519PublicKey]:
    from sync_backend.vouchers.signing import public_keys

    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with Session(engine) as session:
            return public_keys(session)
    finally:
        engine.dispose()
