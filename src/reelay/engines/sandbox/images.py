"""The sandbox's image tasks: text_to_image as title cards, image_upscale as a real resize.

Pure functions of their jobs (the same job gives the same bytes), run in the render pool like a
video: a `StillsJob` pickles, and its `run` writes the files and names them in order.

- text_to_image: `count` title cards of the prompt at the size asked, each over the backdrop of
  its own seed (the task's seed + its index), with the reference images laid in as a row of
  framed tiles along the bottom, left to right in the order given.
- image_upscale: the input resized by the factor with Lanczos and a mild unsharp mask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps

from .picture import even
from .render import RenderCancelled
from .stills import load_still
from .titlecard import title_card

FORMATS = {"png": ("PNG", "png"), "jpeg": ("JPEG", "jpg"), "webp": ("WEBP", "webp")}
JPEG_QUALITY = 92
TILE_SHARE = 0.22  # a reference tile's height, of the image's height
TILE_MARGIN = 0.02  # of the image's shorter side
FRAME = (240, 240, 240)
# Lanczos alone softens a large enlargement; a mild unsharp mask gives back some edge contrast.
UNSHARP = ImageFilter.UnsharpMask(radius=2, percent=60, threshold=2)


@dataclass(frozen=True)
class StillsResult:
    images: tuple[str, ...]  # paths, in order


@dataclass(frozen=True)
class TextToImageJob:
    width: int
    height: int
    count: int
    out_dir: str
    seed: int
    prompt: str | None = None
    references: tuple[str, ...] = ()  # paths, in the order given
    output_format: str = "png"

    def run(self, progress: Callable[[float], None], should_cancel: Callable[[], bool]) -> StillsResult:
        out = Path(self.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        pil_format, extension = FORMATS.get(self.output_format, FORMATS["png"])
        # I420 (the title card's working form) takes even sides; an odd size is cropped back.
        work_w, work_h = self.width + self.width % 2, self.height + self.height % 2
        tiles = [_tile(path, work_h) for path in self.references]
        paths = []
        for index in range(self.count):
            if should_cancel():
                raise RenderCancelled()
            card = Image.fromarray(title_card(self.prompt, (self.seed + index) % 2**32, work_w, work_h))
            _lay_tiles(card, tiles)
            card = card.crop((0, 0, self.width, self.height))
            path = out / f"image-{index + 1}.{extension}"
            _save(card, path, pil_format)
            paths.append(str(path))
            progress((index + 1) / self.count)
        return StillsResult(tuple(paths))


@dataclass(frozen=True)
class UpscaleJob:
    source: str  # path of the input image
    width: int  # the output's size
    height: int
    out_dir: str

    def run(self, progress: Callable[[float], None], should_cancel: Callable[[], bool]) -> StillsResult:
        out = Path(self.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        with Image.open(self.source) as opened:
            keeps_alpha = opened.format == "PNG"
            image = ImageOps.exif_transpose(opened)
            image = image.convert("RGBA" if keeps_alpha and "A" in image.getbands() else "RGB")
        if should_cancel():
            raise RenderCancelled()
        progress(0.2)
        bigger = image.resize((self.width, self.height), Image.Resampling.LANCZOS).filter(UNSHARP)
        progress(0.8)
        pil_format, extension = ("PNG", "png") if keeps_alpha else ("JPEG", "jpg")
        path = out / f"upscaled.{extension}"
        _save(bigger, path, pil_format)
        progress(1.0)
        return StillsResult((str(path),))


def _tile(path: str, height: int) -> Image.Image:
    """A reference image as a framed tile TILE_SHARE of the picture's height, its aspect kept."""
    with Image.open(path) as image:
        aspect = image.width / image.height if image.height else 1.0
    tile_h = even(max(16, height * TILE_SHARE))
    tile_w = even(max(16, tile_h * min(max(aspect, 0.5), 2.0)))
    picture = Image.fromarray(load_still(path, tile_w, tile_h))
    border = max(2, tile_h // 40)
    return ImageOps.expand(picture, border=border, fill=FRAME)


def _lay_tiles(card: Image.Image, tiles: list[Image.Image]) -> None:
    """Paste the tiles in a row along the bottom, from the left, as many as fit."""
    margin = max(4, round(min(card.size) * TILE_MARGIN))
    left = margin
    for tile in tiles:
        if left + tile.width > card.width - margin:
            break
        card.paste(tile, (left, card.height - margin - tile.height))
        left += tile.width + margin


def _save(image: Image.Image, path: Path, pil_format: str) -> None:
    options: dict = {"quality": JPEG_QUALITY} if pil_format in ("JPEG", "WEBP") else {"compress_level": 3}
    if pil_format == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    image.save(path, format=pil_format, **options)
