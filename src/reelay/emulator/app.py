"""The upstream emulator's app: Runway's official API (/v1), the resellers' "pro" format
(/runway/...), OpenAI's video API (/v1/videos, see openai_videos.py), signed file URLs (/files),
and the control API (/_control, see control.py)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import control, openai_videos, validation
from .callbacks import Callbacks
from .faults import FaultBook
from .frontdoor import NOT_JSON, FrontDoor, is_openai, is_pro
from .images import IMAGE_SUFFIX, image_size, png
from .media import SUFFIXES, Media, Signer, make_media, ranged
from .shapes import (
    PRO_REASONS,
    newapi_error,
    newapi_task,
    official_error,
    official_task,
    openai_error,
    pro_envelope,
    pro_task,
)
from .state import LIVE, Store, Task

RUNWAY_VERSION = "2024-11-06"
_KIND_SUFFIX = {kind: suffix for suffix, (kind, _) in SUFFIXES.items()}


class Emulator:
    """Everything the routes share. One per app; nothing is global."""

    def __init__(self, media: Media, log_limit: int):
        self.media = media
        self.store = Store(log_limit)
        self.faults = FaultBook()
        self.signer = Signer()
        self.callbacks = Callbacks(self.store, lambda now: self.urls(now))

    def urls(self, now: float, base_url: str | None = None):
        """A builder of signed URLs issued at `now`, on `base_url` (default: where the task was created)."""

        def build(task: Task, kind: str) -> str:
            # kind: mp4, poster, last_frame, or image<N> (the Nth image of an image task)
            suffix = IMAGE_SUFFIX.format(kind[5:]) if kind.startswith("image") else _KIND_SUFFIX[kind]
            return self.signer.url(base_url or task.base_url, task.id + suffix, task.url_ttl_seconds, now)

        return build

    def reset(self) -> None:
        self.store.reset()
        self.faults.clear()
        self.callbacks.clear()


def create_app(video_size: tuple[int, int] = (320, 192), *, log_limit: int = 100_000) -> FrontDoor:
    """The ASGI app. `app.emulator` gives in-process access to the state."""
    emu = Emulator(make_media(*video_size), log_limit)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        scheduler = asyncio.create_task(emu.callbacks.run())
        try:
            yield
        finally:
            scheduler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scheduler

    official = _official_routes(emu)
    routes = [
        *official,
        *(Route("/runwayml" + route.path, route.endpoint, methods=route.methods) for route in official),
        *_pro_routes(emu),
        *openai_videos.routes(emu),
        Route("/files/{name}", _files(emu), methods=["GET"]),
        *control.routes(emu),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: _not_found, 405: _not_allowed})
    door = FrontDoor(app, emu.store, emu.faults)
    door.emulator = emu
    return door


async def _not_found(request: Request, _exc) -> Response:
    if is_openai(request.url.path):
        return JSONResponse(openai_error("Not found", 404), 404)
    if is_pro(request.url.path):
        return JSONResponse(pro_envelope(None, 404, "not_found"), 404)
    return JSONResponse(official_error("Not found"), 404)


async def _not_allowed(request: Request, _exc) -> Response:
    if is_openai(request.url.path):
        return JSONResponse(openai_error("Method not allowed", 405), 405)
    if is_pro(request.url.path):
        return JSONResponse(pro_envelope(None, 405, "method_not_allowed"), 405)
    return JSONResponse(official_error("Method not allowed"), 405)


# ---------------------------------------------------------------- official API


def _official_key(request: Request) -> tuple[str | None, Response | None]:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() != "bearer " or not auth[7:].strip():
        return None, JSONResponse(official_error("Unauthorized: missing or malformed API key"), 401)
    version = request.headers.get("x-runway-version")
    if version is not None and version != RUNWAY_VERSION:
        return None, JSONResponse(official_error(f"X-Runway-Version: must be {RUNWAY_VERSION}, got {version!r}"), 400)
    return auth[7:].strip(), None


def _official_routes(emu: Emulator) -> list[Route]:
    def create(kind: str):
        async def endpoint(request: Request) -> Response:
            key, refused = _official_key(request)
            if refused:
                return refused
            body = request.scope.get("emu.json")
            found = validation.problems(kind, None if body is NOT_JSON else body)
            if found:
                return JSONResponse(validation.refusal(found), 400)
            assert isinstance(body, dict)  # validation refuses any other body
            task = emu.store.create(
                dialect="official",
                endpoint=request.url.path,
                key=key,
                body=body,
                base_url=str(request.base_url),
                prompt=body.get("promptText"),
            )
            return JSONResponse({"id": task.id, "estimatedCost": {"credits": task.credits}})

        return endpoint

    def owned(request: Request) -> tuple[Task | None, Response | None]:
        key, refused = _official_key(request)
        if refused:
            return None, refused
        task = emu.store.get(request.path_params["task_id"], "official", key)
        if task is None:
            return None, JSONResponse(official_error("Task not found: it does not exist, was deleted or canceled"), 404)
        return task, None

    async def retrieve(request: Request) -> Response:
        task, refused = owned(request)
        if refused:
            return refused
        assert task is not None  # owned() gives the task or a refusal
        now = time.time()
        return JSONResponse(official_task(task, now, emu.urls(now, str(request.base_url))))

    async def delete(request: Request) -> Response:
        # Runway: a pending/throttled/running task is cancelled; any other is deleted (then 404).
        task, refused = owned(request)
        if refused:
            return refused
        assert task is not None  # owned() gives the task or a refusal
        now = time.time()
        if task.status(now) in LIVE:
            task.cancelled_at = now
        else:
            task.deleted_at = now
        return Response(status_code=204)

    return [
        Route("/v1/image_to_video", create("image_to_video"), methods=["POST"]),
        Route("/v1/text_to_video", create("text_to_video"), methods=["POST"]),
        Route("/v1/video_to_video", create("video_to_video"), methods=["POST"]),
        Route("/v1/character_performance", create("character_performance"), methods=["POST"]),
        Route("/v1/text_to_image", create("text_to_image"), methods=["POST"]),
        Route("/v1/image_upscale", create("image_upscale"), methods=["POST"]),
        Route("/v1/video_upscale", create("video_upscale"), methods=["POST"]),
        Route("/v1/tasks/{task_id}", retrieve, methods=["GET"]),
        Route("/v1/tasks/{task_id}", delete, methods=["DELETE"]),
    ]


# ---------------------------------------------------------------- pro format

_PRO_REQUIRED = {
    "generate": lambda b: None if b.get("prompt") or b.get("image") else "prompt or image is required",
    "video2video": lambda b: None if b.get("video") else "video is required",
    "act_one": lambda b: None if b.get("video") and b.get("image") else "video and image are required",
    "act_two": lambda b: (
        None if b.get("video") and (b.get("image") or b.get("character_video")) else "video and image are required"
    ),
    "aleph": lambda b: None if b.get("video") and b.get("prompt") else "video and prompt are required",
}


def _pro_routes(emu: Emulator) -> list[Route]:
    def answer(data: Any, started: float, code: int = 200, msg: str = "成功") -> Response:
        http = 200 if emu.store.behaviour["pro_http_200"] else code
        return JSONResponse(pro_envelope(data, code, msg, time.perf_counter() - started), http)

    def refuse(request: Request, started: float) -> Response | None:
        if not request.scope.get("emu.key"):
            return answer(None, started, 401, PRO_REASONS[401])
        version = request.headers.get("x-runway-version")
        if version is not None and version != RUNWAY_VERSION:
            return answer(None, started, 400, f"invalid_parameters: X-Runway-Version must be {RUNWAY_VERSION}")
        return None

    def create(kind: str):
        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            refused = refuse(request, started)
            if refused:
                return refused
            body = request.scope.get("emu.json")
            if not isinstance(body, dict):
                return answer(None, started, 400, "invalid_parameters: body must be a JSON object")
            callback_url = body.get("callback_url")
            if not isinstance(callback_url, str) or not callback_url.strip():
                return answer(None, started, 400, "callback_url_empty")
            problem = _PRO_REQUIRED[kind](body)
            if problem:
                return answer(None, started, 400, f"invalid_parameters: {problem}")
            task = emu.store.create(
                dialect="pro",
                endpoint=request.url.path,
                key=request.scope["emu.key"],
                body=body,
                base_url=str(request.base_url),
                prompt=body.get("prompt"),
                callback_url=callback_url.strip(),
            )
            emu.callbacks.schedule(task)
            now = time.time()
            return answer(pro_task(task, now, emu.urls(now, str(request.base_url))), started)

        return endpoint

    async def feed(request: Request) -> Response:
        started = time.perf_counter()
        refused = refuse(request, started)
        if refused:
            return refused
        body = request.scope.get("emu.json")
        task_id = (body.get("task_id") if isinstance(body, dict) else None) or request.query_params.get("task_id")
        newapi = emu.store.behaviour["feed_shape"] == "newapi"
        if not isinstance(task_id, str) or not task_id:
            if newapi:
                return JSONResponse(newapi_error("invalid_request", "task_id is required"), 400)
            return answer(None, started, 400, "invalid_parameters: task_id is required")
        now = time.time()
        task = emu.store.get(task_id, "pro", request.scope["emu.key"])
        if task is None or now < task.created_at + task.feed_lag_seconds:
            # Fresh ids read as unknown for a while: CometAPI and DeerAPI warn about exactly this.
            if newapi:  # new-api answers its task errors with HTTP 400
                return JSONResponse(newapi_error("task_not_exist", "task_not_exist"), 400)
            return answer(None, started, 404, "task_not_exist")
        urls = emu.urls(now, str(request.base_url))
        if newapi:
            return JSONResponse(newapi_task(task, now, urls))
        return answer(pro_task(task, now, urls), started)

    routes = []
    for prefix in ("/runway", "/runway/v1"):
        routes += [
            Route(f"{prefix}/pro/generate", create("generate"), methods=["POST"]),
            Route(f"{prefix}/pro/video2video", create("video2video"), methods=["POST"]),
            Route(f"{prefix}/pro/act_one", create("act_one"), methods=["POST"]),
            Route(f"{prefix}/pro/act_two", create("act_two"), methods=["POST"]),
            Route(f"{prefix}/pro/aleph", create("aleph"), methods=["POST"]),
            Route(f"{prefix}/feed", feed, methods=["GET", "POST"]),
        ]
    return routes


# ---------------------------------------------------------------- files

_FILE_NAME = re.compile(r"^([0-9a-f-]{36})(\.mp4|_poster\.jpg|_last\.jpg|_image(\d+)\.png)$")


def _files(emu: Emulator):
    async def serve(request: Request) -> Response:
        name = request.path_params["name"]
        match = _FILE_NAME.match(name)
        task = emu.store.tasks.get(match.group(1)) if match else None
        if match is None or task is None or task.deleted_at is not None:
            return JSONResponse(official_error("Not found"), 404)
        refused = emu.signer.check(name, request.query_params.get("exp"), request.query_params.get("sig"), time.time())
        if refused:
            return JSONResponse(official_error(refused), 403)
        if match.group(3):  # an image task's Nth image, at the size its body asked for
            return ranged(png(*image_size(task.endpoint, task.body), int(match.group(3))), "image/png", None)
        kind, content_type = SUFFIXES[match.group(2)]
        data = {"mp4": emu.media.mp4, "poster": emu.media.poster, "last_frame": emu.media.last_frame}[kind]
        return ranged(data, content_type, request.headers.get("range"))

    return serve
