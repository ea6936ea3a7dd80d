"""The emulator's /v1/videos face: OpenAI's video API as vLLM-Omni, LiteLLM and new-api serve it.

POST /v1/videos takes multipart (as OpenAI's SDK always sends it) or JSON: `prompt` (required),
`model`, `seconds`, `size`, `input_reference` (an image file part, or `{"image_url": ...}`), and
any extension field (vLLM-Omni's `seed`, `negative_prompt`, ...), kept with the task. GET
/v1/videos/{id} answers the `Video` object, with `openai-poll-after-ms` when the behaviour sets
it; GET /v1/videos/{id}/content the emulator's MP4 (Range supported; `variant=thumbnail`: the
poster) until `expires_at`; DELETE cancels a live video (vLLM-Omni's abort) and deletes a
finished one. A video's fate follows the same timeline and prompt markers as every emulated task.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from typing import TYPE_CHECKING, Any

from PIL import Image, UnidentifiedImageError
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .frontdoor import NOT_JSON
from .media import ranged
from .shapes import openai_error, openai_video
from .state import LIVE, Task

if TYPE_CHECKING:
    from .app import Emulator

DIALECT = "openai"
_SIZE = re.compile(r"^[1-9][0-9]*x[1-9][0-9]*$")


class Refused(Exception):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message, self.param = message, param


def _key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    return (auth[7:].strip() or None) if auth[:7].lower() == "bearer " else None


def _unauthorized() -> Response:
    message = "You didn't provide an API key. Send it as `Authorization: Bearer KEY`."
    return JSONResponse(openai_error(message, 401, code="invalid_api_key"), 401)


async def _fields(request: Request) -> dict[str, Any]:
    """The create's fields, from a form (multipart, or urlencoded when it has no file) or a JSON
    object; the file summarised."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        fields: dict[str, Any] = {}
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                fields[name] = _file(name, await value.read(), value.filename, value.content_type)
            elif name == "input_reference[image_url]":
                fields["input_reference"] = {"image_url": value}
            else:
                fields[name] = value
        request.scope["emu.entry"]["form"] = fields
        return fields
    body = request.scope.get("emu.json")
    if body is None or body is NOT_JSON or not isinstance(body, dict):
        raise Refused("The body must be a form (multipart/form-data) or a JSON object.")
    return dict(body)


def _file(name: str, data: bytes, filename: str | None, content_type: str | None) -> dict[str, Any]:
    """A file part as the task keeps it; `input_reference` must be an image, and its size is noted."""
    summary: dict[str, Any] = {
        "filename": filename,
        "content_type": content_type,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if name != "input_reference":
        return summary  # an extension's file (vLLM-Omni's control_reference, ...): kept, not read
    try:
        with Image.open(io.BytesIO(data)) as image:
            summary["width"], summary["height"] = image.size
    except (UnidentifiedImageError, OSError):
        raise Refused("input_reference must be an image (PNG, JPEG or WebP).", "input_reference") from None
    return summary


def _check(fields: dict[str, Any]) -> None:
    prompt = fields.get("prompt")
    if not isinstance(prompt, str):
        raise Refused("Missing required parameter: 'prompt'.", "prompt")
    seconds = fields.get("seconds")
    if seconds is not None and not (isinstance(seconds, str) and seconds.isdigit() and int(seconds) > 0):
        raise Refused(f"Invalid 'seconds': {seconds!r}; expected a whole number of seconds as a string.", "seconds")
    size = fields.get("size")
    if size is not None and not (isinstance(size, str) and _SIZE.match(size)):
        raise Refused(f"Invalid 'size': {size!r}; expected WIDTHxHEIGHT, e.g. 1280x720.", "size")
    reference = fields.get("input_reference")
    if reference is not None and not isinstance(reference, dict):
        raise Refused("input_reference must be a file or {'image_url': ...}.", "input_reference")


def routes(emu: Emulator) -> list[Route]:
    def answer(video: dict[str, Any], status: int = 200) -> Response:
        after = emu.store.behaviour["openai_poll_after_ms"]
        headers = {"openai-poll-after-ms": str(after)} if after is not None else None
        return JSONResponse(video, status, headers=headers)

    def owned(request: Request) -> Task | Response:
        """The caller's video, or the answer refusing it."""
        key = _key(request)
        if key is None:
            return _unauthorized()
        video_id = request.path_params["video_id"]
        task = emu.store.get(video_id, DIALECT, key)
        if task is None:
            message = f"Video with id '{video_id}' not found."
            return JSONResponse(openai_error(message, 404, code="video_not_found"), 404)
        return task

    async def create(request: Request) -> Response:
        key = _key(request)
        if key is None:
            return _unauthorized()
        try:
            fields = await _fields(request)
            _check(fields)
        except Refused as refused:
            return JSONResponse(openai_error(refused.message, 400, refused.param), 400)
        task = emu.store.create(
            dialect=DIALECT,
            endpoint="/v1/videos",
            key=key,
            body=fields,
            base_url=str(request.base_url),
            prompt=fields.get("prompt"),
        )
        return answer(openai_video(task, time.time()))

    async def retrieve(request: Request) -> Response:
        task = owned(request)
        if isinstance(task, Response):
            return task
        return answer(openai_video(task, time.time()))

    async def content(request: Request) -> Response:
        task = owned(request)
        if isinstance(task, Response):
            return task
        now = time.time()
        if task.status(now) != "SUCCEEDED":
            message = "Video is not ready: it has not completed."
            return JSONResponse(openai_error(message, 404, code="video_not_ready"), 404)
        if now > task.final_at + task.url_ttl_seconds:
            return JSONResponse(openai_error("Video content has expired.", 404, code="video_expired"), 404)
        variant = request.query_params.get("variant", "video")
        if variant == "video":
            return ranged(emu.media.mp4, "video/mp4", request.headers.get("range"))
        if variant == "thumbnail":
            return ranged(emu.media.poster, "image/jpeg", None)
        return JSONResponse(openai_error(f"Unsupported variant {variant!r}.", 400, "variant"), 400)

    async def delete(request: Request) -> Response:
        task = owned(request)
        if isinstance(task, Response):
            return task
        now = time.time()
        if task.status(now) in LIVE:
            task.cancelled_at = now  # vLLM-Omni aborts a live job; it reads `failed`, code `cancelled`
        else:
            task.deleted_at = now
        return JSONResponse({"id": task.id, "object": "video.deleted", "deleted": True})

    return [
        Route("/v1/videos", create, methods=["POST"]),
        Route("/v1/videos/{video_id}", retrieve, methods=["GET"]),
        Route("/v1/videos/{video_id}", delete, methods=["DELETE"]),
        Route("/v1/videos/{video_id}/content", content, methods=["GET"]),
    ]
