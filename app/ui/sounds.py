"""One short sound per result tone (QtMultimedia), so the cashier hears the answer.

Sounds are preloaded once: a scan must never wait for a file to load. Where the machine has no
audio output the effects stay silent and the kiosk works on; this never raises.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QSoundEffect

from app.core.counter import Tone
from app.ui.resources import resources_dir

log = logging.getLogger(__name__)

SOUND_FILES = {Tone.VALID: "valid.wav", Tone.WARNING: "warning.wav", Tone.INVALID: "invalid.wav"}


class ResultSounds(QObject):
    def __init__(self, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.last_played: Tone | None = None
        self._effects: dict[Tone, QSoundEffect] = {}
        for tone, name in SOUND_FILES.items():
            path = resources_dir() / "sounds" / name
            if not path.exists():
                log.warning("sound %s is missing; results for %s stay silent", path, tone)
                continue
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.9)
            self._effects[tone] = effect

    def play(self, tone: Tone) -> None:
        if not self.enabled:
            return
        effect = self._effects.get(tone)
        if effect is None:
            return
        for other in self._effects.values():
            other.stop()  # the newest result's sound wins
        effect.play()
        self.last_played = tone
