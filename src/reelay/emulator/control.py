"""The control API (/_control/, no auth): tests and benches steer the emulator and read what it saw.

POST /_control/reset              -> {"ok": true, "behaviour": {...defaults}}  (tasks, logs, rules, counters gone)
GET|POST /_control/behaviour      POST merges {field: value} into the defaults for NEW tasks -> the full behaviour:
    pending_seconds 0.2, throttled_seconds 0, running_seconds 1.0, fail_code null, url_ttl_seconds 3600,
    feed_shape "flat"|"newapi", feed_lag_seconds 0, credits 5, pro_http_200 false,
    openai_poll_after_ms null (an integer: the /v1/videos answers' openai-poll-after-ms). Unknown field/bad value: 400.
    Prompt markers override per task: [emu:fail=CODE] [emu:run=S] [emu:throttle=S] [emu:pending=S].
GET|POST|DELETE /_control/faults  POST {"rules": [rule, ...]} appends; DELETE clears -> {"rules": [described]}
    rule: {"match": {"method", "path" (exact, or prefix ending in *), "key"}, "times": 1 (-1 forever),
           one of "status": N (+ "retry_after": S, "body": any), "delay": S, "drop": true,
           "accept_then_hang": S, "accept_then_status": N (+ "body")}
    described: {"id", "match", "times" (uses left), "applied", <action>: value, ["retry_after"], ["body"]}
GET /_control/requests?path=PREFIX&key=K
    -> [{"time", "method", "path", "query", "key", "json", "status_answered", "fault"}], plus "form" for a
       /v1/videos create sent as a form
GET /_control/callbacks?task_id=ID
    -> [{"time", "task_id", "url", "status", "answered", "error", "body"}]
GET /_control/stats -> {"creates", "creates_by_key", "max_concurrent", "max_concurrent_by_key", "live",
                        "requests", "callbacks_sent"}
GET /_control/tasks?key=K -> [{"id", "dialect", "key", "status", "deleted"}]
GET /_control/tasks/{id}  -> the internal record (body, key, timeline, callbacks...); 404 {"error"} if unknown
GET /_control/health      -> {"ok": true}
"""

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


def routes(emu: Emulator) -> list[Route]:
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
            entry
            for entry in store.request_log
            if (prefix is None or entry["path"].startswith(prefix)) and (key is None or entry["key"] == key)
        ]
        return JSONResponse(entries)

    async def callbacks(request: Request) -> Response:
        task_id = request.query_params.get("task_id")
        return JSONResponse([entry for entry in store.callback_log if task_id is None or entry["task_id"] == task_id])

    async def stats(_request: Request) -> Response:
        now = time.time()
        return JSONResponse(
            {
                "creates": store.creates,
                "creates_by_key": dict(store.creates_by_key),
                **store.concurrency(now),
                "requests": store.requests,
                "callbacks_sent": store.callbacks_sent,
            }
        )

    async def tasks(request: Request) -> Response:
        key = request.query_params.get("key")
        now = time.time()
        return JSONResponse(
            [
                {
                    "id": task.id,
                    "dialect": task.dialect,
                    "key": task.key,
                    "status": task.status(now),
                    "deleted": task.deleted_at is not None,
                }
                for task in store.tasks.values()
                if key is None or task.key == key
            ]
        )

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
