"""A title card: the prompt, wrapped and centred, over a gradient backdrop chosen by the seed."""

from __future__ import annotations

import colorsys
import math
import random
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS_DIR = Path(__file__).with_name("fonts")  # fonts shipped with Reelay win over the system's
SYSTEM_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
]
TEXT_WIDTH = 0.8  # share of the frame the text may use
TEXT_HEIGHT = 0.7
LARGEST_TEXT = 1 / 9  # font size as a share of the frame's shorter side
SMALLEST_TEXT = 1 / 30
LINE_SPACING = 0.25  # of the font size
ELLIPSIS = "…"


def title_card(prompt: str | None, seed: int, width: int, height: int) -> np.ndarray:
    """An RGB width×height card; the same prompt and seed always give the same pixels."""
    card = Image.fromarray(backdrop(seed, width, height))
    text = " ".join((prompt or "").split())  # a card has no room for the prompt's own layout
    if text:
        _draw_centred(card, text, width, height)
    return np.asarray(card, dtype=np.uint8)


def backdrop(seed: int, width: int, height: int) -> np.ndarray:
    """A diagonal gradient between two dark neighbouring hues, so white text stays legible."""
    rng = random.Random(seed)
    hue = rng.random()
    start = colorsys.hsv_to_rgb(hue, rng.uniform(0.45, 0.75), rng.uniform(0.16, 0.3))
    end = colorsys.hsv_to_rgb((hue + rng.uniform(0.08, 0.25)) % 1.0, rng.uniform(0.45, 0.75), rng.uniform(0.35, 0.5))
    angle = rng.uniform(0, 2 * math.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    along = xs / width * math.cos(angle) + ys / height * math.sin(angle)
    along = (along - along.min()) / max(float(along.max() - along.min()), 1e-6)
    colours = np.array([start, end], dtype=np.float32) * 255
    image = colours[0] + along[..., None] * (colours[1] - colours[0])
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def _draw_centred(card: Image.Image, text: str, width: int, height: int) -> None:
    shorter = min(width, height)
    max_w, max_h = width * TEXT_WIDTH, height * TEXT_HEIGHT
    size = round(shorter * LARGEST_TEXT)
    smallest = max(round(shorter * SMALLEST_TEXT), 8)
    while True:
        font = load_font(size)
        spacing = round(size * LINE_SPACING)
        lines = wrap(text, font, max_w)
        fits = len(lines) * (size + spacing) <= max_h
        if fits or size <= smallest:
            break
        size = max(smallest, int(size * 0.9))
    if not fits:
        lines = _truncate(lines, font, max_w, max(1, int(max_h // (size + spacing))))
    draw = ImageDraw.Draw(card)
    draw.multiline_text(
        (width / 2, height / 2),
        "\n".join(lines),
        font=font,
        fill=(255, 255, 255),
        anchor="mm",
        align="center",
        spacing=spacing,
        stroke_width=max(1, size // 24),  # a dark rim keeps the text readable on any backdrop
        stroke_fill=(0, 0, 0),
    )


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than a line is broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and font.getlength(line + char) > max_width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def _truncate(lines: list[str], font: ImageFont.FreeTypeFont, max_width: float, count: int) -> list[str]:
    kept = lines[:count]
    last = kept[-1]
    while last and font.getlength(last + ELLIPSIS) > max_width:
        last = last[:-1]
    return kept[:-1] + [last.rstrip() + ELLIPSIS]


@lru_cache(maxsize=32)
def load_font(size: int) -> ImageFont.FreeTypeFont:
    for path in [*sorted(FONTS_DIR.glob("*.[ot]t[fc]")), *map(Path, SYSTEM_FONTS)]:
        if path.is_file():
            try:
                return ImageFont.truetype(str(path), size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)  # Pillow's own TrueType font (Pillow >= 10.1)
