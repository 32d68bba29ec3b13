"""Kiosk settings: defaults, round trip through a real encrypted store, and hand-edited values."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.kiosk_settings import KEY_PREFIX, InvalidSettingError, KioskSettings
from app.core.store import KioskStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KioskStore]:
    opened = KioskStore.open(tmp_path / "k.db", secrets.token_bytes(32))
    yield opened
    opened.close()


def test_an_empty_store_gives_the_defaults(store: KioskStore) -> None:
    loaded = KioskSettings.load(store)
    assert loaded.problems == ()
    s = loaded.settings
    assert s == KioskSettings()
    assert s.camera == 0 and s.camera_spec == 0
    assert s.resolution == (1280, 720)
    assert s.language == "es"
    assert s.debounce_seconds == 3.0
    assert s.result_timeout_seconds == 5.0
    assert s.undo_window_seconds == 60
    assert s.mirror_preview is True and s.sounds is True


def test_settings_round_trip_through_the_store(store: KioskStore, tmp_path: Path) -> None:
    chosen = KioskSettings(
        camera=tmp_path / "counter.mp4",
        resolution=(1920, 1080),
        mirror_preview=False,
        sounds=False,
        language="en",
        debounce_seconds=2.5,
        result_timeout_seconds=8.0,
        undo_window_seconds=90,
    )
    chosen.save(store)
    assert KioskSettings.load(store).settings == chosen
    assert store.settings.get(KEY_PREFIX + "resolution") == "1920x1080"
    assert store.settings.get(KEY_PREFIX + "sounds") == "false"
    assert chosen.camera_spec == str(tmp_path / "counter.mp4")


def test_settings_survive_reopening_the_store(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    with KioskStore.open(tmp_path / "k.db", key) as first:
        KioskSettings(camera=2, language="en").save(first)
    with KioskStore.open(tmp_path / "k.db", key) as again:
        loaded = KioskSettings.load(again).settings
    assert loaded.camera == 2 and loaded.language == "en"


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("camera", "-1"),
        ("camera", "   "),
        ("camera", "videos/counter.mp4"),
        ("camera", "99"),
        ("resolution", "1280*720"),
        ("resolution", "10x10"),
        ("resolution", "99999x720"),
        ("mirror_preview", "maybe"),
        ("sounds", ""),
        ("language", "de"),
        ("debounce_seconds", "0"),
        ("debounce_seconds", "three"),
        ("debounce_seconds", "nan"),
        ("result_timeout_seconds", "600"),
        ("undo_window_seconds", "1"),
        ("undo_window_seconds", "60.5"),
    ],
)
def test_a_bad_stored_value_falls_back_to_its_default_and_is_reported(
    store: KioskStore, name: str, stored: str
) -> None:
    KioskSettings(language="en", sounds=False).save(store)
    store.settings.set(KEY_PREFIX + name, stored)
    loaded = KioskSettings.load(store)
    [problem] = loaded.problems
    assert isinstance(problem, InvalidSettingError)
    assert problem.name == name and problem.value == stored
    assert getattr(loaded.settings, name) == KioskSettings.model_fields[name].default
    # every other setting keeps its stored value
    if name != "language":
        assert loaded.settings.language == "en"
    if name != "sounds":
        assert loaded.settings.sounds is False


def test_several_bad_values_are_all_reported(store: KioskStore) -> None:
    store.settings.set(KEY_PREFIX + "language", "fr")
    store.settings.set(KEY_PREFIX + "debounce_seconds", "-3")
    loaded = KioskSettings.load(store)
    assert {p.name for p in loaded.problems} == {"language", "debounce_seconds"}
    assert loaded.settings == KioskSettings()


def test_hand_written_forms_are_accepted(store: KioskStore) -> None:
    store.settings.set(KEY_PREFIX + "resolution", " 640 X 480 ")
    store.settings.set(KEY_PREFIX + "camera", " 1 ")
    store.settings.set(KEY_PREFIX + "sounds", "no")
    loaded = KioskSettings.load(store)
    assert loaded.problems == ()
    assert loaded.settings.resolution == (640, 480)
    assert loaded.settings.camera == 1
    assert loaded.settings.sounds is False


def test_with_changes_validates(store: KioskStore) -> None:
    base = KioskSettings()
    assert base.with_changes(debounce_seconds=1.5).debounce_seconds == 1.5
    with pytest.raises(InvalidSettingError) as caught:
        base.with_changes(result_timeout_seconds=0.1)
    assert caught.value.name == "result_timeout_seconds"
    with pytest.raises(InvalidSettingError):
        base.with_changes(volume=3)
    with pytest.raises(InvalidSettingError):
        base.with_changes(camera=True)


def test_settings_are_immutable() -> None:
    with pytest.raises(ValueError):
        KioskSettings().language = "en"  # type: ignore[misc]
