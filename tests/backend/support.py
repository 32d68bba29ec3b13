"""Builders for backend tests: businesses, offers, printed books, enrolled devices, items."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from sync_backend.businesses import service as businesses
from sync_backend.devices import service as devices
from sync_backend.managers import service as managers
from sync_backend.settings import Environment, Settings, Tier
from sync_backend.vouchers import service as vouchers
from sync_backend.vouchers.copies import PrintedCopy
from sync_backend.vouchers.schemas import OfferIn
from sync_backend.vouchers.signing import PrivateKeyCache

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": Environment.DEVELOPMENT,
        "database_url": database_url,
        "redis_url": "",
        "admin_token": ADMIN_TOKEN,
        "fraud_interval_s": 0,
        # tests run the projector's rounds themselves (tests/backend/analytics)
        "analytics_interval_s": 0,
        # and count kiosks for the metrics themselves (tests/backend/devices/test_contact.py)
        "fleet_interval_s": 0,
        "rate_limit_key_prefix": f"pika-test-{secrets.token_hex(4)}",
        "tier_limits": {
            "BASIC": "100000/hour",
            "PREMIUM": "100000/hour",
            "ENTERPRISE": "100000/hour",
        },
        # The session-wide app enrols many kiosks from one test client address.
        "enrolment_limit": "100000/hour",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Kiosk:
    device_id: str
    api_key: str
    business_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def void(
        self,
        redemption_id: str,
        *,
        reason: str = "cashier undo",
        voided_at: datetime | None = None,
        item_id: uuid.UUID | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        """A ``void`` item taking back ``redemption_id`` (the id of a pushed redemption)."""
        return {
            "id": str(item_id or uuid.uuid4()),
            "kind": "void",
            "redemption_id": redemption_id,
            "void_reason": reason,
            "voided_at": (voided_at or datetime.now(UTC)).isoformat(),
            "business_id": self.business_id,
            "device_id": self.device_id,
            **overrides,
        }

    def item(
        self,
        token: str,
        *,
        kind: str = "redemption",
        reason: str = "valid",
        scanned_at: datetime | None = None,
        location: tuple[float, float] | None = None,
        item_id: uuid.UUID | None = None,
        source: str = "camera",
        **overrides: Any,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": str(item_id or uuid.uuid4()),
            "kind": kind,
            "token": token,
            "business_id": self.business_id,
            "reason": reason,
            "scanned_at": (scanned_at or datetime.now(UTC)).isoformat(),
            "device_id": self.device_id,
            "source": source,
        }
        if location is not None:
            item["location"] = {"lat": location[0], "lon": location[1]}
        item.update(overrides)
        return item


class Kit:
    """Sets up server state through the real services and commits it."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    def business(self, name: str = "Café", tier: Tier = Tier.PREMIUM) -> int:
        business = businesses.create(self.session, name=name, tier=tier, actor="test")
        self.session.commit()
        return business.id

    def offer(self, business_id: int, *, days: int = 30, **extra: Any) -> int:
        now = datetime.now(UTC)
        offer = vouchers.create_offer(
            self.session,
            OfferIn(
                business_id=business_id,
                title="2x1",
                discount=extra.pop("discount", "2x1"),
                valid_from=extra.pop("valid_from", now - timedelta(days=1)),
                valid_until=extra.pop("valid_until", now + timedelta(days=days)),
                **extra,
            ),
            actor="test",
        )
        self.session.commit()
        return offer.id

    def vouchers(
        self, business_id: int, copies: int = 5, offer_id: int | None = None
    ) -> list[PrintedCopy]:
        """A printed book's copies with their tokens (signed again: the server keeps none)."""
        offer_id = offer_id or self.offer(business_id)
        book = vouchers.print_book(self.session, self.settings, offer_id, copies, actor="test")
        self.session.commit()
        return vouchers.book_copies(self.session, PrivateKeyCache(self.settings), book.id)

    def manager_key(self, business_id: int, name: str = "Oficina") -> str:
        """A shop manager's key for ``business_id`` (invited and enrolled)."""
        invitation = managers.invite(self.session, self.settings, business_id, actor="test")
        key = managers.enrol(self.session, self.settings, invitation.code, name).api_key
        self.session.commit()
        return key

    def kiosk(self, business_id: int, name: str = "Caja 1") -> Kiosk:
        code, _ = devices.create_enrolment_code(self.session, self.settings, business_id, "test")
        answer = devices.enrol(
            self.session, self.settings, sync_wire.EnrolRequest(code=code, device_name=name)
        )
        self.session.commit()
        return Kiosk(answer.device_id, answer.api_key, business_id)


def push_body(*items: dict[str, Any], sent_at: datetime | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"items": list(items)}
    if sent_at is not None:
        body["sent_at"] = sent_at.isoformat()
    return body


def push(
    client: Any, kiosk: Kiosk, *items: dict[str, Any], key: str | None = None, **kw: Any
) -> Any:
    return client.post(
        sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": key or str(uuid.uuid4())},
        json=push_body(*items, **kw),
    )
