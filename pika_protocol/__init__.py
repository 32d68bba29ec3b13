"""What the kiosk and head office must agree on, in one package both import.

The token format (``tokens``), the scan decision and its reasons (``validation``), the wire
schemas (``sync_wire``) and the reading of discount text (``discounts``). It stands alone:
nothing here imports the kiosk (``app``), Qt, OpenCV, the server (``sync_backend``) or the
benchmarks, so the server installs and runs without the kiosk's code (import-linter contract
in pyproject.toml, docs/architecture.md).
"""
