"""Settings refuse unsafe defaults outside development (no database needed)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from sync_backend.settings import DEV_ADMIN_TOKEN, Environment, Settings, sha256_hex

SAFE = {
    "environment": Environment.PRODUCTION,
    "database_url": "postgresql+psycopg://pika@db.internal/pika",
    "redis_url": "redis://cache.internal:6379/0",
    "admin_token": "a-long-random-admin-token-for-prod",
    "signing_key_secret": Fernet.generate_key().decode(),
    "metrics_token": "a-long-random-metrics-token-for-prod",
}


def test_development_runs_on_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.admin_token_digest == sha256_hex(DEV_ADMIN_TOKEN)


def test_production_with_real_values_starts() -> None:
    settings = Settings(_env_file=None, **SAFE)  # type: ignore[arg-type]
    assert settings.admin_token_digest == sha256_hex(SAFE["admin_token"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("admin_token", DEV_ADMIN_TOKEN, "PIKA_ADMIN_TOKEN"),
        ("admin_token", "short", "at least 24"),
        ("signing_key_secret", Settings.model_fields["signing_key_secret"].default, "SIGNING_KEY"),
        ("database_url", "sqlite:///demo.db", "PIKA_DATABASE_URL"),
        ("redis_url", "", "PIKA_REDIS_URL"),
        ("metrics_token", "", "PIKA_METRICS_TOKEN or PIKA_METRICS_PORT"),
        ("metrics_token", "short", "PIKA_METRICS_TOKEN must be at least 24"),
    ],
)
def test_production_refuses_unsafe_values(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, **{**SAFE, field: value})  # type: ignore[arg-type]


def test_production_may_serve_metrics_on_their_own_port_instead_of_a_token() -> None:
    settings = Settings(_env_file=None, **{**SAFE, "metrics_token": "", "metrics_port": 9464})  # type: ignore[arg-type]
    assert settings.metrics_port == 9464 and not settings.metrics_token


def test_admin_token_may_be_given_as_its_hash() -> None:
    digest = sha256_hex("x" * 40)
    values = {**SAFE, "admin_token": "", "admin_token_sha256": digest.upper()}
    assert Settings(_env_file=None, **values).admin_token_digest == digest  # type: ignore[arg-type]


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIKA_MAX_BATCH_ITEMS", "50")
    monkeypatch.setenv("PIKA_TIER_LIMITS", '{"BASIC": "5/minute"}')
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.max_batch_items == 50 and settings.tier_limits == {"BASIC": "5/minute"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"device_sync_limit": "100/hour"}, "fewer than twice the 120 polls"),
        ({"poll_interval_s": 10, "device_sync_limit": "600/hour"}, "fewer than twice the 360"),
        ({"device_sync_limit": "often"}, "not in `limits` notation"),
        ({"tier_limits": {"BASIC": "lots"}}, "not in `limits` notation"),
    ],
)
def test_rate_limits_must_parse_and_leave_room_for_the_advised_polls(
    values: dict[str, object], message: str
) -> None:
    """A device budget that the backend's own poll advice would exhaust would put obedient
    kiosks into 429: refused at start, like a limit that does not parse."""
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, **values)  # type: ignore[arg-type]
    assert Settings(_env_file=None, poll_interval_s=60, device_sync_limit="120/hour")  # type: ignore[call-arg]
