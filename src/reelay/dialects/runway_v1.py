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
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.service.submit import body_hash
from reelay.storage.results import result_urls

from .base import Dialect
from .common import RUNWAY_VERSION, base_url, caller, json_object, retry_count, services
from .runway_errors import error_response
from .runway_performance import parse_character_performance
from .runway_request import parse_image_to_video, parse_text_to_video
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
    body: dict[str, Any] = {"id": task.id, "status": task.status.value, "createdAt": iso(task.created_at)}
    if task.is_final:
        body["cost"] = {"credits": 0 if task.refunded else int(task.points)}
    else:
        body["estimatedCost"] = {"credits": task.points}
    if task.status == Status.RUNNING:
        body["progress"] = round(task.progress, 4)
    elif task.status == Status.SUCCEEDED:
        body["output"] = [urls[artifact.key] for artifact in primary(task.results) if artifact.key in urls]
    elif task.status == Status.FAILED:
        body["failure"] = task.failure or "The task failed."
        if task.failure_code:
            body["failureCode"] = task.failure_code
    return body


def create_answer(task: Task, request: Request) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": task.id, "estimatedCost": {"credits": task.points}}
    if request.url.path.startswith("/runwayml/"):
        # Seed 004's clients read data.task_id; Runway's SDK reads id. Both get what they read.
        created = int(task.created_at.timestamp())
        answer |= {
            "code": 200,
            "message": "",
            "request_id": str(uuid.uuid4()),
            "data": {
                "task_id": task.id,
                "task_status": task.status.value,
                "created_at": created,
                "updated_at": int(task.updated_at.timestamp()),
            },
        }
    return answer


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


for prefix in PREFIXES:

    @router.post(f"{prefix}/image_to_video")
    async def image_to_video(request: Request) -> JSONResponse:
        return await _create(request, parse_image_to_video, "image_to_video")

    @router.post(f"{prefix}/text_to_video")
    async def text_to_video(request: Request) -> JSONResponse:
        return await _create(request, parse_text_to_video, "text_to_video")

    @router.post(f"{prefix}/character_performance")
    async def character_performance(request: Request) -> JSONResponse:
        return await _create(request, parse_character_performance, "character_performance")

    @router.get(f"{prefix}/tasks/{{task_id}}")
    async def get_task(task_id: str, request: Request) -> JSONResponse:
        key = await caller(request)
        check_version(request)
        task = await services(request).reader.get(key, task_id)
        urls = result_urls(task, services(request).storage, base_url(request))
        return JSONResponse(task_object(task, urls))

    @router.delete(f"{prefix}/tasks/{{task_id}}")
    async def delete_task(task_id: str, request: Request) -> Response:
        key = await caller(request)
        check_version(request)
        await services(request).reader.cancel_or_delete(key, task_id)
        return Response(status_code=204)

    @router.get(f"{prefix}/organization")
    async def organization(request: Request) -> JSONResponse:
        key = await caller(request)
        check_version(request)
        reelay = services(request)
        models = [*catalogue.OFFICIAL_MODELS, *(m for kind in catalogue.STILL_KINDS for m in catalogue.models(kind))]
        used = await reelay.tasks.daily_generations(key.id, time.time() - 86400)
        limits = key.limits
        return JSONResponse(
            {
                "creditBalance": await reelay.ledger.balance(key.id),
                "tier": {
                    "maxMonthlyCreditSpend": limits.monthly_spend_limit or 0,
                    "models": {
                        m: {
                            "maxConcurrentGenerations": limits.max_concurrent,
                            "maxDailyGenerations": limits.daily_limit,
                        }
                        for m in models
                    },
                },
                "usage": {"models": {m: {"dailyGenerations": used.get(m, 0)} for m in models}},
            }
        )

    @router.post(f"{prefix}/organization/usage")
    async def organization_usage(request: Request) -> JSONResponse:
        key = await caller(request)
        check_version(request)
        raw = await request.body()
        body = await json_object(request) if raw.strip() else {}
        start, before = usage_range(body)
        days = await services(request).ledger.spent_by_day(key.id, start, before)
        models = sorted({model for per_model in days.values() for model in per_model if model})
        results = [
            {
                "date": day.isoformat(),
                "usedCredits": [{"model": m, "amount": a} for m, a in sorted(per_model.items()) if m],
            }
            for day, per_model in sorted(days.items())
        ]
        return JSONResponse({"models": models, "results": results})


install_video_routes(router, PREFIXES, _create)


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


DIALECT = Dialect("runway", router, task_object, error_response, prefixes=PREFIXES)
