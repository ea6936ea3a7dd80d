"""Runway's official create bodies (API version 2024-11-06) and their translation.

Unknown fields are refused by name, as Runway does (its bodies are `additionalProperties: false`).
Per-model rules come from the catalogue, so a new model is a catalogue row, not code here.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from reelay.domain import catalogue
from reelay.domain.errors import InputError, Problem
from reelay.domain.request import FIRST, LAST, GenerationRequest, MediaInput

from .common import input_error


class PromptImage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uri: str
    position: Literal["first", "last"]


class ContentModeration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publicFigureThreshold: Literal["auto", "low"] | None = None


class _Create(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    model: str
    promptText: str | None = None
    ratio: str | None = None
    duration: int | None = None
    seed: int | None = Field(default=None, ge=0, le=4294967295)
    contentModeration: ContentModeration | None = None
    # Accepted for older clients (seed 004 sends it); it changes nothing here.
    watermark: bool | None = None
    # Veo's options.
    audio: bool | None = None
    negativePrompt: str | None = None

    @field_validator("promptText")
    @classmethod
    def _utf16_length(cls, value: str | None) -> str | None:
        if value is not None:
            units = len(value.encode("utf-16-le")) // 2
            if not 1 <= units <= 1000:
                # Typed as pydantic's own length errors, so the answer says too short or too long.
                kind, bound = ("string_too_short", "min_length") if units < 1 else ("string_too_long", "max_length")
                message = f"must be 1 to 1000 UTF-16 code units long, not {units}"
                raise PydanticCustomError(kind, message, {bound: 1 if units < 1 else 1000})
        return value


class ImageToVideo(_Create):
    promptImage: str | list[PromptImage]


class TextToVideo(_Create):
    pass


def parse_image_to_video(body: dict[str, Any]) -> GenerationRequest:
    parsed = _validate(ImageToVideo, body)
    spec = _model(parsed.model, catalogue.IMAGE_TO_VIDEO)
    return _translate(parsed, spec, catalogue.IMAGE_TO_VIDEO, _prompt_images(parsed.promptImage, spec))


def parse_text_to_video(body: dict[str, Any]) -> GenerationRequest:
    parsed = _validate(TextToVideo, body)
    spec = _model(parsed.model, catalogue.TEXT_TO_VIDEO)
    if parsed.promptText is None:
        raise InputError("promptText", "is required", problem=Problem.MISSING)
    return _translate(parsed, spec, catalogue.TEXT_TO_VIDEO, ())


_Shape = TypeVar("_Shape", bound=_Create)


def _validate(shape: type[_Shape], body: dict[str, Any]) -> _Shape:
    try:
        return shape.model_validate(body)
    except ValidationError as error:
        raise input_error(error, unknown_field="is not a known parameter") from None


def _model(name: str, kind: str) -> catalogue.ModelSpec:
    spec = catalogue.OFFICIAL_MODELS.get(name)
    if spec is None or kind not in spec.ratios:
        known = [m.name for m in catalogue.OFFICIAL_MODELS.values() if kind in m.ratios]
        raise InputError(
            "model",
            f"must be one of {', '.join(known)} for {kind}, not {name!r}",
            problem=Problem.NOT_ALLOWED,
            allowed=known,
        )
    return spec


def _prompt_images(value: str | list[PromptImage], spec: catalogue.ModelSpec) -> tuple[MediaInput, ...]:
    if isinstance(value, str):
        return (MediaInput(value, "promptImage", role=FIRST),)
    if not value:
        raise InputError("promptImage", "must name at least one image", problem=Problem.TOO_SMALL, limit=1)
    by_position: dict[str, MediaInput] = {}
    for index, item in enumerate(value):
        if item.position not in spec.positions:
            raise InputError(
                f"promptImage[{index}].position",
                f"{spec.name} takes only {' or '.join(spec.positions)}, not {item.position!r}",
                problem=Problem.NOT_ALLOWED,
                allowed=spec.positions,
            )
        if item.position in by_position:
            raise InputError(f"promptImage[{index}].position", f"{item.position!r} is given twice")
        # Runway's positions are the roles' names: "first", "last".
        by_position[item.position] = MediaInput(item.uri, f"promptImage[{index}].uri", role=item.position)
    if spec.needs_first_with_last and LAST in by_position and FIRST not in by_position:
        raise InputError("promptImage", f"{spec.name} needs a first frame when a last frame is given")
    return tuple(by_position.values())


def _translate(
    parsed: _Create, spec: catalogue.ModelSpec, kind: str, inputs: tuple[MediaInput, ...]
) -> GenerationRequest:
    ratios = spec.ratios[kind]
    ratio = parsed.ratio
    if ratio is None:
        if spec.ratio_required:
            raise InputError("ratio", "is required", problem=Problem.MISSING)
        ratio = ratios[0]
    if ratio not in ratios:
        raise InputError(
            "ratio",
            f"{spec.name} takes {', '.join(ratios)}, not {ratio!r}",
            problem=Problem.NOT_ALLOWED,
            allowed=ratios,
        )
    duration = parsed.duration
    if duration is None:
        if spec.duration_required:
            raise InputError("duration", "is required", problem=Problem.MISSING)
        duration = spec.default_duration
    if duration not in spec.durations:
        allowed = (
            f"{spec.durations[0]} to {spec.durations[-1]}"
            if len(spec.durations) > 3
            else " or ".join(map(str, spec.durations))
        )
        raise InputError(
            "duration", f"{spec.name} takes {allowed} seconds, not {duration}", **_duration_problem(spec, duration)
        )
    if spec.prompt_required and parsed.promptText is None:
        raise InputError("promptText", f"is required for {spec.name}", problem=Problem.MISSING)
    width, height = catalogue.pixel_size(ratio)
    extras = {
        name: value
        for name, value in parsed.model_dump(include={"contentModeration", "audio", "negativePrompt"}).items()
        if value is not None
    }
    return GenerationRequest(
        dialect="runway",
        kind=kind,
        model=spec.name,
        engine_model=spec.name,
        ratio=ratio,
        width=width,
        height=height,
        seconds=duration,
        prompt=parsed.promptText,
        inputs=inputs,
        seed=parsed.seed,
        extras=extras,
    )


def _duration_problem(spec: catalogue.ModelSpec, duration: int) -> dict[str, Any]:
    """A duration outside a model's range is too small or too big; outside a set of choices
    (5 or 10) it is not one of them, as Runway's schemas (a range, or a union of literals) say."""
    durations = spec.durations
    if len(durations) > 2 and list(durations) == list(range(durations[0], durations[-1] + 1)):
        if duration < durations[0]:
            return {"problem": Problem.TOO_SMALL, "limit": durations[0]}
        if duration > durations[-1]:
            return {"problem": Problem.TOO_BIG, "limit": durations[-1]}
    return {"problem": Problem.NOT_ALLOWED, "allowed": durations}
