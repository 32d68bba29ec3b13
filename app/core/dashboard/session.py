"""The manager app's session: signing in and out, and loading a dashboard with the offline copy.

Every method blocks (network, keyring, SQLCipher): the screen calls them on one worker thread,
always the same one, since the offline copy's connection belongs to the thread that opened it.

Loading asks head office and keeps the answer; when head office cannot be reached the last
answer to the same question is shown instead, flagged offline with its "as of" time. A key
head office no longer accepts (401, or revoked) ends the session: the app goes back to
signing in, and the kept figures go with the key, so the next person at a shared PC sees
nothing of the last one's business.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import httpx
from keyring.errors import KeyringError

from app.core.dashboard.client import AnalyticsClient, DashboardQuery
from app.core.dashboard.offline_copy import OfflineCopy
from app.core.dashboard.sign_in import Credentials, SignedIn
from app.core.store.database_key import forget_database_key
from app.core.store.errors import StoreError
from app.core.sync.errors import (
    NotAuthorisedError,
    RequestRefusedError,
    SyncError,
    TransientSyncError,
)
from pika_protocol.analytics_wire import DashboardOut, KioskHoursOut, Viewer, read_invitation

COPY_FILE = "figures.db"
#: Refusals that mean "this key opens nothing any more": sign in again.
_KEY_ENDED = {"manager_revoked", "device_revoked"}

T = TypeVar("T")
ClientFactory = Callable[[str, str | None], AnalyticsClient]


class SignInAgainError(SyncError):
    """Head office no longer accepts this key (unknown, rotated out, revoked)."""


class NoServerError(SyncError, ValueError):
    """An invitation typed without its server, and no server address given."""


class NothingKeptError(SyncError):
    """Head office cannot be reached and this question was never answered on this PC."""


@dataclass(frozen=True)
class Loaded:
    figures: DashboardOut
    offline: bool  # True: head office did not answer; these are the kept figures
    as_of: datetime


def http_client(
    base_url: str, api_key: str | None, transport: httpx.BaseTransport | None = None
) -> AnalyticsClient:
    return AnalyticsClient(base_url, api_key=api_key, transport=transport)


class ManagerSession:
    """One PC's sign-in and figures; ``client_factory`` lets tests serve answers in memory."""

    def __init__(
        self,
        config_dir: Path,
        data_dir: Path,
        *,
        client_factory: ClientFactory = http_client,
        demo: bool = False,
    ) -> None:
        self.credentials = Credentials(config_dir, demo=demo)
        self.copy_path = Path(data_dir) / COPY_FILE
        self._make_client = client_factory
        self._demo = demo
        self._client: AnalyticsClient | None = None
        self._copy: OfflineCopy | None = None
        self.signed_in: SignedIn | None = None
        #: the last server signed in to, to fill in the sign-in form
        self.last_server: str | None = None

    # -- signing in and out --------------------------------------------------------------------

    def resume(self) -> SignedIn | None:
        """The session kept from the last start, checked with head office when it answers."""
        kept = self.credentials.load()
        if kept is None:
            return None
        signed_in, key = kept
        self.last_server = signed_in.server_url
        self._use(signed_in, key)
        try:
            self._refresh()
        except (NotAuthorisedError, SignInAgainError):
            self.sign_out()
            return None
        except (TransientSyncError, RequestRefusedError):
            pass  # offline, or a refusal that is not about the key: the dashboard will say
        return self.signed_in

    def sign_in_with_invitation(self, text: str, server_url: str | None = None) -> SignedIn:
        """Exchange an invitation (the QR's ``pika-manager:CODE@server`` or a typed code)."""
        code, named_server = read_invitation(text)
        server = (named_server or server_url or "").strip().rstrip("/")
        if not server:
            raise NoServerError("the invitation does not name its server: type the address")
        client = self._make_client(server, None)
        try:
            enrolment = client.enrol(code, socket.gethostname() or "PC")
        finally:
            client.close()
        signed_in = SignedIn(
            server_url=server,
            role="manager",
            manager_id=enrolment.manager_id,
            business_id=enrolment.business_id,
            business_name=enrolment.business_name,
        )
        self._start_fresh(signed_in, enrolment.api_key)
        return signed_in

    def sign_in_with_admin_token(self, server_url: str, token: str) -> SignedIn:
        """Head office signs in with its admin token (every business)."""
        server = server_url.strip().rstrip("/")
        if not server:
            raise NoServerError("type the head office address")
        client = self._make_client(server, token.strip())
        try:
            viewer = client.whoami()
        finally:
            client.close()
        signed_in = SignedIn(
            server_url=server,
            role=viewer.role,
            business_id=viewer.business_id,
            business_name=viewer.business_name,
        )
        self._start_fresh(signed_in, token.strip())
        return signed_in

    def sign_out(self) -> None:
        """The key, the settings and the kept figures go; the server is remembered for the form."""
        if self.signed_in is not None:
            self.last_server = self.signed_in.server_url
        self._close_client()
        self.signed_in = None
        self.credentials.forget()
        self._drop_copy()

    def _start_fresh(self, signed_in: SignedIn, key: str) -> None:
        """A new sign-in: nothing of the previous one's figures stays."""
        self._close_client()
        self._drop_copy()
        self.credentials.save(signed_in, key)
        self._use(signed_in, key)
        self.last_server = signed_in.server_url

    def _use(self, signed_in: SignedIn, key: str) -> None:
        self._close_client()
        self.signed_in = signed_in
        self._client = self._make_client(signed_in.server_url, key)

    def _refresh(self) -> Viewer:
        """Who head office says this key is; a manager key due for rotation is rotated."""
        viewer = self._ask(lambda client: client.whoami())
        assert self.signed_in is not None
        updated = replace(
            self.signed_in,
            role=viewer.role,
            business_id=viewer.business_id,
            business_name=viewer.business_name,
        )
        key = self._client.api_key if self._client is not None else None
        if key is None:
            raise SignInAgainError("not signed in")
        if viewer.rotate_key and viewer.role == "manager":
            rotation = self._ask(lambda client: client.rotate_key())
            key = rotation.api_key
        if updated != self.signed_in or viewer.rotate_key:
            self.credentials.save(updated, key)
            self._use(updated, key)
        return viewer

    # -- figures -------------------------------------------------------------------------------

    def load(self, query: DashboardQuery) -> Loaded:
        """Head office's answer (kept), or the kept one flagged offline when it cannot answer."""
        question = query.cache_key()
        try:
            figures = self._ask(lambda client: client.dashboard(query))
        except TransientSyncError:
            kept = self._offline_copy().last(question)
            if kept is None:
                raise NothingKeptError("head office cannot be reached, nothing kept") from None
            return Loaded(kept.figures, offline=True, as_of=kept.as_of)
        self._offline_copy().keep(question, figures)
        return Loaded(figures, offline=False, as_of=figures.as_of)

    def load_kiosk_hours(self, query: DashboardQuery, device_id: str) -> KioskHoursOut:
        """One kiosk's map, from head office only: it is not kept, so offline this raises
        :class:`TransientSyncError` and the screen says the map needs head office."""
        return self._ask(lambda client: client.kiosk_hours(query, device_id))

    def _ask(self, call: Callable[[AnalyticsClient], T]) -> T:
        if self._client is None:
            raise SignInAgainError("not signed in")
        try:
            return call(self._client)
        except NotAuthorisedError as exc:
            self.sign_out()
            raise SignInAgainError(str(exc)) from exc
        except RequestRefusedError as exc:
            if exc.code in _KEY_ENDED:
                self.sign_out()
                raise SignInAgainError(str(exc)) from exc
            raise

    def _offline_copy(self) -> OfflineCopy:
        if self._copy is None:
            self.copy_path.parent.mkdir(parents=True, exist_ok=True)
            self._copy = OfflineCopy.open(self.copy_path, demo=self._demo)
        return self._copy

    def _drop_copy(self) -> None:
        if self._copy is not None:
            self._copy.close()
            self._copy = None
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.copy_path}{suffix}").unlink(missing_ok=True)
        with contextlib.suppress(StoreError, KeyringError):  # no keyring: nothing was kept
            forget_database_key(self.copy_path)

    def _close_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def close(self) -> None:
        self._close_client()
        if self._copy is not None:
            self._copy.close()
            self._copy = None
