"""Migrations: the models match the head revision, both ways work, the event log is append-only."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sync_backend.migrate import alembic_config, head_revision, upgrade
from sync_backend.models import Base, Event, utcnow


def test_models_match_the_migrated_schema(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_upgrades_downgrades_and_upgrades_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
        assert conn.execute(sa.text("SELECT value FROM sync_counter")).scalar_one() == 0
    engine.dispose()


def test_events_are_append_only_on_postgres(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Event).values(
                occurred_at=utcnow(), kind="k", actor="a", subject="s", payload={}
            )
        )
    for statement in ("UPDATE events SET kind = 'x'", "DELETE FROM events", "TRUNCATE events"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(statement))


def test_existing_offers_get_their_discount_numbers_and_go_back_on_the_feed(
    postgres_server: str,
) -> None:
    """Migration 0005 on Postgres: an offer made before it gets the kind and value its text
    names, and a new feed position, so kiosks that pulled it pull it again with them."""
    from pika_bench.backend_server import throwaway_database

    with throwaway_database(postgres_server, prefix="pika_test_m5") as url:  # made at head
        command.downgrade(alembic_config(url), "0004")
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "INSERT INTO businesses (id, name, tier, created_at)"
                        " VALUES (1, 'Café', 'BASIC', now())"
                    )
                )
                for offer_id, text in ((1, "Gs. 15.000"), (2, "2x1"), (3, "25 %")):
                    conn.execute(
                        sa.text(
                            "INSERT INTO offers (id, business_id, title, discount, valid_from,"
                            " valid_until, variants, created_at) VALUES"
                            " (:id, 1, 't', :text, now(), now() + interval '1 day', '[]', now())"
                        ),
                        {"id": offer_id, "text": text},
                    )
                before = conn.execute(sa.text("SELECT max(seq) FROM offers")).scalar_one()
            upgrade(url)
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.text("SELECT id, discount_kind, discount_value, seq FROM offers ORDER BY id")
                ).all()
        finally:
            engine.dispose()
    assert [(r.id, r.discount_kind, r.discount_value) for r in rows] == [
        (1, "amount", 15000),
        (2, "other", None),
        (3, "percent", 25),
    ]
    assert all(r.seq > before for r in rows)


def test_head_office_rollups_are_filled_from_the_existing_ones(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Migration 0010: a backend with rollups behind it gets head office's rollups summed from
    them (two offers of one kiosk's day become one row; two businesses' hours one total)."""
    url = f"sqlite:///{tmp_path / 'm10.db'}"
    day = date.today().isoformat()  # any day: nothing here depends on which
    upgrade(url)
    command.downgrade(alembic_config(url), "0009")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for business, offer, redeemed in ((1, 10, 3), (1, 11, 4), (2, 20, 5)):
                conn.execute(
                    sa.text(
                        "INSERT INTO analytics_daily (business_id, local_day, offer_id, variant,"
                        " device_id, scanned, redeemed, sales_sum) VALUES"
                        " (:b, :d, :o, 0, 'k', :r, :r, 1000)"
                    ),
                    {"b": business, "o": offer, "r": redeemed, "d": day},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO analytics_hourly (business_id, device_id, local_day,"
                        " local_hour, scanned, redeemed) VALUES (:b, :k, :d, 12, :r, :r)"
                    ),
                    {"b": business, "k": f"k{offer}", "r": redeemed, "d": day},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO analytics_refusals (business_id, local_day, offer_id,"
                        " variant, device_id, reason, scans) VALUES"
                        " (:b, :d, :o, 0, 'k', 'expired', 1)"
                    ),
                    {"b": business, "o": offer, "d": day},
                )
        upgrade(url)
        with engine.connect() as conn:
            daily = conn.execute(
                sa.text(
                    "SELECT business_id, scanned, redeemed, sales_sum FROM analytics_kiosk_daily"
                    " ORDER BY business_id"
                )
            ).all()
            hourly = conn.execute(
                sa.text("SELECT local_hour, scanned, redeemed FROM analytics_hourly_totals")
            ).all()
            refusals = conn.execute(
                sa.text("SELECT reason, scans FROM analytics_refusal_totals")
            ).all()
            business_hours = conn.execute(  # migration 0012: a business's kiosks together
                sa.text(
                    "SELECT business_id, local_hour, redeemed FROM analytics_business_hourly"
                    " ORDER BY business_id"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in daily] == [(1, 7, 7, 2000), (2, 5, 5, 1000)]
    assert [tuple(r) for r in hourly] == [(12, 12, 12)]
    assert [tuple(r) for r in refusals] == [("expired", 3)]
    assert [tuple(r) for r in business_hours] == [(1, 12, 7), (2, 12, 5)]
