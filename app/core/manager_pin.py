"""The manager PIN: what keeps the cashier out of settings, voids and leaving kiosk mode.

Kept only as a salted scrypt hash in the store's (encrypted) settings, compared in constant
time. Five wrong tries lock the pad for a delay that doubles with each further wrong try; the
count and the lock are stored too, so restarting the kiosk does not reset them. The supervisor
override that cashiers ask for is this same PIN for now (one role).

A demo kiosk gets :data:`DEMO_PIN` so anyone trying it can open the manager view; the demo
screen shows it. A real kiosk has no PIN until the manager sets one on first use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.store import KioskStore

#: The PIN of every demo kiosk (documented in the README and shown on the demo screen).
DEMO_PIN = "1234"
MIN_DIGITS = 4
MAX_DIGITS = 8
#: Wrong tries allowed before the pad locks.
TRIES_BEFORE_LOCK = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)

HASH_KEY = "manager_pin.hash"
FAILURES_KEY = "manager_pin.failures"
LOCKED_UNTIL_KEY = "manager_pin.locked_until"

# scrypt cost: 16 MiB and ~50 ms per check on a counter PC; a 4-digit PIN is weak anyway, the
# cost and the lockout only slow down guessing from a stolen store (which also needs its key).
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_HASH_BYTES = 32
_SALT_BYTES = 16
_PIN = re.compile(rf"[0-9]{{{MIN_DIGITS},{MAX_DIGITS}}}")


class PinError(Exception):
    """Root of the manager PIN errors; each message can be shown to the manager as is."""


class PinFormatError(PinError, ValueError):
    """A new PIN that is not 4 to 8 digits (0-9)."""


class PinNotSetError(PinError):
    """No manager PIN yet: the manager must set one first."""


class PinAlreadySetError(PinError):
    """First-run setup was asked for, but a PIN exists: change it instead."""


class WrongPinError(PinError):
    """The PIN was wrong. ``tries_left`` before the pad locks; ``locked_seconds`` > 0 when
    this try locked it."""

    def __init__(self, tries_left: int, locked_seconds: float) -> None:
        if locked_seconds > 0:
            message = f"wrong PIN; locked for {locked_seconds:.0f} s"
        else:
            message = f"wrong PIN; {tries_left} tries left before the pad locks"
        super().__init__(message)
        self.tries_left = tries_left
        self.locked_seconds = locked_seconds


class PinLockedError(PinError):
    """Too many wrong tries: no PIN is checked until ``seconds_left`` have passed."""

    def __init__(self, seconds_left: float) -> None:
        super().__init__(f"too many wrong PINs; try again in {seconds_left:.0f} s")
        self.seconds_left = seconds_left


class PinRecordDamagedError(PinError):
    """The stored PIN hash cannot be read (edited by hand?); IT must reset it."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def lock_delay(failures: int) -> timedelta:
    """How long the pad stays locked after ``failures`` wrong tries in a row (0 if not yet).

    30 s after the fifth, then doubling with each further wrong try, up to 15 minutes.
    """
    if failures < TRIES_BEFORE_LOCK:
        return timedelta(0)
    doublings = min(failures - TRIES_BEFORE_LOCK, 16)
    return min(FIRST_LOCK * 2**doublings, LONGEST_LOCK)


def check_pin_format(pin: str) -> str:
    """Return ``pin`` if it is 4 to 8 ASCII digits, else raise :class:`PinFormatError`."""
    if not isinstance(pin, str) or _PIN.fullmatch(pin) is None:
        raise PinFormatError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    return pin


class ManagerPin:
    """The manager PIN of one kiosk, read and written through its store.

    Use it where the store may be used (the store thread). ``clock`` returns aware UTC
    datetimes; tests inject one to step through lockouts.
    """

    def __init__(self, store: KioskStore, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self._clock = clock

    def is_set(self) -> bool:
        return self.store.settings.get(HASH_KEY) is not None

    def set_up(self, pin: str) -> None:
        """First run: choose the PIN. Refused once one exists (use :meth:`change`)."""
        check_pin_format(pin)
        if self.is_set():
            raise PinAlreadySetError("a manager PIN is already set; change it instead")
        self._store_pin(pin)

    def ensure_demo_pin(self) -> bool:
        """Give a demo kiosk :data:`DEMO_PIN` unless it has a PIN; True if it was set now."""
        if self.is_set():
            return False
        self._store_pin(DEMO_PIN)
        return True

    def verify(self, pin: str) -> None:
        """Return if ``pin`` is the manager PIN; otherwise raise why not.

        :class:`PinLockedError` while locked (the PIN is not even checked),
        :class:`WrongPinError` for a wrong PIN (counted), :class:`PinNotSetError` if none.
        """
        stored = self.store.settings.get(HASH_KEY)
        if stored is None:
            raise PinNotSetError("no manager PIN is set yet")
        seconds_left = self.locked_seconds_left()
        if seconds_left > 0:
            raise PinLockedError(seconds_left)
        if _matches(pin, stored):
            if self._failures() or self.store.settings.get(LOCKED_UNTIL_KEY):
                self.store.settings.set(FAILURES_KEY, "0")
                self.store.settings.set(LOCKED_UNTIL_KEY, "")
            return
        failures = self._failures() + 1
        delay = lock_delay(failures)
        self.store.settings.set(FAILURES_KEY, str(failures))
        if delay:
            self.store.settings.set(LOCKED_UNTIL_KEY, (self._clock() + delay).isoformat())
        raise WrongPinError(
            tries_left=max(0, TRIES_BEFORE_LOCK - failures),
            locked_seconds=delay.total_seconds(),
        )

    def change(self, current: str, new: str) -> None:
        """Replace the PIN; ``current`` is checked (and counted) like any other try."""
        check_pin_format(new)
        self.verify(current)
        self._store_pin(new)

    def locked_seconds_left(self) -> float:
        """Seconds until the pad takes a PIN again (0 when it is not locked)."""
        raw = self.store.settings.get(LOCKED_UNTIL_KEY)
        if not raw:
            return 0.0
        now = self._clock()
        try:
            until = datetime.fromisoformat(raw)
            if until.utcoffset() is None:
                raise ValueError("no time zone")
        except ValueError:
            # An unreadable lock is kept as the longest one rather than dropped.
            until = now + LONGEST_LOCK
            self.store.settings.set(LOCKED_UNTIL_KEY, until.isoformat())
        # A clock set back must not lock the manager out for longer than the longest lock.
        left = min(until - now, LONGEST_LOCK)
        return max(0.0, left.total_seconds())

    def _failures(self) -> int:
        raw = self.store.settings.get(FAILURES_KEY)
        if not raw:
            return 0
        try:
            return max(0, int(raw))
        except ValueError:
            # Unreadable: count it as just locked, never as a fresh start.
            return TRIES_BEFORE_LOCK

    def _store_pin(self, pin: str) -> None:
        self.store.settings.set(HASH_KEY, _hash(check_pin_format(pin)))
        self.store.settings.set(FAILURES_KEY, "0")
        self.store.settings.set(LOCKED_UNTIL_KEY, "")


def _hash(pin: str, salt: bytes | None = None) -> str:
    salt = secrets.token_bytes(_SALT_BYTES) if salt is None else salt
    digest = _scrypt(pin, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(
        ("scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest))
    )


def _matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            raise ValueError(f"unknown scheme {scheme!r}")
        cost, block, parallel = int(n), int(r), int(p)
        expected = base64.b64decode(digest, validate=True)
        salt_bytes = base64.b64decode(salt, validate=True)
        sane = 2 <= cost <= 2**20 and 1 <= block <= 32 and 1 <= parallel <= 16
        if not (sane and 16 <= len(expected) <= 64):
            raise ValueError("scrypt parameters out of range")
    except ValueError as exc:
        raise PinRecordDamagedError(
            "the stored manager PIN cannot be read; IT must reset it"
        ) from exc
    if not isinstance(pin, str) or _PIN.fullmatch(pin) is None:
        return False
    actual = _scrypt(pin, salt_bytes, cost, block, parallel, len(expected))
    return hmac.compare_digest(actual, expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, length: int = _HASH_BYTES) -> bytes:
    return hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * 1024 * 1024
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
