"""The manager window over an in-memory head office, its session on the operations' thread."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.dashboard.session import ManagerSession
from app.ui.dashboard.app import ManagerApp
from app.ui.language import Language
from app.ui.operations import Operations
from tests.core.dashboard.head_office import FakeHeadOffice
from tests.core.dashboard.sample import AS_OF

#: "today" for the pickers' presets: the day the sample was answered, after its period
TODAY = AS_OF.date()


@dataclass
class Manager:
    app: ManagerApp
    head_office: FakeHeadOffice
    session: ManagerSession
    ops: Operations
    language: Language


@pytest.fixture
def manager(qtbot, qapp, tmp_path: Path) -> Iterator[Manager]:
    head_office = FakeHeadOffice()
    session = ManagerSession(
        tmp_path / "config", tmp_path / "data", client_factory=head_office.client
    )
    ops = Operations()
    language = Language(qapp)
    language.switch("es")
    app = ManagerApp(session, ops, language, today=lambda: TODAY)
    qtbot.addWidget(app.window)
    try:
        yield Manager(app, head_office, session, ops, language)
    finally:
        if app.dialog is not None:
            app.dialog.close()
        app.window.close()
        ops.shutdown(close_store=session.close)
        language.reset()
