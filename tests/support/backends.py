"""Which database and storage the suite runs on, so the same tests prove every combination.

    REELAY_TEST_DATABASE=sqlite|postgres   (default sqlite)
    REELAY_TEST_STORAGE=local|s3           (default local)

With postgres, every Reelay data dir gets its own fresh database; with s3, one moto server
process serves a bucket per data dir. `sql()` reads whichever database a data dir uses.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

DATABASE = os.environ.get("REELAY_TEST_DATABASE", "sqlite")
STORAGE = os.environ.get("REELAY_TEST_STORAGE", "local")

_databases: dict[Path, str] = {}


def database_url(data_dir: Path) -> str:
    """The SQLAlchemy URL for a data dir: its SQLite file, or its own PostgreSQL database."""
    data_dir = Path(data_dir).resolve()
    if DATABASE != "postgres":
        return f"sqlite+aiosqlite:///{data_dir / 'reelay.db'}"
    if data_dir not in _databases:
        from .databases import create_database

        _databases[data_dir] = create_database()[1]
    return _databases[data_dir]


def env_for(data_dir: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    if DATABASE == "postgres":
        env["REELAY_DATABASE_URL"] = database_url(data_dir)
    if STORAGE == "s3":
        from .s3 import bucket_env

        env.update(bucket_env(Path(data_dir).resolve().name + "-" + str(abs(hash(str(data_dir))) % 10**8)))
    return env


def sql(data_dir: Path, statement: str, **params) -> list[tuple]:
    """Run one statement on the data dir's database; returns the rows (if any)."""

    async def run() -> list[tuple]:
        engine = create_async_engine(database_url(data_dir))
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return [tuple(row) for row in result.all()] if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def is_ours(url: str, server_url: str) -> bool:
    """A result URL Reelay handed out: served by Reelay itself, or presigned on its S3 bucket."""
    if STORAGE == "s3":
        return "X-Amz-Signature=" in url and url.startswith("http://127.0.0.1:")
    return url.startswith(server_url + "/files/")
