"""Runway's `POST /v1/character_performance` (Act-Two) body and its translation.

The body is checked against its catalogue row (`catalogue.check_body`); the character (an image
or a video) and the reference performance (a video of 3 to 30 seconds) become typed inputs,
fetched and probed at submission, where the reference's length is checked and becomes the
output's (`domain.footage`).
"""

from __future__ import annotations

from typing import Any

from reelay.domain import catalogue
from reelay.domain.artifacts import MediaKind
from reelay.domain.footage import CHARACTER_PERFORMANCE, REFERENCE_SECONDS
from reelay.domain.request import CHARACTER, REFERENCE, GenerationRequest, MediaInput

# Body fields GenerationRequest carries itself; every other field given travels in `extras`.
_CARRIED = {"model", "seed", "ratio", "character", "reference"}


def parse_character_performance(body: dict[str, Any]) -> GenerationRequest:
    spec = catalogue.checked_row(CHARACTER_PERFORMANCE, body)
    character, reference = body["character"], body["reference"]
    ratio = body.get("ratio") or catalogue.default_ratio(spec) or "1280:720"
    width, height = catalogue.output_size(ratio)
    inputs = (
        MediaInput(character["uri"], "character.uri", kind=MediaKind(character["type"]), role=CHARACTER),
        MediaInput(reference["uri"], "reference.uri", kind=MediaKind.VIDEO, role=REFERENCE, seconds=REFERENCE_SECONDS),
    )
    return GenerationRequest(
        dialect="runway",
        kind=CHARACTER_PERFORMANCE,
        model=spec.model,
        engine_model=spec.model,
        ratio=ratio,
        width=width,
        height=height,
        seconds=0,  # the reference's length, once it is probed
        inputs=inputs,
        seed=body.get("seed"),
        extras={name: value for name, value in body.items() if value is not None and name not in _CARRIED},
    )
