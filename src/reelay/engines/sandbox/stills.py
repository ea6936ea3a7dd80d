"""Input images turned into stills for the camera: cropped to the frame's aspect, resized."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageOps

from .picture import even

MATTE = (128, 128, 128)  # what shows through a transparent image
ORIENTATION_TAG = 0x0112


def load_still(path: str, width: int, height: int, oversample: float = 1.0) -> np.ndarray:
    """The image cropped around its centre to width:height (cover) and resized, as RGB.

    The still is `oversample` times the frame size (rounded to even pixels), so that the camera
    films it at about one still pixel per frame pixel however far it zooms in. With oversample 1
    it is exactly width×height: the frame a still camera would show.
    """
    factor = max(oversample, 1.0)
    size = (width, height) if factor == 1.0 else (even(width * factor), even(height * factor))
    with Image.open(path) as image:
        upright = _upright_size(image)
        crop_w, _ = _cover_crop(upright, width, height)
        # JPEG can decode at 1/2, 1/4 or 1/8 of its size: much faster for big photos.
        reduce = min(size[0] / crop_w, 1.0)
        image.draft("RGB", (math.ceil(image.width * reduce), math.ceil(image.height * reduce)))
        picture = _flatten(ImageOps.exif_transpose(image))
        crop_w, crop_h = _cover_crop(picture.size, width, height)
        left, top = (picture.width - crop_w) / 2, (picture.height - crop_h) / 2
        box = (left, top, left + crop_w, top + crop_h)
        still = picture.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    return np.asarray(still, dtype=np.uint8)


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The size once EXIF orientation is applied (phones store portraits sideways)."""
    turned = image.getexif().get(ORIENTATION_TAG) in (5, 6, 7, 8)
    return (image.height, image.width) if turned else image.size


def _cover_crop(size: tuple[int, int], width: int, height: int) -> tuple[float, float]:
    """The largest width:height box that fits in `size`."""
    image_w, image_h = size
    if image_w * height > image_h * width:
        return image_h * width / height, float(image_h)
    return float(image_w), image_w * height / width


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        matte = Image.new("RGB", rgba.size, MATTE)
        matte.paste(rgba, mask=rgba.getchannel("A"))
        return matte
    return image.convert("RGB")
