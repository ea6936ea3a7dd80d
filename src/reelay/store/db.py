"""Opening the database: the async engine, SQLite's pragmas, and migrations at start."""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .sqlite_driver import one_hop_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def open_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # The default pool (5 kept, 10 more on demand) opened and closed a connection, and its
        # aiosqlite thread, for nearly every request beyond 5 in flight: keep the same 15 open.
        pool = {} if _in_memory(url) else {"pool_size": 15, "max_overflow": 0}
        engine = create_async_engine(one_hop_url(url), connect_args={"timeout": 30}, **pool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A fixed pool: no overflow connections opened and closed under bursts (each costs
    # PostgreSQL a backend), and a known ceiling per process when sizing max_connections.
    return create_async_engine(url, pool_size=10, max_overflow=0, pool_timeout=60, pool_pre_ping=True)


def _in_memory(url: str) -> bool:
    # SQLAlchemy gives in-memory SQLite one shared connection (StaticPool), which takes no size.
    return url.rstrip("/").endswith(("sqlite+aiosqlite:", ":memory:")) or "mode=memory" in url


# Set by the worker and the callback dispatcher for everything they run: their writes yield to
# those of requests a client waits on.
BACKGROUND: ContextVar[bool] = ContextVar("reelay_background_writer", default=False)


class WriteLock:
    """SQLite's one writer, taken in turn: when both wait, a client request's write and a
    background write alternate (each kind first come, first served), so a create waits for at
    most one of the worker's writes, not a burst of them (a batch of tasks ending at once), and
    the worker is never starved by a stream of creates."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: tuple[deque[asyncio.Future], deque[asyncio.Future]] = (deque(), deque())
        self._last_background = True  # whose turn it was last: the other kind goes next

    async def acquire(self, background: bool) -> None:
        if not self._held and not any(self._waiting):
            self._held = True
            return
        turn = asyncio.get_running_loop().create_future()
        queue = self._waiting[background]
        queue.append(turn)
        try:
            await turn  # the releaser hands the lock over: _held stays True
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed over just as this waiter was cancelled: pass it on
            elif turn in queue:  # not if a release() passed over it, cancelled, meanwhile
                queue.remove(turn)
            raise

    def release(self) -> None:
        first = not self._last_background  # False (clients) after a background write, and back
        for background in (first, not first):
            queue = self._waiting[background]
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    self._last_background = background
                    turn.set_result(None)
                    return
        self._held = False


@asynccontextmanager
async def write_transaction(engine: AsyncEngine):
    """A transaction that writes. On SQLite, one at a time per process.

    SQLite has one writer; concurrent writers in one process would wait in SQLite's busy handler,
    which sleeps in steps of up to 100 ms. Queueing them on a lock instead keeps writes fast.
    """
    if engine.dialect.name != "sqlite":
        async with engine.begin() as conn:
            yield conn
        return
    lock = _sqlite_write_locks.get(engine.sync_engine)
    if lock is None:  # once per engine, not a new lock built and dropped on every write
        lock = _sqlite_write_locks[engine.sync_engine] = WriteLock()
    await lock.acquire(BACKGROUND.get())
    try:
        async with engine.begin() as conn:
            yield conn
    finally:
        lock.release()


_sqlite_write_locks: WeakKeyDictionary = WeakKeyDictionary()


def storable(text: str) -> bool:
    """Whether both databases can take this text as a parameter. PostgreSQL refuses NUL, and a
    lone surrogate is not UTF-8; an id with either cannot exist, so lookups answer "not found"."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the single writer; busy_timeout makes writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


MIGRATION_LOCK = 72_657_265  # any constant: PostgreSQL advisory lock that serialises migrations


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision before anything else touches it.

    Many processes may start at once on one PostgreSQL: they take turns, and the later ones find
    nothing left to do."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None, "the package ships its migrations, so there is a head revision"
    return head


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the database; raises when it does not answer."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
