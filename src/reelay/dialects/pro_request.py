"""The pro dialect's create body (SPEC §2.1) and its translation into a GenerationRequest."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reelay.domain import catalogue
from reelay.domain.errors import CallbackUrlEmpty, InputError
from reelay.domain.request import FIRST, LAST, MOTION_AXES, GenerationRequest, MediaInput

from .common import input_error

_Axis = Field(default=0.0, ge=-10, le=10)


class MotionVector(BaseModel):
    model_config = ConfigDict(extra="ignore")
    x: float = _Axis
    y: float = _Axis
    z: float = _Axis
    r: float = _Axis
    bg_x_pan: float = _Axis
    bg_y_pan: float = _Axis


class ProOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    seconds: Literal[5, 10] = 10
    motion_vector: MotionVector | None = None
    image_as_end_frame: bool = False
    flip: bool = False


class ProGenerate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    callback_url: str | None = Field(
        default=None, description="required unless the server's require_callback_url is off"
    )
    prompt: str | None = Field(default=None, max_length=1000)
    # The choices are checked in `translate` (whose answers name them); listed here for /openapi.json.
    ratio: str = Field(default="16:9", json_schema_extra={"enum": list(catalogue.PRO_RATIOS)})
    style: str = "cinematic"
    model: str = Field(default="gen3", json_schema_extra={"enum": list(catalogue.PRO_MODELS)})
    image: str | None = None
    last_image: str | None = None
    options: ProOptions = ProOptions()
    seed: int | None = Field(default=None, ge=0, le=4294967295)

    @field_validator("prompt", "image", "last_image", "callback_url", "ratio", "style", "model", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any, info) -> Any:
        # Reseller clients send "" (or null) for fields they leave out: take the default.
        if value is None or (isinstance(value, str) and not value.strip()):
            return cls.model_fields[info.field_name].default
        return value


def parse_generate(body: dict[str, Any], *, require_callback: bool) -> GenerationRequest:
    if require_callback and not (isinstance(body.get("callback_url"), str) and body["callback_url"].strip()):
        raise CallbackUrlEmpty()
    if body.get("options") is None:
        body = {**body, "options": {}}
    try:
        parsed = ProGenerate.model_validate(body)
    except ValidationError as error:
        raise input_error(error) from None
    return translate(parsed)


def translate(body: ProGenerate) -> GenerationRequest:
    model = catalogue.PRO_MODELS.get(body.model)
    if model is None:
        raise InputError("model", f"must be one of {', '.join(catalogue.PRO_MODELS)}, not {body.model!r}")
    if body.ratio not in catalogue.PRO_RATIOS:
        raise InputError("ratio", f"must be one of {', '.join(catalogue.PRO_RATIOS)}, not {body.ratio!r}")
    options = body.options
    ratio = body.ratio
    if options.flip:
        if ratio == "21:9":
            raise InputError("options.flip", "21:9 has no portrait twin; use another ratio or flip false")
        ratio = catalogue.PRO_FLIP.get(ratio, ratio)
    if ratio not in model.sizes:
        raise InputError("ratio", f"{model.name} allows only {' and '.join(model.sizes)}, not {ratio!r}")
    if body.last_image and not body.image:
        raise InputError("last_image", "needs image as the first frame")
    if options.image_as_end_frame and body.last_image:
        raise InputError("options.image_as_end_frame", "cannot be used together with last_image")
    if options.image_as_end_frame and not body.image:
        raise InputError("options.image_as_end_frame", "needs image")
    if not body.image and not body.prompt:
        raise InputError("prompt", "is required when there is no image")
    if not body.image and model.text_ratios is not None and ratio not in model.text_ratios:
        allowed = " and ".join(model.text_ratios)
        raise InputError("ratio", f"{model.name} without an image allows only {allowed}, not {ratio!r}")
    kind = catalogue.IMAGE_TO_VIDEO if body.image else catalogue.TEXT_TO_VIDEO
    official = catalogue.row(kind, model.official)
    if not body.prompt and official is not None and "promptText" in official.required:
        raise InputError("prompt", f"is required for {model.name}")

    inputs = []
    if body.image:
        inputs.append(MediaInput(body.image, "image", role=LAST if options.image_as_end_frame else FIRST))
    if body.last_image:
        inputs.append(MediaInput(body.last_image, "last_image", role=LAST))
    width, height = model.sizes[ratio]
    motion = None
    if options.motion_vector is not None:
        motion = tuple(float(getattr(options.motion_vector, axis)) for axis in MOTION_AXES)
    return GenerationRequest(
        dialect="pro",
        kind=kind,
        model=model.name,
        engine_model=model.official,
        ratio=body.ratio,
        width=width,
        height=height,
        seconds=options.seconds,
        prompt=body.prompt,
        inputs=tuple(inputs),
        motion=motion,
        seed=body.seed,
        style=body.style,
        callback_url=body.callback_url,
        extras={"flip": options.flip, "image_as_end_frame": options.image_as_end_frame},
    )
