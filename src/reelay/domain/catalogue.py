"""The model catalogue: which models exist, what each takes, what it costs, and its output size.

The rows (`catalogue_rows.py`) are data, one per (endpoint, model), so a new model is one row.
This module looks rows up, checks a body against its row (`check_body`: every field and the
row's rules between fields, each issue reported) and reads the output size and length a body
asks for. The pro dialect's names map to the official model they stand for (SPEC §2.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import catalogue_rows, catalogue_rules
from .catalogue_row import Row
from .errors import InputError, Problem, raise_all
from .fields import Flag, member_problems, problems

IMAGE_TO_VIDEO = "image_to_video"
TEXT_TO_VIDEO = "text_to_video"
VIDEO_KINDS = (IMAGE_TO_VIDEO, TEXT_TO_VIDEO)
TEXT_TO_IMAGE = "text_to_image"
IMAGE_UPSCALE = "image_upscale"
STILL_KINDS = (TEXT_TO_IMAGE, IMAGE_UPSCALE)  # tasks whose results are images
VIDEO_TO_VIDEO = "video_to_video"
VIDEO_UPSCALE = "video_upscale"

ROWS: tuple[Row, ...] = (*catalogue_rows.ROWS, *catalogue_rows.LEGACY)
_BY_KEY: dict[tuple[str, str], Row] = {(r.endpoint, r.model): r for r in ROWS}
# Accepted on the video endpoints for older clients (seed 004 sends it); it changes nothing.
COMPAT_FIELDS = {"watermark": Flag()}


def row(endpoint: str, model: str) -> Row | None:
    return _BY_KEY.get((endpoint, model))


def models(endpoint: str) -> tuple[str, ...]:
    return tuple(r.model for r in ROWS if r.endpoint == endpoint)


def require_row(endpoint: str, model: Any) -> Row:
    """The row a body's `model` names on `endpoint`; InputError naming `model` otherwise."""
    if model is None:
        raise InputError("model", "is required", problem=Problem.MISSING)
    spec = row(endpoint, model) if isinstance(model, str) else None
    if spec is None:
        raise InputError(
            "model",
            f"must be one of {', '.join(models(endpoint))} for {endpoint}, not {model!r}",
            problem=Problem.NOT_ALLOWED,
            allowed=models(endpoint),
        )
    return spec


def checked_row(endpoint: str, body: Mapping[str, Any]) -> Row:
    """The row the body's `model` names on `endpoint`, after checking the body against it: every
    dialect parser of an official create starts here."""
    spec = require_row(endpoint, body.get("model"))
    check_body(spec, body)
    return spec


def check_body(spec: Row, body: Mapping[str, Any]) -> None:
    """Raise InputError for what is wrong with `body` as `spec` takes it: every problem found
    (InputErrors when there are several), in `body_problems`' order."""
    raise_all(body_problems(spec, body))


def body_problems(spec: Row, body: Mapping[str, Any]) -> list[InputError]:
    """Unknown fields (in the body's order), then each field's own problems (in the row's order),
    then the promptImage positions and the row's rules between fields (those reading a field with
    its own problem are left out)."""
    compat = COMPAT_FIELDS if spec.endpoint in VIDEO_KINDS else {}
    found: list[InputError] = []
    for name, value in body.items():
        if name == "model" or name in spec.fields:
            continue
        if name in compat:
            if value is not None:
                found += problems(value, compat[name], name)
        elif any(name in other.fields for other in ROWS if other.endpoint == spec.endpoint):
            message = f"is not a parameter of {spec.model} (other models on {spec.endpoint} take it)"
            found.append(InputError(name, message, problem=Problem.UNKNOWN))
        else:
            found.append(InputError(name, "is not a known parameter", problem=Problem.UNKNOWN))
    found += member_problems({k: v for k, v in body.items() if k in spec.fields}, spec.fields)
    bad = {str(error.field).split(".", 1)[0] for error in found}
    images = body.get("promptImage")
    if isinstance(images, list) and "promptImage" not in bad:
        found += _position_problems(spec, images)
    return found + catalogue_rules.broken(spec.rules, body, skip=bad)


def _position_problems(spec: Row, images: list[dict[str, Any]]) -> list[InputError]:
    seen: dict[str, int] = {}
    found = []
    for index, item in enumerate(images):
        position = item.get("position")
        if position is None:
            continue
        if position in seen:
            found.append(InputError(f"promptImage.{index}.position", f"{position!r} is given twice"))
        seen[position] = index
    framed = sum(1 for item in images if item.get("position") is not None)
    if 0 < framed < len(images):
        found.append(InputError("promptImage", "takes frames (with a position) or references (without), not both"))
    if spec.last_needs_first and "last" in seen and "first" not in seen:
        found.append(InputError("promptImage", f"{spec.model} needs a first frame when a last frame is given"))
    return found


# -- what a body asks for ---------------------------------------------------------------------

# Heights of the resolution names models take; an `auto_*` tier or a bare aspect follows them.
RESOLUTION_HEIGHTS = {"480p": 480, "720p": 720, "768p": 768, "1080p": 1080, "1k": 1080, "2k": 1440, "4k": 2160}
# When a body leaves `ratio` out: the first of these the model takes, else its first ratio.
DEFAULT_RATIOS = ("1280:720", "16:9", "auto_720p")


def default_ratio(spec: Row) -> str | None:
    if not spec.ratios:
        return None
    return next((r for r in DEFAULT_RATIOS if r in spec.ratios), spec.ratios[0])


def output_size(ratio: str | None, resolution: str | None = None) -> tuple[int, int]:
    """Pixels of the video a ratio and resolution ask for. Pixel pairs are exact; an aspect
    ("16:9"), `adaptive` or an `auto_720p` tier (whose aspect follows the input on Runway) is
    rendered at the resolution's height, landscape 16:9 where no aspect is given; 1280×720 when
    nothing is given."""
    height = RESOLUTION_HEIGHTS.get((resolution or "720p").lower(), 720)
    aspect = (16, 9)
    if ratio and ratio.startswith("auto_"):
        height = RESOLUTION_HEIGHTS.get(ratio.removeprefix("auto_").lower(), height)
    elif ratio and ratio.count(":") == 1 and all(part.isdigit() for part in ratio.split(":")):
        width, tall = pixel_size(ratio)
        if max(width, tall) >= 100:
            return width, tall
        aspect = (width, tall)
    width = round(height * aspect[0] / aspect[1] / 2) * 2
    return width, height


def seconds(spec: Row, duration: int | str | None) -> int:
    """The whole seconds of video a body asks for: its duration, the row's longest for "auto"
    (what Runway charges up front for it), or the row's default when it gives none."""
    if isinstance(duration, int):
        return duration
    if duration == "auto" and spec.durations:
        return spec.durations[-1]
    return spec.default_seconds


def pixel_size(ratio: str) -> tuple[int, int]:
    width, height = ratio.split(":")
    return int(width), int(height)


# -- a model's video rows together, for code that picks ratios and durations ----------------------


@dataclass(frozen=True)
class ModelSpec:
    name: str
    ratios: dict[str, tuple[str, ...]]  # kind -> the ratios it takes there
    durations: tuple[int, ...]
    default_duration: int
    positions: tuple[str, ...] = ("first",)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.ratios)


def _video_spec(name: str) -> ModelSpec:
    rows = [r for kind in VIDEO_KINDS if (r := row(kind, name)) is not None]
    image_row = row(IMAGE_TO_VIDEO, name)
    return ModelSpec(
        name,
        {r.endpoint: r.ratios for r in rows},
        durations=rows[0].durations,
        default_duration=rows[0].default_seconds,
        positions=image_row.positions if image_row is not None else ("first",),
    )


OFFICIAL_MODELS: dict[str, ModelSpec] = {
    name: _video_spec(name) for name in dict.fromkeys(r.model for r in ROWS if r.endpoint in VIDEO_KINDS)
}


# -- the pro dialect ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProModel:
    name: str
    official: str  # the official model whose sizes it uses
    sizes: dict[str, tuple[int, int]]  # aspect ratio -> (width, height)
    # Aspect ratios a text-only request may use, where the official model limits them (gen4.5).
    text_ratios: tuple[str, ...] | None = None


_GEN3_SIZES = {"16:9": (1280, 768), "9:16": (768, 1280)}
_GEN4_SIZES = {
    "16:9": (1280, 720),
    "9:16": (720, 1280),
    "1:1": (960, 960),
    "4:3": (1104, 832),
    "3:4": (832, 1104),
    "21:9": (1584, 672),
}

PRO_MODELS: dict[str, ProModel] = {
    "gen2": ProModel("gen2", "gen4_turbo", _GEN4_SIZES),
    "gen3": ProModel("gen3", "gen3a_turbo", _GEN3_SIZES),
    "gen4": ProModel("gen4", "gen4_turbo", _GEN4_SIZES),
    "gen4_turbo": ProModel("gen4_turbo", "gen4_turbo", _GEN4_SIZES),
    # duomi's registry offers it (reference/aggregator-runway-format.md §1.1): Runway's gen4.5,
    # whose text_to_video takes only 1280:720 and 720:1280.
    "gen4.5": ProModel("gen4.5", "gen4.5", _GEN4_SIZES, text_ratios=("16:9", "9:16")),
}
PRO_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
PRO_SECONDS = (5, 10)
# `flip` turns a landscape ratio into its portrait twin (SPEC §2.1).
PRO_FLIP = {"16:9": "9:16", "4:3": "3:4"}
