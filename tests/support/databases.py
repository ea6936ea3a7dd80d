"""A fresh PostgreSQL database per test, on the server this machine runs (127.0.0.1:5432)."""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg

ADMIN_DSN = os.environ.get("REELAY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _run(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database() -> tuple[str, str]:
    """Returns (name, SQLAlchemy URL)."""
    name = f"reelay_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_run(f'CREATE DATABASE "{name}"'))
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return name, f"{base}/{name}"


def drop_database(name: str) -> None:
    asyncio.run(_run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
