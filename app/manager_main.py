"""``pika-manager``: the shop managers' (and head office's) analytics desktop app (issue 14).

Sign in once with the invitation head office gives (its QR or code); the key stays in the OS
keyring. The last figures are kept encrypted and shown offline with their "as of" time.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pika-manager", description=__doc__)
    parser.add_argument("--server", help="head office's address, filled in at sign-in")
    parser.add_argument("--lang", choices=("es", "en"), default="es", help="screen language")
    parser.add_argument(
        "--config-dir", type=Path, help="where the sign-in settings live (no secret in it)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where the encrypted copy of the last figures lives"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a demo head office (SQLite, a realistic year; filled once, a minute or "
        "two) and open the app on it as head office; closing the app stops it",
    )
    parser.add_argument("--demo-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--demo-events", type=int, default=1_000_000, help=argparse.SUPPRESS)
    parser.add_argument("--demo-businesses", type=int, default=36, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parse_args(argv)
    from app.core.dashboard.sign_in import default_config_dir, default_data_dir
    from app.ui.dashboard.app import run_manager, run_manager_demo

    if args.demo:
        return run_manager_demo(
            folder=args.demo_dir,
            language=args.lang,
            events=args.demo_events,
            businesses=args.demo_businesses,
        )

    return run_manager(
        config_dir=args.config_dir or default_config_dir(),
        data_dir=args.data_dir or default_data_dir(),
        server=args.server,
        language=args.lang,
    )


if __name__ == "__main__":
    raise SystemExit(main())
