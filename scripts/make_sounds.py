"""Make the kiosk's three result sounds (resources/sounds/*.wav), distinct by ear at a counter.

valid: two rising bright tones (a "ding-ding" that says yes); warning: two flat mid tones
(attention, not alarm); invalid: a low buzzing double honk (no). Short (< 0.5 s) so the
next scan is never waiting for a sound, with fades so nothing clicks. Re-run after a change:
    .venv/bin/python scripts/make_sounds.py
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 44_100
OUT = Path(__file__).resolve().parent.parent / "resources" / "sounds"


def tone(freq: float, seconds: float, *, square: bool = False, volume: float = 0.5) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    wave_ = np.sin(2 * np.pi * freq * t)
    if square:
        wave_ = np.sign(wave_) * 0.6 + 0.4 * np.sin(2 * np.pi * freq * 2 * t)
    fade = min(len(t) // 5, int(RATE * 0.015))
    envelope = np.ones_like(t)
    envelope[:fade] = np.linspace(0, 1, fade)
    envelope[-fade:] = np.linspace(1, 0, fade)
    return wave_ * envelope * volume


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds))


SOUNDS = {
    "valid": lambda: np.concatenate([tone(880, 0.11), silence(0.03), tone(1318.5, 0.18)]),
    "warning": lambda: np.concatenate([tone(660, 0.14), silence(0.06), tone(660, 0.14)]),
    "invalid": lambda: np.concatenate(
        [
            tone(196, 0.16, square=True, volume=0.35),
            silence(0.05),
            tone(165, 0.22, square=True, volume=0.35),
        ]
    ),
}


def write(name: str, samples: np.ndarray) -> Path:
    path = OUT / f"{name}.wav"
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in SOUNDS.items():
        print(write(name, make()))


if __name__ == "__main__":
    main()
