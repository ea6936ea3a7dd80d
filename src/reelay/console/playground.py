"""The playground: both dialects' create forms side by side, run as the signed-in key.

The forms are built from the catalogue (the official models, their ratios and durations) and the
pro dialect's own tables, so they offer what the API takes and cannot drift from it. "Run" posts
here, and the request goes to the API in-process: an ASGI call with the signed-in key in the
scope (`reelay.console_key`, read by `dialects.common.caller`; no network client can set it), so
the answer is exactly the dialect's: a task id, or its error naming the field. Pictures reach a
task through Reelay's own upload path (`POST /v1/uploads`, then its form) as `runway://` URIs.
The page then follows the task through `/console/tasks/{id}.json`.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, ImageDraw
from starlette.datastructures import UploadFile

from reelay.dialects.common import CONSOLE_KEY, RUNWAY_VERSION, base_url, services
from reelay.dialects.pro_request import MotionVector, ProGenerate, ProOptions
from reelay.domain import catalogue
from reelay.domain.catalogue_row import Row
from reelay.domain.fields import AnyOf, Integer, Text, Type
from reelay.domain.request import MOTION_AXES
from reelay.engines.sandbox import camera
from reelay.storage.uploads import upload_content_type
from reelay.store.keys import ApiKey

from . import session
from .render import ConsoleRoute, page

router = APIRouter(prefix="/console", route_class=ConsoleRoute)

PRO_GENERATE = "pro_generate"
OFFICIAL_ENDPOINTS = (catalogue.IMAGE_TO_VIDEO, catalogue.TEXT_TO_VIDEO, catalogue.TEXT_TO_IMAGE)
# The header Runway's SDKs send with every call to its official API (uploads and task reads too).
RUNWAY_HEADERS = {"X-Runway-Version": RUNWAY_VERSION}
# Where each form posts, and the headers its clients send.
ROUTES: dict[str, tuple[str, dict[str, str]]] = {
    PRO_GENERATE: ("/runway/pro/generate", {}),
    **{endpoint: (f"/v1/{endpoint}", RUNWAY_HEADERS) for endpoint in OFFICIAL_ENDPOINTS},
}
# The official fields the form offers; a model's other fields are listed for the curious.
FORM_FIELDS = ("promptImage", "referenceImages", "promptText", "ratio", "duration", "seed")
AXIS_NAMES = {
    "x": "truck",
    "y": "pedestal",
    "z": "zoom",
    "r": "roll",
    "bg_x_pan": "pan",
    "bg_y_pan": "tilt",
}
_FIELD = re.compile(r"[A-Za-z_][\w-]*(?:(?:\.\w[\w-]*)|(?:\[\d+\]))*")


# -- the page ----------------------------------------------------------------------------------


@router.get("/playground")
async def playground(request: Request) -> Response:
    key = await session.signed_in(request)
    config = page_config(request)
    return page(
        request,
        "playground.html",
        config=config,
        official=config["official"],
        pro=config["pro"],
        axes=config["camera"]["axes"],
        endpoints=OFFICIAL_ENDPOINTS,
        samples=SAMPLES,
        key_name=key.name,
    )


def page_config(request: Request) -> dict[str, Any]:
    """Everything the page's script needs: this server's settings, and the forms' constants."""
    settings = services(request).settings
    return {
        "base_url": base_url(request),
        "require_callback_url": settings.require_callback_url,
        "upload_hours": f"{settings.upload_ttl_seconds / 3600:g}",
        **form_config(),
    }


@cache
def form_config() -> dict[str, Any]:
    """From the catalogue, the pro dialect and the camera: fixed for the process, so built once."""
    return {
        "pro": pro_form(),
        "official": {endpoint: official_models(endpoint) for endpoint in OFFICIAL_ENDPOINTS},
        "camera": camera_config(),
        "routes": {name: path for name, (path, _) in ROUTES.items()},
        "version_header": {name: headers for name, (_, headers) in ROUTES.items()},
    }


def pro_form() -> dict[str, Any]:
    fields = ProGenerate.model_fields
    options = ProOptions.model_fields
    return {
        "models": [
            {"name": name, "sizes": {ratio: list(size) for ratio, size in model.sizes.items()}}
            for name, model in catalogue.PRO_MODELS.items()
        ],
        "default_model": fields["model"].default,
        "ratios": list(catalogue.PRO_RATIOS),
        "default_ratio": fields["ratio"].default,
        "seconds": list(catalogue.PRO_SECONDS),
        "default_seconds": options["seconds"].default,
        "default_style": fields["style"].default,
        "prompt_max": _max_length(fields["prompt"].metadata),
    }


def official_models(endpoint: str) -> list[dict[str, Any]]:
    """The endpoint's catalogue rows as the form shows them: current models first, then legacy."""
    rows = sorted((r for r in catalogue.ROWS if r.endpoint == endpoint), key=lambda r: r.legacy)
    return [model_form(row) for row in rows]


def model_form(row: Row) -> dict[str, Any]:
    fields: dict[str, dict[str, Any]] = {}
    for name in FORM_FIELDS:
        spec = row.fields.get(name)
        if spec is None:
            continue
        found: dict[str, Any] = {"required": spec.required}
        if name == "promptText":
            found["max"] = next((t.max_units for t in _options(spec.type) if isinstance(t, Text)), None)
        elif name == "ratio":
            found["choices"] = list(row.ratios)
            found["default"] = catalogue.default_ratio(row)
        elif name == "duration":
            found["choices"] = [*row.durations, *(["auto"] if row.takes_auto_duration else [])]
            found["default"] = row.default_seconds
        elif name == "seed":
            bounds = next((t for t in _options(spec.type) if isinstance(t, Integer)), Integer())
            found["min"], found["max"] = bounds.minimum, bounds.maximum
        fields[name] = found
    return {
        "model": row.model,
        "legacy": row.legacy,
        "credits": row.credits,
        "per": row.per,
        "fields": fields,
        "other_fields": [name for name in row.fields if name not in FORM_FIELDS],
    }


def camera_config() -> dict[str, Any]:
    """The sandbox camera's constants (engines/sandbox/camera.py), which the preview follows."""
    bounds = MotionVector.model_fields["x"].metadata
    low = next(m.ge for m in bounds if hasattr(m, "ge"))
    high = next(m.le for m in bounds if hasattr(m, "le"))
    return {
        "axes": [{"name": axis, "move": AXIS_NAMES.get(axis, axis), "min": low, "max": high} for axis in MOTION_AXES],
        "diagonal_field_of_view": camera.DIAGONAL_FIELD_OF_VIEW,
        "truck_per_unit": camera.TRUCK_PER_UNIT,
        "zoom_per_unit": camera.ZOOM_PER_UNIT,
        "degrees_per_unit": camera.DEGREES_PER_UNIT,
        "ease": camera.EASE,
        "default_motion": list(camera.DEFAULT_MOTION),
        "path_samples": camera.PATH_SAMPLES,
    }


def _options(type_: Type) -> tuple[Type, ...]:
    return type_.options if isinstance(type_, AnyOf) else (type_,)


def _max_length(metadata: list[Any]) -> int | None:
    return next((m.max_length for m in metadata if getattr(m, "max_length", None) is not None), None)


# -- run ---------------------------------------------------------------------------------------


@router.post("/playground/run")
async def run(request: Request) -> JSONResponse:
    """Create a task as the signed-in key: `{"endpoint": ..., "body": {...}}` in, the dialect's
    answer out, with the task's id or the fields its errors name."""
    refused = await _refusal(request)
    if isinstance(refused, JSONResponse):
        return refused
    key = refused
    try:
        sent = await request.json()
    except ValueError:
        sent = None
    if not isinstance(sent, dict):
        return _problem(400, "body", "must be a JSON object: {endpoint, body}")
    endpoint, body = sent.get("endpoint"), sent.get("body")
    if endpoint not in ROUTES:
        return _problem(400, "endpoint", f"must be one of {', '.join(ROUTES)}")
    if not isinstance(body, dict):
        return _problem(400, "body", "must be a JSON object")
    path, headers = ROUTES[endpoint]
    answer = await call_api(request, key, "POST", path, json=body, headers=headers)
    data = _json(answer)
    task_id = created_task_id(endpoint, data) if answer.status_code == 200 else None
    found: dict[str, Any] = {"status": answer.status_code, "answer": data, "errors": answer_errors(endpoint, data)}
    if task_id is not None:
        found.update(task_id=task_id, task_url=f"/console/tasks/{task_id}", poll_url=f"/console/tasks/{task_id}.json")
        found["errors"] = []
    return JSONResponse(found, status_code=answer.status_code)


def created_task_id(endpoint: str, data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if endpoint == PRO_GENERATE:
        task = data.get("data")
        value = task.get("task_id") if isinstance(task, dict) else None
    else:
        value = data.get("id")
    return value if isinstance(value, str) else None


def answer_errors(endpoint: str, data: Any) -> list[dict[str, str | None]]:
    """The dialect's refusal as (field, message) pairs: Runway's issues, or the pro envelope's
    `msg` ("<reason>: <field>: <sentence>"). A refusal of the request as a whole has no field."""
    if not isinstance(data, dict):
        return [{"field": None, "message": "The API answered with no JSON."}]
    if endpoint == PRO_GENERATE:
        message = data.get("msg")
        if not isinstance(message, str):
            return []
        return [_split(message.split(": ", 1)[-1])]
    issues = data.get("issues")
    if isinstance(issues, list) and issues:
        return [_issue(issue) for issue in issues if isinstance(issue, dict)]
    error = data.get("error")
    return [{"field": None, "message": error}] if isinstance(error, str) else []


def _issue(issue: dict[str, Any]) -> dict[str, str | None]:
    path = [str(part) for part in issue.get("path") or []]
    keys = issue.get("keys")
    if issue.get("code") == "unrecognized_keys" and isinstance(keys, list) and keys:
        path.append(str(keys[0]))
    message = str(issue.get("message", ""))
    field = ".".join(path) or None
    if field and message.startswith(f"{field}: "):
        message = message[len(field) + 2 :]
    return {"field": field, "message": message}


def _split(message: str) -> dict[str, str | None]:
    """A sentence like `ratio: must be ...` as its field and the rest; one naming no field as itself."""
    head, _, rest = message.partition(": ")
    if rest and _FIELD.fullmatch(head):
        return {"field": head, "message": rest}
    return {"field": None, "message": message}


@router.get("/playground/output/{task_id}")
async def output(task_id: str, request: Request) -> JSONResponse:
    """A finished task's outputs as Runway's task object lists them (an image task's images)."""
    key = await session.signed_in(request)
    path = f"/v1/tasks/{quote(task_id, safe='')}"
    answer = await call_api(request, key, "GET", path, headers=RUNWAY_HEADERS)
    data = _json(answer)
    found = data.get("output") if isinstance(data, dict) else None
    return JSONResponse(
        {"status": data.get("status") if isinstance(data, dict) else None, "output": found or []},
        status_code=answer.status_code,
    )


# -- a picture, through Reelay's own upload path --------------------------------------------


@router.post("/playground/upload")
async def upload(request: Request) -> JSONResponse:
    """A picture for the forms: a sample (`sample`: its name) or the user's `file`, uploaded as
    the signed-in key; answered with its `runway://` URI."""
    refused = await _refusal(request)
    if isinstance(refused, JSONResponse):
        return refused
    key = refused
    settings = services(request).settings
    # A picture, so no larger than an image Reelay fetches by URL (the API's uploads take videos too).
    limit = min(settings.upload_max_bytes, settings.image_url_max_bytes)
    try:
        form = await request.form(max_files=1, max_fields=3)
    except Exception:  # Starlette's answer to a malformed form
        return _problem(400, "file", "must be sent as a multipart form with one file")
    try:
        sample, sent = form.get("sample"), form.get("file")
        if isinstance(sample, str) and sample:
            if sample not in SAMPLES:
                return _problem(400, "sample", f"must be one of {', '.join(SAMPLES)}")
            filename, data = f"{sample}.jpg", sample_bytes(sample)
        elif isinstance(sent, UploadFile):
            filename = _filename(sent.filename)
            kind = upload_content_type(filename)
            if kind is None or not kind.startswith("image/"):
                return _problem(400, "file", "must be an image (.png, .jpg, .jpeg or .webp)")
            data = await sent.read(limit + 1)
            if not data:
                return _problem(400, "file", "is empty")
            if len(data) > limit:
                return _problem(400, "file", f"is larger than {limit} bytes, the most a picture may be")
        else:
            return _problem(400, "file", "is required (or a sample)")
    finally:
        await form.close()
    return await upload_bytes(request, key, filename, data)


async def upload_bytes(request: Request, key: ApiKey, filename: str, data: bytes) -> JSONResponse:
    """`POST /v1/uploads` as the key, then the file to the form it answers: Reelay's own (in
    process) on local storage, the object store's presigned POST on S3."""
    started = await call_api(request, key, "POST", "/v1/uploads", json={"filename": filename}, headers=RUNWAY_HEADERS)
    info = _json(started)
    if started.status_code != 200 or not isinstance(info, dict):
        errors = [{**error, "field": "file"} for error in answer_errors(catalogue.IMAGE_TO_VIDEO, info)]
        return JSONResponse({"status": started.status_code, "errors": errors}, status_code=started.status_code)
    url, fields = str(info["uploadUrl"]), info["fields"]
    content_type = str(fields.get("Content-Type") or upload_content_type(filename))
    files = {"file": (filename, data, content_type)}
    own = base_url(request) + "/"
    if url.startswith(own):
        sent = await call_api(request, key, "POST", "/" + url[len(own) :], data=fields, files=files)
    else:
        async with httpx.AsyncClient(timeout=60) as client:
            sent = await client.post(url, data=fields, files=files)
    if sent.status_code >= 300:
        message = _json(sent)
        text = message.get("error") if isinstance(message, dict) else None
        problem = text or f"the upload was refused ({sent.status_code})"
        return JSONResponse({"status": sent.status_code, "errors": [{"field": "file", "message": problem}]}, 400)
    return JSONResponse({"uri": info["runwayUri"], "filename": filename})


def _filename(name: str | None) -> str:
    # The upload's name is only shown back; keep its last path part, bounded.
    return (name or "picture").replace("\\", "/").rsplit("/", 1)[-1].strip()[-200:] or "picture"


# -- the in-process call ---------------------------------------------------------------------


async def call_api(request: Request, key: ApiKey, method: str, path: str, **sent: Any) -> httpx.Response:
    """One request to this app, in-process, as `key`: the same routes, checks and answers a
    client gets over the network."""
    app = request.app

    async def as_key(
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        await app({**scope, CONSOLE_KEY: key}, receive, send)

    transport = httpx.ASGITransport(app=as_key)
    async with httpx.AsyncClient(transport=transport, base_url=str(request.base_url)) as client:
        return await client.request(method, path, **sent)


def _json(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


async def _refusal(request: Request) -> ApiKey | JSONResponse:
    """The signed-in key after the CSRF check (the X-CSRF-Token header), or the JSON refusal."""
    try:
        await session.check_csrf(request)
        return await session.signed_in(request)
    except session.SignInRequired:
        return JSONResponse({"errors": [{"field": None, "message": "Sign in again."}], "login": "/console/login"}, 401)
    except session.CsrfRefused:
        message = "The page's security token is missing or stale; reload the page."
        return JSONResponse({"errors": [{"field": None, "message": message}]}, 403)


def _problem(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "errors": [{"field": field, "message": message}]}, status_code=status)


# -- sample pictures, drawn once ---------------------------------------------------------------

SAMPLES = {
    "valley": "A valley at sunset",
    "city": "A city at night",
    "chart": "A test chart",
}
SAMPLE_SIZE = (768, 512)


@router.get("/playground/samples/{name}.jpg")
async def sample(name: str) -> Response:
    if name not in SAMPLES:
        return Response("No such sample.", status_code=404, media_type="text/plain")
    return Response(sample_bytes(name), media_type="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})


@cache
def sample_bytes(name: str) -> bytes:
    image = {"valley": _valley, "city": _city, "chart": _chart}[name](*SAMPLE_SIZE)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def _vertical(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        f = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * f) for a, b in zip(top, bottom, strict=True)))
    return image


def _valley(width: int, height: int) -> Image.Image:
    image = _vertical(width, height, (32, 48, 112), (250, 160, 90))
    draw = ImageDraw.Draw(image)
    sun = (width * 0.62, height * 0.52)
    draw.ellipse([sun[0] - 60, sun[1] - 60, sun[0] + 60, sun[1] + 60], fill=(255, 214, 120))
    for layer, (shade, base) in enumerate((((70, 60, 110), 0.58), ((45, 40, 80), 0.7), ((25, 22, 45), 0.84))):
        points: list[tuple[float, float]] = [(0, height)]
        for x in range(0, width + 16, 16):
            ridge = math.sin(x / (90 + 40 * layer) + layer) * 28 + math.sin(x / 37 + 2 * layer) * 9
            points.append((x, height * base + ridge))
        points.append((width, height))
        draw.polygon(points, fill=shade)
    return image


def _city(width: int, height: int) -> Image.Image:
    image = _vertical(width, height, (8, 10, 30), (40, 30, 70))
    draw = ImageDraw.Draw(image)
    draw.ellipse([width * 0.12, height * 0.1, width * 0.12 + 50, height * 0.1 + 50], fill=(235, 235, 210))
    x, step = 0, 0
    while x < width:
        step += 1
        w = 40 + (step * 37) % 50
        top = height * (0.3 + ((step * 53) % 40) / 100)
        draw.rectangle([x, top, x + w, height], fill=(20 + step % 3 * 8, 22, 40))
        for wy in range(int(top) + 8, height - 8, 14):
            for wx in range(x + 6, x + w - 8, 10):
                if (wx * 7 + wy * 3 + step) % 5 < 2:
                    draw.rectangle([wx, wy, wx + 4, wy + 6], fill=(255, 220, 120))
        x += w + 4
    return image


def _chart(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    cell = 64
    for row in range(height // cell + 1):
        for col in range(width // cell + 1):
            if (row + col) % 2:
                draw.rectangle([col * cell, row * cell, col * cell + cell, row * cell + cell], fill=(200, 205, 215))
    colours = [(220, 60, 60), (60, 170, 80), (60, 100, 220), (230, 190, 40)]
    for index, (cx, cy) in enumerate(((0.2, 0.25), (0.8, 0.25), (0.2, 0.75), (0.8, 0.75))):
        x, y = width * cx, height * cy
        draw.ellipse([x - 40, y - 40, x + 40, y + 40], fill=colours[index])
    cx, cy = width / 2, height / 2
    for radius in (30, 70, 110, 150):
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=(30, 30, 30), width=3)
    draw.line([(cx, 0), (cx, height)], fill=(30, 30, 30), width=2)
    draw.line([(0, cy), (width, cy)], fill=(30, 30, 30), width=2)
    draw.text((12, 10), "TOP LEFT", fill=(20, 20, 20))
    draw.text((width - 90, height - 22), "BOTTOM RIGHT", fill=(20, 20, 20))
    return image
