"""The kiosk tells head office its outbox with each pull, and its own log (the rotated file
and every logger at DEBUG) never holds its API key, an enrolment code or a whole token."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.kiosk_log import LOG_FILE, start_file_log, stop_file_log
from app.core.store import KioskStore
from app.core.sync import ServerBusyError, SyncApi, SyncEngine
from sync_backend.models import Device
from tests.core.store.conftest import Counter
from tests.core.sync.conftest import Clock
from tests.support.head_office import HeadOffice, answer
from tests.support.log_capture import every_log_line, leaks


def outbox_on_head_office(backend: HeadOffice) -> tuple[int | None, float | None]:
    with backend.session() as session:
        row = session.execute(
            sa.select(Device.outbox_items, Device.last_seen_at, Device.outbox_oldest_at).where(
                Device.id == backend.device_id
            )
        ).one()
    items, seen, oldest = row
    return items, (seen - oldest).total_seconds() if seen and oldest else None


def test_each_pull_tells_head_office_the_outbox(
    engine: SyncEngine, counter: Counter, clock: Clock, backend: HeadOffice
) -> None:
    for serial in (1, 2, 3):
        counter.scan(counter.voucher(serial))
    clock.advance(2 * 3600)  # two hours later, still not sent
    engine.pull()
    items, age = outbox_on_head_office(backend)
    assert items == 3 and age is not None and abs(age - 2 * 3600) < 120
    engine.sync_once()  # pushed, then pulled: nothing left
    assert outbox_on_head_office(backend) == (0, None)


def test_the_kiosk_log_file_and_every_logger_hold_no_secret(
    engine: SyncEngine,
    counter: Counter,
    store: KioskStore,
    backend: HeadOffice,
    tmp_path: Path,
) -> None:
    secrets = {"API key": backend.api_key}
    tokens = [counter.voucher(serial) for serial in range(1, 6)]
    secrets |= {f"token {n}": token for n, token in enumerate(tokens)}
    folder = tmp_path / "logs"
    with every_log_line() as captured:
        handler = start_file_log(folder, level=10)
        try:
            code = secrets["enrolment code"] = backend.new_enrolment_code()
            other = SyncApi("http://backend.test", transport=backend.transport())
            secrets["other kiosk's key"] = other.enrol(code, "Caja 3").api_key
            other.close()
            for token in tokens:
                counter.scan(token)
            counter.scan(tokens[0])  # already used here
            backend.faults = [answer(500, "internal")]
            with pytest.raises(ServerBusyError):
                engine.push()  # refused: logged, kept
            engine.sync_once()
            engine.rotate_key()
            secrets["rotated API key"] = backend.api_key
            engine.sync_once()
            forged = tokens[1][:-4] + ("A" if tokens[1][-4] != "A" else "B") + tokens[1][-3:]
            counter.scan(forged)
            engine.sync_once()
            assert backend.last_pull is not None
        finally:
            stop_file_log(handler)
    written = "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob(f"{LOG_FILE}*")))
    assert written.count("\n") >= 3  # the file got the kiosk's lines
    assert any("httpx" in line for line in captured.lines)  # and DEBUG reached libraries
    assert leaks(written.splitlines(), secrets) == {}
    assert leaks(captured.lines, secrets) == {}
