"""Rate limits per business tier, shared across processes through Redis."""
