"""SQLAlchemy's aiosqlite driver with one thread hop per statement instead of four.

aiosqlite runs SQLite in a thread of its own per connection, and every call crosses to it and
back: SQLAlchemy's adapter makes a cursor, executes, fetches and closes it, four hand-overs a
statement, and rolls back each connection going back to the pool, a fifth, even after a read
that opened no transaction. Each hand-over costs the event loop a queue put, a wake-up through
its self-pipe and the GIL passed twice; for a status read they were nine tenths of its CPU.

Here a statement runs as one function in that thread (cursor, execute, fetch all, close), and
a rollback with no transaction open is skipped. Nothing else changes: the same sqlite3
connection, pragmas, transactions and errors. `open_engine` uses it for every SQLite URL
(`sqlite+aiosqlite://`, the only SQLite driver Reelay names).
"""

from __future__ import annotations

import collections
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT

DRIVER = "reelay_aiosqlite"


def _run_statement(connection, operation: str, parameters, many: bool):
    """In aiosqlite's thread: the whole statement, cursor to close."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else ()
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor that holds a finished statement's results; no sqlite3 cursor stays open."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection):
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # made and closed inside each statement
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self):
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return  # the sqlite3 cursor closed with its statement

    async def _execute_async(self, operation, parameters) -> None:
        await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation, seq_of_parameters) -> None:
        await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation, parameters, *, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            connection = self._connection
            answer = await connection._execute(_run_statement, connection._conn, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = answer
        self._rows = collections.deque(rows)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    _cursor_cls = OneHopCursor  # type: ignore[assignment]  # a subclass; its stub types the attribute narrowly

    def rollback(self) -> None:
        # Read in this thread: sqlite3's in_transaction is a plain flag of the connection, and no
        # statement of this connection runs meanwhile (it is being reset or closed).
        if self._connection._connection is not None and not self._connection.in_transaction:
            return
        super().rollback()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


class OneHopDialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True  # the statements and their compilation are SQLAlchemy's own

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:
        import sqlite3

        import aiosqlite

        return OneHopDBAPI(aiosqlite, sqlite3)


registry.register(f"sqlite.{DRIVER}", __name__, "OneHopDialect")


def one_hop_url(url: str) -> str:
    """The same database through this driver."""
    return url.replace("sqlite+aiosqlite:", f"sqlite+{DRIVER}:", 1)
