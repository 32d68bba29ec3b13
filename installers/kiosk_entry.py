"""Entry point of the frozen kiosk (PyInstaller): the same main as ``pika-kiosk``."""

import sys

from app.main import main

sys.exit(main())
