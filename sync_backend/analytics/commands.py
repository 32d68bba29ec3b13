"""``pika-backend analytics ...``: head office's analytics commands (the CLI wires them in).

    pika-backend analytics rebuild [--verify]
    pika-backend analytics project
    pika-backend analytics distribute --book ID --copies FIRST-LAST --place TEXT --on DATE
    pika-backend analytics payment --business ID (--placement | --subscription) --amount N
                                   --from DATE [--until DATE] [--note TEXT]
    pika-backend analytics usual-ticket --business ID --amount N
    pika-backend analytics demo-year [--businesses 36] [--events 1000000] [--seed 2024]

Each handler gets the parsed arguments, an open session (one transaction) and the settings, and
returns its exit code and what to print as JSON.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sync_backend.analytics import records, rollups
from sync_backend.analytics.lifecycle import BusinessCalendar, PaymentKind
from sync_backend.analytics.runner import ANALYTICS_LOCK_ID, project_round
from sync_backend.background import take_job_lock
from sync_backend.cli_args import record_id
from sync_backend.errors import Conflict
from sync_backend.models import utcnow
from sync_backend.settings import Settings

Handler = Callable[[argparse.Namespace, Session, Settings], tuple[int, Any]]


def _calendar(settings: Settings) -> BusinessCalendar:
    return BusinessCalendar.named(settings.analytics_timezone)


def _hold_the_projector(session: Session) -> None:
    if not take_job_lock(session, ANALYTICS_LOCK_ID):
        raise Conflict("the analytics projector is running a round; try again", code="busy")


def rebuild(args: argparse.Namespace, session: Session, settings: Settings) -> tuple[int, Any]:
    """Recompute every rollup from the event log; with --verify, only compare and report."""
    _hold_the_projector(session)  # the projector must not add events between read and write
    found = rollups.differences(session)
    shown = [
        {"table": d.table, "key": list(d.key), "live": d.live, "rebuilt": d.rebuilt}
        for d in found[:50]
    ]
    if args.verify:
        return (1 if found else 0), {"differences": len(found), "first": shown}
    rollups.rebuild(session)
    return 0, {"differences_repaired": len(found), "first": shown}


def project(args: argparse.Namespace, session: Session, settings: Settings) -> tuple[int, Any]:
    _hold_the_projector(session)
    return 0, {"events": project_round(session, _calendar(settings), utcnow())}


def distribute(args: argparse.Namespace, session: Session, settings: Settings) -> tuple[int, Any]:
    first, _, last = args.copies.partition("-")
    calendar = _calendar(settings)
    done = records.record_distribution(
        session,
        calendar,
        book_id=args.book,
        first_copy=int(first),
        last_copy=int(last or first),
        place=args.place,
        handed_out_on=args.on,
        today=calendar.local(utcnow())[0],
    )
    return 0, {
        "id": done.id,
        "book_id": done.book_id,
        "copies": done.last_copy - done.first_copy + 1,
        "copies_by_variant": done.copies_by_variant,
        "place": done.place,
        "handed_out_on": done.handed_out_on.isoformat(),
    }


def payment(args: argparse.Namespace, session: Session, settings: Settings) -> tuple[int, Any]:
    kind = PaymentKind.PLACEMENT if args.placement else PaymentKind.SUBSCRIPTION
    row = records.record_payment(
        session,
        business_id=args.business,
        kind=kind,
        amount=args.amount,
        starts=args.starts,
        ends=args.ends,
        note=args.note,
    )
    return 0, {"id": row.id, "business_id": row.business_id, "kind": row.kind, "amount": row.amount}


def usual_ticket(args: argparse.Namespace, session: Session, settings: Settings) -> tuple[int, Any]:
    records.set_usual_ticket(session, args.business, args.amount)
    return 0, {"business_id": args.business, "usual_ticket": args.amount}


def demo_year(args: argparse.Namespace, session: Session, settings: Settings) -> tuple[int, Any]:
    from sync_backend.analytics.demo_year import generate

    made = generate(
        session,
        _calendar(settings),
        businesses=args.businesses,
        events=args.events,
        seed=args.seed,
    )
    return 0, {
        "businesses": made.businesses,
        "events": made.events,
        "first_day": made.first_day.isoformat(),
        "last_day": made.last_day.isoformat(),
        "ab_winner_business": made.ab_winner_business,
        "ab_even_business": made.ab_even_business,
    }


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _copies(text: str) -> str:
    first, _, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        raise argparse.ArgumentTypeError(f"copies are FIRST-LAST, e.g. 1-500: {text!r}")
    return text


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the analytics subcommands under ``pika-backend analytics``."""
    sub = parser.add_subparsers(dest="analytics_command", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(handler=handler)
        # also after the subcommand; SUPPRESS keeps a value given before it
        p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS)
        p.add_argument("--demo-db", type=Path, default=argparse.SUPPRESS)
        return p

    p = add("rebuild", rebuild, "recompute every rollup from the event log")
    p.add_argument("--verify", action="store_true", help="compare only; exit 1 if they differ")
    add("project", project, "turn pushes not read yet into events and rollups, once")
    p = add("distribute", distribute, "record copies of a print run handed out")
    p.add_argument("--book", type=record_id, required=True, help="print run id (print-book's id)")
    p.add_argument("--copies", type=_copies, required=True, help="FIRST-LAST, 1-based")
    p.add_argument("--place", required=True)
    p.add_argument("--on", type=_day, required=True, help="YYYY-MM-DD")
    p = add("payment", payment, "record what a business paid")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--placement", action="store_true", help="a fee for a book placement")
    kind.add_argument("--subscription", action="store_true", help="a monthly subscription")
    p.add_argument("--business", type=record_id, required=True)
    p.add_argument("--amount", type=int, required=True, help="guaraníes (monthly, for one)")
    p.add_argument("--from", dest="starts", type=_day, required=True, help="YYYY-MM-DD")
    p.add_argument("--until", dest="ends", type=_day, help="YYYY-MM-DD (subscriptions)")
    p.add_argument("--note")
    p = add("demo-year", demo_year, "fill the database with a realistic year (demo, benchmark)")
    p.add_argument("--businesses", type=int, default=36)
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=2024)
    p = add("usual-ticket", usual_ticket, "set a business's usual sale (guaraníes)")
    p.add_argument("--business", type=record_id, required=True)
    p.add_argument("--amount", type=int, required=True)
