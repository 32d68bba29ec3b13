"""``pika-backend``: run the server, migrate, and head office's commands.

    pika-backend serve [--demo] [--host H] [--port P] [--workers N] [--loop L]
                       [--forwarded-allow-ips IPS]
    pika-backend migrate
    pika-backend create-business NAME [--tier BASIC|PREMIUM|ENTERPRISE]
    pika-backend create-offer --business ID --title T --discount D --from ISO --until ISO
                              [--cap-total N] [--cap-per-customer N] [--variant 1:A:50 ...]
    pika-backend print-book --offer ID --copies N [--pdf PATH]
    pika-backend enrolment-code --business ID [--qr PATH]
    pika-backend revoke-voucher SERIAL [--reason TEXT]
    pika-backend revoke-device DEVICE_ID
    pika-backend rotate-signing-key
    pika-backend fraud-check
    pika-backend purge-idempotency
    pika-backend backup [--if-due] [--dir DIR]
    pika-backend restore FILE [--database-url URL] [--verify-only]
    pika-backend analytics rebuild [--verify] | project | distribute | payment | usual-ticket
                                   (sync_backend/analytics/commands.py)

Head-office commands use the same services as the admin API, against ``PIKA_DATABASE_URL``
(``--demo`` points them at the demo SQLite file), and print JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend import migrate
from sync_backend.cli_args import output_file, record_id, variant
from sync_backend.db import make_engine, make_sessionmaker
from sync_backend.settings import DEV_ADMIN_TOKEN, Environment, Settings, Tier, get_settings

DEMO_DB = Path("pika-backend-demo.db")
ACTOR = "cli"
#: Head-office commands (a book of thousands of copies) may run long statements; the
#: server's request engine keeps its short bound (settings.db_statement_timeout_s).
COMMAND_STATEMENT_TIMEOUT_S = 600.0


def demo_settings(path: Path) -> Settings:
    return Settings(
        environment=Environment.DEVELOPMENT,
        database_url=f"sqlite:///{path.resolve()}",
        redis_url="",
    )


def _settings(args: argparse.Namespace) -> Settings:
    return demo_settings(args.demo_db) if getattr(args, "demo", False) else get_settings()


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings, statement_timeout_s=COMMAND_STATEMENT_TIMEOUT_S)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def wait_for_database(settings: Settings, timeout_s: float = 30.0) -> None:
    """The template's start script habit: wait for the database before migrating."""
    engine = make_engine(settings)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
                return
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    finally:
        engine.dispose()


def seed_demo(settings: Settings) -> dict[str, Any]:
    """A demo business, offer, printed book and enrolment code, made once."""
    from pika_protocol.sync_wire import OfferVariant
    from sync_backend.businesses import service as businesses
    from sync_backend.devices import service as devices
    from sync_backend.models import Business
    from sync_backend.vouchers import service as vouchers
    from sync_backend.vouchers.schemas import OfferIn

    with _session(settings) as session:
        existing = session.scalars(sa.select(Business).limit(1)).first()
        if existing is None:
            business = businesses.create(
                session, name="Café Pika (demo)", tier=Tier.PREMIUM, actor=ACTOR
            )
            now = datetime.now(UTC)
            offer = vouchers.create_offer(
                session,
                OfferIn(
                    business_id=business.id,
                    title="2x1 en cafés",
                    discount="2x1",
                    valid_from=now - timedelta(days=1),
                    valid_until=now + timedelta(days=180),
                    variants=[
                        OfferVariant(variant=1, label="A", weight=50),
                        OfferVariant(variant=2, label="B", weight=50),
                    ],
                ),
                actor=ACTOR,
            )
            vouchers.print_book(session, settings, offer.id, 24, actor=ACTOR)
            business_id = business.id
        else:
            business_id = existing.id
        code, expires_at = devices.create_enrolment_code(session, settings, business_id, ACTOR)
    return {"business_id": business_id, "enrolment_code": code, "expires_at": expires_at}


def cmd_serve(args: argparse.Namespace) -> int:
    from sync_backend import server
    from sync_backend.health.metrics_access import serve_metrics

    settings = demo_settings(args.demo_db) if args.demo else get_settings()
    forwarded = (
        settings.forwarded_allow_ips
        if args.forwarded_allow_ips is None
        else args.forwarded_allow_ips
    )
    if settings.metrics_port:
        if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            print(
                "PIKA_METRICS_PORT with --workers > 1 needs PROMETHEUS_MULTIPROC_DIR, or the "
                "metrics port would show none of the workers' metrics",
                file=sys.stderr,
            )
            return 2
        serve_metrics(settings)
    if args.demo:
        migrate.upgrade(settings.database_url, signing_key_secret=settings.signing_key_secret)
        seeded = seed_demo(settings)
        print(
            f"demo backend on http://{args.host}:{args.port}  (SQLite: {args.demo_db})\n"
            f"  admin token:     {DEV_ADMIN_TOKEN}\n"
            f"  enrolment code:  {seeded['enrolment_code']}  (business {seeded['business_id']})\n"
            f"  API docs:        http://{args.host}:{args.port}/docs",
            flush=True,
        )
        from sync_backend.app import create_app

        server.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            log_level="warning",
            forwarded_allow_ips=forwarded,
            secrets=log_secrets(settings),
        )
        return 0
    wait_for_database(settings)
    migrate.upgrade(settings.database_url, signing_key_secret=settings.signing_key_secret)
    server.run(
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        forwarded_allow_ips=forwarded,
        loop=args.loop,
        secrets=log_secrets(settings),
    )
    return 0


def log_secrets(settings: Settings) -> list[str]:
    """Configured secrets the log formatter masks should one ever reach a line."""
    return [settings.admin_token, settings.metrics_token, settings.signing_key_secret]


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    wait_for_database(settings)
    migrate.upgrade(settings.database_url, signing_key_secret=settings.signing_key_secret)
    _print({"migrated_to": migrate.head_revision()})
    return 0


def cmd_create_business(args: argparse.Namespace) -> int:
    from sync_backend.businesses import service
    from sync_backend.businesses.schemas import BusinessIn

    body = BusinessIn(name=args.name, tier=Tier(args.tier))  # the API's rules for a name
    with _session(_settings(args)) as session:
        b = service.create(session, name=body.name, tier=body.tier, actor=ACTOR)
        _print({"id": b.id, "name": b.name, "tier": b.tier})
    return 0


def cmd_create_offer(args: argparse.Namespace) -> int:
    from sync_backend.vouchers import service
    from sync_backend.vouchers.schemas import OfferIn

    body = OfferIn.model_validate(
        {
            "business_id": args.business,
            "title": args.title,
            "discount": args.discount,
            "discount_kind": args.discount_kind,
            "discount_value": args.discount_value,
            "valid_from": args.valid_from,
            "valid_until": args.valid_until,
            "cap_total": args.cap_total,
            "cap_per_customer": args.cap_per_customer,
            "variants": args.variant,
        }
    )
    with _session(_settings(args)) as session:
        offer = service.create_offer(session, body, actor=ACTOR)
        _print({"id": offer.id, "business_id": offer.business_id, "title": offer.title})
    return 0


def cmd_print_book(args: argparse.Namespace) -> int:
    from sync_backend.vouchers import service, signing

    settings = _settings(args)
    with _session(settings) as session:
        book = service.print_book(session, settings, args.offer, args.copies, actor=ACTOR)
        if args.pdf:
            keys = signing.PrivateKeyCache(settings)
            args.pdf.write_bytes(service.book_sheet(session, keys, book.id, limit=None))
        _print({**book.model_dump(), "pdf": str(args.pdf) if args.pdf else None})
    return 0


def cmd_enrolment_code(args: argparse.Namespace) -> int:
    from pika_print.qr_symbol import qr_image
    from pika_protocol.sync_wire import enrolment_uri
    from sync_backend.devices import service

    settings = _settings(args)
    with _session(settings) as session:
        code, expires_at = service.create_enrolment_code(session, settings, args.business, ACTOR)
    qr_text = enrolment_uri(code, args.server or settings.public_url or None)
    if args.qr:
        qr_image(qr_text, box_size=10).save(args.qr)
    _print(
        {
            "code": code,
            "business_id": args.business,
            "expires_at": expires_at,
            "qr_text": qr_text,
            "qr": args.qr,
        }
    )
    return 0


def cmd_revoke_voucher(args: argparse.Namespace) -> int:
    from sync_backend.vouchers import service

    with _session(_settings(args)) as session:
        v = service.revoke_voucher(session, args.serial, args.reason, actor=ACTOR)
        _print({"serial": v.serial, "revoked_at": v.revoked_at})
    return 0


def cmd_revoke_device(args: argparse.Namespace) -> int:
    from sync_backend.devices import service

    with _session(_settings(args)) as session:
        service.revoke_device(session, args.device_id, actor=ACTOR)
    _print({"device_id": args.device_id, "revoked": True})
    return 0


def cmd_rotate_signing_key(args: argparse.Namespace) -> int:
    from sync_backend.vouchers import signing

    settings = _settings(args)
    with _session(settings) as session:
        row = signing.create_key(session, settings, actor=ACTOR)
        _print(signing.to_wire(row).model_dump())
    return 0


def cmd_fraud_check(args: argparse.Namespace) -> int:
    from sync_backend.fraud.runner import run_once

    settings = _settings(args)
    engine = make_engine(settings, statement_timeout_s=COMMAND_STATEMENT_TIMEOUT_S)
    try:
        _print({"new_flags": run_once(make_sessionmaker(engine), settings)})
    finally:
        engine.dispose()
    return 0


def cmd_purge_idempotency(args: argparse.Namespace) -> int:
    from sync_backend.models import utcnow
    from sync_backend.redemptions import idempotency

    settings = _settings(args)
    with _session(settings) as session:
        n = idempotency.purge(session, utcnow(), timedelta(hours=settings.idempotency_ttl_hours))
    _print({"purged": n})
    return 0


def cmd_analytics(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _session(settings) as session:
        code, data = args.handler(args, session, settings)
        _print(data)
    return int(code)


def cmd_backup(args: argparse.Namespace) -> int:
    from sync_backend.backups import commands

    code, data = commands.backup(args, _settings(args))
    _print(data)
    return code


def cmd_restore(args: argparse.Namespace) -> int:
    from sync_backend.backups import commands

    code, data = commands.restore(args, _settings(args))
    _print(data)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pika-backend",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str, func: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument(
            "--demo", action="store_true", help="use the zero-setup demo SQLite database"
        )
        p.add_argument("--demo-db", type=Path, default=DEMO_DB, help="demo SQLite file")
        p.set_defaults(func=func)
        return p

    serve = command("serve", cmd_serve, "migrate, then run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--loop",
        choices=["auto", "asyncio", "uvloop"],
        default="auto",
        help="uvicorn's event loop (auto: uvloop when installed)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        help="reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or "
        "networks; default PIKA_FORWARDED_ALLOW_IPS, empty: none)",
    )
    command("migrate", cmd_migrate, "apply Alembic migrations up to head")
    p = command("create-business", cmd_create_business, "add a business")
    p.add_argument("name")
    p.add_argument("--tier", choices=[t.value for t in Tier], default=Tier.BASIC.value)
    p = command("create-offer", cmd_create_offer, "add an offer to a business")
    p.add_argument("--business", type=record_id, required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--discount", required=True, help='display text: "20%%", "Gs. 15.000", "2x1"')
    p.add_argument(
        "--discount-kind",
        choices=["amount", "percent", "other"],
        help="say it in numbers (default: read from --discount)",
    )
    p.add_argument("--discount-value", type=int, help="guaraníes or whole percent")
    p.add_argument("--from", dest="valid_from", required=True, help="ISO-8601 with zone")
    p.add_argument("--until", dest="valid_until", required=True, help="ISO-8601 with zone")
    p.add_argument("--cap-total", type=int)
    p.add_argument("--cap-per-customer", type=int)
    p.add_argument(
        "--variant", type=variant, action="append", default=[], help="NUMBER:LABEL:WEIGHT"
    )
    p = command("print-book", cmd_print_book, "sign N vouchers of an offer (and a PDF sheet)")
    p.add_argument("--offer", type=record_id, required=True)
    p.add_argument("--copies", type=int, required=True)
    p.add_argument("--pdf", type=output_file)
    p = command("enrolment-code", cmd_enrolment_code, "one-time code for a kiosk to enrol")
    p.add_argument("--business", type=record_id, required=True)
    p.add_argument("--qr", type=output_file, help="also write the code as a QR PNG")
    p.add_argument("--server", help="server URL to put in the QR (default: PIKA_PUBLIC_URL)")
    p = command("revoke-voucher", cmd_revoke_voucher, "revoke one printed copy")
    p.add_argument("serial", type=record_id)
    p.add_argument("--reason", default="")
    p = command("revoke-device", cmd_revoke_device, "refuse a kiosk from now on (it wipes itself)")
    p.add_argument("device_id")
    command("rotate-signing-key", cmd_rotate_signing_key, "new key signs new books")
    command("fraud-check", cmd_fraud_check, "run the fraud checks once")
    command("purge-idempotency", cmd_purge_idempotency, "drop Idempotency-Keys older than the TTL")
    from sync_backend.analytics import commands as analytics
    from sync_backend.backups import commands as backups

    backups.configure_backup(command("backup", cmd_backup, "pg_dump to PIKA_BACKUP_DIR, prune"))
    backups.configure_restore(
        command("restore", cmd_restore, "check a backup, restore it into an empty database")
    )

    analytics.configure(command("analytics", cmd_analytics, "figures for managers (see --help)"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except Exception as exc:
        from pydantic import ValidationError

        from sync_backend.errors import PikaError

        if isinstance(exc, PikaError):
            print(json.dumps(exc.body()), file=sys.stderr)
            return 2
        if isinstance(exc, ValidationError):  # the API's schemas, applied to the arguments
            problems = [
                {"field": ".".join(map(str, e["loc"])), "msg": e["msg"]}
                for e in exc.errors(include_url=False, include_input=False)
            ]
            error = {"code": "invalid_input", "message": "the arguments break the rules"}
            print(json.dumps({"error": {**error, "problems": problems}}), file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
