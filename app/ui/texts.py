"""Every word the cashier reads about a scan, translated through Qt (source text English).

The core returns stable reason codes; this is the one place they become words. The tables hold
untranslated source text marked for pyside6-lupdate; translation happens when a text is shown,
so switching language takes effect at once.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.core import error_kinds
from app.core.counter import EntryProblem, Tone
from app.core.error_kinds import ErrorKind
from pika_protocol.validation import Reason

_CONTEXT = "Reason"

# A result's first word: it differs for each kind of result (see app.core.result_look).
_VERDICTS = {
    Tone.VALID: QT_TRANSLATE_NOOP("Reason", "Valid"),
    Tone.WARNING: QT_TRANSLATE_NOOP("Reason", "Already used"),
    Tone.INVALID: QT_TRANSLATE_NOOP("Reason", "Refused"),
}

_TITLES = {
    Reason.VALID: QT_TRANSLATE_NOOP("Reason", "Valid voucher"),
    Reason.ALREADY_REDEEMED: QT_TRANSLATE_NOOP("Reason", "Already used"),
    Reason.EXPIRED: QT_TRANSLATE_NOOP("Reason", "Expired"),
    Reason.NOT_YET_VALID: QT_TRANSLATE_NOOP("Reason", "Not valid yet"),
    Reason.OTHER_BUSINESS: QT_TRANSLATE_NOOP("Reason", "Voucher of another business"),
    Reason.REVOKED: QT_TRANSLATE_NOOP("Reason", "Voucher cancelled"),
    Reason.UNKNOWN_KEY: QT_TRANSLATE_NOOP("Reason", "Voucher not recognised"),
    Reason.FORGED: QT_TRANSLATE_NOOP("Reason", "Fake voucher"),
    Reason.MALFORMED: QT_TRANSLATE_NOOP("Reason", "Cannot read this code"),
}

_ADVICE = {
    Reason.VALID: QT_TRANSLATE_NOOP("Reason", "Give the discount."),
    Reason.ALREADY_REDEEMED: QT_TRANSLATE_NOOP("Reason", "A voucher gives its discount once."),
    Reason.EXPIRED: QT_TRANSLATE_NOOP("Reason", "Its validity has ended."),
    Reason.NOT_YET_VALID: QT_TRANSLATE_NOOP("Reason", "It cannot be used yet."),
    Reason.OTHER_BUSINESS: QT_TRANSLATE_NOOP("Reason", "It is for another shop."),
    Reason.REVOKED: QT_TRANSLATE_NOOP("Reason", "Head office cancelled it."),
    Reason.UNKNOWN_KEY: QT_TRANSLATE_NOOP(
        "Reason", "Sync this kiosk, then scan it again: it may be valid then."
    ),
    Reason.FORGED: QT_TRANSLATE_NOOP("Reason", "The code was altered."),
    Reason.MALFORMED: QT_TRANSLATE_NOOP(
        "Reason", "Try again or type the code printed under the QR."
    ),
}


#: After a typed code was refused, what to look for: never just "type it again".
_ENTRY_ADVICE = {
    EntryProblem.LENGTH: QT_TRANSLATE_NOOP(
        "Reason",
        "A code has 9 letters and digits, like 7KQ2-M9XD-T: one is missing or one too many. "
        "Compare it with the voucher.",
    ),
    EntryProblem.CHARACTER: QT_TRANSLATE_NOOP(
        "Reason",
        "The code has a character vouchers never use (such as Ñ or an accented letter). "
        "Compare it with the voucher.",
    ),
    EntryProblem.CHECK: QT_TRANSLATE_NOOP(
        "Reason",
        "One character is wrong: the last character of the code is a check that caught it. "
        "Compare the code with the voucher, character by character, or scan its QR.",
    ),
    EntryProblem.NOT_FOUND: QT_TRANSLATE_NOOP(
        "Reason",
        "The code is well formed but no voucher of this shop has it. Check that the voucher is "
        "for this shop, or scan its QR.",
    ),
}


def verdict(tone: Tone) -> str:
    return QCoreApplication.translate(_CONTEXT, str(_VERDICTS[tone]))


def reason_title(reason: Reason) -> str:
    return QCoreApplication.translate(_CONTEXT, str(_TITLES[reason]))


def reason_advice(reason: Reason) -> str:
    return QCoreApplication.translate(_CONTEXT, str(_ADVICE[reason]))


def entry_advice(problem: EntryProblem) -> str:
    return QCoreApplication.translate(_CONTEXT, str(_ENTRY_ADVICE[problem]))


def error_text(kind: ErrorKind) -> str:
    """What the screen says about an error of ``kind`` (never the exception's own text)."""
    return QCoreApplication.translate(error_kinds.CONTEXT, error_kinds.message(kind))


def error_text_for(error: BaseException, *, camera_is_file: bool = False) -> str:
    """:func:`error_text` of ``error``'s kind; the caller logs the exception itself."""
    return error_text(error_kinds.kind_of(error, camera_is_file=camera_is_file))
