"""OpenAI's `POST /v1/videos` body (and OpenRouter's field names) as a GenerationRequest.

The body is turned into the official create body of the model it names and checked by that
model's catalogue row (`runway_request.parse`), so every model rule holds here as on /v1 and a
new model needs no code here. Errors come back naming the field as this client sent it
(`seconds`, not `duration`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from reelay.domain import catalogue
from reelay.domain.errors import InputError, InputErrors, Problem
from reelay.domain.request import GenerationRequest, MediaInput

from .openai_schemas import CreateVideoBody
from .runway_request import parse

DIALECT = "openai"
# The fields /openapi.json documents (OpenAI's and OpenRouter's): the one list of them.
KNOWN = frozenset(CreateVideoBody.model_fields)
FRAME_TYPES = {"first_frame": "first", "last_frame": "last"}


def parse_create(body: Mapping[str, Any], *, aliases: Mapping[str, str], default_model: str) -> GenerationRequest:
    for name in body:
        if name not in KNOWN:
            raise InputError(name, "is not a known parameter", problem=Problem.UNKNOWN)
    prompt = _text(body, "prompt", required=True)
    given = _text(body, "model") or default_model
    model = aliases.get(given, given)
    frames, names = _frames(body)
    kind = catalogue.IMAGE_TO_VIDEO if frames else catalogue.TEXT_TO_VIDEO
    spec = _row(kind, model, given, names)
    official: dict[str, Any] = {"model": model, "promptText": prompt}
    names["promptText"] = "prompt"
    seconds, names["duration"] = _seconds(body)
    if "duration" in spec.fields:
        official["duration"] = seconds if seconds is not None else spec.default_seconds
    elif seconds is not None and seconds != spec.default_seconds:
        raise InputError(names["duration"], f"{model} makes videos of one length only; leave it out")
    resolution = _text(body, "resolution")
    if "ratio" in spec.fields:
        official["ratio"], names["ratio"] = _ratio(spec, body, resolution)
    if resolution is not None:
        if "resolution" not in spec.fields:
            raise InputError("resolution", f"is not a parameter of {model}", problem=Problem.UNKNOWN)
        official["resolution"] = resolution
    if frames:
        official["promptImage"] = frames
    if body.get("seed") is not None:
        if "seed" not in spec.fields:
            raise InputError("seed", f"is not a parameter of {model}", problem=Problem.UNKNOWN)
        official["seed"] = body["seed"]
    try:
        request = parse(kind, official)
    except InputError as error:
        raise _renamed(error, names) from None
    # Errors found later, fetching an image at submission, name the field as this client sent it.
    inputs = tuple(
        replace(item, field=names.get(item.field, "input_reference")) if isinstance(item, MediaInput) else item
        for item in request.inputs
    )
    return replace(request, dialect=DIALECT, inputs=inputs, callback_url=_text(body, "callback_url"))


def _text(body: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise InputError(name, "is required", problem=Problem.MISSING)
        return None
    if not isinstance(value, str):
        raise InputError(name, "must be a string", problem=Problem.WRONG_TYPE)
    text = value.strip()
    if not text and required:
        raise InputError(name, "must not be empty", problem=Problem.TOO_SMALL, limit=1)
    return text or None


def _row(kind: str, model: str, given: str, names: dict[str, str]):
    spec = catalogue.row(kind, model)
    if spec is not None:
        return spec
    other = catalogue.IMAGE_TO_VIDEO if kind == catalogue.TEXT_TO_VIDEO else catalogue.TEXT_TO_VIDEO
    if catalogue.row(other, model) is not None:
        if kind == catalogue.TEXT_TO_VIDEO:
            raise InputError(
                "input_reference", f"is required: {model} makes videos from an image", problem=Problem.MISSING
            )
        image = names.get("promptImage", "input_reference")
        raise InputError(image, f"{model} makes videos from text only; leave it out", problem=Problem.UNKNOWN)
    known = sorted(catalogue.OFFICIAL_MODELS)
    raise InputError(
        "model",
        f"must be one of {', '.join(known)} (or an alias), not {given!r}",
        problem=Problem.NOT_ALLOWED,
        allowed=known,
    )


def _seconds(body: Mapping[str, Any]) -> tuple[int | None, str]:
    """`seconds` (OpenAI: a string) or `duration` (OpenRouter: a number), in whole seconds."""
    if body.get("seconds") is not None and body.get("duration") is not None:
        raise InputError("duration", "cannot be given together with seconds")
    name = "seconds" if body.get("seconds") is not None else "duration"
    value = body.get(name)
    if value is None:
        return None, "seconds"
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()), name
    if isinstance(value, int) and not isinstance(value, bool):
        return value, name
    raise InputError(name, f'must be whole seconds ("8"), not {value!r}', problem=Problem.WRONG_TYPE)


def _ratio(spec, body: Mapping[str, Any], resolution: str | None) -> tuple[str, str]:
    """The model's ratio nearest to `size` ("1280x720") or `aspect_ratio` ("16:9"): the same shape
    exactly when the model has it, else the nearest aspect, then the nearest pixel count."""
    size, aspect = body.get("size"), body.get("aspect_ratio")
    if size is not None and aspect is not None:
        raise InputError("aspect_ratio", "cannot be given together with size")
    if size is None and aspect is None:
        return catalogue.default_ratio(spec) or "", "size"
    name, value, separator = ("size", size, "x") if size is not None else ("aspect_ratio", aspect, ":")
    shape = _pair(value, separator)
    if shape is None:
        example = "1280x720" if name == "size" else "16:9"
        raise InputError(name, f"must be written like {example!r}, not {value!r}", problem=Problem.FORMAT)
    exact = f"{shape[0]}:{shape[1]}"
    if exact in spec.ratios:
        return exact, name
    height = catalogue.RESOLUTION_HEIGHTS.get((resolution or "").lower())
    area = shape[0] * shape[1] if name == "size" else (height * height * shape[0] / shape[1] if height else 1280 * 720)
    choices = [r for r in spec.ratios if _pair(r, ":") is not None] or list(spec.ratios)

    def distance(ratio: str) -> tuple[float, float]:
        pair = _pair(ratio, ":")
        if pair is None:  # an `auto_*` tier or `adaptive`: any aspect, so only as a last choice
            return (math.inf, 0.0)
        width, tall = catalogue.output_size(ratio, resolution)
        return (abs(math.log(pair[0] / pair[1]) - math.log(shape[0] / shape[1])), abs(math.log(width * tall / area)))

    return min(choices, key=distance), name


def _pair(value: Any, separator: str) -> tuple[int, int] | None:
    if not isinstance(value, str) or value.count(separator) != 1:
        return None
    first, second = value.strip().lower().split(separator)
    if not (first.isdigit() and second.isdigit()) or int(first) == 0 or int(second) == 0:
        return None
    return int(first), int(second)


def _frames(body: Mapping[str, Any]) -> tuple[list[dict[str, str]] | str | None, dict[str, str]]:
    """The official `promptImage` and, by its wire name there, each frame's field here."""
    reference, framed = body.get("input_reference"), body.get("frame_images")
    if reference is not None and framed is not None:
        raise InputError("frame_images", "cannot be given together with input_reference")
    if reference is not None:
        return _reference(reference), {"promptImage": "input_reference", "promptImage.0.uri": "input_reference"}
    if framed is None:
        return None, {}
    if not isinstance(framed, list) or not framed:
        raise InputError("frame_images", "must be a list of one or two images", problem=Problem.WRONG_TYPE)
    frames, names = [], {"promptImage": "frame_images"}
    for index, item in enumerate(framed):
        field = f"frame_images[{index}]"
        url = item.get("image_url") if isinstance(item, dict) else None
        url = url.get("url") if isinstance(url, dict) else url
        if not isinstance(url, str) or not url.strip():
            raise InputError(f"{field}.image_url.url", "is required", problem=Problem.MISSING)
        frame_type = item.get("frame_type", "first_frame")
        if frame_type not in FRAME_TYPES:
            raise InputError(
                f"{field}.frame_type",
                "must be first_frame or last_frame",
                problem=Problem.NOT_ALLOWED,
                allowed=list(FRAME_TYPES),
            )
        frames.append({"uri": url.strip(), "position": FRAME_TYPES[frame_type]})
        names[f"promptImage.{index}.uri"] = f"{field}.image_url.url"
        names[f"promptImage.{index}.position"] = f"{field}.frame_type"
    return frames, names


def _reference(value: Any) -> str:
    """An image URL, a data URI, or a stored upload's runway:// URI, as OpenAI's `image_url` /
    `file_id` object or alone."""
    if isinstance(value, dict):
        unknown = set(value) - {"image_url", "file_id"}
        if unknown:
            raise InputError(
                f"input_reference.{sorted(unknown)[0]}", "is not a known parameter", problem=Problem.UNKNOWN
            )
        given = [name for name in ("image_url", "file_id") if value.get(name) is not None]
        if len(given) != 1:
            raise InputError("input_reference", "takes one of image_url or file_id")
        value = value[given[0]]
    if not isinstance(value, str) or not value.strip():
        raise InputError("input_reference", "must be an image file, an image URL or a stored upload's id")
    return value.strip()


def _renamed(error: InputError, names: Mapping[str, str]) -> InputError:
    """The catalogue's error about an official field, naming the field this client sent."""
    issues = [_rename_one(issue, names) for issue in error.issues]
    return issues[0] if len(issues) == 1 else InputErrors(issues)


def _rename_one(error: InputError, names: Mapping[str, str]) -> InputError:
    field = str(error.field or "body")
    head = field.split(".", 1)[0]
    wire = names.get(field) or names.get(head) or head
    message = error.message.split(": ", 1)[-1]
    for official, ours in (("promptText", "prompt"), ("promptImage", "input_reference"), ("duration", "seconds")):
        message = message.replace(official, names.get(official, ours))
    return InputError(
        wire, message, problem=error.problem, allowed=error.allowed, limit=error.limit, location=error.location
    )
