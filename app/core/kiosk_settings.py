"""The kiosk's own settings (camera, sounds, language, timings), kept in the store's settings.

One validated object (:class:`KioskSettings`) so the rest of the kiosk never parses a setting
itself. The settings table holds plain text and a technician may edit it by hand, so loading
never fails on a bad value: that one setting falls back to its default and the problem is
reported (:class:`InvalidSettingError` in :attr:`LoadedSettings.problems`) for the log and the
manager view. Saving validates first, so only good values are ever written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

if TYPE_CHECKING:
    from app.core.store import KioskStore

#: Every key this module writes starts with this, apart from the device's identity keys.
KEY_PREFIX = "kiosk."

Language = Literal["es", "en"]
LANGUAGES: tuple[Language, ...] = ("es", "en")

MAX_CAMERA_INDEX = 63
#: (lowest, highest) a manager may choose; the settings form uses the same bounds.
DEBOUNCE_SECONDS = (0.5, 30.0)
RESULT_TIMEOUT_SECONDS = (1.0, 60.0)
UNDO_WINDOW_SECONDS = (10, 600)
MIN_RESOLUTION = (160, 120)
MAX_RESOLUTION = (7680, 4320)
_RESOLUTION = re.compile(r"^\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*$")


class SettingsError(ValueError):
    """Root of the settings errors: a value that is not a valid kiosk setting."""


class InvalidSettingError(SettingsError):
    """One setting has a value it cannot take; says which, the value and why."""

    def __init__(self, name: str, value: object, problem: str) -> None:
        super().__init__(f"setting {name!r} cannot be {value!r}: {problem}")
        self.name = name
        self.value = value
        self.problem = problem


class KioskSettings(BaseModel):
    """Everything a manager can change at the counter, each with its default and bounds.

    ``camera`` is a camera index (``0`` is the system's first camera) or the full path of a
    video file or image folder that stands in for a camera (demos, tests); it is what
    :func:`app.core.scanning.capture.open_source` takes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    camera: int | Path = 0
    resolution: tuple[
        Annotated[int, Field(ge=MIN_RESOLUTION[0], le=MAX_RESOLUTION[0])],
        Annotated[int, Field(ge=MIN_RESOLUTION[1], le=MAX_RESOLUTION[1])],
    ] = (1280, 720)
    mirror_preview: bool = True
    sounds: bool = True
    language: Language = "es"
    #: The same voucher seen again within this many seconds is one scan.
    debounce_seconds: float = Field(default=3.0, ge=DEBOUNCE_SECONDS[0], le=DEBOUNCE_SECONDS[1])
    #: How long a result stays on screen before the kiosk is ready again.
    result_timeout_seconds: float = Field(
        default=5.0, ge=RESULT_TIMEOUT_SECONDS[0], le=RESULT_TIMEOUT_SECONDS[1]
    )
    #: How long the cashier may undo their last redemption.
    undo_window_seconds: int = Field(
        default=60, ge=UNDO_WINDOW_SECONDS[0], le=UNDO_WINDOW_SECONDS[1]
    )

    @field_validator("camera", mode="before")
    @classmethod
    def _camera(cls, value: Any) -> int | Path:
        if isinstance(value, bool):
            raise ValueError("a camera is an index or a path, not true/false")
        if isinstance(value, int):
            index = value
        elif isinstance(value, str) and value.strip().isdigit():
            index = int(value.strip())
        elif isinstance(value, str | Path):
            text = str(value).strip()
            if not text:
                raise ValueError("a camera path cannot be empty")
            # The kiosk's working directory is anyone's guess: a relative path means nothing.
            if not Path(text).is_absolute():
                raise ValueError("a video file or image folder needs its full path")
            return Path(text)
        else:
            raise ValueError("a camera is an index or a path")
        if not 0 <= index <= MAX_CAMERA_INDEX:
            raise ValueError(f"a camera index is 0..{MAX_CAMERA_INDEX}")
        return index

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _RESOLUTION.match(value)
            if match is None:
                raise ValueError("a resolution is written WIDTHxHEIGHT, e.g. 1280x720")
            return int(match.group(1)), int(match.group(2))
        return value

    @property
    def camera_spec(self) -> str | int:
        """The camera as :func:`~app.core.scanning.capture.open_source` takes it."""
        return self.camera if isinstance(self.camera, int) else str(self.camera)

    def with_changes(self, **changes: Any) -> KioskSettings:
        """A copy with ``changes`` applied and validated (pydantic's copy does not validate).

        Raises :class:`InvalidSettingError` for the first field that is refused.
        """
        return _validated({**self.model_dump(), **changes})

    @classmethod
    def load(cls, store: KioskStore) -> LoadedSettings:
        """Read every setting from ``store``; a missing key takes its default, and a bad one
        takes its default too and is reported in :attr:`LoadedSettings.problems`."""
        values: dict[str, Any] = {}
        problems: list[InvalidSettingError] = []
        for name in cls.model_fields:
            raw = store.settings.get(KEY_PREFIX + name)
            if raw is None:
                continue
            try:
                # Fields have no cross-field rules, so each can be checked on its own.
                _validated({name: raw})
            except InvalidSettingError as problem:
                problems.append(problem)
            else:
                values[name] = raw
        return LoadedSettings(_validated(values), tuple(problems))

    def save(self, store: KioskStore) -> None:
        """Write every setting to ``store`` as text (the form :meth:`load` reads back)."""
        for name, text in self.as_text().items():
            store.settings.set(KEY_PREFIX + name, text)

    def as_text(self) -> dict[str, str]:
        """Each setting as the text kept in the store."""
        return {
            "camera": str(self.camera),
            "resolution": f"{self.resolution[0]}x{self.resolution[1]}",
            "mirror_preview": _bool_text(self.mirror_preview),
            "sounds": _bool_text(self.sounds),
            "language": self.language,
            "debounce_seconds": repr(self.debounce_seconds),
            "result_timeout_seconds": repr(self.result_timeout_seconds),
            "undo_window_seconds": str(self.undo_window_seconds),
        }


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    """What :meth:`KioskSettings.load` found: usable settings, and what it had to replace."""

    settings: KioskSettings
    problems: tuple[InvalidSettingError, ...] = ()


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


def _validated(values: dict[str, Any]) -> KioskSettings:
    try:
        return KioskSettings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        raise InvalidSettingError(name, values.get(name), first["msg"]) from exc
