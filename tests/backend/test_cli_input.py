"""``pika-backend`` answers bad arguments with a typed error and exit code 2, never a traceback.

IT types these commands by hand: an empty name, a date without its zone, an id too large for
the database or a PDF path into a missing folder must say what is wrong before anything is
written. Runs on the zero-setup demo database (SQLite).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync_backend.cli import main


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """A demo database with business 1 and its offer 1."""
    args = ["--demo", "--demo-db", str(tmp_path / "demo.db")]
    now = datetime.now(UTC)
    assert main(["migrate", *args]) == 0
    assert main(["create-business", "Café Sur", *args]) == 0
    offer = [
        "create-offer", "--business", "1", "--title", "2x1", "--discount", "2x1",
        "--from", (now - timedelta(days=1)).isoformat(),
        "--until", (now + timedelta(days=30)).isoformat(),
    ]  # fmt: skip
    assert main([*offer, *args]) == 0
    capsys.readouterr()
    return args


#: Offer windows relative to the real clock (the CLI compares them with it).
_SOON = datetime.now(UTC) + timedelta(days=10)
SOON, LATER = _SOON.isoformat(), (_SOON + timedelta(days=30)).isoformat()
SOON_DAY, LATER_DAY = _SOON.date().isoformat(), (_SOON + timedelta(days=30)).date().isoformat()


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Exit code 2, and stderr without a traceback: argparse's usage error, or our JSON."""
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse refuses an argument by exiting with 2
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


def error_code(err: str) -> str:
    return str(json.loads(err)["error"]["code"])


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["create-business", ""], "invalid_input"),
        (["create-business", "x" * 201], "invalid_input"),
        (["create-offer", "--business", "1", "--title", "t", "--discount", "2x1",
          "--from", "soon", "--until", LATER], "invalid_input"),
        (["create-offer", "--business", "1", "--title", "t", "--discount", "2x1",
          "--from", SOON_DAY, "--until", LATER_DAY], "invalid_input"),  # no zone
        (["create-offer", "--business", "1", "--title", "t", "--discount", "2x1",
          "--from", LATER, "--until", SOON],
         "invalid_input"),
        (["create-offer", "--business", "1", "--title", "", "--discount", "2x1",
          "--from", SOON, "--until", LATER],
         "invalid_input"),
        (["print-book", "--offer", "1", "--copies", "0"], "invalid_copies"),
        (["print-book", "--offer", "1", "--copies", "100001"], "invalid_copies"),
    ],
)  # fmt: skip
def test_rules_broken_by_the_arguments_are_typed_errors(
    demo: list[str], capsys: pytest.CaptureFixture[str], argv: list[str], code: str
) -> None:
    assert error_code(refused(capsys, [*argv, *demo])) == code


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["print-book", "--offer", str(2**70), "--copies", "3"], "is not an id"),
        (["revoke-voucher", str(2**63)], "is not an id"),
        (["revoke-voucher", "abc"], "not a whole number"),
        (["analytics", "usual-ticket", "--business", "0", "--amount", "5"], "is not an id"),
        (["print-book", "--offer", "1", "--copies", "3", "--pdf", "/no/such/folder/b.pdf"],
         "no folder"),
        (["enrolment-code", "--business", "1", "--qr", "/no/such/folder/q.png"], "no folder"),
        (["create-offer", "--business", "1", "--title", "t", "--discount", "2x1",
          "--from", SOON, "--until", LATER,
          "--variant", "1:A"], "NUMBER:LABEL:WEIGHT"),
    ],
)  # fmt: skip
def test_arguments_that_cannot_be_read_are_usage_errors(
    demo: list[str], capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert says in refused(capsys, [*argv, *demo])


def test_nothing_is_written_by_a_refused_command(
    demo: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    refused(capsys, ["print-book", "--offer", "1", "--copies", "3", "--pdf", str(tmp_path), *demo])
    assert main(["print-book", "--offer", "1", "--copies", "2", *demo]) == 0
    book = json.loads(capsys.readouterr().out)
    assert (book["id"], book["copies"]) == (1, 2)  # the refused run made no book
