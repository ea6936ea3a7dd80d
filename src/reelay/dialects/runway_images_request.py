"""Runway's image create bodies, text_to_image and image_upscale, and their translation.

As for the video endpoints, each model's fields are its catalogue row; what depends on the
fetched inputs (an `auto` ratio's size, the upscale's output and Runway's pixel limits) is settled
after they are loaded (`service/stills.py`).
"""

from __future__ import annotations

from typing import Any

from reelay.domain import catalogue, stills
from reelay.domain.request import REFERENCE, SOURCE, GenerationRequest, MediaInput

# Carried by GenerationRequest itself (referenceImages as its inputs); the rest travels in extras.
_TEXT_TO_IMAGE_CARRIED = {"model", "promptText", "seed", "ratio", "referenceImages"}
_UPSCALE_CARRIED = {"model", "imageUri"}


def parse_text_to_image(body: dict[str, Any]) -> GenerationRequest:
    spec = catalogue.checked_row(catalogue.TEXT_TO_IMAGE, body)
    count = stills.check_output_count(body.get("outputCount"))
    references = tuple(
        MediaInput(item["uri"], f"referenceImages.{index}.uri", role=REFERENCE, tag=item.get("tag"))
        for index, item in enumerate(body.get("referenceImages") or [])
    )
    ratio = body.get("ratio") or ""  # left out, where a model allows it: the model picks, as for `auto`
    # An `auto` ratio's size follows the first reference: known once it is fetched.
    width, height = stills.image_size(ratio, None)
    return GenerationRequest(
        dialect="runway",
        kind=catalogue.TEXT_TO_IMAGE,
        model=spec.model,
        engine_model=spec.model,
        ratio=ratio,
        width=width,
        height=height,
        seconds=0,
        prompt=body.get("promptText"),
        inputs=references,
        seed=body.get("seed"),
        count=count,
        extras={k: v for k, v in body.items() if v is not None and k not in _TEXT_TO_IMAGE_CARRIED},
    )


def parse_image_upscale(body: dict[str, Any]) -> GenerationRequest:
    spec = catalogue.checked_row(catalogue.IMAGE_UPSCALE, body)
    return GenerationRequest(
        dialect="runway",
        kind=catalogue.IMAGE_UPSCALE,
        model=spec.model,
        engine_model=spec.model,
        ratio="",
        width=0,  # the input's size × the factor, once the input is fetched
        height=0,
        seconds=0,
        inputs=(MediaInput(body["imageUri"], stills.UPSCALE_FIELD, role=SOURCE),),
        extras={k: v for k, v in body.items() if v is not None and k not in _UPSCALE_CARRIED},
    )
