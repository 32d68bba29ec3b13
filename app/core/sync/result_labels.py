"""A scan's sync state in the manager's words, decided without Qt.

Head office answers with stable codes (``rejected:expired``, ``refused:http_422_invalid_request``);
a manager reads "Rejected by head office: voucher expired" instead. Every outcome and every
reason the wire can carry (``sync_wire.ItemOutcome``, ``Reason``, ``PushProblem``) has a label
here, as English source text the UI translates (scripts/update_translations.sh collects it from
this file); the raw code is kept in :attr:`SyncLabel.code` for a tooltip, so support can still
read exactly what head office said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.sync.outbox import KioskOutcome, SyncOutcome, parse_result
from pika_protocol.sync_wire import ItemOutcome, PushProblem
from pika_protocol.validation import Reason

#: The context the labels are translated in (the UI and the .ts file use it).
CONTEXT = "SyncResult"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    """Marks ``text`` for pyside6-lupdate without importing Qt (the core never does)."""
    return text


WAITING = QT_TRANSLATE_NOOP("SyncResult", "Waiting")
SET_ASIDE = QT_TRANSLATE_NOOP(
    "SyncResult", "Set aside: head office fails on it (tried again daily)"
)
SYNCED = QT_TRANSLATE_NOOP("SyncResult", "Synced")
CONFLICT = QT_TRANSLATE_NOOP("SyncResult", "CONFLICT: redeemed at another kiosk first")

#: Outcomes whose words need a reason: ``{reason}`` is the reason's own (translated) label.
TEMPLATES: dict[SyncOutcome, str] = {
    ItemOutcome.REJECTED: QT_TRANSLATE_NOOP("SyncResult", "Rejected by head office: {reason}"),
    KioskOutcome.REFUSED: QT_TRANSLATE_NOOP("SyncResult", "Refused by head office: {reason}"),
    KioskOutcome.UNSENDABLE: QT_TRANSLATE_NOOP("SyncResult", "Could not be sent: {reason}"),
}

#: Why head office rejected an item: its own validation reason or a push problem.
REASONS: dict[str, str] = {
    Reason.VALID: QT_TRANSLATE_NOOP("SyncResult", "valid voucher"),
    Reason.ALREADY_REDEEMED: QT_TRANSLATE_NOOP("SyncResult", "voucher already used"),
    Reason.EXPIRED: QT_TRANSLATE_NOOP("SyncResult", "voucher expired"),
    Reason.NOT_YET_VALID: QT_TRANSLATE_NOOP("SyncResult", "voucher not valid yet"),
    Reason.OTHER_BUSINESS: QT_TRANSLATE_NOOP("SyncResult", "voucher of another business"),
    Reason.REVOKED: QT_TRANSLATE_NOOP("SyncResult", "voucher cancelled by head office"),
    Reason.UNKNOWN_KEY: QT_TRANSLATE_NOOP("SyncResult", "voucher not recognised"),
    Reason.FORGED: QT_TRANSLATE_NOOP("SyncResult", "fake voucher"),
    Reason.MALFORMED: QT_TRANSLATE_NOOP("SyncResult", "unreadable code"),
    PushProblem.WRONG_DEVICE: QT_TRANSLATE_NOOP(
        "SyncResult", "sent in the name of another kiosk or business"
    ),
    PushProblem.ITEM_MISMATCH: QT_TRANSLATE_NOOP(
        "SyncResult", "the scan does not match its voucher"
    ),
    PushProblem.UNKNOWN_REDEMPTION: QT_TRANSLATE_NOOP(
        "SyncResult", "head office has no such redemption"
    ),
    PushProblem.NOT_OWN_REDEMPTION: QT_TRANSLATE_NOOP(
        "SyncResult", "the redemption was made at another kiosk"
    ),
    PushProblem.NOT_A_REDEMPTION: QT_TRANSLATE_NOOP("SyncResult", "the scan was not a redemption"),
    PushProblem.ALREADY_VOIDED: QT_TRANSLATE_NOOP("SyncResult", "already voided"),
}

#: Why head office refused an item outright (the error code of its 4xx answer).
REFUSALS: dict[str, str] = {
    "invalid_request": QT_TRANSLATE_NOOP("SyncResult", "its data was not accepted"),
    "malformed_json": QT_TRANSLATE_NOOP("SyncResult", "its data could not be read"),
    "body_too_large": QT_TRANSLATE_NOOP("SyncResult", "too large to send"),
    "batch_too_large": QT_TRANSLATE_NOOP("SyncResult", "too large to send"),
}
#: A reason or refusal code this kiosk has no words for (a newer head office may add some).
OTHER_REASON = QT_TRANSLATE_NOOP("SyncResult", "reason not known to this kiosk")
#: A queue item damaged on this kiosk: its problem text is technical, so it is not shown.
DAMAGED = QT_TRANSLATE_NOOP("SyncResult", "damaged in this kiosk's queue")

_REFUSAL_CODE = re.compile(r"http_\d{3}_(?P<code>.+)")


@dataclass(frozen=True, slots=True)
class SyncLabel:
    """A history line's sync words: ``template`` (English source, maybe with ``{reason}``)
    and ``reason`` (English source of the reason's label, or ""); ``code`` is the raw answer
    for a tooltip ("" while waiting)."""

    template: str
    reason: str = ""
    code: str = ""


def sync_label(synced: bool, text: str | None, *, set_aside: bool = False) -> SyncLabel:
    """How the history shows a scan's sync state (``text``: the store's ``server_result``)."""
    if set_aside and not synced:
        return SyncLabel(SET_ASIDE)
    result = parse_result(text)
    if not synced or result is None:
        return SyncLabel(WAITING)
    code = f"{result.outcome.value}: {result.reason}" if result.reason else result.outcome.value
    if result.outcome is ItemOutcome.CONFLICT:
        return SyncLabel(CONFLICT, code=code)
    template = TEMPLATES.get(result.outcome)
    if template is None:  # accepted, duplicate, recorded
        return SyncLabel(SYNCED, code=code)
    return SyncLabel(template, reason_label(result.outcome, result.reason), code)


def reason_label(outcome: SyncOutcome, reason: str) -> str:
    """The English source label of ``reason`` as it appears with ``outcome``."""
    if outcome is KioskOutcome.UNSENDABLE:
        return DAMAGED
    if outcome is KioskOutcome.REFUSED:
        match = _REFUSAL_CODE.fullmatch(reason)
        return REFUSALS.get(match["code"], OTHER_REASON) if match else OTHER_REASON
    return REASONS.get(reason, OTHER_REASON)
