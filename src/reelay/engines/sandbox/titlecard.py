"""A title card: the prompt, wrapped and centred, in any script, over a backdrop made from the seed.

The lettering is a steady layer laid over every frame, so it stays sharp and legible while the
camera moves over the backdrop beneath it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageFilter

from .backdrop import backdrop
from .lettering import Lettering, drawable, language_of, mask, wrap
from .picture import Planes

TEXT_WIDTH = 0.8  # share of the frame the text may use
TEXT_HEIGHT = 0.7
LARGEST_TEXT = 1 / 9  # font size as a share of the frame's shorter side
SMALLEST_TEXT = 1 / 30
LINE_SPACING = 0.25  # of the font size
RIM = 1 / 20  # dark outline, of the font size: legible on any backdrop
SHADOW_BLUR = 1 / 8  # soft drop shadow, of the font size
SHADOW_OFFSET = 1 / 16
SHADOW_STRENGTH = 0.55
ELLIPSIS = "…"
WHITE_Y, BLACK_Y, NEUTRAL = 235, 16, 128  # studio-range luma of white and black, neutral chroma


def title_card(prompt: str | None, seed: int, width: int, height: int) -> np.ndarray:
    """An RGB width×height card, as a still camera would film it; the same inputs give the same pixels."""
    card = Planes.from_rgb(backdrop(seed, width, height))
    overlay = TextOverlay.of(prompt, width, height)
    if overlay is not None:
        overlay.apply(card)
    return card.rgb()


@dataclass(frozen=True)
class TextOverlay:
    """White lettering with a dark rim and shadow, as alpha and colour over an even-aligned box."""

    top: int
    left: int
    luma: np.ndarray  # uint8, the lettering's own luma (white letters, black rim and shadow)
    luma_alpha: np.ndarray  # float32 coverage in [0, 1]
    chroma_alpha: np.ndarray  # float32, half size

    @classmethod
    def of(cls, prompt: str | None, width: int, height: int) -> TextOverlay | None:
        text = " ".join(drawable(prompt or "").split())  # a card has no room for the prompt's own layout
        if not text:
            return None
        fill, outline, size = _draw(text, width, height)
        shadow = outline.filter(ImageFilter.GaussianBlur(max(1.0, size * SHADOW_BLUR)))
        offset = round(size * SHADOW_OFFSET)
        fill_a = np.asarray(fill, np.float32) / 255.0
        rim_a = np.asarray(outline, np.float32) / 255.0
        shadow_a = np.roll(np.asarray(shadow, np.float32) / 255.0, offset, axis=0) * SHADOW_STRENGTH
        dark = rim_a + shadow_a * (1.0 - rim_a)  # black rim over black shadow
        alpha = fill_a + dark * (1.0 - fill_a)  # white letters over both
        premultiplied = WHITE_Y * fill_a + BLACK_Y * (alpha - fill_a)
        rows, cols = np.nonzero(alpha > 1 / 512)
        if rows.size == 0:
            return None
        top, left = rows.min() // 2 * 2, cols.min() // 2 * 2
        bottom, right = min(height, (rows.max() + 2) // 2 * 2), min(width, (cols.max() + 2) // 2 * 2)
        alpha = alpha[top:bottom, left:right]
        luma = premultiplied[top:bottom, left:right] / np.maximum(alpha, 1e-6)
        half = ((right - left) // 2, (bottom - top) // 2)
        return cls(
            top=int(top),
            left=int(left),
            luma=np.clip(luma + 0.5, 0, 255).astype(np.uint8),
            luma_alpha=np.ascontiguousarray(alpha),
            chroma_alpha=cv2.resize(alpha, half, interpolation=cv2.INTER_AREA),
        )

    def apply(self, frame: Planes) -> None:
        """Lays the lettering over an I420 frame, in place."""
        height, width = self.luma.shape
        y = frame.y[self.top : self.top + height, self.left : self.left + width]
        y[...] = cv2.blendLinear(y, self.luma, 1.0 - self.luma_alpha, self.luma_alpha)
        top, left = self.top // 2, self.left // 2
        neutral = np.full(self.chroma_alpha.shape, NEUTRAL, np.uint8)
        for plane in (frame.u, frame.v):
            c = plane[top : top + height // 2, left : left + width // 2]
            c[...] = cv2.blendLinear(c, neutral, 1.0 - self.chroma_alpha, self.chroma_alpha)


def _draw(text: str, width: int, height: int) -> tuple[Image.Image, Image.Image, int]:
    """Masks of the letters and of the letters with their rim, at the largest size that fits."""
    shorter = min(width, height)
    max_w, max_h = width * TEXT_WIDTH, height * TEXT_HEIGHT
    language = language_of(text)
    size = max(round(shorter * LARGEST_TEXT), 8)
    smallest = max(round(shorter * SMALLEST_TEXT), 8)
    while True:
        lettering = Lettering(size, language)
        gap = round(size * LINE_SPACING)
        lines = wrap(text, lettering, max_w)
        line_height = lettering.ascent + lettering.descent
        fits = len(lines) * line_height + (len(lines) - 1) * gap <= max_h
        if fits or size <= smallest:
            break
        size = max(smallest, int(size * 0.9))
    if not fits:
        lines = _truncate(lines, lettering, max_w, max(1, int((max_h + gap) // (line_height + gap))))
    rim = max(1, round(size * RIM))
    return mask(lines, lettering, (width, height), gap), mask(lines, lettering, (width, height), gap, rim), size


def _truncate(lines: list[str], lettering: Lettering, max_width: float, count: int) -> list[str]:
    kept = lines[:count]
    last = kept[-1]
    while last and lettering.length(last + ELLIPSIS) > max_width:
        last = last[:-1]
    return [*kept[:-1], last.rstrip() + ELLIPSIS]
