"""Runway's official dialect: /v1/... and the resellers' /runwayml/v1/... (SPEC §3)."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from reelay.domain import catalogue
from reelay.domain.artifacts import primary
from reelay.domain.errors import BadRequest, InputError, Problem
from reelay.domain.footage import CHARACTER_PERFORMANCE
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.service.submit import body_hash
from reelay.storage.results import result_urls

from . import openapi
from .base import Dialect
from .common import RUNWAY_VERSION, base_url, caller, json_object, retry_count, services
from .runway_bodies import UsageBody, body_model, body_name
from .runway_errors import error_response, errors
from .runway_performance import parse_character_performance
from .runway_request import parse_image_to_video, parse_text_to_video
from .runway_schemas import (
    CreateAnswer,
    CreatedTask,
    Credits,
    DailyUsage,
    ModelLimits,
    ModelUsage,
    Organization,
    TaskObject,
    Tier,
    Usage,
    UsageDay,
    UsedCredits,
    wire,
)
from .runway_video import install_video_routes

router = APIRouter()
PREFIXES = ("/v1", "/runwayml/v1")


# Runway's own sentences (reference/runway-surface.md §5).
MISSING_VERSION = "The X-Runway-Version header was not provided in the request"
WRONG_VERSION = "The API version that was provided in the X-Runway-Version header is not valid."


def check_version(request: Request) -> None:
    """Required under /v1 as Runway requires it (a setting relaxes that); optional under
    /runwayml/v1, whose clients (seed 004) omit it. When given it must be Runway's version."""
    version = request.headers.get("x-runway-version")
    if version is None:
        if services(request).settings.require_runway_version and not request.url.path.startswith("/runwayml/"):
            raise BadRequest(MISSING_VERSION)
    elif version != RUNWAY_VERSION:
        raise BadRequest(f"{WRONG_VERSION} The supported version is {RUNWAY_VERSION}.")


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def task_object(task: Task, urls: dict[str, str]) -> dict[str, Any]:
    """Runway's task object, as GET /v1/tasks/{id} answers it. `urls`: the results' URLs by
    storage key."""
    found = TaskObject(id=task.id, status=task.status.value, createdAt=iso(task.created_at))
    if task.is_final:
        found.cost = Credits(credits=0 if task.refunded else int(task.points))
    else:
        found.estimatedCost = Credits(credits=task.points)
    if task.status == Status.RUNNING:
        found.progress = round(task.progress, 4)
    elif task.status == Status.SUCCEEDED:
        found.output = [urls[artifact.key] for artifact in primary(task.results) if artifact.key in urls]
    elif task.status == Status.FAILED:
        found.failure = task.failure or "The task failed."
        found.failureCode = task.failure_code or None
    return wire(found)


def create_answer(task: Task, request: Request) -> dict[str, Any]:
    answer = CreateAnswer(id=task.id, estimatedCost=Credits(credits=task.points))
    if request.url.path.startswith("/runwayml/"):
        # Seed 004's clients read data.task_id; Runway's SDK reads id. Both get what they read.
        answer.code, answer.message, answer.request_id = 200, "", str(uuid.uuid4())
        answer.data = CreatedTask(
            task_id=task.id,
            task_status=task.status.value,
            created_at=int(task.created_at.timestamp()),
            updated_at=int(task.updated_at.timestamp()),
        )
    return wire(answer)


async def _create(request: Request, parse, route: str) -> JSONResponse:
    key = await caller(request)
    check_version(request)
    body = await json_object(request)
    generation = parse(body)
    generation = _with_callback(generation, request)
    task, _ = await services(request).submitter.submit(
        key,
        generation,
        callback_field="X-Reelay-Callback-Url",
        idempotency_key=request.headers.get("idempotency-key"),
        request_hash=body_hash(route, body),
        retry_count=retry_count(request),
    )
    return JSONResponse(create_answer(task, request))


def _with_callback(generation, request: Request):
    # Runway's API has no callbacks; Reelay takes one from a header (README).
    url = request.headers.get("x-reelay-callback-url")
    if url and url.strip():
        return replace(generation, callback_url=url.strip())
    return generation


def creates(endpoint: str) -> dict[str, Any]:
    """A create route's documentation: its body (one schema per model) and its answers."""
    return {
        "response_model": CreateAnswer,
        "responses": errors(400, 401, 409, 429),
        "openapi_extra": openapi.lazy_body(body_name(endpoint), lambda: body_model(endpoint)),
    }


for prefix in PREFIXES:

    @router.post(f"{prefix}/image_to_video", **creates(catalogue.IMAGE_TO_VIDEO))
    async def image_to_video(request: Request) -> JSONResponse:
        return await _create(request, parse_image_to_video, "image_to_video")

    @router.post(f"{prefix}/text_to_video", **creates(catalogue.TEXT_TO_VIDEO))
    async def text_to_video(request: Request) -> JSONResponse:
        return await _create(request, parse_text_to_video, "text_to_video")

    @router.post(f"{prefix}/character_performance", **creates(CHARACTER_PERFORMANCE))
    async def character_performance(request: Request) -> JSONResponse:
        return await _create(request, parse_character_performance, "character_performance")

    @router.get(f"{prefix}/tasks/{{task_id}}", response_model=TaskObject, responses=errors(400, 401, 404, 429))
    async def get_task(task_id: str, request: Request) -> JSONResponse:
        key = await caller(request)
        check_version(request)
        task = await services(request).reader.get(key, task_id)
        urls = result_urls(task, services(request).storage, base_url(request))
        return JSONResponse(task_object(task, urls))

    @router.delete(
        f"{prefix}/tasks/{{task_id}}",
        status_code=204,
        response_class=Response,
        responses=errors(400, 401, 404, 429),
    )
    async def delete_task(task_id: str, request: Request) -> Response:
        key = await caller(request)
        check_version(request)
        await services(request).reader.cancel_or_delete(key, task_id)
        return Response(status_code=204)

    @router.get(f"{prefix}/organization", response_model=Organization, responses=errors(400, 401, 429))
    async def organization(request: Request) -> JSONResponse:
        key = await caller(request)
        check_version(request)
        reelay = services(request)
        models = [*catalogue.OFFICIAL_MODELS, *(m for kind in catalogue.STILL_KINDS for m in catalogue.models(kind))]
        used = await reelay.tasks.daily_generations(key.id, time.time() - 86400)
        limits = key.limits
        answer = Organization(
            creditBalance=await reelay.ledger.balance(key.id),
            tier=Tier(
                maxMonthlyCreditSpend=limits.monthly_spend_limit or 0,
                models={
                    m: ModelLimits(
                        maxConcurrentGenerations=limits.max_concurrent, maxDailyGenerations=limits.daily_limit
                    )
                    for m in models
                },
            ),
            usage=DailyUsage(models={m: ModelUsage(dailyGenerations=used.get(m, 0)) for m in models}),
        )
        # No member left out: the SDK reads each limit, null when the key has none.
        return JSONResponse(answer.model_dump(mode="json"))

    @router.post(
        f"{prefix}/organization/usage",
        response_model=Usage,
        responses=errors(400, 401, 429),
        openapi_extra=openapi.body(UsageBody, required=False),
    )
    async def organization_usage(request: Request) -> JSONResponse:
        key = await caller(request)
        check_version(request)
        raw = await request.body()
        found = await json_object(request) if raw.strip() else {}
        start, before = usage_range(found)
        days = await services(request).ledger.spent_by_day(key.id, start, before)
        answer = Usage(
            models=sorted({model for per_model in days.values() for model in per_model if model}),
            results=[
                UsageDay(
                    date=day.isoformat(),
                    usedCredits=[UsedCredits(model=m, amount=a) for m, a in sorted(per_model.items()) if m],
                )
                for day, per_model in sorted(days.items())
            ],
        )
        return JSONResponse(wire(answer))


install_video_routes(router, PREFIXES, _create, creates)


def usage_range(body: dict[str, Any]) -> tuple[date, date]:
    """startDate/beforeDate (YYYY-MM-DD, UTC): 30 days up to today by default, at most 90."""

    def day(name: str) -> date | None:
        value = body.get(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise InputError(name, "must be a date as YYYY-MM-DD", problem=Problem.FORMAT) from None

    for name in body:
        if name not in ("startDate", "beforeDate"):
            raise InputError(name, "is not a known parameter", problem=Problem.UNKNOWN)
    before = day("beforeDate") or (datetime.now(UTC).date() + timedelta(days=1))
    start = day("startDate") or before - timedelta(days=30)
    if start >= before:
        raise InputError("startDate", "must be before beforeDate")
    if (before - start).days > 90:
        raise InputError("beforeDate", "the range may span at most 90 days")
    return start, before


HOT = tuple(
    f"{method} {prefix}/{path}"
    for prefix in PREFIXES
    for method, path in (("GET", "tasks/{task_id}"), ("POST", "image_to_video"), ("POST", "text_to_video"))
)
DIALECT = Dialect("runway", router, task_object, error_response, prefixes=PREFIXES, hot=HOT)
