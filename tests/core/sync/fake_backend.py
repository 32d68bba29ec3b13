"""A small in-memory stand-in for the sync backend, behind ``httpx.MockTransport``.

It parses every request with the real wire models (so a client that sends the wrong shape
fails here) and keeps the backend's promises that the client relies on: one accepted
redemption per serial, a known item id answers ``duplicate``, the same Idempotency-Key replays
the first answer. Faults are queued per request. The real backend is exercised by tests/e2e.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemKind, ItemOutcome


def error(status: int, code: str, message: str = "", **extra: Any) -> httpx.Response:
    body = {"error": {"code": code, "message": message or code, **extra}}
    return httpx.Response(status, json=body)


#: A fault returns a response to send instead of handling the request, or raises; ``None``
#: means "handle the request, then" (see :attr:`FakeBackend.after`).
Fault = Callable[[httpx.Request], httpx.Response | None]


@dataclass
class FakeBackend:
    api_key: str = "pika_test_key"
    #: The one code this fake accepts (well formed: its check character is right).
    enrolment_code: str = "ABCDE-FGHJK2"
    device_id: str = "dev-caja-1"
    business_id: int = 42
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Faults applied to the next requests, in order (one per request).
    faults: list[Fault] = field(default_factory=list)
    #: Raise this after handling the next request (a response lost after the commit).
    cut_after_commit: int = 0
    stored: dict[uuid.UUID, tuple[ItemOutcome, str]] = field(default_factory=dict)
    accepted: dict[int, uuid.UUID] = field(default_factory=dict)
    keys: dict[str, tuple[str, int]] = field(default_factory=dict)
    feed: list[sync_wire.PullResponse] = field(default_factory=list)
    rotate_key: bool = False
    revoked: bool = False
    push_keys_seen: list[str] = field(default_factory=list)
    items_received: int = 0
    pulls: int = 0
    #: What pull answers say about pacing (None: like a backend from before they said it).
    poll_interval_s: int | None = None
    clock_skew_limit_s: int | None = None
    #: Items this server cannot take: any push carrying one answers 500 (a server bug).
    poison: set[uuid.UUID] = field(default_factory=set)
    #: Pushes answered 500 because they carried a poison item.
    poisoned_pushes: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.faults:
            answer = self.faults.pop(0)(request)
            if answer is not None:
                return answer
        response = self._route(request)
        if self.cut_after_commit:
            self.cut_after_commit -= 1
            raise httpx.ReadError("connection reset after the server committed", request=request)
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == sync_wire.ENROL_PATH:
            return self._enrol(request)
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return error(401, "invalid_api_key", "API key not recognised")
        if self.revoked:
            return error(403, "device_revoked", "revoked", wipe=True)
        if path == sync_wire.PUSH_PATH:
            return self._push(request)
        if path == sync_wire.PULL_PATH:
            return self._pull(request)
        if path == sync_wire.ROTATE_KEY_PATH:
            self.api_key = "pika_rotated_" + uuid.uuid4().hex
            self.rotate_key = False
            rotation = sync_wire.KeyRotation(
                api_key=self.api_key,
                rotate_after=self.now + timedelta(days=30),
                previous_key_expires_at=self.now + timedelta(days=7),
            )
            return httpx.Response(200, content=rotation.model_dump_json())
        return httpx.Response(404, text="<html>not found</html>")

    def _enrol(self, request: httpx.Request) -> httpx.Response:
        body = sync_wire.EnrolRequest.model_validate_json(request.content)
        if body.code != self.enrolment_code:
            return error(401, "enrolment_code_refused", "enrolment code unknown")
        answer = sync_wire.EnrolResponse(
            device_id=self.device_id,
            api_key=self.api_key,
            business=sync_wire.Business(id=self.business_id, name="Chipería", tier="BASIC"),
            public_keys=[],
            server_time=self.now,
            rotate_after=self.now + timedelta(days=30),
        )
        return httpx.Response(201, content=answer.model_dump_json())

    def _push(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get(sync_wire.IDEMPOTENCY_HEADER)
        if not key:
            return error(422, "idempotency_key_missing")
        body = sync_wire.PushRequest.model_validate_json(request.content)
        if self.poison.intersection(item.id for item in body.items):
            self.poisoned_pushes += 1
            return error(500, "internal_error", "the server failed on this batch")
        fingerprint = hashlib.sha256(
            json.dumps([i.model_dump(mode="json") for i in body.items]).encode()
        ).hexdigest()
        self.push_keys_seen.append(key)
        if key in self.keys:
            known, status = self.keys[key]
            if known != fingerprint:
                return error(422, "idempotency_key_reused")
            return httpx.Response(status, content=self._replay[key])
        results = []
        for item in body.items:
            self.items_received += 1
            results.append(self._decide(item))
        response = sync_wire.PushResponse(server_time=self.now, clock_skew_s=None, results=results)
        content = response.model_dump_json().encode()
        self.keys[key] = (fingerprint, 200)
        self._replay[key] = content
        return httpx.Response(200, content=content)

    def __post_init__(self) -> None:
        self._replay: dict[str, bytes] = {}

    def _decide(self, item: sync_wire.OutboxItem | sync_wire.VoidItem) -> sync_wire.PushItemResult:
        common = {"id": item.id, "received_at": self.now}
        if isinstance(item, sync_wire.VoidItem):
            return self._void(item)
        if item.id in self.stored:
            first, reason = self.stored[item.id]
            return sync_wire.PushItemResult(
                outcome=ItemOutcome.DUPLICATE,
                reason=reason,
                redemption_id=item.id,
                first_outcome=first,
                **common,
            )
        if item.kind is ItemKind.SCAN:
            outcome, reason, other = ItemOutcome.RECORDED, item.reason.value, None
        elif item.serial in self.accepted:
            outcome, reason = ItemOutcome.CONFLICT, "already_redeemed"
            other = self.accepted[item.serial]
        else:
            assert item.serial is not None
            self.accepted[item.serial] = item.id
            outcome, reason, other = ItemOutcome.ACCEPTED, "valid", None
        self.stored[item.id] = (outcome, reason)
        return sync_wire.PushItemResult(
            outcome=outcome,
            reason=reason,
            redemption_id=other,
            flagged=outcome is ItemOutcome.CONFLICT,
            **common,
        )

    def _void(self, item: sync_wire.VoidItem) -> sync_wire.PushItemResult:
        """Like the backend: a known redemption is voided (its copy freed) once."""
        if item.id in self.stored:
            outcome, reason = ItemOutcome.DUPLICATE, "valid"
        else:
            serials = [s for s, rid in self.accepted.items() if rid == item.redemption_id]
            if serials:
                del self.accepted[serials[0]]
                outcome, reason = ItemOutcome.ACCEPTED, "valid"
            else:
                outcome, reason = ItemOutcome.REJECTED, "unknown_redemption"
            self.stored[item.id] = (outcome, reason)
        first = ItemOutcome.ACCEPTED if outcome is ItemOutcome.DUPLICATE else None
        return sync_wire.PushItemResult(
            id=item.id,
            outcome=outcome,
            reason=reason,
            redemption_id=item.redemption_id,
            first_outcome=first,
            received_at=self.now,
        )

    def _pull(self, request: httpx.Request) -> httpx.Response:
        self.pulls += 1
        pacing = {
            "poll_interval_s": self.poll_interval_s,
            "clock_skew_limit_s": self.clock_skew_limit_s,
        }
        cursor = request.url.params.get("cursor") or ""
        position = int(cursor) if cursor else 0
        if position >= len(self.feed):
            page = sync_wire.PullResponse(
                server_time=self.now,
                cursor=cursor,
                more=False,
                rotate_key=self.rotate_key,
                **pacing,
            )
        else:
            page = self.feed[position].model_copy(
                update={
                    "cursor": str(position + 1),
                    "more": position + 1 < len(self.feed),
                    "server_time": self.now,
                    "rotate_key": self.rotate_key,
                    **pacing,
                }
            )
        return httpx.Response(200, content=page.model_dump_json())


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
