"""The aggregator ("pro") dialect: routes, the envelope, and the task object (SPEC §2)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from reelay.domain import artifacts
from reelay.domain.errors import InputError, ReelayError
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.service.submit import body_hash
from reelay.storage.results import result_urls

from .base import Dialect
from .common import base_url, caller, check_version, json_object, query_text, retry_count, services
from .pro_footage import parse_pro_footage
from .pro_request import parse_generate

router = APIRouter()

# The pro format's numeric status strings (SPEC §2.2).
PRO_STATUS = {
    Status.PENDING: "0",
    Status.THROTTLED: "0",
    Status.RUNNING: "1",
    Status.FAILED: "2",
    Status.CANCELLED: "2",
    Status.SUCCEEDED: "3",
}


def envelope(data: Any, started: float, *, code: int = 200, msg: str = "成功", headers=None) -> JSONResponse:
    content = {"code": code, "msg": msg, "data": data, "exec_time": round(time.perf_counter() - started, 6)}
    return JSONResponse(content, status_code=code, headers=headers)


def error_response(error: ReelayError, started: float | None = None) -> JSONResponse:
    headers = getattr(error, "headers", None)
    return envelope(
        None,
        started if started is not None else time.perf_counter(),
        code=error.status_code,
        msg=f"{error.reason}: {error.message}",
        headers=headers,
    )


def task_object(task: Task, urls: dict[str, str]) -> dict[str, Any]:
    """The pro task object (SPEC §2.2): the feed's `data`, and the callback body. `urls`: the
    results' URLs by storage key."""

    def url_of(role: str) -> str | None:
        artifact = artifacts.find(task.results, role)
        return urls.get(artifact.key) if artifact else None

    return {
        "task_id": task.id,
        "status": PRO_STATUS[task.status],
        "state": task.status.value.lower(),
        "prompt": task.request.prompt or "",
        "prompt_en": None,
        "video_url": url_of(artifacts.VIDEO),
        "raw_video_url": task.raw_video_url,
        "poster": url_of(artifacts.POSTER),
        "last_frame": url_of(artifacts.LAST_FRAME),
        "msg": task.failure,
        "point": str(task.points),
        "refund": "1" if task.refunded else "0",
        "progress": round(task.progress, 4),
        "seed": task.seed,
        "create_time": str(int(task.created_at.timestamp())),
        "update_time": str(int(task.updated_at.timestamp())),
    }


def _urls(task: Task, request: Request) -> dict[str, str]:
    return result_urls(task, services(request).storage, base_url(request))


@router.post("/runway/pro/generate")
@router.post("/runway/v1/pro/generate")
async def generate(request: Request) -> JSONResponse:
    started = time.perf_counter()
    key = await caller(request)
    check_version(request)
    body = await json_object(request)
    reelay = services(request)
    generation = parse_generate(body, require_callback=reelay.settings.require_callback_url)
    task, _ = await reelay.submitter.submit(
        key,
        generation,
        idempotency_key=request.headers.get("idempotency-key"),
        request_hash=body_hash("pro/generate", body),
        retry_count=retry_count(request),
    )
    return envelope(task_object(task, _urls(task, request)), started)


@router.post("/runway/pro/video2video")
@router.post("/runway/v1/pro/video2video")
async def video2video(request: Request) -> JSONResponse:
    return await _passthrough(request, "video_to_video")


@router.post("/runway/pro/act_one")
@router.post("/runway/v1/pro/act_one")
async def act_one(request: Request) -> JSONResponse:
    return await _passthrough(request, "act_one")


@router.post("/runway/pro/act_two")
@router.post("/runway/v1/pro/act_two")
async def act_two(request: Request) -> JSONResponse:
    return await _passthrough(request, "act_two")


@router.post("/runway/pro/aleph")
@router.post("/runway/v1/pro/aleph")
async def aleph(request: Request) -> JSONResponse:
    return await _passthrough(request, "aleph")


async def _passthrough(request: Request, kind: str) -> JSONResponse:
    """Rendered by the sandbox from the typed inputs, or sent on as given to a relay upstream."""
    started = time.perf_counter()
    key = await caller(request)
    check_version(request)
    body = await json_object(request)
    reelay = services(request)
    generation = parse_pro_footage(kind, body, require_callback=reelay.settings.require_callback_url)
    task, _ = await reelay.submitter.submit(
        key,
        generation,
        idempotency_key=request.headers.get("idempotency-key"),
        request_hash=body_hash(f"pro/{kind}", body),
        retry_count=retry_count(request),
    )
    return envelope(task_object(task, _urls(task, request)), started)


@router.post("/runway/feed")
@router.post("/runway/v1/feed")
async def feed_post(request: Request) -> JSONResponse:
    started = time.perf_counter()
    key = await caller(request)
    body = await json_object(request)
    return await _feed(request, key, body.get("task_id"), started)


@router.get("/runway/feed")
@router.get("/runway/v1/feed")
async def feed_get(request: Request) -> JSONResponse:
    started = time.perf_counter()
    key = await caller(request)
    return await _feed(request, key, query_text(request, "task_id"), started)


async def _feed(request: Request, key, task_id: Any, started: float) -> JSONResponse:
    if not isinstance(task_id, str) or not task_id.strip():
        raise InputError("task_id", "is required")
    # A task deleted through the official DELETE still answers here, with its final status: the
    # pro format has no delete, and its clients poll until "2" or "3" (task_not_exist reads to
    # them as "not visible yet, ask again", so a vanished task would be polled for ever).
    task = await services(request).reader.get(key, task_id.strip(), deleted=True)
    return envelope(task_object(task, _urls(task, request)), started)


DIALECT = Dialect("pro", router, task_object, error_response, prefixes=("/runway",))
