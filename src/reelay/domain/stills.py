"""The sizes of image results: what a text_to_image ratio asks for, and what an upscale makes.

Runway's limits for `magnific_precision_upscaler_v2` are those of its SDK's docstring (5.24):
each side of the input between 300 and 8000 pixels, and the output (input × `scaleFactor`) at
most 25,300,000 pixels. Both can be checked only once the input has been fetched and probed.
"""

from __future__ import annotations

import math

from .errors import InputError, Problem
from .request import GenerationRequest

# text_to_image
MAX_OUTPUT_COUNT = 10  # the SDK's "1-10" where a model's outputCount has no bounds of its own
AUTO_PIXELS = {"auto": 1024 * 1024, "auto_1k": 1024 * 1024, "auto_2k": 2048 * 2048}

# image_upscale
UPSCALE_FIELD = "imageUri"
UPSCALE_MIN_SIDE = 300
UPSCALE_MAX_SIDE = 8000
UPSCALE_MAX_OUTPUT_PIXELS = 25_300_000
UPSCALE_DEFAULT_FACTOR = 2


def check_output_count(value: int | None) -> int:
    """How many images a body's outputCount asks for (1 when it gives none)."""
    if value is None:
        return 1
    if value < 1:
        raise InputError("outputCount", "must be at least 1", problem=Problem.TOO_SMALL, limit=1)
    if value > MAX_OUTPUT_COUNT:
        raise InputError(
            "outputCount", f"must be at most {MAX_OUTPUT_COUNT}", problem=Problem.TOO_BIG, limit=MAX_OUTPUT_COUNT
        )
    return value


def is_pixel_pair(ratio: str) -> bool:
    parts = ratio.split(":")
    return len(parts) == 2 and all(part.isdigit() and int(part) > 0 for part in parts)


def image_size(ratio: str, reference: tuple[int, int] | None) -> tuple[int, int]:
    """The pixels of an image a ratio asks for. A pixel pair is exact; `auto` and the `auto_1k`/
    `auto_2k` tiers follow the first reference image's aspect (square without one) at about one
    or four megapixels, rounded to even sides."""
    if is_pixel_pair(ratio):
        wide, high = ratio.split(":")
        return int(wide), int(high)
    pixels = AUTO_PIXELS.get(ratio, AUTO_PIXELS["auto"])
    aspect = min(max(reference[0] / reference[1], 1 / 4), 4.0) if reference else 1.0
    tall = math.sqrt(pixels / aspect)
    return _even(tall * aspect), _even(tall)


def upscale_size(width: int, height: int, factor: int) -> tuple[int, int]:
    """The output of upscaling a width×height image by `factor`; InputError naming imageUri when
    Runway would refuse it."""
    for side, name in ((width, "width"), (height, "height")):
        if side < UPSCALE_MIN_SIDE:
            raise InputError(
                UPSCALE_FIELD,
                f"image {name} is {side} px; each side must be at least {UPSCALE_MIN_SIDE} px",
                problem=Problem.TOO_SMALL,
                limit=UPSCALE_MIN_SIDE,
            )
        if side > UPSCALE_MAX_SIDE:
            raise InputError(
                UPSCALE_FIELD,
                f"image {name} is {side} px; each side must be at most {UPSCALE_MAX_SIDE} px",
                problem=Problem.TOO_BIG,
                limit=UPSCALE_MAX_SIDE,
            )
    out_width, out_height = width * factor, height * factor
    if out_width * out_height > UPSCALE_MAX_OUTPUT_PIXELS:
        raise InputError(
            UPSCALE_FIELD,
            f"a {width}×{height} image upscaled {factor}× would be {out_width}×{out_height}; the output may have "
            f"at most {UPSCALE_MAX_OUTPUT_PIXELS:,} pixels (use a smaller scaleFactor or image)",
            problem=Problem.TOO_BIG,
            limit=UPSCALE_MAX_OUTPUT_PIXELS,
        )
    return out_width, out_height


def upscale_factor(request: GenerationRequest) -> int:
    """The scaleFactor an image_upscale asked for (Runway's default 2)."""
    return int(request.extras.get("scaleFactor") or UPSCALE_DEFAULT_FACTOR)


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))
