"""The outermost ASGI layer: records every request and applies fault rules before the routes run.

It sits outside Starlette on purpose: dropping a connection needs uvicorn's own `send`, whose
owner holds the socket's transport, and answering "after processing" needs the routes' response
held back. Control requests (/_control/) pass straight through, unlogged and never faulted.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from .faults import FaultBook, Rule
from .shapes import PRO_REASONS, official_error, openai_error, phrase, pro_envelope
from .state import Store

if TYPE_CHECKING:
    from .app import Emulator

NOT_JSON = object()  # scope["emu.json"] when the body is present but is not JSON


def key_from(headers: dict[str, str], body: Any, query_key: str | None) -> str | None:
    """Bearer key, or the raw key in Authorization (duomi style), or `key` in the body or query."""
    auth = headers.get("authorization", "").strip()
    if auth:
        return auth[7:].strip() if auth[:7].lower() == "bearer " else auth
    if isinstance(body, dict) and isinstance(body.get("key"), str):
        return body["key"]
    return query_key


def is_pro(path: str) -> bool:
    return path.startswith("/runway/")


def is_openai(path: str) -> bool:
    return path == "/v1/videos" or path.startswith("/v1/videos/")


def error_body(path: str, status: int) -> dict[str, Any]:
    if is_openai(path):
        return openai_error(phrase(status), status)
    if is_pro(path):
        return pro_envelope(None, status, PRO_REASONS.get(status, "error"))
    return official_error(phrase(status))


class FrontDoor:
    emulator: Emulator  # set by create_app: in-process access to the emulator's state

    def __init__(self, app: ASGIApp, store: Store, faults: FaultBook) -> None:
        self.app = app
        self.store = store
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_control/"):
            return await self.app(scope, receive, send)

        raw = await _read_body(receive)
        parsed: Any = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = NOT_JSON
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        query = _query(scope)
        key = key_from(headers, parsed, query.get("key"))

        method, path = scope["method"], scope["path"]
        entry = {
            "time": time.time(),
            "method": method,
            "path": path,
            "query": scope["query_string"].decode("latin-1"),
            "key": key,
            "json": None if parsed is NOT_JSON else parsed,
            "status_answered": None,
            "fault": None,
        }
        self.store.requests += 1
        self.store.request_log.append(entry)
        # A route that parses another body (a multipart form) notes it in its log entry.
        scope["emu.json"], scope["emu.key"], scope["emu.entry"] = parsed, key, entry

        async def replay():
            return {"type": "http.request", "body": raw, "more_body": False}

        async def answer(message):
            if message["type"] == "http.response.start":
                entry["status_answered"] = message["status"]
            await send(message)

        rule = self.faults.take(method, path, key)
        if rule is None:
            return await self.app(scope, replay, answer)
        entry["fault"] = rule.label
        await self._misbehave(rule, scope, replay, answer, send, path)

    async def _misbehave(self, rule: Rule, scope, replay, answer, send, path: str) -> None:
        if rule.action == "status":
            return await _send_json(answer, rule.value, rule.body or error_body(path, rule.value), rule.retry_after)
        if rule.action == "delay":
            await asyncio.sleep(rule.value)
            return await self.app(scope, replay, answer)
        if rule.action == "drop":
            return await _drop(send)
        # accept_then_*: process for real (the task exists upstream), hold the answer back.
        held: list[dict] = []

        async def hold(message):
            held.append(message)

        await self.app(scope, replay, hold)
        if rule.action == "accept_then_status":
            return await _send_json(answer, rule.value, rule.body or error_body(path, rule.value), rule.retry_after)
        await asyncio.sleep(rule.value)  # a client with a shorter timeout gives up here
        for message in held:
            await answer(message)  # uvicorn ignores sends after the client has gone


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _query(scope) -> dict[str, str]:
    return dict(parse_qsl(scope["query_string"].decode("latin-1")))


async def _send_json(send, status: int, body: Any, retry_after: float | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    if retry_after is not None:
        seconds = int(retry_after) if float(retry_after).is_integer() else retry_after
        headers.append((b"retry-after", str(seconds).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _drop(send) -> None:
    """Close the socket without a byte of answer, so the client sees a connection error.

    uvicorn hands the app its request cycle's bound `send`; the cycle holds the transport. Once the
    transport is closed uvicorn marks the cycle disconnected and sends no fallback 500.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:  # not under uvicorn (e.g. an in-process test client): best effort
        raise ConnectionAbortedError("emulator fault: drop")
    transport.close()
    for _ in range(10):  # let connection_lost run, which marks the cycle disconnected
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
