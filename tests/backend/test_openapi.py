"""The OpenAPI schema says what every route takes and every answer it can give (issue 12, 10).

A client generator or a schema fuzzer knows only what the schema says: a body it does not
declare is never sent (the push route's body was missing, so no fuzzer reached it), and an
answer it does not declare is a contract break. Here the schema is read as such a tool reads
it, and checked against the routes themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from pika_protocol import analytics_wire, sync_wire
from sync_backend.app import create_app
from sync_backend.openapi import ADMIN_TOKEN, DEVICE_KEY, MANAGER_KEY
from sync_backend.redemptions.endpoints import capped_body
from tests.backend.support import make_settings

ENVELOPE = "#/components/schemas/ErrorBody"
#: Routes anyone may call: the load balancer's probes and enrolment (a one-time code, no key).
OPEN = {
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("POST", sync_wire.ENROL_PATH),
    ("POST", analytics_wire.MANAGER_ENROL_PATH),
}
#: Routes whose 503 is their own health report, not the error envelope.
HEALTH_503 = {("GET", "/health/ready"), ("GET", "/health/detail")}
KIOSK_RATE_LIMITED = {
    ("POST", sync_wire.PUSH_PATH),
    ("GET", sync_wire.PULL_PATH),
    ("POST", sync_wire.ROTATE_KEY_PATH),
    ("POST", sync_wire.ENROL_PATH),
    ("POST", analytics_wire.MANAGER_ENROL_PATH),  # counted per address, as a kiosk's
}
#: Writes that name a thing in their body that may not exist (the offer's business).
NAMES_IN_BODY = {("POST", "/v1/admin/offers")}


@pytest.fixture(scope="module")
def app():  # type: ignore[no-untyped-def]
    # No request is made: the schema needs no reachable database.
    return create_app(make_settings("postgresql+psycopg://nobody@127.0.0.1:1/none"))


@pytest.fixture(scope="module")
def schema(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return app.openapi()  # type: ignore[no-any-return]


def api_routes(app) -> list[RouteContext]:  # type: ignore[no-untyped-def]
    """The app's documented routes, those of included routers too (as FastAPI walks them)."""
    found = [
        context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.include_in_schema
    ]
    assert len(found) > 20  # a walk that finds nothing would prove nothing
    return found


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def resolve(schema: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = schema
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def expected_refusals(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    route = (method, path)
    security = {name for need in operation.get("security", []) for name in need}
    expected = {413}  # the body size limit stands before every route
    if security or path in (sync_wire.ENROL_PATH, analytics_wire.MANAGER_ENROL_PATH):
        expected.add(401)  # no or a wrong key or token; enrolment: a wrong or spent code
    if DEVICE_KEY in security:
        expected.add(403)  # device_revoked
    if MANAGER_KEY in security:
        expected.add(403)  # manager_revoked, other_business, head_office_only
    if operation.get("parameters") or "requestBody" in operation:
        expected.add(422)
    if "requestBody" in operation:
        expected.add(400)  # a body that cannot be read as text
    if route in KIOSK_RATE_LIMITED:
        expected.add(429)
    if path != "/health/live":
        expected.add(503)  # every other route reads the database
    writer = security & {ADMIN_TOKEN, MANAGER_KEY}
    if method in {"POST", "PUT"} and (writer or path == sync_wire.PUSH_PATH):
        expected.add(409)  # a racing write, an Idempotency-Key in flight, already revoked
    if "{" in path or route in NAMES_IN_BODY:
        expected.add(404)
    if path.startswith("/health/") and method == "GET" and path != "/health/detail":
        expected.discard(401)
    return expected


def test_every_reference_resolves_and_fastapis_own_422_is_gone(schema: dict[str, Any]) -> None:
    for ref in refs(schema):
        assert resolve(schema, ref) is not None, ref
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_every_route_is_in_the_schema(app, schema: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    documented = {(m, p) for m, p, _ in operations(schema)}
    for route in api_routes(app):
        assert {(m, route.path_format) for m in route.methods or ()} <= documented


def test_every_route_documents_its_request_body(app, schema: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    for route in api_routes(app):
        reads_raw = any(d.call is capped_body for d in route.dependant.dependencies)
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            if route.body_field is not None or reads_raw:
                body = operation.get("requestBody")
                assert body and body["required"], f"{method} {route.path}: no request body"
                media = body["content"]["application/json"]["schema"]
                assert resolve(schema, media["$ref"])["type"] == "object"
            else:
                assert "requestBody" not in operation, f"{method} {route.path}"


def test_the_push_body_and_header_are_the_wire_models(schema: dict[str, Any]) -> None:
    push = schema["paths"][sync_wire.PUSH_PATH]["post"]
    body = push["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PushRequest"}
    push_request = resolve(schema, body["$ref"])
    assert push_request["required"] == ["items"]
    assert push_request["additionalProperties"] is False
    kinds = push_request["properties"]["items"]["items"]["discriminator"]["mapping"]
    assert resolve(schema, kinds["void"])["title"] == "VoidItem"
    assert resolve(schema, kinds["redemption"])["title"] == "OutboxItem"
    [key] = [p for p in push["parameters"] if p["name"] == sync_wire.IDEMPOTENCY_HEADER]
    assert key["in"] == "header" and key["required"] is True


def test_every_route_documents_every_refusal_it_can_give(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        answers = operation["responses"]
        refusals = {int(status) for status in answers if int(status) >= 400}
        assert refusals == expected_refusals(method, path, operation), f"{method} {path}"
        for status in refusals:
            answer = answers[str(status)]
            media = answer["content"]["application/json"]["schema"]
            if status == 503 and (method, path) in HEALTH_503:
                assert media["$ref"] != ENVELOPE
            else:
                assert media == {"$ref": ENVELOPE}, f"{method} {path} {status}"
            assert answer["description"]


def test_retry_after_is_documented_where_it_is_sent(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        for status, answer in operation["responses"].items():
            retry_after = answer.get("headers", {}).get("Retry-After")
            if status == "429":
                assert retry_after and retry_after["required"] is True, f"{method} {path}"
            elif status in {"409", "503"} and (method, path) not in HEALTH_503:
                assert retry_after and retry_after["schema"]["type"] == "integer"


def test_kiosk_and_admin_routes_name_their_bearer_scheme(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert {schemes[n]["scheme"] for n in (DEVICE_KEY, ADMIN_TOKEN)} == {"bearer"}
    for method, path, operation in operations(schema):
        security = [name for need in operation.get("security", []) for name in need]
        if (method, path) in OPEN:
            assert security == [], path
        elif path.startswith(("/v1/admin/", "/health/")):
            assert security == [ADMIN_TOKEN], path
        elif path.startswith(("/v1/analytics/", "/v1/manager/")):
            assert security == [MANAGER_KEY], path
        else:
            assert security == [DEVICE_KEY], path
