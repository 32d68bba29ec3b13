"""The analytics API's answers, shared by head office and the manager app: one dashboard per
business (or every business), as JSON.

Money is whole guaraníes; ratios are plain numbers (2.56 = 256 %); a figure that cannot be
computed (nothing paid, a step not measured yet) is ``null``, never 0.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from pika_protocol.sync_wire import Text


class FunnelStepOut(BaseModel):
    name: str
    measured: bool
    value: int | None
    conversion: float | None


class FunnelOut(BaseModel):
    steps: list[FunnelStepOut]
    refused_by_reason: dict[str, int]
    printed: int
    has_data: bool


class RoiOut(BaseModel):
    first_day: date
    last_day: date
    investment: int
    redemptions: int
    estimated_value: int
    recorded_value: int
    recorded_redemptions: int
    discount_cost: int
    discount_cost_recorded: int
    unvalued_discounts: int
    estimated_roi: float | None
    recorded_roi: float | None


class HourWeekdayOut(BaseModel):
    #: ``redeemed[weekday][hour]``, Monday = 0, in the shops' calendar
    redeemed: list[list[int]]
    #: the five busiest (weekday, hour, redemptions)
    busiest: list[tuple[int, int, int]]


class KioskHoursOut(BaseModel):
    """One kiosk's hour × weekday map (``device_id`` null: every kiosk of the business)."""

    business_id: int
    device_id: str | None
    kiosk_name: str | None
    first_day: date
    last_day: date
    as_of: datetime
    hour_weekday: HourWeekdayOut


class KioskOut(BaseModel):
    device_id: str
    name: str
    scanned: int
    refused: int
    redeemed: int
    voided: int


class VariantOut(BaseModel):
    label: str
    in_circulation: int
    redeemed: int
    rate: float | None
    interval: tuple[float, float] | None


class ComparisonOut(BaseModel):
    label: str
    control: str
    difference: float
    z: float
    p_value: float
    significant: bool


class OfferABOut(BaseModel):
    offer_id: int
    title: str
    variants: list[VariantOut]
    required_per_variant: int
    #: not_enough_data | winner | no_clear_winner
    verdict: str
    winner: str | None
    comparisons: list[ComparisonOut]


class RankedBusinessOut(BaseModel):
    business_id: int
    name: str
    roi: RoiOut


#: Where the manager app asks (``{business_id}`` filled in); head office's overview beside it.
DASHBOARD_PATH = "/v1/analytics/businesses/{business_id}/dashboard"
OVERVIEW_PATH = "/v1/analytics/overview"
#: One kiosk's hour × weekday map (``?kiosk=<device id>``; without it, the whole business's).
KIOSK_HOURS_PATH = "/v1/analytics/businesses/{business_id}/hour-weekday"
WHOAMI_PATH = "/v1/analytics/me"
MANAGER_ENROL_PATH = "/v1/manager/enrol"
MANAGER_ROTATE_PATH = "/v1/manager/keys/rotate"
#: What a manager invitation's QR holds: the code and the server to sign in with.
INVITATION_URI_SCHEME = "pika-manager:"


def invitation_uri(code: str, server_url: str | None) -> str:
    return f"{INVITATION_URI_SCHEME}{code}@{server_url.rstrip('/')}" if server_url else code


def read_invitation(text: str) -> tuple[str, str | None]:
    """The code and server a scanned or typed invitation names (server None: typed bare)."""
    text = text.strip()
    if text.startswith(INVITATION_URI_SCHEME):
        code, _, server = text[len(INVITATION_URI_SCHEME) :].partition("@")
        return code, server or None
    return text, None


class Viewer(BaseModel):
    """Who a manager key (or the admin token) is: what the app shows after signing in."""

    role: str  # "manager" | "head_office"
    business_id: int | None
    business_name: str | None
    rotate_key: bool = False


class ManagerEnrolRequest(BaseModel):
    """The manager app's sign-in: the invitation code and a name for this PC."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Text = Field(min_length=4, max_length=64)
    name: Text = Field(min_length=1, max_length=100)


class ManagerEnrolment(BaseModel):
    manager_id: str
    api_key: str
    business_id: int
    business_name: str
    rotate_after: datetime


class ManagerKeyRotation(BaseModel):
    api_key: str
    rotate_after: datetime
    previous_key_expires_at: datetime


class OfferChoice(BaseModel):
    """An offer the pickers offer (its variants' numbers and labels, when it has some)."""

    id: int
    title: str
    variants: dict[int, str]


class BusinessChoice(BaseModel):
    id: int
    name: str


class DashboardOut(BaseModel):
    business_id: int | None  # null: every business (head office)
    business_name: str | None
    first_day: date
    last_day: date
    offer_id: int | None
    variant: int | None
    #: when the figures were read; the manager app shows it beside figures kept offline
    as_of: datetime
    funnel: FunnelOut
    roi: RoiOut | None  # per business only
    roi_over_time: list[RoiOut]
    hour_weekday: HourWeekdayOut
    kiosks: list[KioskOut]
    ab_tests: list[OfferABOut]
    ranking: list[RankedBusinessOut]  # head office only
    #: what the pickers offer: the business's offers; head office also every business
    offers: list[OfferChoice] = []
    businesses: list[BusinessChoice] = []
