"""What the emulator refuses in an official create body, and Runway's answer to it.

A model of Reelay's catalogue is checked against its row (`catalogue.body_problems`: every field's
type and value, and the rules between fields), so the emulator accepts what Runway's SDK types
allow (a resolution-only model without `ratio`, a `duration` of "auto") and refuses the rest. A
model the catalogue does not know is checked only for the inputs no task can run without. The
answer is Runway's: `{"error": "Validation of body failed", "issues": [...], "docUrl": ...}`,
every issue listed (`runway_errors.validation_failure` renders them as zod does).
"""

from __future__ import annotations

from typing import Any

from reelay.dialects.runway_errors import validation_failure
from reelay.dialects.runway_schemas import wire
from reelay.domain import catalogue
from reelay.domain.errors import InputError, Problem

# The inputs a task of an unknown model cannot run without: (field, another that may stand for it).
_INPUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "image_to_video": (("promptImage",),),
    "text_to_video": (("promptText",),),
    "video_to_video": (("videoUri", "promptVideo"),),
    "video_upscale": (("videoUri",),),
    "character_performance": (("character",), ("reference",)),
    "text_to_image": (("promptText",),),
    "image_upscale": (("imageUri",),),
}


def problems(kind: str, body: Any) -> list[InputError]:
    """Everything the emulator finds wrong with an official create body on `kind`."""
    if not isinstance(body, dict):
        return [InputError("body", "must be a JSON object", problem=Problem.WRONG_TYPE)]
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return [InputError("model", "is required", problem=Problem.MISSING)]
    row = catalogue.row(kind, model)
    if row is not None:
        return catalogue.body_problems(row, body)
    found = [
        InputError(names[0], "is required", problem=Problem.MISSING)
        for names in _INPUTS[kind]
        if not any(body.get(name) for name in names)
    ]
    duration = body.get("duration")
    if duration is not None and duration != "auto" and (isinstance(duration, bool) or not isinstance(duration, int)):
        found.append(InputError("duration", 'must be an integer or "auto"', problem=Problem.WRONG_TYPE))
    return found


def refusal(found: list[InputError]) -> dict[str, Any]:
    return wire(validation_failure(found))
