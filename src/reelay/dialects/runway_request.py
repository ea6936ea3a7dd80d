"""Runway's official create bodies (API version 2024-11-06) and their translation.

Each model's rules are its catalogue row (`domain/catalogue_rows.py`), checked by
`catalogue.check_body`: a field the model does not take is refused by name, as Runway does (its
bodies are `additionalProperties: false`), so a new model is a catalogue row, not code here.
"""

from __future__ import annotations

from typing import Any

from reelay.domain import catalogue
from reelay.domain.request import FIRST, LAST, GenerationRequest, MediaInput

# Body fields GenerationRequest carries itself; every other field given travels in `extras`.
_CARRIED = {"model", "promptText", "seed", "watermark"}


def parse_image_to_video(body: dict[str, Any]) -> GenerationRequest:
    return parse(catalogue.IMAGE_TO_VIDEO, body)


def parse_text_to_video(body: dict[str, Any]) -> GenerationRequest:
    return parse(catalogue.TEXT_TO_VIDEO, body)


def parse(endpoint: str, body: dict[str, Any]) -> GenerationRequest:
    spec = catalogue.checked_row(endpoint, body)
    frames, frames_only = _frames(body.get("promptImage"))
    ratio = body.get("ratio")
    if ratio is None:
        ratio = catalogue.default_ratio(spec)
    width, height = catalogue.output_size(ratio, body.get("resolution"))
    extras = {
        name: value
        for name, value in body.items()
        if value is not None and name not in _CARRIED and name not in ("ratio", "promptImage")
    }
    if isinstance(body.get("duration"), int):
        del extras["duration"]  # in `seconds`; only "auto" travels as given
    if body.get("promptImage") is not None and not frames_only:
        extras["promptImage"] = body["promptImage"]  # references or a middle frame: the upstream gets them as sent
    return GenerationRequest(
        dialect="runway",
        kind=endpoint,
        model=spec.model,
        engine_model=spec.model,
        ratio=ratio or "",
        width=width,
        height=height,
        seconds=catalogue.seconds(spec, body.get("duration")),
        prompt=body.get("promptText"),
        inputs=frames,
        seed=body.get("seed"),
        extras=extras,
    )


def _frames(value: Any) -> tuple[tuple[MediaInput, ...], bool]:
    """The first and last frames of a checked promptImage, and whether it holds nothing else."""
    if value is None:
        return (), True
    if isinstance(value, str):
        return (MediaInput(value, "promptImage", role=FIRST),), True
    found: dict[str, MediaInput] = {}
    for index, item in enumerate(value):
        # Runway's positions are the roles' names: "first", "last".
        if item.get("position") in (FIRST, LAST):
            found[item["position"]] = MediaInput(item["uri"], f"promptImage.{index}.uri", role=item["position"])
    return tuple(found.values()), len(found) == len(value)
