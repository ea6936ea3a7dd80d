"""The loop that films a render whose every frame is drawn in place (Act-Two): frame k filled by a
function, encoded, its first frame the poster and its last the last frame; nothing left behind when
cancelled."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from .encode import Mp4Writer
from .picture import Planes
from .render import COMMENT, PROGRESS_REPORTS, RenderCancelled, RenderResult, _save_jpeg


def film(
    out_dir: str,
    size: tuple[int, int],
    fps: int,
    count: int,
    seed: int,
    fill: Callable[[int, Planes], None],
    progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> RenderResult:
    """video.mp4, poster.jpg and last_frame.jpg in `out_dir`, frame k filled by fill(k, planes);
    nothing is left behind when cancelled."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = RenderResult(str(out / "video.mp4"), str(out / "poster.jpg"), str(out / "last_frame.jpg"), count)
    report_every = math.ceil(count / PROGRESS_REPORTS)
    try:
        with Mp4Writer(result.video, *size, fps, comment=f"{COMMENT}, seed {seed}") as writer:
            for index in range(count):
                if should_cancel is not None and should_cancel():
                    raise RenderCancelled(f"cancelled after {index} of {count} frames")
                frame, planes = writer.new_frame()
                fill(index, planes)
                if index == 0:
                    _save_jpeg(planes, result.poster)
                writer.write_frame(frame)
                if progress is not None and (index + 1) % report_every == 0 and index + 1 < count:
                    progress((index + 1) / count)
        _save_jpeg(planes, result.last_frame)
    except RenderCancelled:
        for name in (result.video, result.poster, result.last_frame):
            Path(name).unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    return result
