"""API keys: created once, stored as a hash, looked up by hash."""

from __future__ import annotations

import builtins
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from reelay.domain.secrets import new_secret

from .db import storable, write_transaction
from .tables import api_keys, ledger_entries

KEY_PREFIX = "rl_"
# How long a process trusts a key it has read: a revoke in another process (the CLI, another API
# process) takes effect there within this time; in the process that made it, at once.
KEY_CACHE_SECONDS = 1.0


def hash_key(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    prefix: str
    is_admin: bool
    created_at: float
    revoked_at: float | None
    # Signs this key's callbacks (Standard Webhooks); shown when the key is created or rotated.
    signing_secret: str | None = None
    limits: KeyLimits = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.limits is None:
            object.__setattr__(self, "limits", KeyLimits())


@dataclass(frozen=True)
class KeyLimits:
    """What a key may do; None means no limit."""

    max_concurrent: int | None = None
    rate_limit_per_second: float | None = None
    daily_limit: int | None = None
    monthly_spend_limit: int | None = None


def _from_row(row) -> ApiKey:
    m = row._mapping
    limits = KeyLimits(m["max_concurrent"], m["rate_limit_per_second"], m["daily_limit"], m["monthly_spend_limit"])
    return ApiKey(
        m["id"],
        m["name"],
        m["prefix"],
        bool(m["is_admin"]),
        m["created_at"],
        m["revoked_at"],
        m["signing_secret"],
        limits,
    )


class _KeyCache:
    """Keys recently authenticated, by database and key hash, so a request does not read its key.

    Every write to a key in this process clears it (and bumps `generation`, so a read that was
    under way during the write does not put back what it read before the write). Unknown or
    revoked keys are never kept: a new key works at once, random wrong keys take no memory."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[ApiKey, float]] = {}
        self.generation = 0

    def get(self, where: tuple[str, str]) -> ApiKey | None:
        entry = self.entries.get(where)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            del self.entries[where]
            return None
        return entry[0]

    def put(self, where: tuple[str, str], key: ApiKey, generation: int) -> None:
        if generation == self.generation:
            self.entries[where] = (key, time.monotonic() + KEY_CACHE_SECONDS)

    def clear(self) -> None:
        self.generation += 1
        self.entries.clear()


# One per process, shared by every KeyStore: a revoke through one store is seen by all of them.
_cache = _KeyCache()


class KeyStore:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db
        self._database = str(db.url)

    async def create(
        self, name: str = "", *, is_admin: bool = False, points: int = 0, limits: KeyLimits | None = None
    ) -> tuple[ApiKey, str]:
        """A new key (and its opening balance as a top-up entry). Returns it and the plain key."""
        plain = KEY_PREFIX + secrets.token_hex(24)
        limits = limits or KeyLimits()
        key = ApiKey(str(uuid.uuid4()), name, plain[:10], is_admin, time.time(), None, new_secret(), limits)
        async with write_transaction(self.db) as conn:
            await conn.execute(
                api_keys.insert().values(
                    id=key.id,
                    name=name,
                    key_hash=hash_key(plain),
                    prefix=key.prefix,
                    is_admin=is_admin,
                    created_at=key.created_at,
                    signing_secret=key.signing_secret,
                    balance=points,
                    max_concurrent=limits.max_concurrent,
                    rate_limit_per_second=limits.rate_limit_per_second,
                    daily_limit=limits.daily_limit,
                    monthly_spend_limit=limits.monthly_spend_limit,
                )
            )
            if points:
                await conn.execute(
                    ledger_entries.insert().values(
                        api_key_id=key.id,
                        kind="topup",
                        amount=points,
                        note="opening balance",
                        created_at=key.created_at,
                    )
                )
        return key, plain

    async def find(self, key_id_or_prefix: str) -> ApiKey | None:
        if not storable(key_id_or_prefix):  # from a URL path: PostgreSQL would refuse it as a parameter
            return None
        async with self.db.connect() as conn:
            row = (
                await conn.execute(
                    select(api_keys).where(
                        (api_keys.c.id == key_id_or_prefix) | (api_keys.c.prefix == key_id_or_prefix)
                    )
                )
            ).first()
        return _from_row(row) if row else None

    async def authenticate(self, plain: str) -> ApiKey | None:
        """The key in force with this plain text; read at most once per KEY_CACHE_SECONDS."""
        key_hash = hash_key(plain)
        where = (self._database, key_hash)
        cached = _cache.get(where)
        if cached is not None:
            return cached
        generation = _cache.generation
        async with self.db.connect() as conn:
            row = (
                await conn.execute(
                    select(api_keys).where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
                )
            ).first()
        if row is None:
            return None
        key = _from_row(row)
        _cache.put(where, key, generation)
        return key

    async def list(self) -> builtins.list[ApiKey]:
        async with self.db.connect() as conn:
            rows = (await conn.execute(select(api_keys).order_by(api_keys.c.created_at))).all()
        return [_from_row(r) for r in rows]

    async def revoke(self, key_id_or_prefix: str) -> bool:
        if not storable(key_id_or_prefix):
            return False
        async with write_transaction(self.db) as conn:
            result = await conn.execute(
                update(api_keys)
                .where(
                    (api_keys.c.id == key_id_or_prefix) | (api_keys.c.prefix == key_id_or_prefix),
                    api_keys.c.revoked_at.is_(None),
                )
                .values(revoked_at=time.time())
            )
        _cache.clear()  # after the commit, so no read can put the key back
        return result.rowcount > 0

    async def signing_secrets(self, key_id: str) -> builtins.list[str]:
        """The secrets callbacks are signed with now: the current one, and the previous one
        until its overlap period after a rotation ends."""
        async with self.db.connect() as conn:
            row = (await conn.execute(select(api_keys).where(api_keys.c.id == key_id))).first()
        if row is None:
            return []
        in_force = [row.signing_secret]
        if row.previous_signing_secret and (row.previous_secret_expires_at or 0) > time.time():
            in_force.append(row.previous_signing_secret)
        return in_force

    async def rotate_secret(self, key_id_or_prefix: str, overlap_seconds: float) -> str | None:
        """A new signing secret; the old one keeps signing alongside it for `overlap_seconds`."""
        if not storable(key_id_or_prefix):
            return None
        async with write_transaction(self.db) as conn:
            row = (
                await conn.execute(
                    select(api_keys).where(
                        (api_keys.c.id == key_id_or_prefix) | (api_keys.c.prefix == key_id_or_prefix)
                    )
                )
            ).first()
            if row is None:
                return None
            secret = new_secret()
            await conn.execute(
                update(api_keys)
                .where(api_keys.c.id == row.id)
                .values(
                    signing_secret=secret,
                    previous_signing_secret=row.signing_secret,
                    previous_secret_expires_at=time.time() + overlap_seconds,
                )
            )
        _cache.clear()
        return secret

    async def has_admin(self) -> bool:
        async with self.db.connect() as conn:
            row = (await conn.execute(select(api_keys.c.id).where(api_keys.c.is_admin.is_(True)).limit(1))).first()
        return row is not None
