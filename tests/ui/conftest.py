from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.head_office import head_office_template  # noqa: F401  (fixture)
