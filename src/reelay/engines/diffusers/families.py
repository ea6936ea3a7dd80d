"""The open model families a diffusers channel can run: what each takes, at what sizes and pace.

Sources: /work/shared/reference/local-video-models.md §1.1, §1.2, §1.7, §1.8 (diffusers 0.42.1).
Sizes are the families' trained sizes for 16:9 and 9:16 and diffusers' `aspect_ratio_resize`
formula for the other ratios (area of the trained size, rounded to the family's modulus).
Nothing here imports torch: the API processes read this table to route requests.
"""

from __future__ import annotations

from dataclasses import dataclass

Size = tuple[int, int]  # (width, height)

WAN_480P: dict[str, Size] = {
    "16:9": (832, 480),
    "9:16": (480, 832),
    "1:1": (624, 624),
    "4:3": (720, 544),
    "3:4": (544, 720),
    "21:9": (960, 400),
}
WAN_720P: dict[str, Size] = {
    "16:9": (1280, 720),
    "9:16": (720, 1280),
    "1:1": (960, 960),
    "4:3": (1104, 816),
    "3:4": (816, 1104),
    "21:9": (1456, 624),
}
WAN_5B: dict[str, Size] = {
    "16:9": (1280, 704),
    "9:16": (704, 1280),
    "1:1": (928, 928),
    "4:3": (1088, 800),
    "3:4": (800, 1088),
    "21:9": (1440, 608),
}
LTX: dict[str, Size] = {
    "16:9": (1216, 704),
    "9:16": (704, 1216),
    "1:1": (896, 896),
    "4:3": (1056, 800),
    "3:4": (800, 1056),
    "21:9": (1408, 576),
}

# How a family's pipeline is called: the class for text, for a first image, for first+last.
WAN_T2V = "WanPipeline"
WAN_I2V = "WanImageToVideoPipeline"
LTX_CONDITION = "LTXConditionPipeline"


@dataclass(frozen=True)
class Family:
    name: str
    fps: int  # the frame rate it was trained at
    frame_step: int  # frames are frame_step·k + 1 (the VAE's temporal ratio)
    size_step: int  # width and height are multiples of this
    sizes: dict[str, Size]
    loads: str  # the pipeline class its folder is loaded as
    text: bool  # text alone, no image
    first: bool  # a first frame alone
    first_last: bool  # a first and a last frame together
    last_only: bool  # a last frame with no first
    steps: int  # default denoising steps (upstream's)
    guidance: float  # default classifier-free guidance
    licence: str

    def takes(self, *, first: bool, last: bool) -> bool:
        """Whether the pipeline honours these images (never one it would silently drop)."""
        if first and last:
            return self.first_last
        if last:
            return self.last_only
        if first:
            return self.first
        return self.text


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        # TI2V-5B: text or a first frame; diffusers ignores last_image with it (expand_timesteps).
        Family("wan2.2-ti2v-5b", 24, 4, 32, WAN_5B, WAN_T2V, True, True, False, False, 50, 5.0, "Apache-2.0"),
        # I2V-A14B: a first frame, and first+last through the latent mask, one checkpoint.
        Family("wan2.2-i2v-a14b", 16, 4, 16, WAN_480P, WAN_I2V, False, True, True, False, 40, 3.5, "Apache-2.0"),
        Family("wan2.2-t2v-a14b", 16, 4, 16, WAN_480P, WAN_T2V, True, False, False, False, 40, 4.0, "Apache-2.0"),
        # FLF2V-14B: its transformer needs both images (two image-token sequences), 720P only.
        Family("wan2.1-flf2v", 16, 4, 16, WAN_720P, WAN_I2V, False, False, True, False, 50, 5.5, "Apache-2.0"),
        # LTX-Video 0.9.5+: conditions at any frame, so text, first, last, or both.
        Family(
            "ltx-condition",
            24,
            8,
            32,
            LTX,
            LTX_CONDITION,
            True,
            True,
            True,
            True,
            50,
            3.0,
            "OpenRAIL-M (2B 0.9.5+), LTXV Open Weights License (13B)",
        ),
    )
}
