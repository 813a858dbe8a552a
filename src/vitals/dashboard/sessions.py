"""Dashboard logins: an opaque session id in an HttpOnly cookie, stored hashed in ``api.dashboard_sessions``.

A session points at the API token that was pasted at login; every request re-reads that token, so revoking
it (``vitals tokens revoke``) ends its sessions at once, and its role and org decide what the pages show.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from vitals.api.tables import SCHEMA, ensure_api_tables, utc_now
from vitals.api.tokens import TokenRecord, TokenStore, hash_token
from vitals.warehouse.base import Warehouse

COOKIE = "vitals_session"
_COLUMNS = "t.token_id, t.name, t.role, t.org_id, t.created_at, t.revoked_at"


class SessionStore:
    """Creates, resolves and ends dashboard sessions through an open warehouse connection."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.wh = warehouse
        ensure_api_tables(warehouse)

    def login(self, secret: str, hours: int, *, replaces: str | None = None) -> tuple[TokenRecord, str] | None:
        """A new session for the active token ``secret``: its token and the session id (None: bad token).
        ``replaces``: the session the browser held until now, ended by a successful login."""
        token = TokenStore(self.wh).verify(secret.strip())
        if token is None:
            return None
        self.logout(replaces)
        session = secrets.token_urlsafe(32)
        now = utc_now()
        self.wh.execute(f"delete from {SCHEMA}.dashboard_sessions where expires_at <= ?", [now])
        self.wh.execute(
            f"insert into {SCHEMA}.dashboard_sessions (session_sha256, token_id, created_at, expires_at) "
            "values (?, ?, ?, ?)",
            [hash_token(session), token.token_id, now, now + timedelta(hours=hours)],
        )
        return token, session

    def resolve(self, session: str | None) -> TokenRecord | None:
        """The active token of a live session, or None (no, unknown or expired session, revoked token)."""
        if not session or len(session) > 200:
            return None
        rows = self.wh.query(
            f"select {_COLUMNS} from {SCHEMA}.dashboard_sessions s join {SCHEMA}.tokens t on t.token_id = s.token_id "
            "where s.session_sha256 = ? and s.expires_at > ? and t.revoked_at is null",
            [hash_token(session), utc_now()],
        )
        return TokenRecord(*rows[0]) if rows else None

    def logout(self, session: str | None) -> None:
        """End the session (nothing happens for an unknown one)."""
        if session:
            self.wh.execute(f"delete from {SCHEMA}.dashboard_sessions where session_sha256 = ?", [hash_token(session)])
