"""``pika-bench record``: time to record one redemption in the encrypted kiosk store.

Each ``record_scan`` is its own transaction (redemption + scan + outbox item + event), as at
the counter, on a fresh store in a temporary directory with keys and an offer loaded. In the
same run the same work is timed twice more, so the figures explain themselves:

* ``plain_*``: the very same :class:`KioskStore` code over an unencrypted stdlib ``sqlite3``
  file with the same schema and pragmas; ``encryption_ratio`` is the price of SQLCipher.
* ``raw_sqlite3_*``: the four INSERTs hand-written on a bare ``sqlite3`` cursor in one
  transaction, unencrypted: the floor. ``code_ratio`` is what SQLAlchemy and the store add.

Validations are made before timing (they cost ``pika-bench verify``); only recording is timed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scans", type=int, default=2000, help="redemptions timed per store")
    parser.add_argument("--warmup", type=int, default=100, help="untimed redemptions first")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the temporary stores go (default: $TMPDIR)"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    from app.core.store import DiscountKind, KioskStore, Offer
    from app.core.store.migrate import upgrade_to_head
    from pika_bench.stats import summary_ms
    from pika_protocol.tokens import VoucherClaims, public_key_bytes, sign
    from pika_protocol.validation import validate

    signing_key = Ed25519PrivateKey.generate()
    public_keys = {1: signing_key.public_key()}
    total = args.warmup + args.scans
    now = datetime.now(UTC)
    tokens = [
        sign(
            VoucherClaims(
                key_id=1,
                business_id=1,
                offer_id=1,
                serial=serial,
                valid_from=0,
                valid_until=2**32 - 1,
                variant=serial % 2,
            ),
            signing_key,
        )
        for serial in range(1, total + 1)
    ]
    validations = [
        validate(
            token,
            business_id=1,
            public_keys=public_keys,
            revoked_serials=frozenset(),
            find_redemption=lambda serial: None,
            now=now,
        )
        for token in tokens
    ]
    assert all(v.accepted for v in validations)

    def prepare(store: KioskStore) -> None:
        store.reference.add_public_key(1, public_key_bytes(signing_key.public_key()))
        store.settings.set("device_id", "bench-device")
        store.settings.set("device_name", "Caja bench")
        store.reference.upsert_offer(
            Offer(
                offer_id=1,
                business_id=1,
                title="Bench offer",
                discount_text="10%",
                discount_kind=DiscountKind.PERCENT,
                discount_value=10,
            )
        )

    def time_store(store: KioskStore) -> list[float]:
        samples: list[float] = []
        for index, (token, validation) in enumerate(zip(tokens, validations, strict=True)):
            start = time.perf_counter()
            recorded = store.activity.record_scan(
                validation,
                scan_id=uuid.uuid4(),
                scanned_at=now,
                device_id="bench-device",
                source="camera",
                raw_text=token,
            )
            elapsed = time.perf_counter() - start
            if not recorded.accepted:
                raise RuntimeError(f"redemption {index} was not accepted: {recorded.reason}")
            if index >= args.warmup:
                samples.append(elapsed)
        if store.outbox.pending_count() != total:
            raise RuntimeError("the outbox does not hold one item per redemption")
        return samples

    with tempfile.TemporaryDirectory(prefix="pika-bench-record-", dir=args.dir) as tmp:
        directory = Path(tmp)
        encrypted_path = directory / "encrypted.db"
        key = secrets.token_bytes(32)

        start = time.perf_counter()
        store = KioskStore.open(encrypted_path, key)
        create_s = time.perf_counter() - start
        prepare(store)
        store.close()
        start = time.perf_counter()
        store = KioskStore.open(encrypted_path, key)
        reopen_s = time.perf_counter() - start
        encrypted = time_store(store)
        store.close()
        start = time.perf_counter()
        KioskStore.open(encrypted_path, key).close()
        reopen_full_s = time.perf_counter() - start
        encrypted_size = encrypted_path.stat().st_size

        # The same store code on an unencrypted file: only SQLCipher differs.
        plain_path = directory / "plain.db"
        raw_plain = sqlite3.connect(plain_path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
            raw_plain.execute(f"PRAGMA {pragma}")
        engine = create_engine("sqlite://", creator=lambda: raw_plain, poolclass=StaticPool)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        connection = engine.connect()
        upgrade_to_head(connection)
        plain_store = KioskStore(plain_path, engine, connection)
        prepare(plain_store)
        plain = time_store(plain_store)
        plain_store.close()

        raw = _time_raw_sqlite3(
            directory / "raw.db", plain_path, tokens, validations, now, warmup=args.warmup
        )

    ours = summary_ms(encrypted)
    plain_summary = summary_ms(plain)
    raw_summary = summary_ms(raw)
    return {
        **ours,
        "plain_p50_ms": plain_summary["p50_ms"],
        "plain_p95_ms": plain_summary["p95_ms"],
        "raw_sqlite3_p50_ms": raw_summary["p50_ms"],
        "raw_sqlite3_p95_ms": raw_summary["p95_ms"],
        "encryption_ratio_p50": round(ours["p50_ms"] / plain_summary["p50_ms"], 3),
        "encryption_ratio_p95": round(ours["p95_ms"] / plain_summary["p95_ms"], 3),
        "code_ratio_p50": round(plain_summary["p50_ms"] / raw_summary["p50_ms"], 3),
        "create_store_ms": round(create_s * 1000, 2),
        "open_store_ms": round(reopen_s * 1000, 2),
        "open_store_after_run_ms": round(reopen_full_s * 1000, 2),
        "store_bytes_after_run": encrypted_size,
        "warmup": args.warmup,
    }


def _time_raw_sqlite3(
    path: Path,
    schema_from: Path,
    tokens: list[str],
    validations: list[Any],
    now: datetime,
    *,
    warmup: int,
) -> list[float]:
    """The floor: the same four rows per redemption, hand-written SQL, no encryption."""
    source = sqlite3.connect(schema_from)
    ddl = [
        sql
        for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'sqlite_sequence'"
        )
    ]
    source.close()
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
        conn.execute(f"PRAGMA {pragma}")
    for sql in ddl:
        conn.execute(sql)
    at = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    samples: list[float] = []
    for index, (token, validation) in enumerate(zip(tokens, validations, strict=True)):
        claims = validation.claims
        scan_id = uuid.uuid4().hex
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO redemptions (redemption_id, serial, offer_id, business_id, variant,"
            " redeemed_at, device_id, device_name, source) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (serial) WHERE voided_at IS NULL DO NOTHING",
            (
                scan_id,
                claims.serial,
                claims.offer_id,
                claims.business_id,
                claims.variant,
                at,
                "bench-device",
                "Caja bench",
                "camera",
            ),
        )
        conn.execute(
            "INSERT INTO scans (scan_id, scanned_at, device_id, source, reason, serial,"
            " offer_id, business_id, variant, raw_excerpt, raw_length, detail,"
            " refused_by_store, redemption_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                scan_id,
                at,
                "bench-device",
                "camera",
                "valid",
                claims.serial,
                claims.offer_id,
                claims.business_id,
                claims.variant,
                token,
                len(token),
                "",
                0,
                scan_id,
            ),
        )
        payload = json.dumps({"id": scan_id, "token": token, "serial": claims.serial})
        conn.execute(
            "INSERT INTO outbox (item_id, kind, payload, created_at, attempts, state)"
            " VALUES (?,?,?,?,?,?)",
            (scan_id, "redemption", payload, at, 0, "pending"),
        )
        conn.execute(
            "INSERT INTO events (at, type, payload) VALUES (?,?,?)",
            (at, "redemption.recorded", payload),
        )
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        if index >= warmup:
            samples.append(elapsed)
    conn.close()
    return samples
