"""A backdrop made from a seed: soft clouds of colour with drifting specks of light.

Every number comes from `random.Random(seed)` (whose sequence Python keeps stable across
versions) and every step is a deterministic OpenCV operation, so a seed always gives the same
pixels. The picture stays dark to mid-tone, so white lettering over it stays legible; the specks
give the eye something to follow when the camera moves.
"""

from __future__ import annotations

import colorsys
import random

import cv2
import numpy as np

OCTAVES = 5  # cloud detail: each octave doubles the grid and halves the strength
SPECKS = 90  # small soft lights, scattered
BRIGHTEST = 0.62  # value (HSV) of the brightest colour of the palette
SMOOTH_WIDTH = 640


def backdrop(seed: int, width: int, height: int) -> np.ndarray:
    """An RGB width×height picture; the same seed and size always give the same pixels."""
    rng = random.Random(seed)
    palette = _palette(rng)
    # The clouds are smooth: made at a working size at most SMOOTH_WIDTH wide, then enlarged.
    scale = min(1.0, SMOOTH_WIDTH / width)
    small = (max(2, round(width * scale)), max(2, round(height * scale)))
    shade = np.clip(0.65 * _clouds(rng, *small) + 0.35 * _clouds(rng, *small), 0.0, 1.0)
    image = _lookup(palette, shade) * _vignette(*small)[..., None]
    if small != (width, height):
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_CUBIC)
    image += _specks(rng, width, height, palette[-1])
    return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _palette(rng: random.Random) -> np.ndarray:
    """Four colours from dark to light around a hue, with a contrasting accent at the top."""
    hue = rng.random()
    spread = rng.choice([0.06, 0.1, 0.33, 0.5])  # neighbours, triad or complement for the accent
    saturation = rng.uniform(0.45, 0.8)
    stops = [
        (hue, saturation, rng.uniform(0.07, 0.12)),
        ((hue + 0.03) % 1.0, saturation, rng.uniform(0.22, 0.3)),
        ((hue + spread / 2) % 1.0, saturation * 0.9, rng.uniform(0.36, 0.46)),
        ((hue + spread) % 1.0, saturation * rng.uniform(0.6, 0.9), BRIGHTEST),
    ]
    return np.array([colorsys.hsv_to_rgb(*stop) for stop in stops], dtype=np.float32)


def _clouds(rng: random.Random, width: int, height: int) -> np.ndarray:
    """Smooth value noise in [0, 1]: random grids of growing density, enlarged and summed."""
    total = np.zeros((height, width), np.float32)
    weight = 0.0
    aspect = width / height
    for octave in range(OCTAVES):
        rows = 2 + 2**octave
        cols = max(2, round(rows * aspect))
        grid = np.array([rng.random() for _ in range(rows * cols)], dtype=np.float32).reshape(rows, cols)
        strength = 0.5**octave
        total += cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC) * strength
        weight += strength
    total /= weight
    low, high = float(total.min()), float(total.max())
    return (total - low) / max(high - low, 1e-6)


def _lookup(palette: np.ndarray, shade: np.ndarray) -> np.ndarray:
    """Colours along the palette for each shade in [0, 1] (smoothly interpolated)."""
    steps = np.linspace(0.0, 1.0, 256, dtype=np.float32)
    stops = np.linspace(0.0, 1.0, len(palette), dtype=np.float32)
    table = np.stack([np.interp(steps, stops, palette[:, channel]) for channel in range(3)], axis=1)
    index = np.clip(shade * 255.0 + 0.5, 0, 255).astype(np.uint8)
    image = np.empty((*shade.shape, 3), np.float32)
    for channel in range(3):
        image[..., channel] = cv2.LUT(index, table[:, channel].astype(np.float32))
    return image


def _vignette(width: int, height: int) -> np.ndarray:
    """1 in the middle, 0.55 in the corners: the frame's centre draws the eye."""
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    return 1.0 - 0.45 * np.clip((xs * xs + ys * ys) / 2.0, 0.0, 1.0) ** 1.5


def _specks(rng: random.Random, width: int, height: int, colour: np.ndarray) -> np.ndarray:
    """Small soft discs of light, like dust in a beam (added to the picture)."""
    shorter = min(width, height)
    layer: np.ndarray = np.zeros((height, width), np.float32)
    for _ in range(SPECKS):
        centre = (round(rng.random() * width * 16), round(rng.random() * height * 16))
        radius = max(1, round(shorter * rng.uniform(0.002, 0.012) * 16))
        cv2.circle(layer, centre, radius, rng.uniform(0.05, 0.22), -1, cv2.LINE_AA, shift=4)
    blur = max(1.0, shorter * 0.002)
    layer = cv2.GaussianBlur(layer, (0, 0), blur)
    tint = 0.5 + 0.5 * colour
    return layer[..., None] * tint[None, None, :]
