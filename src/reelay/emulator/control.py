"""The control API (/_control/, no auth): tests and benches steer the emulator and read what it saw."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import merge_behaviour

if TYPE_CHECKING:
    from .app import Emulator


async def _json(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


def _bad(message: str) -> Response:
    return JSONResponse({"error": message}, 400)


def routes(emu: "Emulator") -> list[Route]:
    store = emu.store

    async def health(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def reset(_request: Request) -> Response:
        emu.reset()
        return JSONResponse({"ok": True, "behaviour": store.behaviour})

    async def behaviour(request: Request) -> Response:
        if request.method == "POST":
            try:
                store.behaviour = merge_behaviour(store.behaviour, await _json(request))
            except ValueError as exc:
                return _bad(str(exc))
        return JSONResponse(store.behaviour)

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = await _json(request)
                emu.faults.add(body.get("rules") if isinstance(body, dict) else None)
            except ValueError as exc:
                return _bad(str(exc))
        elif request.method == "DELETE":
            emu.faults.clear()
        return JSONResponse({"rules": [rule.describe() for rule in emu.faults.rules]})

    async def requests(request: Request) -> Response:
        prefix = request.query_params.get("path")
        key = request.query_params.get("key")
        entries = [
            entry for entry in store.request_log
            if (prefix is None or entry["path"].startswith(prefix)) and (key is None or entry["key"] == key)
        ]
        return JSONResponse(entries)

    async def callbacks(request: Request) -> Response:
        task_id = request.query_params.get("task_id")
        return JSONResponse([entry for entry in store.callback_log if task_id is None or entry["task_id"] == task_id])

    async def stats(_request: Request) -> Response:
        now = time.time()
        return JSONResponse({
            "creates": store.creates,
            "creates_by_key": dict(store.creates_by_key),
            **store.concurrency(now),
            "requests": store.requests,
            "callbacks_sent": store.callbacks_sent,
        })

    async def tasks(request: Request) -> Response:
        key = request.query_params.get("key")
        now = time.time()
        return JSONResponse([
            {"id": task.id, "dialect": task.dialect, "key": task.key, "status": task.status(now),
             "deleted": task.deleted_at is not None}
            for task in store.tasks.values() if key is None or task.key == key
        ])

    async def task(request: Request) -> Response:
        found = store.tasks.get(request.path_params["task_id"])
        if found is None:
            return JSONResponse({"error": "unknown task"}, 404)
        return JSONResponse(found.record(time.time()))

    return [
        Route("/_control/health", health, methods=["GET"]),
        Route("/_control/reset", reset, methods=["POST"]),
        Route("/_control/behaviour", behaviour, methods=["GET", "POST"]),
        Route("/_control/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_control/requests", requests, methods=["GET"]),
        Route("/_control/callbacks", callbacks, methods=["GET"]),
        Route("/_control/stats", stats, methods=["GET"]),
        Route("/_control/tasks", tasks, methods=["GET"]),
        Route("/_control/tasks/{task_id}", task, methods=["GET"]),
    ]
