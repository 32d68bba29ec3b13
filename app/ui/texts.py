"""Every word the cashier reads about a scan, translated through Qt (source text English).

The core returns stable reason codes; this is the one place they become words. The tables hold
untranslated source text marked for pyside6-lupdate; translation happens when a text is shown,
so switching language takes effect at once.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.core.validation import Reason

_CONTEXT = "Reason"

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
    Reason.ALREADY_REDEEMED: QT_TRANSLATE_NOOP("Reason", "Do not give the discount again."),
    Reason.EXPIRED: QT_TRANSLATE_NOOP(
        "Reason", "Its validity has ended. Do not give the discount."
    ),
    Reason.NOT_YET_VALID: QT_TRANSLATE_NOOP(
        "Reason", "It cannot be used yet. Do not give the discount."
    ),
    Reason.OTHER_BUSINESS: QT_TRANSLATE_NOOP(
        "Reason", "It is for another shop. Do not give the discount."
    ),
    Reason.REVOKED: QT_TRANSLATE_NOOP(
        "Reason", "Head office cancelled it. Do not give the discount."
    ),
    Reason.UNKNOWN_KEY: QT_TRANSLATE_NOOP(
        "Reason", "Sync this kiosk, then try again. Do not give the discount yet."
    ),
    Reason.FORGED: QT_TRANSLATE_NOOP("Reason", "The code was altered. Do not give the discount."),
    Reason.MALFORMED: QT_TRANSLATE_NOOP(
        "Reason", "Try again or type the code printed under the QR."
    ),
}


def reason_title(reason: Reason) -> str:
    return QCoreApplication.translate(_CONTEXT, str(_TITLES[reason]))


def reason_advice(reason: Reason) -> str:
    return QCoreApplication.translate(_CONTEXT, str(_ADVICE[reason]))
