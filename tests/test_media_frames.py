"""Posters for upstream results that came without one: the video's own first and last frames."""

import av
import numpy as np
from PIL import Image

from reelay.media.frames import first_and_last_frames


def test_poster_is_the_first_frame_and_last_frame_the_last(tmp_path):
    video = tmp_path / "clip.mp4"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(24 * 5):  # 5 s, the shade rising frame by frame
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 2, dtype=np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    first_and_last_frames(video, tmp_path / "poster.jpg", tmp_path / "last.jpg")
    assert abs(np.asarray(Image.open(tmp_path / "poster.jpg")).mean() - 0) < 4
    assert abs(np.asarray(Image.open(tmp_path / "last.jpg")).mean() - 119 * 2) < 4
