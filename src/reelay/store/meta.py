"""Server-wide values kept in the database so every process shares them."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import write_transaction
from .tables import server_meta


async def get_or_create_secret(engine: AsyncEngine, name: str) -> str:
    """A random secret made once; concurrent first starts agree on the one that was written."""
    async with engine.connect() as conn:
        value = (await conn.execute(select(server_meta.c.value).where(server_meta.c.key == name))).scalar()
    if value:
        return value
    try:
        async with write_transaction(engine) as conn:
            await conn.execute(server_meta.insert().values(key=name, value=secrets.token_hex(32)))
    except IntegrityError:
        pass
    async with engine.connect() as conn:
        return (await conn.execute(select(server_meta.c.value).where(server_meta.c.key == name))).scalar_one()
