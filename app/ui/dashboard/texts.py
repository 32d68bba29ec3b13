"""The manager app's messages, translated (Spanish first): why a question was not asked, why
head office refused it, why signing in failed."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.core.dashboard.tables import Language
from app.core.sync.errors import (
    CredentialStoreError,
    RequestRefusedError,
    SyncError,
    TransientSyncError,
)

_CONTEXT = "Dashboard"
_PROBLEMS = {
    "reversed_range": QT_TRANSLATE_NOOP("Dashboard", "The last day is before the first day."),
    "range_too_long": QT_TRANSLATE_NOOP(
        "Dashboard", "The range is longer than three years: choose a shorter one."
    ),
    "variant_without_offer": QT_TRANSLATE_NOOP(
        "Dashboard", "Choose an offer before choosing a variant."
    ),
    "unknown_offer": QT_TRANSLATE_NOOP("Dashboard", "That offer is not this business's."),
    "unknown_bucket": QT_TRANSLATE_NOOP("Dashboard", "Choose by day, week or month."),
    "unknown_kiosk": QT_TRANSLATE_NOOP("Dashboard", "That kiosk is not this business's."),
    "not_found": QT_TRANSLATE_NOOP("Dashboard", "Head office does not know this business."),
    "forbidden": QT_TRANSLATE_NOOP("Dashboard", "This key may not read these figures."),
    "invitation_refused": QT_TRANSLATE_NOOP(
        "Dashboard", "Head office refused this invitation: unknown, already used or expired."
    ),
    "invalid_invitation_code": QT_TRANSLATE_NOOP(
        "Dashboard", "That is not an invitation code: check what was typed."
    ),
    "device_key_refused": QT_TRANSLATE_NOOP(
        "Dashboard", "A kiosk's key cannot open the manager app."
    ),
}


def problem_text(code: str) -> str:
    """A question's problem or head office's refusal, in the screen's language."""
    known = _PROBLEMS.get(code)
    if known is not None:
        return QCoreApplication.translate(_CONTEXT, str(known))
    return QCoreApplication.translate(
        "Dashboard", "Head office refused the question ({code})."
    ).format(code=code)


def failure_text(error: BaseException) -> str:
    """Why loading or signing in failed, for the manager (never a traceback)."""
    if isinstance(error, RequestRefusedError):
        return problem_text(error.code)
    if isinstance(error, TransientSyncError):
        return QCoreApplication.translate(
            "Dashboard", "Head office cannot be reached. Check the connection and try again."
        )
    if isinstance(error, CredentialStoreError):
        return QCoreApplication.translate(
            "Dashboard", "This computer's keyring did not keep the key: {error}"
        ).format(error=error)
    if isinstance(error, SyncError):
        return QCoreApplication.translate(
            "Dashboard", "Could not load the figures: {error}"
        ).format(error=error)
    return QCoreApplication.translate("Dashboard", "Something went wrong: {error}").format(
        error=error
    )


def screen_language(current: str) -> Language:
    return "es" if current == "es" else "en"
