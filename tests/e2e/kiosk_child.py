"""A kiosk core in its own process, to be killed with SIGKILL by tests/e2e.

    python -m tests.e2e.kiosk_child record STORE KEY_HEX TOKENS_JSON
    python -m tests.e2e.kiosk_child sync STORE KEY_HEX SERVER_URL API_KEY
    python -m tests.e2e.kiosk_child prompt STORE KEY_HEX TOKEN NOW_ISO [TOTAL]

``record`` redeems every token of the JSON list at the counter and prints each scan id once its
transaction has committed; ``sync`` pushes the outbox for ever; ``prompt`` redeems TOKEN at
NOW_ISO as the window does (held for its sale total), prints the scan id, then, given TOTAL,
settles it with that total and prints ``settled``: the sale-total prompt still open, or
closed. All run until killed.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from app.core.counter import Counter
from app.core.device import read_identity
from app.core.store import KioskStore, ScanSource
from app.core.sync import SyncApi, SyncEngine, TransientSyncError


def main(argv: list[str]) -> int:
    mode, path, key_hex = argv[:3]
    store = KioskStore.open(Path(path), bytes.fromhex(key_hex))
    device = read_identity(store)
    if mode == "prompt":
        now = datetime.fromisoformat(argv[4])
        counter = Counter(store, device, clock=lambda: now, ask_sale_total=True)
        outcome = counter.scan(argv[3], ScanSource.CAMERA)
        print(outcome.recorded.scan_id, flush=True)
        if len(argv) > 5:
            counter.settle_sale_total(outcome.recorded.scan_id, argv[5])
            print("settled", flush=True)
        time.sleep(60)
        return 0
    if mode == "record":
        counter = Counter(store, device)
        for token in json.loads(Path(argv[3]).read_text()):
            outcome = counter.scan(token, ScanSource.CAMERA)
            print(outcome.recorded.scan_id, flush=True)
        time.sleep(60)
        return 0
    server_url, api_key = argv[3:5]
    engine = SyncEngine(store, SyncApi(server_url, api_key=api_key), device, batch_size=20)
    print("syncing", flush=True)
    while True:
        try:
            engine.push()
        except TransientSyncError:
            time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
