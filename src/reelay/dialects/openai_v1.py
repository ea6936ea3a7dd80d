"""OpenAI's video dialect: /v1/videos as the openai SDK (3.51), LiteLLM and new-api speak it.

It owns /v1/videos inside the path space of Runway's official dialect (/v1), so an error under
it is answered in OpenAI's shape. Tasks are the service's like any other: made here, they read
in the other dialects, and the reverse."""

from __future__ import annotations

import base64
import time
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from reelay.domain import artifacts, catalogue
from reelay.domain.errors import InputError, InsufficientPoints, Problem, RateLimited, ReelayError, TaskNotFound
from reelay.domain.request import OFFICIAL_SHAPED, GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.service.submit import body_hash
from reelay.storage.local import LocalStorage
from reelay.store.keys import ApiKey

from . import openapi
from .base import Dialect
from .common import base_url, caller, json_object, query_text, retry_count, services
from .openai_request import parse_create
from .openai_schemas import CreateVideoBody, DeletedVideo, OpenAIError, RemixBody, Video, VideoError, VideoList, wire

router = APIRouter()
PREFIX = "/v1/videos"

STATUS: dict[Status, str] = {
    Status.PENDING: "queued",
    Status.THROTTLED: "queued",
    Status.RUNNING: "in_progress",
    Status.SUCCEEDED: "completed",
    Status.FAILED: "failed",
    Status.CANCELLED: "failed",
}
# The openai SDK's poller waits this long between reads (openai-poll-after-ms); Reelay sets it
# from when its worker next looks at the task, within these bounds.
POLL_MS = (250, 10_000)
DEFAULT_POLL_MS = 1000


def video(task: Task) -> Video:
    status = STATUS[task.status]
    error = None
    if task.status == Status.CANCELLED:
        error = VideoError(code="cancelled", message=task.failure or "The task was cancelled.")
    elif task.status == Status.FAILED:
        error = VideoError(code=task.failure_code or "generation_failed", message=task.failure or "The task failed.")
    progress = (
        100 if task.status == Status.SUCCEEDED else int(task.progress * 100) if task.status == Status.RUNNING else 0
    )
    request = task.request
    clip = artifacts.find(task.results, artifacts.VIDEO)
    width, height = (
        (clip.width, clip.height) if clip and clip.width and clip.height else (request.width, request.height)
    )
    return Video(
        id=task.id,
        created_at=int(task.created_at.timestamp()),
        completed_at=int(task.updated_at.timestamp()) if task.is_final else None,
        model=request.model,
        progress=max(0, min(100, progress)),
        seconds=str(request.seconds),
        size=f"{width}x{height}",
        status=status,  # type: ignore[arg-type]
        error=error,
        prompt=request.prompt,
        remixed_from_video_id=request.remixed_from,
    )


def task_object(task: Task, urls: dict[str, str]) -> dict[str, Any]:
    """OpenAI's Video object (its content is read from /v1/videos/{id}/content, not a URL)."""
    return wire(video(task))


def event_object(task: Task, urls: dict[str, str]) -> dict[str, Any]:
    """A callback's body: OpenAI's webhook event (`video.completed`, `video.failed`; the live
    changes as `video.queued` and `video.in_progress`), the video in `data` beside its id."""
    found = video(task)
    return {
        "id": f"evt_{task.id}_{task.status.value.lower()}",
        "object": "event",
        "type": f"video.{found.status}",
        "created_at": int(task.updated_at.timestamp()),
        "data": {"id": task.id, "video": wire(found)},
    }


def poll_after_ms(task: Task) -> int:
    if task.next_check_at is None:
        return DEFAULT_POLL_MS
    wait = int((task.next_check_at - time.time()) * 1000)
    return max(POLL_MS[0], min(POLL_MS[1], wait))


def answer(task: Task) -> JSONResponse:
    headers = {} if task.is_final else {"openai-poll-after-ms": str(poll_after_ms(task))}
    return JSONResponse(task_object(task, {}), headers=headers)


# -- errors ---------------------------------------------------------------------------------------

_CODES = {
    Problem.UNKNOWN: "unknown_parameter",
    Problem.MISSING: "missing_required_parameter",
    Problem.WRONG_TYPE: "invalid_type",
    Problem.NOT_ALLOWED: "invalid_value",
    Problem.TOO_SMALL: "invalid_value",
    Problem.TOO_BIG: "invalid_value",
    Problem.FORMAT: "invalid_value",
    Problem.INVALID: "invalid_value",
}
_TYPES = {401: "authentication_error", 402: "insufficient_quota", 403: "permission_error", 429: "rate_limit_error"}


def error_response(error: ReelayError) -> JSONResponse:
    """`{"error": {"message", "type", "param", "code"}}`, as OpenAI answers."""
    status = error.status_code
    param = code = None
    if isinstance(error, InputError):
        param, code = str(error.field) if error.field else None, _CODES.get(error.problem, "invalid_value")
    elif isinstance(error, InsufficientPoints):
        code = "insufficient_quota"
    elif isinstance(error, RateLimited):
        code = "rate_limit_exceeded"
    else:
        code = error.reason
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = OpenAIError.model_validate({"error": {"message": error.message, "type": kind, "param": param, "code": code}})
    return JSONResponse(wire(body), status_code=status, headers=getattr(error, "headers", None))


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": OpenAIError, "description": "An error, in OpenAI's shape."} for status in statuses}


# -- routes ---------------------------------------------------------------------------------------

FORM_FIELDS = 24  # the SDK's few fields and OpenRouter's, with room to name an unknown one
FORM_TYPES = ("multipart/form-data", "application/x-www-form")


async def _body(request: Request) -> dict[str, Any]:
    """The create's fields, from JSON or from a multipart form (as the SDK always sends)."""
    if not request.headers.get("content-type", "").lower().startswith(FORM_TYPES):
        return await json_object(request)
    limit = services(request).settings.data_uri_max_bytes
    try:
        # A text part may be an image as a data URI (`input_reference[image_url]`): base64 of the limit.
        form = await request.form(max_files=1, max_fields=FORM_FIELDS, max_part_size=limit * 4 // 3 + 1024)
    except HTTPException as error:  # Starlette's answer to a malformed or oversized form
        raise InputError("body", f"is not a readable form ({error.detail})") from None
    try:
        found: dict[str, Any] = {}
        for name, value in form.multi_items():
            if "\x00" in name or (isinstance(value, str) and "\x00" in value):
                raise InputError(name.replace("\x00", ""), "must not contain a NUL character")
            if name.startswith("input_reference[") and name.endswith("]"):
                reference = found.setdefault("input_reference", {})
                if not isinstance(reference, dict):
                    raise InputError("input_reference", "is given twice")
                reference[name[len("input_reference[") : -1]] = value
            elif isinstance(value, UploadFile):
                if name != "input_reference":
                    raise InputError(name, "takes no file; only input_reference does")
                found[name] = await _data_uri(value, limit)
            else:
                found[name] = _number(name, value)
        return found
    finally:
        await form.close()


def _number(name: str, value: str) -> Any:
    # OpenRouter's numbers arrive as text in a form; OpenAI's `seconds` stays text.
    if name in ("duration", "seed"):
        try:
            return int(value)
        except ValueError:
            raise InputError(name, f"must be a whole number, not {value!r}", problem=Problem.WRONG_TYPE) from None
    return value


_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


async def _data_uri(upload: UploadFile, limit: int) -> str:
    """The file part as a data URI, which the input loader verifies as it does any other image."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise InputError("input_reference", f"must be at most {limit} bytes", problem=Problem.TOO_BIG, limit=limit)
    kind = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "image/webp"
    if kind is None:
        raise InputError("input_reference", "must be a JPEG, PNG or WebP image", problem=Problem.FORMAT)
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


@router.post(
    PREFIX,
    response_model=Video,
    responses=errors(400, 401, 402, 409, 429),
    openapi_extra=openapi.body(CreateVideoBody),
)
async def create_video(request: Request) -> JSONResponse:
    key = await caller(request)
    body = await _body(request)
    settings = services(request).settings
    generation = parse_create(body, aliases=settings.openai_models, default_model=settings.openai_default_model)
    return await _submit(request, key, generation, body)


async def _submit(request: Request, key: ApiKey, generation: GenerationRequest, body: dict[str, Any]) -> JSONResponse:
    task, _ = await services(request).submitter.submit(
        key,
        generation,
        idempotency_key=request.headers.get("idempotency-key"),
        request_hash=body_hash(request.url.path, body),
        retry_count=retry_count(request),
    )
    return answer(task)


@router.get(PREFIX, response_model=VideoList, responses=errors(400, 401, 404, 429))
async def list_videos(request: Request) -> JSONResponse:
    key = await caller(request)
    after = query_text(request, "after")
    order = query_text(request, "order") or "desc"
    if order not in ("asc", "desc"):
        raise InputError(
            "order", "must be asc or desc", problem=Problem.NOT_ALLOWED, allowed=["asc", "desc"], location="query"
        )
    raw = query_text(request, "limit")
    limit = 20
    if raw is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= 100:
            raise InputError("limit", "must be a whole number from 1 to 100", location="query")
        limit = int(raw)
    tasks, more = await services(request).reader.videos(key, after=after, limit=limit, newest_first=order == "desc")
    found = VideoList(
        data=[video(task) for task in tasks],
        first_id=tasks[0].id if tasks else None,
        last_id=tasks[-1].id if tasks else None,
        has_more=more,
    )
    return JSONResponse(wire(found))


@router.get(f"{PREFIX}/{{video_id}}", response_model=Video, responses=errors(400, 401, 404, 429))
async def retrieve_video(video_id: str, request: Request) -> JSONResponse:
    key = await caller(request)
    return answer(await services(request).reader.get(key, video_id))


@router.delete(f"{PREFIX}/{{video_id}}", response_model=DeletedVideo, responses=errors(400, 401, 404, 409, 429))
async def delete_video(video_id: str, request: Request) -> JSONResponse:
    key = await caller(request)
    task = await services(request).reader.delete_finished(key, video_id)
    return JSONResponse(wire(DeletedVideo(id=task.id, deleted=True)))


@router.post(
    f"{PREFIX}/{{video_id}}/remix",
    response_model=Video,
    responses=errors(400, 401, 402, 404, 409, 429),
    openapi_extra=openapi.body(RemixBody),
)
async def remix_video(video_id: str, request: Request) -> JSONResponse:
    """A new task with the old one's request (model, size, length, its stored images) and a new prompt."""
    key = await caller(request)
    body = await _body(request)  # JSON, or a form as the SDK sends
    for name in body:
        if name != "prompt":
            raise InputError(name, "is not a known parameter", problem=Problem.UNKNOWN)
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InputError("prompt", "is required", problem=Problem.MISSING)
    source = await services(request).reader.get(key, video_id)
    if source.request.dialect not in OFFICIAL_SHAPED or source.request.kind not in catalogue.VIDEO_KINDS:
        # A pro request or a video-in one has no OpenAI create to repeat it as.
        raise InputError("video_id", "can be remixed only if it was made from text or an image here or on /v1")
    generation = replace(
        source.request, dialect="openai", prompt=prompt.strip(), remixed_from=source.id, callback_url=None
    )
    return await _submit(request, key, generation, {"remix": video_id, **body})


CONTENT = {
    "description": "The stored file (Range requests answered with 206).",
    "content": {"video/mp4": {}, "image/jpeg": {}, "image/png": {}},
}
CONTENT_ANSWERS: dict[int | str, dict[str, Any]] = {200: CONTENT, 206: CONTENT, **errors(400, 401, 404, 429)}
VARIANTS = {"video": artifacts.VIDEO, "thumbnail": artifacts.POSTER}


# One route per method: one route with both gives /openapi.json two operations of one id.
@router.get(f"{PREFIX}/{{video_id}}/content", response_class=Response, responses=CONTENT_ANSWERS)
async def download_content(video_id: str, request: Request) -> Response:
    return await _content(video_id, request)


@router.head(f"{PREFIX}/{{video_id}}/content", response_class=Response, responses=CONTENT_ANSWERS)
async def content_headers(video_id: str, request: Request) -> Response:
    return await _content(video_id, request)


async def _content(video_id: str, request: Request) -> Response:
    key = await caller(request)
    variant = query_text(request, "variant") or "video"
    if variant not in VARIANTS:
        allowed = list(VARIANTS)
        raise InputError(
            "variant", "must be video or thumbnail", problem=Problem.NOT_ALLOWED, allowed=allowed, location="query"
        )
    reelay = services(request)
    task = await reelay.reader.get(key, video_id)
    stored = artifacts.find(task.results, VARIANTS[variant]) if task.status == Status.SUCCEEDED else None
    if stored is None:
        raise ContentNotReady(video_id, variant, task.status == Status.SUCCEEDED)
    if isinstance(reelay.storage, LocalStorage):
        # Starlette's FileResponse answers Range with 206 and Content-Range, and HEAD without a body.
        return FileResponse(reelay.storage.path(stored.key), media_type=stored.content_type)
    return RedirectResponse(reelay.storage.url(stored.key, base_url(request)), status_code=302)


class ContentNotReady(TaskNotFound):
    reason = "video_not_ready"

    def __init__(self, video_id: str, variant: str, finished: bool) -> None:
        super().__init__(video_id)
        self.message = (
            f"Video {video_id} has no {variant}."
            if finished
            else f"Video {video_id} is not completed; its content can be downloaded once its status is completed."
        )


HOT = (f"GET {PREFIX}/{{video_id}}",)
DIALECT = Dialect("openai", router, task_object, error_response, prefixes=(PREFIX,), hot=HOT, event_object=event_object)
