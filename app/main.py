"""``pika-kiosk``: start the counter kiosk.

``pika-kiosk --demo`` needs nothing else: it makes an encrypted store in a temporary folder,
fills it with a demo business, offers and signed vouchers, and opens the counter window. Where
the OS has no keyring it uses a throwaway key and says so on screen. Normal mode keeps the
database key in the OS keyring and refuses to start without one.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.demo import DemoCatalogue

log = logging.getLogger("pika")


def _file_to_write(*suffixes: str) -> Callable[[str], Path]:
    """An argument type: a file name with one of ``suffixes`` in a folder that exists, checked
    before any work (a usage error, exit 2), so a typo never costs a minute of video."""

    def check(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(
                f"{text}: the name must end in {' or '.join(suffixes)}"
            )
        if not path.parent.is_dir():
            raise argparse.ArgumentTypeError(f"{text}: there is no folder {path.parent}")
        return path

    return check


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pika-kiosk", description=__doc__)
    parser.add_argument("--demo", action="store_true", help="demo business and vouchers")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="where the encrypted store lives (default: a temporary folder in demo mode, "
        "the user data folder otherwise)",
    )
    parser.add_argument(
        "--kiosk",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="full screen, leave only with the manager PIN (default: on, off in demo mode)",
    )
    parser.add_argument("--video", type=Path, help="a video file or image folder as the camera")
    parser.add_argument(
        "--lang", choices=("es", "en"), help="screen language (default: the kiosk's setting, es)"
    )
    parser.add_argument(
        "--log-dir",
        type=Path,
        help="where the rotated log file goes (default: PIKA_LOG_DIR, else the OS's log folder)",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check that every part of the kiosk works, print JSON, exit",
    )
    parser.add_argument(
        "--print-sheet",
        type=_file_to_write(".pdf", ".png"),
        metavar="FILE",
        help="demo: write the demo vouchers to FILE (.pdf or .png) and exit",
    )
    parser.add_argument(
        "--make-video",
        type=_file_to_write(".avi", ".mp4"),
        metavar="FILE",
        help="demo: write a video showing the demo vouchers to FILE and exit",
    )
    return parser.parse_args(argv)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pika-counter"


def main(argv: list[str] | None = None) -> int:
    from app.core.kiosk_log import LINE_FORMAT, start_file_log, stop_file_log

    logging.basicConfig(level=logging.INFO, format=LINE_FORMAT)
    args = parse_args(argv)
    if args.self_check:
        from app.selfcheck import run

        return run()
    if args.print_sheet or args.make_video:
        return _demo_files(args)
    # The counter itself also logs to a rotated file in the OS's log folder (for IT).
    file_log = start_file_log(args.log_dir)
    try:
        return _run_counter(args)
    finally:
        stop_file_log(file_log)


def _run_counter(args: argparse.Namespace) -> int:
    from app.ui.app import run_kiosk

    def run_in(data_dir: Path) -> int:
        return run_kiosk(
            data_dir=data_dir,
            demo=args.demo,
            video=args.video,
            language=args.lang,
            kiosk_mode=args.kiosk,
        )

    if args.data_dir is not None:
        return run_in(args.data_dir)
    if not args.demo:
        return run_in(default_data_dir())
    from app.core.demo_folder import demo_data_dir

    # The demo keeps nothing: its folder goes when the kiosk ends (SIGTERM included).
    with demo_data_dir() as data_dir:
        return run_in(data_dir)


def _demo_files(args: argparse.Namespace) -> int:
    """Files a demo needs, made without opening a window (printing, a stand-in camera)."""
    from app.core.demo import make_catalogue
    from app.core.scanning.errors import ScanError

    catalogue = make_catalogue()
    try:
        _write_demo_files(args, catalogue)
    except (OSError, ValueError, ScanError) as error:  # a full disk, no permission, a codec
        print(f"pika-kiosk: could not write the demo file: {error}", file=sys.stderr)
        return 2
    return 0


def _write_demo_files(args: argparse.Namespace, catalogue: DemoCatalogue) -> None:
    if args.print_sheet:
        from pika_print.voucher_sheet import write_sheet

        written = write_sheet([v.printable() for v in catalogue.all_vouchers], args.print_sheet)
        print("\n".join(str(p) for p in written))
    if args.make_video:
        from app.core.scanning.demo import write_counter_demo

        tokens = [v.token for v in catalogue.all_vouchers]
        write_counter_demo(args.make_video, tokens, progress=_TerminalProgress(args.make_video))
        print(args.make_video)


class _TerminalProgress:
    """``Writing demo.avi: 45% (218/484 frames)`` on one terminal line (stderr), redrawn
    when the percentage changes, so stdout keeps only the file's name."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent == self._shown:
            return
        self._shown = percent
        end = "\n" if done >= total else ""
        print(
            f"\rWriting {self.target.name}: {percent}% ({done}/{total} frames)",
            end=end,
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
