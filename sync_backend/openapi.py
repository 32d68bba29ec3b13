"""The OpenAPI contract beyond what route signatures say: refusals, raw bodies, bearer auth.

FastAPI documents a route's parameters, its parsed body and its success answer. It cannot see
what this backend also does: every route answers refusals in the one error envelope
(:class:`pika_protocol.sync_wire.ErrorBody`, written by ``sync_backend.errors``), the push route
reads its body raw (it parses it in the worker thread, after authentication) and both kinds of
caller send a bearer token read from the header. A client generator or a schema fuzzer only
knows what the schema says, so each route takes one of the shared route kinds below
(``@router.post(..., **KIOSK)``), and :func:`install` adds what those kinds name to the
components.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from pika_protocol.sync_wire import ErrorBody

COMPONENTS = "#/components/schemas/"

#: Security schemes (bearer tokens in ``Authorization``); kept apart on purpose: a kiosk's key
#: never reaches an admin route (sync_backend/auth.py).
DEVICE_KEY = "deviceKey"
ADMIN_TOKEN = "adminToken"
MANAGER_KEY = "managerKey"
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    DEVICE_KEY: {
        "type": "http",
        "scheme": "bearer",
        "description": "A kiosk's API key, from enrolment or a key rotation.",
    },
    ADMIN_TOKEN: {
        "type": "http",
        "scheme": "bearer",
        "description": "Head office's admin token (PIKA_ADMIN_TOKEN).",
    },
    MANAGER_KEY: {
        "type": "http",
        "scheme": "bearer",
        "description": "A shop manager's key, from a head-office invitation (the manager app); "
        "the admin token is taken too and reads every business.",
    },
}

RETRY_AFTER_DOC = "Seconds to wait before sending the same request again."

#: What each refusal means to a caller; the envelope's ``error.code`` says which case it is.
REFUSALS: dict[int, str] = {
    400: "The body could not be read as text of its content type (`bad_request`).",
    401: "No credentials, or not recognised (`not_authenticated`, `invalid_api_key`, "
    "`invalid_admin_token`, an expired or unknown enrolment code).",
    403: "This device was revoked (`device_revoked`, with `wipe: true`): wipe local data; "
    "or a manager key reads another business (`other_business`) or was revoked "
    "(`manager_revoked`); or a head-office-only view (`head_office_only`).",
    404: "The named resource does not exist (`not_found`).",
    409: "A concurrent request holds the same thing: the same Idempotency-Key still in flight "
    "(`idempotency_key_in_flight`), a racing write (`write_conflict`) or a state that "
    "refuses it (`already_revoked`). Retry-After, when sent, says when to retry.",
    413: "The body is larger than the server takes (`body_too_large`), or a push carries more "
    "items than one request may (`batch_too_large`, with `max_batch_items`).",
    422: "The body, a parameter or a header is not valid (`invalid_request` with `problems`, "
    "`malformed_json`, `idempotency_key_*`, or a rule of the route).",
    429: "Over a rate limit (`rate_limited`, with `remaining` and `retry_after_s`).",
    503: "The database cannot serve the request now (`database_unavailable`: down, frozen or "
    "past one of its timeouts; whether a write under way was committed is unknown, so send "
    "the same request again), or a limit that fails closed cannot be counted while Redis is "
    "down (`rate_limit_unavailable`: enrolment; nothing was done). Retry-After says when.",
}
#: Refusals that always carry Retry-After, and those that may.
RETRY_AFTER_ALWAYS = frozenset({429})
RETRY_AFTER_SOMETIMES = frozenset({409, 503})


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries for these refusal statuses, each in the error envelope."""
    answers: dict[int | str, dict[str, Any]] = {}
    for status in sorted(statuses):
        answer: dict[str, Any] = {"model": ErrorBody, "description": REFUSALS[status]}
        if status in RETRY_AFTER_ALWAYS | RETRY_AFTER_SOMETIMES:
            answer["headers"] = {
                "Retry-After": {
                    "description": RETRY_AFTER_DOC,
                    "required": status in RETRY_AFTER_ALWAYS,
                    "schema": {"type": "integer", "minimum": 0},
                }
            }
        answers[status] = answer
    return answers


def route_kind(
    *statuses: int,
    auth: str | None = None,
    answers: dict[int | str, dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator: its refusals (and any other ``answers``),
    who may call it and any more of its OpenAPI operation (``extra``)."""
    openapi_extra: dict[str, Any] = dict(extra or {})
    if auth is not None:
        openapi_extra["security"] = [{auth: []}]
    kind: dict[str, Any] = {"responses": {**refusals(*statuses), **(answers or {})}}
    if openapi_extra:
        kind["openapi_extra"] = openapi_extra
    return kind


#: Models of bodies that routes read raw: :func:`install` adds their schemas to the components.
RAW_BODIES: dict[str, type[BaseModel]] = {}


def raw_json_body(model: type[BaseModel], example: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``requestBody`` of a route that reads its body itself and validates it as ``model``
    (the route's refusals say what an invalid one gets), with an ``example`` of a valid one."""
    RAW_BODIES[model.__name__] = model
    media: dict[str, Any] = {"schema": {"$ref": COMPONENTS + model.__name__}}
    if example is not None:
        # Validated as the route does (JSON text), so the example cannot drift from the model.
        model.model_validate_json(json.dumps(example))
        media["example"] = example
    return {"requestBody": {"required": True, "content": {"application/json": media}}}


def header(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A required header that a route reads itself (``parameters`` of ``openapi_extra``)."""
    return {
        "name": name,
        "in": "header",
        "required": True,
        "description": description,
        "schema": schema,
    }


# ---------------------------------------------------------------- the route kinds

# 400 and 422 are left out of the kinds: FastAPI answers them on exactly the routes that take
# a body (400: unreadable) or any input (422: invalid), and :func:`install` documents them
# there in the error envelope. A route that reads its input itself (push) names 422 itself.

#: Health probes: any route refuses a declared body over the size limit.
PROBE = route_kind(413)
#: Kiosk routes with a device key: pull, key rotation (charged to the device's sync budget).
KIOSK = route_kind(401, 403, 413, 429, 503, auth=DEVICE_KEY)
#: Enrolment: no key yet; a one-time code, counted per client address.
ENROL = route_kind(401, 413, 429, 503)
#: Head office reads (lists, filters).
ADMIN_READ = route_kind(401, 413, 503, auth=ADMIN_TOKEN)
#: Head office writes that name nothing that may be missing.
ADMIN_CREATE = route_kind(401, 409, 413, 503, auth=ADMIN_TOKEN)
#: Head office writes to (or under) a named thing: a business, offer, voucher, device, flag.
ADMIN_WRITE = route_kind(401, 404, 409, 413, 503, auth=ADMIN_TOKEN)
#: The manager app's reads under a business (a manager key for its own, or the admin token).
MANAGER_READ = route_kind(401, 403, 404, 413, 503, auth=MANAGER_KEY)
#: The manager app's reads that name no business (who am I, head office's overview).
MANAGER_READ_ALL = route_kind(401, 403, 413, 503, auth=MANAGER_KEY)
#: The manager app's writes under its business (reviewing a fraud flag).
MANAGER_WRITE = route_kind(401, 403, 404, 409, 413, 503, auth=MANAGER_KEY)
#: Rotating a manager's own key (names nothing that may be missing).
MANAGER_ROTATE = route_kind(401, 403, 409, 413, 503, auth=MANAGER_KEY)


def _component_schemas(models: dict[str, type[BaseModel]]) -> dict[str, Any]:
    if not models:
        return {}
    _, top = models_json_schema(
        [(model, "validation") for model in models.values()], ref_template=COMPONENTS + "{model}"
    )
    return dict(top.get("$defs", {}))


#: FastAPI's own 422 body, which this backend never sends (``sync_backend.errors``).
FASTAPI_422 = ("HTTPValidationError", "ValidationError")


def _framework_refusals(schema: dict[str, Any]) -> None:
    """FastAPI's own refusals documented in the error envelope, as ``install_error_handlers``
    writes them: 422 where FastAPI says it validates input, 400 wherever a body is taken."""

    def ours(status: int) -> dict[str, Any]:
        envelope = {"$ref": COMPONENTS + ErrorBody.__name__}
        return {
            "description": REFUSALS[status],
            "content": {"application/json": {"schema": envelope}},
        }

    fastapis = {"$ref": COMPONENTS + FASTAPI_422[0]}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answers = operation.setdefault("responses", {})
            answer = answers.get("422")
            if answer and answer["content"]["application/json"]["schema"] == fastapis:
                answers["422"] = ours(422)
            if "requestBody" in operation:
                answers.setdefault("400", ours(400))
    for name in FASTAPI_422:
        schema.get("components", {}).get("schemas", {}).pop(name, None)


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` carry the raw bodies' schemas and the security schemes, and
    FastAPI's own 400 and 422 in the error envelope."""

    raw_body_schemas = _component_schemas(RAW_BODIES)

    def openapi() -> dict[str, Any]:
        schema = FastAPI.openapi(app)  # FastAPI's own, cached until the routes change
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
        schemas = components.setdefault("schemas", {})
        for name, definition in raw_body_schemas.items():
            if schemas.setdefault(name, definition) != definition:
                raise RuntimeError(f"two different OpenAPI schemas named {name}")
        _framework_refusals(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
