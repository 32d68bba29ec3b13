"""The camera list in the manager's settings: found, saved, chosen, each once."""

from __future__ import annotations

from app.core.camera_choices import CameraChoice, ChoiceKind, camera_choices
from app.core.scanning.capture import CameraInfo

CAM0 = CameraInfo(0, 640, 480)
CAM2 = CameraInfo(2, 1280, 720)


def test_found_cameras_come_first_and_the_saved_one_is_not_repeated() -> None:
    assert camera_choices([CAM0, CAM2], saved=0, selected=0) == [
        CameraChoice(0, ChoiceKind.FOUND, CAM0),
        CameraChoice(2, ChoiceKind.FOUND, CAM2),
    ]


def test_a_saved_camera_not_found_now_stays_in_the_list() -> None:
    assert camera_choices([CAM2], saved=1, selected=2) == [
        CameraChoice(2, ChoiceKind.FOUND, CAM2),
        CameraChoice(1, ChoiceKind.NOT_FOUND),
    ]


def test_while_looking_the_saved_camera_is_said_to_be_looked_for() -> None:
    assert camera_choices(None, saved=0, selected=0) == [CameraChoice(0, ChoiceKind.LOOKING)]
    assert camera_choices([], saved=0, selected=0) == [CameraChoice(0, ChoiceKind.NOT_FOUND)]


def test_files_chosen_and_saved_are_listed_once_each_in_order() -> None:
    choices = camera_choices(
        [CAM0], saved="/v/saved.avi", selected="/v/new.avi", chosen_paths=["/v/new.avi", "/f"]
    )
    assert choices == [
        CameraChoice(0, ChoiceKind.FOUND, CAM0),
        CameraChoice("/v/saved.avi", ChoiceKind.FILE),
        CameraChoice("/v/new.avi", ChoiceKind.FILE),
        CameraChoice("/f", ChoiceKind.FILE),
    ]
