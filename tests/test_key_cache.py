"""Keys are read once a second at most, yet a revoke still stops a key at once in its process."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import update

from reelay.store import keys as keys_module
from reelay.store.db import migrate, open_engine
from reelay.store.keys import KeyStore
from reelay.store.tables import api_keys


@pytest.fixture
async def db(tmp_path):
    engine = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'reelay.db'}")
    await migrate(engine)
    yield engine
    await engine.dispose()


async def test_a_revoke_through_any_store_of_this_process_stops_the_key_at_once(db):
    key, plain = await KeyStore(db).create("c")
    serving = KeyStore(db)
    assert (await serving.authenticate(plain)).id == key.id  # now cached
    assert await KeyStore(db).revoke(key.prefix)
    assert await serving.authenticate(plain) is None


async def test_a_read_under_way_during_a_revoke_does_not_put_the_key_back(db):
    key, plain = await KeyStore(db).create("c")
    store = KeyStore(db)
    read_done, revoked = asyncio.Event(), asyncio.Event()

    class LateAnswer:
        """A connection whose query runs before the revoke but answers after it."""

        def __init__(self, conn) -> None:
            self.conn = conn

        async def execute(self, *args, **kwargs):
            result = await self.conn.execute(*args, **kwargs)
            read_done.set()
            await revoked.wait()
            return result

    class SlowEngine:
        @asynccontextmanager
        async def connect(self):
            async with db.connect() as conn:
                yield LateAnswer(conn)

    store.db = SlowEngine()  # type: ignore[assignment]
    reading = asyncio.create_task(store.authenticate(plain))
    await read_done.wait()
    assert await KeyStore(db).revoke(key.id)
    revoked.set()
    assert (await reading).id == key.id  # it began before the revoke
    store.db = db
    assert await store.authenticate(plain) is None


async def test_a_revoke_by_another_process_takes_effect_within_the_cache_time(db, monkeypatch):
    monkeypatch.setattr(keys_module, "KEY_CACHE_SECONDS", 0.2)
    key, plain = await KeyStore(db).create("c")
    store = KeyStore(db)
    assert await store.authenticate(plain) is not None
    # Another process writes the database directly: nothing here hears of it.
    async with db.begin() as conn:
        await conn.execute(update(api_keys).where(api_keys.c.id == key.id).values(revoked_at=time.time()))
    assert await store.authenticate(plain) is not None  # still trusted, within the cache time
    await asyncio.sleep(0.25)
    assert await store.authenticate(plain) is None


async def test_unknown_keys_are_not_remembered(db):
    store = KeyStore(db)
    assert await store.authenticate("rl_nope") is None
    assert not any(where[1] == keys_module.hash_key("rl_nope") for where in keys_module._cache.entries)
