"""Liveness, readiness, a detailed dependency check and Prometheus metrics."""
