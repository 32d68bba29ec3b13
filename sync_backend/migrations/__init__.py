"""Alembic migrations for the backend schema (Postgres in production, SQLite for the demo)."""
