"""The database's trouble is not a row's fault: a timeout never sets a row aside (issue 12).

Fraud checks set aside a row no rule can read, so that one row never stalls the feed. A lock
or statement timeout (sync_backend/db_bounds.py) or a lost connection says nothing about the
row: before, a row checked while another transaction held the flags table was set aside for
good and never flagged. Now the run fails, nothing moves, and the next run checks the row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.fraud.service import run_checks
from tests.backend.support import ADMIN, Kit, push


def test_a_lock_timeout_leaves_the_row_for_the_next_run(
    client, kit: Kit, session: Session, engine: sa.Engine
) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    ahead = datetime.now(UTC) + timedelta(hours=2)  # a clock far off: one flag to write
    push(client, kiosk, kiosk.item(voucher.token, scanned_at=ahead), sent_at=ahead)

    with engine.connect() as blocker:
        # Every flag insert now waits lock_timeout, then fails.
        blocker.execute(sa.text("LOCK TABLE fraud_flags IN SHARE MODE"))
        with pytest.raises(sa.exc.OperationalError):
            run_checks(session, kit.settings)
        session.rollback()
        blocker.rollback()

    events = client.get("/v1/admin/events", headers=ADMIN).json()
    assert not [e for e in events if e["kind"] == "fraud_row_skipped"]
    assert run_checks(session, kit.settings) == 1
    session.commit()
    flags = client.get("/v1/admin/fraud/flags", headers=ADMIN, params={"rule": "clock_skew"})
    assert len(flags.json()) == 1
