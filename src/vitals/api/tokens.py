"""API tokens: created once, shown once, stored as a SHA-256 hash with a role (and an org for org tokens)."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from vitals.api.tables import SCHEMA, ensure_api_tables, utc_now
from vitals.errors import VitalsError
from vitals.warehouse.base import Warehouse

Role = Literal["admin", "analyst", "cs", "sales", "oncall", "viewer", "org", "ingest"]
"""``ingest`` tokens post events to ``POST /ingest/events`` and read nothing."""
ROLES: tuple[str, ...] = get_args(Role)
TOKEN_PREFIX = "vt_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_COLUMNS = ("token_id", "name", "role", "org_id", "created_at", "revoked_at")


class TokenError(VitalsError):
    """A token cannot be created or revoked as asked; the message names the token."""


@dataclass(frozen=True)
class TokenRecord:
    """A stored token (never its secret)."""

    token_id: str
    name: str
    role: Role
    org_id: str | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the token still authenticates."""
        return self.revoked_at is None


def hash_token(token: str) -> str:
    """The stored form of a token: hex SHA-256 of its text."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_org_id(value: str) -> str:
    """An org id as the warehouse stores it (lowercase UUID); ``TokenError`` when it is not one."""
    org = value.strip().lower()
    if not _UUID.match(org):
        raise TokenError(f"org id {value!r} is not a UUID")
    return org


class TokenStore:
    """Creates, lists, revokes and verifies tokens in ``api.tokens`` through an open warehouse."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.wh = warehouse
        ensure_api_tables(warehouse)

    def create(self, role: str, *, org_id: str | None = None, name: str | None = None) -> tuple[TokenRecord, str]:
        """A new token: its record and its secret text (shown once; only its hash is kept)."""
        if role not in ROLES:
            raise TokenError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if role == "org" and not org_id:
            raise TokenError("an org token needs --org ORG_ID (the one org it may read)")
        if role != "org" and org_id:
            raise TokenError(f"--org is only for org tokens; a {role} token is not limited to one org")
        org = normalize_org_id(org_id) if org_id else None
        token_id = uuid.uuid4().hex[:12]
        name = name or f"{role}-{token_id[:6]}"
        if not _NAME.match(name):
            raise TokenError(f"token name {name!r}: use letters, digits and _ . @ - (at most 64 characters)")
        if self._find(name) is not None:
            raise TokenError(f"a token named {name!r} already exists; choose another --name")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = utc_now()
        self.wh.execute(
            f"insert into {SCHEMA}.tokens (token_id, name, role, org_id, token_sha256, created_at) "
            "values (?, ?, ?, ?, ?, ?)",
            [token_id, name, role, org, hash_token(secret), now],
        )
        return TokenRecord(token_id, name, role, org, now, None), secret  # type: ignore[arg-type]

    def list(self) -> list[TokenRecord]:
        """Every token, newest first (revoked ones included)."""
        rows = self.wh.query(f"select {', '.join(_COLUMNS)} from {SCHEMA}.tokens order by created_at desc, name")
        return [TokenRecord(*row) for row in rows]

    def revoke(self, name_or_id: str) -> TokenRecord:
        """Revoke the token with this name or id; ``TokenError`` when there is none or it is revoked."""
        found = self._find(name_or_id)
        if found is None:
            raise TokenError(f"no token named or with id {name_or_id!r}; `vitals tokens list` shows them")
        if not found.active:
            raise TokenError(f"token {found.name!r} is already revoked")
        now = utc_now()
        self.wh.execute(f"update {SCHEMA}.tokens set revoked_at = ? where token_id = ?", [now, found.token_id])
        return TokenRecord(**{**found.__dict__, "revoked_at": now})

    def verify(self, secret: str) -> TokenRecord | None:
        """The active token whose secret this is, or None (unknown, malformed or revoked)."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            return None
        rows = self.wh.query(
            f"select {', '.join(_COLUMNS)} from {SCHEMA}.tokens where token_sha256 = ? and revoked_at is null",
            [hash_token(secret)],
        )
        return TokenRecord(*rows[0]) if rows else None

    def _find(self, name_or_id: str) -> TokenRecord | None:
        rows = self.wh.query(
            f"select {', '.join(_COLUMNS)} from {SCHEMA}.tokens where name = ? or token_id = ?",
            [name_or_id, name_or_id],
        )
        return TokenRecord(*rows[0]) if rows else None
