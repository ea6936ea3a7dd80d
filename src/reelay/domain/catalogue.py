"""The model catalogue: which models exist, what they take, and the pixel size of each ratio.

One row per model, so a new model is one row. Official ratios are pixel sizes already
("1280:720"); the pro dialect's aspect ratios map to the official model its name stands for
(SPEC §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass

IMAGE_TO_VIDEO = "image_to_video"
TEXT_TO_VIDEO = "text_to_video"

_GEN4_RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
_VEO_RATIOS = ("1280:720", "720:1280", "1080:1920", "1920:1080")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    # kind -> allowed ratios ("W:H" in pixels)
    ratios: dict[str, tuple[str, ...]]
    durations: tuple[int, ...]
    default_duration: int
    # Which promptImage positions the model takes ("first", "last").
    positions: tuple[str, ...] = ("first",)
    # Position combinations the model refuses (veo3.1: a last frame needs a first).
    needs_first_with_last: bool = False
    prompt_required: bool = False
    ratio_required: bool = True
    duration_required: bool = False

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.ratios)


OFFICIAL_MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "gen3a_turbo",
            {IMAGE_TO_VIDEO: ("1280:768", "768:1280")},
            durations=(5, 10),
            default_duration=10,
            positions=("first", "last"),
            prompt_required=True,
            ratio_required=False,
        ),
        ModelSpec(
            "gen4_turbo",
            {IMAGE_TO_VIDEO: _GEN4_RATIOS},
            durations=tuple(range(2, 11)),
            default_duration=10,
        ),
        ModelSpec(
            "gen4.5",
            {IMAGE_TO_VIDEO: _GEN4_RATIOS, TEXT_TO_VIDEO: ("1280:720", "720:1280")},
            durations=tuple(range(2, 11)),
            default_duration=5,
            prompt_required=True,
            duration_required=True,
        ),
        ModelSpec(
            "veo3",
            {IMAGE_TO_VIDEO: _VEO_RATIOS, TEXT_TO_VIDEO: _VEO_RATIOS},
            durations=(8,),
            default_duration=8,
            duration_required=True,
        ),
        ModelSpec(
            "veo3.1",
            {IMAGE_TO_VIDEO: _VEO_RATIOS, TEXT_TO_VIDEO: _VEO_RATIOS},
            durations=(4, 6, 8),
            default_duration=8,
            positions=("first", "last"),
            needs_first_with_last=True,
        ),
        ModelSpec(
            "veo3.1_fast",
            {IMAGE_TO_VIDEO: _VEO_RATIOS, TEXT_TO_VIDEO: _VEO_RATIOS},
            durations=(4, 6, 8),
            default_duration=8,
            positions=("first", "last"),
            needs_first_with_last=True,
        ),
    )
}


@dataclass(frozen=True)
class ProModel:
    name: str
    official: str  # the official model whose sizes it uses
    sizes: dict[str, tuple[int, int]]  # aspect ratio -> (width, height)


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
}
PRO_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
PRO_SECONDS = (5, 10)
# `flip` turns a landscape ratio into its portrait twin (SPEC §2.1).
PRO_FLIP = {"16:9": "9:16", "4:3": "3:4"}


def pixel_size(ratio: str) -> tuple[int, int]:
    width, height = ratio.split(":")
    return int(width), int(height)
