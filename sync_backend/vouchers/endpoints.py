"""Head office routes: offers, printing books (and their PDF), revocation, signing keys."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sync_backend.auth import AdminAuth
from sync_backend.deps import PublicKeysDep, SessionDep, SettingsDep, SigningKeysDep
from sync_backend.models import utcnow
from sync_backend.openapi import (
    ADMIN_CREATE,
    ADMIN_READ,
    ADMIN_TOKEN,
    ADMIN_WRITE,
    route_kind,
)
from sync_backend.pg_types import PgId, PgSerial
from sync_backend.vouchers import repository, service, signing
from sync_backend.vouchers.schemas import (
    BookIn,
    BookOut,
    OfferIn,
    OfferOut,
    RevokeIn,
    SigningKeyOut,
)

router = APIRouter(prefix="/v1/admin", tags=["vouchers"])

#: A book's printable sheet: a PDF, not JSON.
PDF_SHEET = route_kind(
    401,
    404,
    413,
    503,
    auth=ADMIN_TOKEN,
    answers={
        200: {
            "description": "The book's vouchers as an A4 PDF to print.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)


@router.post("/offers", response_model=OfferOut, status_code=201, **ADMIN_WRITE)
def create_offer(body: OfferIn, _admin: AdminAuth, session: SessionDep) -> OfferOut:
    return OfferOut.model_validate(service.create_offer(session, body, actor="admin"))


@router.get("/offers", response_model=list[OfferOut], **ADMIN_READ)
def list_offers(
    _admin: AdminAuth, session: SessionDep, business_id: PgId | None = None
) -> list[OfferOut]:
    return [OfferOut.model_validate(o) for o in repository.list_offers(session, business_id)]


@router.post("/offers/{offer_id}/books", response_model=BookOut, status_code=201, **ADMIN_WRITE)
def print_book(
    offer_id: PgId, body: BookIn, _admin: AdminAuth, session: SessionDep, settings: SettingsDep
) -> BookOut:
    return service.print_book(session, settings, offer_id, body.copies, "admin")


@router.get("/books/{book_id}/sheet.pdf", response_class=Response, **PDF_SHEET)
def book_sheet(
    book_id: PgId, _admin: AdminAuth, session: SessionDep, signing_keys: SigningKeysDep
) -> Response:
    sheet = service.book_sheet(session, signing_keys, book_id)
    return Response(sheet, media_type="application/pdf")


@router.post("/vouchers/{serial}/revoke", status_code=204, **ADMIN_WRITE)
def revoke_voucher(
    serial: PgSerial, body: RevokeIn, _admin: AdminAuth, session: SessionDep
) -> None:
    service.revoke_voucher(session, serial, body.reason, actor="admin")


@router.get("/signing-keys", response_model=list[SigningKeyOut], **ADMIN_READ)
def list_signing_keys(
    _admin: AdminAuth, session: SessionDep, settings: SettingsDep
) -> list[SigningKeyOut]:
    now = utcnow()
    return [
        SigningKeyOut(
            **signing.to_wire(r).model_dump(),
            created_at=r.created_at,
            rotation_due=signing.is_due(r, settings, now),
        )
        for r in signing.key_rows(session)
    ]


@router.post("/signing-keys/rotate", response_model=SigningKeyOut, status_code=201, **ADMIN_CREATE)
def rotate_signing_key(
    _admin: AdminAuth, session: SessionDep, settings: SettingsDep, public_keys: PublicKeysDep
) -> SigningKeyOut:
    row = signing.create_key(session, settings, actor="admin")
    public_keys.clear()
    return SigningKeyOut(
        **signing.to_wire(row).model_dump(), created_at=row.created_at, rotation_due=False
    )
