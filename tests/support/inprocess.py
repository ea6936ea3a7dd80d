"""The app served in the test's own process, for fast request-level tests."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from reelay.app import create_app
from reelay.settings import Settings
from reelay.store.db import migrate, open_engine
from reelay.store.keys import KeyStore

from . import backends
from .official import VERSION


def make_key(settings: Settings) -> str:
    async def run() -> str:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = open_engine(settings.resolved_database_url)
        await migrate(db)
        _, plain = await KeyStore(db).create("test")
        await db.dispose()
        return plain

    return asyncio.run(run())


@contextmanager
def make_app_client(data_dir: Path, **overrides):
    settings = Settings(
        **{
            "data_dir": data_dir,
            "worker": False,
            "allow_private_urls": True,
            "database_url": backends.database_url(data_dir),
            **overrides,
        }
    )
    key = make_key(settings)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.settings = settings
        client.headers.update(VERSION)  # as Runway's SDKs send it
        yield client, key


def count_rows(data_dir: Path, table: str) -> int:
    return backends.sql(data_dir, f"select count(*) from {table}")[0][0]
