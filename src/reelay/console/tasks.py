"""Tasks: the filtered, paged list; a task's page (request, result, timeline); its JSON; its actions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from reelay.dialects.common import base_url, services
from reelay.domain import artifacts
from reelay.domain.errors import InputError
from reelay.domain.request import MOTION_AXES
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.storage.results import result_urls
from reelay.store.callbacks import PENDING
from reelay.store.keys import ApiKey
from reelay.store.task_search import TaskFilters

from . import session
from .access import key_names, visible_keys, visible_task
from .render import ConsoleRoute, NotFoundPage, page

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
PAGE_SIZE = 25
STATUSES = [s.value for s in Status]


def _text(request: Request, name: str, limit: int = 200) -> str | None:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    if len(value) > limit or "\x00" in value:
        raise InputError(name, f"must be at most {limit} characters, without NUL")
    return value


def _moment(request: Request, name: str, label: str) -> float | None:
    """A date-time input (`2026-12-06T17:30`, or a date alone), read as UTC."""
    raw = _text(request, name, 40)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(label, f"must be a date and time like 2026-12-06T17:30 (UTC), not {raw!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def read_filters(request: Request, key: ApiKey) -> TaskFilters:
    status = _text(request, "status")
    if status is not None and status not in STATUSES:
        raise InputError("status", f"must be one of {', '.join(STATUSES)}")
    # A client key's console always looks at its own tasks, whatever the query says.
    owner = _text(request, "key") if key.is_admin else key.id
    return TaskFilters(
        api_key_id=owner,
        status=Status(status) if status else None,
        channel=_text(request, "channel"),
        model=_text(request, "model"),
        created_from=_moment(request, "from", "from"),
        created_to=_moment(request, "to", "to"),
    )


async def task_owner(request: Request, key: ApiKey, task: Task) -> ApiKey | None:
    """The task's key: the signed-in one, already loaded, when the task is its own."""
    return key if task.api_key_id == key.id else await services(request).keys.find(task.api_key_id)


def result_links(request: Request, task: Task) -> dict[str, Any]:
    """The result's URLs as the dialects give them: signed /files/ URLs on local storage, signed
    object-store URLs on S3 (the storage's own URL method)."""
    urls = result_urls(task, services(request).storage, base_url(request))

    def url_of(role: str) -> str | None:
        artifact = artifacts.find(task.results, role)
        return urls.get(artifact.key) if artifact else None

    images = [urls[a.key] for a in task.results if a.role == artifacts.IMAGE and a.key in urls]
    return {"video_url": url_of(artifacts.VIDEO), "poster_url": url_of(artifacts.POSTER), "images": images}


def task_json(request: Request, task: Task) -> dict[str, Any]:
    links = result_links(request, task)
    return {
        "id": task.id,
        "status": task.status.value,
        "progress": round(task.progress, 4),
        "video_url": links["video_url"],
        "poster_url": links["poster_url"],
        "failure": task.failure,
        "failure_code": task.failure_code,
        "channel": task.channel,
        "model": task.request.model,
    }


@router.get("/tasks")
async def task_list(request: Request) -> Response:
    key = await session.signed_in(request)
    reelay = services(request)
    error = None
    try:
        filters = read_filters(request, key)
        cursor = _text(request, "cursor", 500)
        found = await reelay.search.page(filters, cursor=cursor, limit=PAGE_SIZE)
        tasks, next_cursor = found.tasks, found.next_cursor
    except InputError as refused:
        # The form stays, with the field named; no rows.
        error, tasks, next_cursor, filters = refused.message, [], None, TaskFilters(api_key_id=None)
    facets = await reelay.search.facets()
    keys = await visible_keys(request, key)
    query = {name: value for name, value in request.query_params.items() if name not in ("cursor", "fragment")}
    return page(
        request,
        "tasks.html",
        status_code=400 if error else 200,
        tasks=tasks,
        next_cursor=next_cursor,
        error=error,
        statuses=STATUSES,
        facets=facets,
        keys=keys,
        key_names=key_names(keys),
        query=query,
        form=dict(request.query_params),
        live=any(not t.is_final for t in tasks),
    )


@router.get("/tasks/{task_id}.json")
async def task_as_json(task_id: str, request: Request) -> Response:
    """For scripts (the playground follows its task with it): errors are JSON, not pages."""
    try:
        key = await session.signed_in(request)
    except session.SignInRequired as error:
        return JSONResponse({"error": "Sign in to the console again.", "login": error.headers["Location"]}, 401)
    try:
        task = await visible_task(request, key, task_id)
    except NotFoundPage:
        return JSONResponse({"error": "No such task, or it is not one of this key's tasks."}, status_code=404)
    return JSONResponse(task_json(request, task), headers={"Cache-Control": "no-store"})


@router.get("/tasks/{task_id}")
async def task_page(task_id: str, request: Request) -> Response:
    key = await session.signed_in(request)
    reelay = services(request)
    task = await visible_task(request, key, task_id)
    events = await reelay.timeline.of(task)
    deliveries = await reelay.callbacks.list(task_id=task.id, limit=100)
    owner = await task_owner(request, key, task)
    started = task.created_at.timestamp()
    # Callbacks go on after the task ends (retries): the history stays live until they settle.
    history_live = not task.is_final or any(d.state == PENDING for d in deliveries)
    return page(
        request,
        "task.html",
        task=task,
        owner=owner,
        links=result_links(request, task),
        events=events,
        started=started,
        deliveries=deliveries,
        request_rows=request_summary(task),
        timeline_live=history_live,
        live=history_live if request.query_params.get("fragment") == "history" else not task.is_final,
        notice=NOTICES.get(request.query_params.get("done") or ""),
    )


NOTICES = {
    "cancelled": "Cancel asked; the task stops at its engine's next step.",
    "not-cancelled": "The task had already ended; nothing was cancelled.",
    "resent": "The callback is queued to be sent again now.",
}


def request_summary(task: Task) -> list[tuple[str, str]]:
    """The request as people read it: what was asked, of which model, with which inputs."""
    asked = task.request
    rows = [
        ("Dialect", asked.dialect),
        ("Kind", asked.kind),
        ("Model", asked.model if asked.model == asked.engine_model else f"{asked.model} (as {asked.engine_model})"),
        ("Ratio", f"{asked.ratio} ({asked.width}×{asked.height})"),
    ]
    if asked.seconds:
        rows.append(("Length", f"{asked.seconds} s"))
    if asked.count > 1:
        rows.append(("Outputs", str(asked.count)))
    if asked.prompt:
        rows.append(("Prompt", asked.prompt))
    for item in asked.inputs:
        uri = item.uri if len(item.uri) <= 120 else item.uri[:100] + "…"
        rows.append((f"Input ({item.role})", uri))
    if asked.motion:
        rows.append(
            ("Motion", ", ".join(f"{axis} {value:g}" for axis, value in zip(MOTION_AXES, asked.motion, strict=False)))
        )
    rows.append(("Seed", str(task.seed)))
    rows.append(("Callback URL", asked.callback_url or "—"))
    rows.append(("Points", f"{task.points}" + (" (refunded)" if task.refunded else "")))
    return rows


@router.post("/tasks/{task_id}/cancel")
async def cancel(task_id: str, request: Request) -> Response:
    """The dialects' cancel, without the deletion Runway's DELETE adds: the guarded transition
    to CANCELLED, with its refund and callback in the same write; the worker stops the engine."""
    key = await session.signed_in(request)
    await session.checked_form(request)
    task = await visible_task(request, key, task_id)
    done = not task.is_final and await services(request).tasks.transition(task.id, Status.CANCELLED)
    return RedirectResponse(f"/console/tasks/{task.id}?done={'cancelled' if done else 'not-cancelled'}", 303)


@router.post("/tasks/{task_id}/rerun")
async def rerun(task_id: str, request: Request) -> Response:
    """A new task with the same request (its stored inputs included) for the same key."""
    key = await session.signed_in(request)
    await session.checked_form(request)
    task = await visible_task(request, key, task_id)
    reelay = services(request)
    owner = await task_owner(request, key, task)
    if owner is None or owner.revoked_at is not None:
        raise InputError("key", "the task's key has been revoked; its request cannot run again for it")
    # A channel test's task runs again on its channel; any other is routed afresh.
    channel = task.channel if task.schedule.pinned else None
    again, _ = await reelay.submitter.submit(owner, replace(task.request, remixed_from=None), channel=channel)
    return RedirectResponse(f"/console/tasks/{again.id}", 303)


@router.post("/tasks/{task_id}/callbacks/{delivery_id}/resend")
async def resend(task_id: str, delivery_id: str, request: Request) -> Response:
    key = await session.signed_in(request)
    await session.checked_form(request)
    task = await visible_task(request, key, task_id)
    reelay = services(request)
    # Only a delivery of this task, by its whole id (the store also takes prefixes).
    if delivery_id not in {d.id for d in await reelay.callbacks.list(task_id=task.id, limit=100)}:
        raise NotFoundPage("No such callback delivery for this task.")
    await reelay.callbacks.resend(delivery_id)
    return RedirectResponse(f"/console/tasks/{task.id}?done=resent", 303)
