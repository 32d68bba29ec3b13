"""Group commit for pushes: small pushes that arrive together share one transaction.

Every push carries a transaction's fixed costs: BEGIN, COMMIT and its WAL flush, two round
trips, the driver's pipeline bookkeeping. At the counter most pushes are one redemption, so
those costs are most of the work. ``group_commit.GroupCommitter`` queues the pushes that arrive
while a group is being written and hands them to :func:`run_group` together; a lone push is a
group of one and never waits for a timer. Both run the same pipeline (``pipeline.run``): a
group is one push of many kiosks' requests, decided one after the other.

A request leaves its group and runs alone afterwards, in its own thread, when the group's
write loses a race to a concurrent request (``LostRace``: every request of the group does),
when the group fails otherwise, or when its Idempotency-Key came twice in the group.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from sync_backend.db import transaction
from sync_backend.redemptions import pipeline
from sync_backend.redemptions.decisions import PushAnswer
from sync_backend.redemptions.pipeline import Outcome, PushJob, push_store
from sync_backend.redemptions.store import LostRace
from sync_backend.settings import Settings
from sync_backend.vouchers.signing import PublicKeyCache

if TYPE_CHECKING:
    from sync_backend.redemptions.group_commit import GroupCommitter

log = logging.getLogger(__name__)

__all__ = ["PushContext", "PushJob", "push", "push_alone", "run_group"]


@dataclass(frozen=True)
class PushContext:
    """What running a push needs from the app: sessions, settings, the key cache."""

    sessions: sessionmaker[Session]
    settings: Settings
    keys: PublicKeyCache


def push(context: PushContext, groups: GroupCommitter[PushJob] | None, job: PushJob) -> PushAnswer:
    """Answer one push request: small ones through a group when groups are on; big ones, and
    those a group sent off, as a single push."""
    if groups is not None and job.items <= context.settings.push_group_request_items:
        groups.submit(job)
        if job.error is not None:
            raise job.error
        if job.answer is not None:
            return job.answer
    return push_alone(context, job)


def push_alone(context: PushContext, job: PushJob) -> PushAnswer:
    """The push as a group of one, in its own transaction; run again settling conflicts when
    its all-or-nothing write lost a race."""
    try:
        outcome = _run(context, [job], settle_conflicts=False)[job]
    except LostRace:
        outcome = _run(context, [job], settle_conflicts=True)[job]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def run_group(context: PushContext, jobs: list[PushJob]) -> None:
    """Settle every job of ``jobs``: answered, refused, or sent off to run alone."""
    try:
        settled = _run(context, jobs, settle_conflicts=False)
    except LostRace:
        settled = {}
    except Exception:
        # The single pushes will meet the same trouble if it lasts, and answer it one by one.
        log.warning("group push failed; its %d requests run alone", len(jobs), exc_info=True)
        settled = {}
    for job in jobs:
        outcome = settled.get(job)
        if isinstance(outcome, PushAnswer):
            job.finish(answer=outcome)
        elif isinstance(outcome, BaseException):
            job.finish(error=outcome)
        else:
            job.finish()


def _run(
    context: PushContext, jobs: list[PushJob], *, settle_conflicts: bool
) -> dict[PushJob, Outcome]:
    with transaction(context.sessions) as session:
        return pipeline.run(
            push_store(session),
            context.settings,
            context.keys,
            jobs,
            settle_conflicts=settle_conflicts,
        )
