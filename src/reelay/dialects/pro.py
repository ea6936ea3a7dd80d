"""The aggregator ("pro") dialect: routes, the envelope, and the task object (SPEC §2)."""

from __future__ import annotations

import time
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from reelay.domain import artifacts
from reelay.domain.errors import InputError, ReelayError
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.service.submit import body_hash
from reelay.storage.results import result_urls

from . import openapi
from .base import Dialect
from .common import base_url, caller, check_version, json_object, query_text, retry_count, services
from .pro_footage import parse_pro_footage
from .pro_request import ProGenerate, parse_generate
from .pro_schemas import (
    ProAleph,
    ProEnvelope,
    ProError,
    ProFeedBody,
    ProPerformance,
    ProState,
    ProStatus,
    ProTask,
    ProTaskAnswer,
    ProVideo2Video,
)

router = APIRouter()

# The pro format's numeric status strings (SPEC §2.2).
PRO_STATUS: dict[Status, ProStatus] = {
    Status.PENDING: "0",
    Status.THROTTLED: "0",
    Status.RUNNING: "1",
    Status.FAILED: "2",
    Status.CANCELLED: "2",
    Status.SUCCEEDED: "3",
}


def envelope(data: ProTask | None, started: float, *, code: int = 200, msg: str = "成功", headers=None) -> JSONResponse:
    answer = ProEnvelope(code=code, msg=msg, data=data, exec_time=round(time.perf_counter() - started, 6))
    # Every member, null ones too: the pro clients read them all.
    return JSONResponse(answer.model_dump(mode="json"), status_code=code, headers=headers)


def error_response(error: ReelayError, started: float | None = None) -> JSONResponse:
    headers = getattr(error, "headers", None)
    return envelope(
        None,
        started if started is not None else time.perf_counter(),
        code=error.status_code,
        msg=f"{error.reason}: {error.message}",
        headers=headers,
    )


def pro_task(task: Task, urls: dict[str, str]) -> ProTask:
    """The pro task object (SPEC §2.2). `urls`: the results' URLs by storage key."""

    def url_of(role: str) -> str | None:
        artifact = artifacts.find(task.results, role)
        return urls.get(artifact.key) if artifact else None

    return ProTask(
        task_id=task.id,
        status=PRO_STATUS[task.status],
        state=cast(ProState, task.status.value.lower()),
        prompt=task.request.prompt or "",
        prompt_en=None,
        video_url=url_of(artifacts.VIDEO),
        raw_video_url=task.raw_video_url,
        poster=url_of(artifacts.POSTER),
        last_frame=url_of(artifacts.LAST_FRAME),
        msg=task.failure,
        point=str(task.points),
        refund="1" if task.refunded else "0",
        progress=round(task.progress, 4),
        seed=task.seed,
        create_time=str(int(task.created_at.timestamp())),
        update_time=str(int(task.updated_at.timestamp())),
    )


def task_object(task: Task, urls: dict[str, str]) -> dict[str, Any]:
    """The pro task object as JSON: the feed's `data`, and the callback body."""
    return pro_task(task, urls).model_dump(mode="json")


# What each status means in the pro format, as /openapi.json describes it.
MEANINGS = {
    400: "The request was refused (`msg` names the field), or the callback_url is missing where required.",
    401: "No API key, or not a valid one.",
    402: "The key's points do not cover the task.",
    404: "No such task for this key.",
    409: "The Idempotency-Key was used before with another body.",
    429: "Too many requests per second, or too many tasks at once.",
}


def documented(*statuses: int, request: type[BaseModel] | None = None) -> dict[str, Any]:
    """A route's documentation: the envelope with a task, its error answers, and its body."""
    found: dict[str, Any] = {
        "response_model": ProTaskAnswer,
        "responses": {status: {"model": ProError, "description": MEANINGS[status]} for status in statuses},
    }
    if request is not None:
        found["openapi_extra"] = openapi.body(request)
    return found


CREATES = (400, 401, 402, 409, 429)
FEED_QUERY = openapi.query("task_id", "the task's id, as a create answered it")


def _urls(task: Task, request: Request) -> dict[str, str]:
    return result_urls(task, services(request).storage, base_url(request))


@router.post("/runway/pro/generate", **documented(*CREATES, request=ProGenerate))
@router.post("/runway/v1/pro/generate", **documented(*CREATES, request=ProGenerate))
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
    return envelope(pro_task(task, _urls(task, request)), started)


@router.post("/runway/pro/video2video", **documented(*CREATES, request=ProVideo2Video))
@router.post("/runway/v1/pro/video2video", **documented(*CREATES, request=ProVideo2Video))
async def video2video(request: Request) -> JSONResponse:
    return await _passthrough(request, "video_to_video")


@router.post("/runway/pro/act_one", **documented(*CREATES, request=ProPerformance))
@router.post("/runway/v1/pro/act_one", **documented(*CREATES, request=ProPerformance))
async def act_one(request: Request) -> JSONResponse:
    return await _passthrough(request, "act_one")


@router.post("/runway/pro/act_two", **documented(*CREATES, request=ProPerformance))
@router.post("/runway/v1/pro/act_two", **documented(*CREATES, request=ProPerformance))
async def act_two(request: Request) -> JSONResponse:
    return await _passthrough(request, "act_two")


@router.post("/runway/pro/aleph", **documented(*CREATES, request=ProAleph))
@router.post("/runway/v1/pro/aleph", **documented(*CREATES, request=ProAleph))
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
    return envelope(pro_task(task, _urls(task, request)), started)


@router.post("/runway/feed", **documented(400, 401, 404, 429, request=ProFeedBody))
@router.post("/runway/v1/feed", **documented(400, 401, 404, 429, request=ProFeedBody))
async def feed_post(request: Request) -> JSONResponse:
    started = time.perf_counter()
    key = await caller(request)
    body = await json_object(request)
    return await _feed(request, key, body.get("task_id"), started)


@router.get("/runway/feed", **documented(400, 401, 404, 429), openapi_extra=FEED_QUERY)
@router.get("/runway/v1/feed", **documented(400, 401, 404, 429), openapi_extra=FEED_QUERY)
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
    return envelope(pro_task(task, _urls(task, request)), started)


HOT = (
    "POST /runway/pro/generate",
    "POST /runway/v1/pro/generate",
    "POST /runway/feed",
    "POST /runway/v1/feed",
    "GET /runway/feed",
    "GET /runway/v1/feed",
)
DIALECT = Dialect("pro", router, task_object, error_response, prefixes=("/runway",), hot=HOT)
