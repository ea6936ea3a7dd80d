"""The model's frames → an H.264 MP4 at 24 fps exactly as long as asked, a poster and a last frame.

Models render at their own rate (Wan 16 fps, Wan 2.2 TI2V-5B and LTX 24 fps) and `4k+1` / `8k+1`
frames, a little more than asked. Output frame j shows the moment j/24 s: the model's frame at
that moment when there is one (24 fps families: frame j itself), else a frame between its two
neighbours made with the sandbox's optical-flow morph (Wan's 16 fps: every other output frame
lies halfway between two model frames). So the clip keeps the model's motion and timing and
ends at exactly `seconds · 24` frames; the model's frames past the asked end are dropped.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from reelay.engines.sandbox.encode import Mp4Writer
from reelay.engines.sandbox.flow import FlowMorph
from reelay.engines.sandbox.picture import Planes

from .mapping import OUTPUT_FPS

JPEG_QUALITY = 90
# Neighbouring model frames move little: DIS at 240 pixels wide with its fast preset costs ~12 ms a
# pair at 832×480 on one core against ~80 ms at the sandbox's 480 / medium (the 80 pairs of a 5 s
# Wan clip: ~1 s instead of ~7 s).
FLOW_WIDTH = 240
FLOW_PRESET = cv2.DISOPTICAL_FLOW_PRESET_FAST


def source_positions(frames: int, fps: int, seconds: int) -> list[tuple[int, float]]:
    """For each output frame, (model frame before it, fraction of the way to the next one)."""
    positions = []
    for j in range(seconds * OUTPUT_FPS):
        at = j * fps / OUTPUT_FPS
        index = min(math.floor(at + 1e-9), frames - 1)
        fraction = 0.0 if index == frames - 1 else max(at - index, 0.0)
        positions.append((index, 0.0 if fraction < 1e-6 else fraction))
    return positions


def encode(frames: np.ndarray, fps: int, seconds: int, out_dir: Path, comment: str) -> tuple[Path, Path, Path]:
    """Writes video.mp4, poster.jpg and last_frame.jpg into out_dir; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    count, height, width = frames.shape[:3]
    needed = seconds * OUTPUT_FPS
    if (count - 1) * OUTPUT_FPS < (needed - 1) * fps:
        raise ValueError(f"{count} frames at {fps} fps do not last {seconds} s")
    video, poster, last = out_dir / "video.mp4", out_dir / "poster.jpg", out_dir / "last_frame.jpg"
    morphs: dict[int, FlowMorph] = {}
    final_rgb = frames[0]
    with Mp4Writer(video, width, height, OUTPUT_FPS, comment=comment) as writer:
        for index, fraction in source_positions(count, fps, seconds):
            if fraction == 0.0:
                final_rgb = frames[index]
                writer.write(frames[index])
                continue
            morph = morphs.get(index)
            if morph is None:
                morphs.clear()  # the morphs go forward: only the current pair is kept
                pair = Planes.from_rgb(frames[index]), Planes.from_rgb(frames[index + 1])
                morph = morphs[index] = FlowMorph(*pair, flow_width=FLOW_WIDTH, preset=FLOW_PRESET)
            frame, planes = writer.new_frame()
            morph.frame_into(fraction, planes)
            final_rgb = planes.rgb()
            writer.write_frame(frame)
    Image.fromarray(frames[0]).save(poster, quality=JPEG_QUALITY)
    Image.fromarray(final_rgb).save(last, quality=JPEG_QUALITY)
    return video, poster, last
