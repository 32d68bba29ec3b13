"""The real head office for kiosk tests: ``create_app`` on an embedded SQLite database.

The kiosk's sync code talks to it through ``httpx`` as it would to a deployed backend, and
every answer comes from the server's own code (its decisions, idempotency, feed, key
rotation), never from a second copy of its rules. What a network or a broken server adds (a
refused connection, a 5xx, a 429, an answer lost after the commit, an answer a different
backend would give) is injected around the app by :class:`HeadOffice`'s transport: one
:data:`Fault` per request, in order.

The server's state is set up with its own services and repositories, under the ids the
kiosk tests use (business 42, device ``dev-caja-1``, the test counter's signing key as key
1), so a voucher the test counter signs is one head office signed.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from pika_protocol.tokens import public_key_bytes
from sync_backend import credentials, migrate
from sync_backend.app import create_app
from sync_backend.db import transaction
from sync_backend.deps import install, services_of
from sync_backend.devices import repository as device_rows
from sync_backend.devices import service as devices
from sync_backend.dialects import dialect_of
from sync_backend.models import (
    Business,
    DeviceKey,
    EnrolmentCode,
    Redemption,
    SigningKey,
    utcnow,
)
from sync_backend.settings import Settings, Tier, sha256_hex
from sync_backend.vouchers.signing import _fernet
from tests.backend.support import make_settings

BASE_URL = "http://backend.test"


def error(status: int, code: str, message: str = "", **extra: Any) -> httpx.Response:
    """An answer in the backend's error envelope (``sync_backend.errors``)."""
    body = {"error": {"code": code, "message": message or code, **extra}}
    return httpx.Response(status, json=body)


#: A fault answers a request instead of head office, or raises (a network failure); ``None``
#: lets head office answer.
Fault = Callable[[httpx.Request], httpx.Response | None]


def drop_connection(request: httpx.Request) -> httpx.Response | None:
    raise httpx.ConnectError("connection refused", request=request)


def rate_limited(retry_after: int, remaining: int, bucket: str = "items") -> Fault:
    """The backend's own 429: Retry-After, and the units still free when it refused."""

    def fault(_request: httpx.Request) -> httpx.Response:
        response = error(429, "rate_limited", remaining=remaining, bucket=bucket)
        response.headers["Retry-After"] = str(retry_after)
        return response

    return fault


def answer(status: int, code: str = "unavailable", **headers: str) -> Fault:
    def fault(_request: httpx.Request) -> httpx.Response:
        response = error(status, code)
        response.headers.update(headers)
        return response

    return fault


def pull_answer(page: sync_wire.PullResponse) -> Fault:
    """A pull answered with ``page``: what another backend (or a damaged one) could send."""

    def fault(request: httpx.Request) -> httpx.Response:
        assert request.url.path == sync_wire.PULL_PATH, request.url
        return httpx.Response(200, content=page.model_dump_json())

    return fault


def template_database(directory: Path) -> Path:
    """A migrated, empty head-office database to copy for each test (migrating takes ~1 s)."""
    path = directory / "head_office_template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def head_office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Import into a conftest.py to use (tests/core/sync, tests/ui)."""
    return template_database(tmp_path_factory.mktemp("head_office"))


@dataclass
class HeadOffice:
    """``create_app`` on its own SQLite file, seen by kiosk tests through :meth:`transport`."""

    client: TestClient
    business_id: int
    device_id: str
    #: The device's current API key (head office keeps only its hash; this is the key it
    #: handed out: at setup, or in the last key rotation answer seen on the wire).
    api_key: str
    enrolment_code: str
    #: Faults applied to the next requests, in order (one per request).
    faults: list[Fault] = field(default_factory=list)
    #: Raise a network error after head office answered this many more requests (its
    #: transaction committed, the kiosk never hears the answer).
    cut_after_commit: int = 0
    #: Idempotency-Keys of the pushes that reached head office.
    push_keys_seen: list[str] = field(default_factory=list)
    #: Items head office decided (a replayed answer decides nothing).
    items_received: int = 0
    #: Pulls head office answered, and the last answer.
    pulls: int = 0
    last_pull: sync_wire.PullResponse | None = None
    #: Items head office fails on (a server bug): a push carrying one is answered 500
    #: without reaching it.
    poison: set[uuid.UUID] = field(default_factory=set)
    #: Pushes answered 500 because they carried a poison item.
    poisoned_pushes: int = 0
    _other_kiosk: tuple[str, dict[str, str]] | None = None

    @classmethod
    @contextmanager
    def running(
        cls,
        directory: Path,
        template: Path,
        *,
        signing_key: Ed25519PrivateKey | None = None,
        business_id: int = 42,
        device_id: str = "dev-caja-1",
    ) -> Iterator[HeadOffice]:
        """Head office with one business, one signing key and one enrolled device."""
        path = directory / f"head_office_{business_id}.db"
        shutil.copy(template, path)
        # No background jobs (fraud checks, analytics projector): every write is a request's.
        settings = make_settings(f"sqlite:///{path}", fraud_interval_s=0, analytics_interval_s=0)
        app = create_app(settings)
        with TestClient(app, base_url=BASE_URL) as client:
            with transaction(services_of(app).sessionmaker) as session:
                api_key = _seed(
                    session,
                    services_of(app).settings,
                    signing_key or Ed25519PrivateKey.generate(),
                    business_id,
                    device_id,
                )
                code, _ = devices.create_enrolment_code(
                    session, services_of(app).settings, business_id, actor="test"
                )
            yield cls(client, business_id, device_id, api_key, code)

    @property
    def settings(self) -> Settings:
        return services_of(self.client.app).settings  # type: ignore[arg-type]

    def configure(self, **overrides: object) -> None:
        """Run on with other settings (as head office after a restart with another config).

        Not validated: an older or misconfigured backend may say what this one refuses."""
        services = services_of(self.client.app)  # type: ignore[arg-type]
        new = services.settings.model_copy(update=overrides)
        install(self.client.app, replace(services, settings=new))  # type: ignore[arg-type]

    @contextmanager
    def session(self) -> Iterator[Session]:
        with transaction(services_of(self.client.app).sessionmaker) as session:  # type: ignore[arg-type]
            yield session

    # -- the wire -------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.faults:
            injected = self.faults.pop(0)(request)
            if injected is not None:
                return injected
        if self.poison and request.url.path == sync_wire.PUSH_PATH:
            items = sync_wire.PushRequest.model_validate_json(request.read()).items
            if self.poison.intersection(item.id for item in items):
                self.poisoned_pushes += 1
                return error(500, "internal_error", "the server failed on this batch")
        response = self.forward(request)
        if self.cut_after_commit:
            self.cut_after_commit -= 1
            raise httpx.ReadError("connection reset after the server committed", request=request)
        return response

    def forward(self, request: httpx.Request) -> httpx.Response:
        """Head office's own answer to ``request``, noted as the kiosk would see it."""
        request.read()
        served = self.client.send(
            self.client.build_request(
                request.method,
                request.url.raw_path.decode("ascii"),
                headers=request.headers,
                content=request.content,
            )
        )
        path = request.url.path
        if path == sync_wire.PUSH_PATH:
            self.push_keys_seen.append(request.headers.get(sync_wire.IDEMPOTENCY_HEADER, ""))
            if served.status_code == 200 and "Idempotent-Replayed" not in served.headers:
                self.items_received += len(
                    sync_wire.PushRequest.model_validate_json(request.content).items
                )
        elif path == sync_wire.PULL_PATH and served.status_code == 200:
            self.pulls += 1
            self.last_pull = sync_wire.PullResponse.model_validate_json(served.content)
        elif path == sync_wire.ROTATE_KEY_PATH and served.status_code == 200:
            self.api_key = sync_wire.KeyRotation.model_validate_json(served.content).api_key
        return httpx.Response(served.status_code, headers=served.headers, content=served.content)

    # -- what head office holds -----------------------------------------------------------

    @property
    def accepted(self) -> dict[int, uuid.UUID]:
        """Each redeemed copy's serial -> the redemption head office holds for it."""
        with self.session() as session:
            rows = session.execute(
                sa.select(Redemption.serial, Redemption.id).where(
                    Redemption.outcome == "accepted",
                    Redemption.kind == "redemption",
                    Redemption.voided_at.is_(None),
                )
            )
            return {serial: item_id for serial, item_id in rows if serial is not None}

    @property
    def stored(self) -> set[uuid.UUID]:
        """Ids of every item head office keeps: redemptions, scans, and the voids it applied."""
        with self.session() as session:
            rows = session.execute(sa.select(Redemption.id, Redemption.voided_by)).all()
        return {item_id for item_id, _ in rows} | {void for _, void in rows if void is not None}

    @property
    def rotate_key(self) -> bool:
        """Whether head office asks the device for a new key (its current one is due)."""
        with self.session() as session:
            due = session.scalar(
                sa.select(sa.func.count())
                .select_from(DeviceKey)
                .where(
                    DeviceKey.device_id == self.device_id,
                    DeviceKey.expires_at.is_(None),
                    DeviceKey.rotate_after <= utcnow(),
                )
            )
        return bool(due)

    def ask_for_a_new_key(self) -> None:
        """Make the device's key due for rotation (as its ``api_key_rotate_after`` passing)."""
        with self.session() as session:
            session.execute(
                sa.update(DeviceKey)
                .where(DeviceKey.device_id == self.device_id, DeviceKey.expires_at.is_(None))
                .values(rotate_after=utcnow() - timedelta(seconds=1))
            )

    def expire_keys(self) -> None:
        """Head office stops knowing the device's keys (as after their overlap window ran out)."""
        with self.session() as session:
            session.execute(
                sa.update(DeviceKey)
                .where(DeviceKey.device_id == self.device_id)
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )

    def new_enrolment_code(self) -> str:
        """A fresh code for this business (a code enrols one device, once)."""
        with self.session() as session:
            code, _ = devices.create_enrolment_code(
                session, self.settings, self.business_id, "test"
            )
        self.enrolment_code = code
        return code

    def device_of_code(self, code: str) -> str | None:
        """The device head office enrolled with ``code``."""
        digest = sha256_hex(devices.normalise_enrolment_code(code))
        with self.session() as session:
            return session.scalar(
                sa.select(EnrolmentCode.device_id).where(EnrolmentCode.code_hash == digest)
            )

    def holds_key(self, device_id: str, api_key: str | None) -> bool:
        """Whether ``api_key`` is a live key head office holds for ``device_id``."""
        if api_key is None:
            return False
        with self.session() as session:
            row = session.scalar(
                sa.select(DeviceKey).where(
                    DeviceKey.device_id == device_id, DeviceKey.key_hash == sha256_hex(api_key)
                )
            )
        return row is not None and (row.expires_at is None or row.expires_at > utcnow())

    def revoke_device(self) -> None:
        with self.session() as session:
            devices.revoke_device(session, self.device_id, actor="test")

    def other_kiosk(self) -> tuple[str, dict[str, str]]:
        """ "Caja 2", another kiosk of the same business enrolled for real: (id, headers)."""
        if self._other_kiosk is None:
            with self.session() as session:
                code, _ = devices.create_enrolment_code(
                    session, self.settings, self.business_id, "test"
                )
            enrolled = self.client.post(
                sync_wire.ENROL_PATH, json={"code": code, "device_name": "Caja 2"}
            )
            assert enrolled.status_code == 201, enrolled.text
            body = sync_wire.EnrolResponse.model_validate_json(enrolled.content)
            self._other_kiosk = body.device_id, {"Authorization": f"Bearer {body.api_key}"}
        return self._other_kiosk

    def redeem_elsewhere(
        self, token: str, *, source: str = "camera", scanned_at: datetime | None = None
    ) -> uuid.UUID:
        """ "Caja 2" redeems ``token`` and syncs first: the id head office accepted."""
        device_id, headers = self.other_kiosk()
        item_id = uuid.uuid4()
        item = {
            "id": str(item_id),
            "kind": "redemption",
            "token": token,
            "business_id": self.business_id,
            "reason": "valid",
            "scanned_at": (scanned_at or utcnow()).isoformat(),
            "device_id": device_id,
            "source": source,
        }
        pushed = self.client.post(
            sync_wire.PUSH_PATH,
            headers={**headers, sync_wire.IDEMPOTENCY_HEADER: f"caja-2-{item_id}"},
            json={"items": [item]},
        )
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["results"][0]["outcome"] == "accepted", pushed.text
        return item_id


def _seed(
    session: Session,
    settings: Settings,
    signing_key: Ed25519PrivateKey,
    business_id: int,
    device_id: str,
) -> str:
    """Business, signing key 1 and the device, with the ids the kiosk tests use; the API key."""
    now = utcnow()
    session.add(
        Business(id=business_id, name="Chipería Don Pedro", tier=Tier.BASIC, created_at=now)
    )
    raw = signing_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    session.add(
        SigningKey(
            key_id=1,
            public_key=public_key_bytes(signing_key.public_key()),
            private_key_encrypted=_fernet(settings).encrypt(raw),
            created_at=now,
            seq=dialect_of(session).next_seqs(session, 1)[0],
        )
    )
    session.flush()
    device_rows.add_device(
        session, device_id=device_id, business_id=business_id, name="Caja 1", now=now
    )
    api_key = credentials.new_api_key(credentials.DEVICE_KEY_PREFIX)
    device_rows.add_key(
        session,
        device_id=device_id,
        key_hash=sha256_hex(api_key),
        now=now,
        rotate_after=now + settings.api_key_rotate_after,
    )
    return api_key
