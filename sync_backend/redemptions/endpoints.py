"""Kiosk routes: push a batch of outbox items, pull changes since a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from pika_protocol import sync_wire
from sync_backend.auth import bearer_token
from sync_backend.db import transaction
from sync_backend.deps import Services, ServicesDep, SettingsDep
from sync_backend.devices.contact import CONTACTS
from sync_backend.devices.service import authenticate
from sync_backend.errors import PayloadTooLarge, PikaError, Unprocessable
from sync_backend.models import utcnow
from sync_backend.observability.metrics import IDEMPOTENT_REPLAYS, record_push
from sync_backend.openapi import DEVICE_KEY, KIOSK, header, raw_json_body, route_kind
from sync_backend.pg_types import PgCount
from sync_backend.redemptions import group_push, idempotency, service
from sync_backend.settings import Settings

router = APIRouter(tags=["sync"])


async def capped_body(request: Request, settings: SettingsDep) -> bytes | PikaError:
    """The request body, or the error to answer (413 as soon as it passes ``max_push_body_bytes``).

    The error is returned, not raised, so the route can authenticate first: a caller without
    a valid key learns nothing about the input rules.
    """
    try:
        return await _read_capped(request, settings.max_push_body_bytes)
    except PikaError as error:
        return error


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body larger than {limit} bytes", code="body_too_large")
    size, chunks = 0, []
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"body larger than {limit} bytes", code="body_too_large")
            chunks.append(chunk)
    except ClientDisconnect:
        # Nobody is left to answer; nothing was written. Not a server error worth a traceback.
        raise PikaError(
            "client went away before sending the whole body", code="client_disconnected"
        ) from None
    return b"".join(chunks)


CappedBody = Annotated[bytes | PikaError, Depends(capped_body)]


def parse_push(body: bytes, settings: Settings) -> sync_wire.PushRequest:
    try:
        request = sync_wire.PushRequest.model_validate_json(body)
    except ValidationError as exc:
        problems = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ][:50]
        malformed = any(p["type"] == "json_invalid" for p in problems)
        raise Unprocessable(
            "body is not valid JSON" if malformed else "push body does not match the schema",
            code="malformed_json" if malformed else "invalid_request",
            extra={"problems": problems},
        ) from None
    if len(request.items) > settings.max_batch_items:
        raise PayloadTooLarge(
            f"batch of {len(request.items)} items; at most {settings.max_batch_items} per push",
            code="batch_too_large",
            extra={"max_batch_items": settings.max_batch_items},
        )
    return request


#: A batch of one refused scan (an unreadable QR): what a kiosk sends most after redemptions.
PUSH_EXAMPLE = {
    "sent_at": "2026-12-02T12:00:05Z",
    "items": [
        {
            "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "kind": "scan",
            "token": "not a voucher",
            "business_id": 1,
            "reason": "malformed",
            "scanned_at": "2026-12-02T12:00:00Z",
            "device_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "source": "camera",
        }
    ],
}

#: The push route reads its body and Idempotency-Key itself (see :func:`push`); the schema
#: still says what they must be.
PUSH = route_kind(
    401,
    403,
    409,
    413,
    422,
    429,
    503,
    auth=DEVICE_KEY,
    extra={
        **raw_json_body(sync_wire.PushRequest, PUSH_EXAMPLE),
        "parameters": [
            header(
                sync_wire.IDEMPOTENCY_HEADER,
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": idempotency.MAX_KEY_LENGTH,
                    "pattern": "^[ -~]*[!-~][ -~]*$",
                },
                "Printable ASCII, new for each batch; resend it with the same body to retry.",
            )
        ],
    },
)


@router.post(sync_wire.PUSH_PATH, response_model=sync_wire.PushResponse, **PUSH)
async def push(request: Request, body: CappedBody, services: ServicesDep) -> Response:
    # Kiosks' hottest route: the whole push (parse, transaction, answer) runs in one worker
    # thread, where a sync route with a session dependency would take three thread hand-offs.
    # The body is read raw and parsed there too, after authentication (so it is no FastAPI
    # body parameter: its schema comes from ``raw_json_body``).
    idempotency_key = request.headers.get(sync_wire.IDEMPOTENCY_HEADER)
    return await run_in_threadpool(_push, services, bearer_token(request), body, idempotency_key)


def _push(
    state: Services, api_key: str | None, body: bytes | PikaError, idempotency_key: str | None
) -> Response:
    try:
        if isinstance(body, PikaError):
            raise body
        key = idempotency.check_key(idempotency_key)
        parsed = parse_push(body, state.settings)
    except PikaError:
        # Authentication answers first (one more query, on this error path only).
        with transaction(state.sessionmaker) as session:
            authenticate(session, api_key, utcnow())
        raise

    # The device is authenticated inside the push: on Postgres its key lookup travels in the
    # push's first round trip instead of one of its own.
    job = group_push.PushJob(api_key, parsed, key, state.limiter.charge_items)
    answer = group_push.push(state.push_context, state.push_groups, job)
    if answer.replayed:
        IDEMPOTENT_REPLAYS.inc()
    else:
        record_push(answer.outcomes)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return Response(
        answer.body, status_code=answer.status_code, media_type="application/json", headers=headers
    )


@router.get(sync_wire.PULL_PATH, response_model=sync_wire.PullResponse, **KIOSK)
async def pull(
    request: Request,
    services: ServicesDep,
    cursor: Annotated[
        str | None, Query(max_length=64, pattern=r"^(-?\d{1,20}\.-?\d{1,20})?$")
    ] = None,
    limit: Annotated[PgCount | None, Query()] = None,
    outbox: Annotated[
        str | None,
        Header(
            alias=sync_wire.OUTBOX_HEADER,
            description="The kiosk's outbox: items waiting and the oldest one's age in "
            'seconds, "<items> <seconds>". Not understood: ignored.',
        ),
    ] = None,
) -> Response:
    """Charged to the device's own sync budget, never to the business's tier: a kiosk's
    background polling must not eat the budget its shop's redemptions need (see
    ``sync_backend.limits``). The answer says how often to come back.

    Every kiosk polls here every ``poll_interval_s``, mostly to find nothing new, so the whole
    pull (authenticate, charge, read the feed, serialise) runs in one worker thread: a sync
    route with session and device dependencies would take three thread hand-offs.
    """
    return await run_in_threadpool(_pull, services, bearer_token(request), cursor, limit, outbox)


def _pull(
    state: Services,
    api_key: str | None,
    cursor: str | None,
    limit: int | None,
    outbox: str | None = None,
) -> Response:
    settings = state.settings
    with transaction(state.sessionmaker) as session:
        now = utcnow()
        device = authenticate(session, api_key, now)
        state.limiter.hit_sync(device)
        CONTACTS.note_pull(session, device.device_id, now, outbox)
        page = min(limit or settings.max_pull_page, settings.max_pull_page)
        answer = service.pull(session, device, cursor, page, settings, state.private_keys)
    return Response(answer.model_dump_json(), media_type="application/json")
