"""Push (idempotent redemption upload, conflicts) and pull (the change feed) for kiosks."""
