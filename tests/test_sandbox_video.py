"""The sandbox's video-in renders, run directly: restyle, upscale and frame-rate boost make real
videos of the size, rate and length asked, deterministically, from a real input video."""

import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from reelay.engines.sandbox.video_render import FRAME_RATE, RESTYLE, UPSCALE, VideoJob, render_video
from support.video import probe
from support.video_inputs import moving_square


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return moving_square(tmp_path_factory.mktemp("in") / "in.mp4")


def run(tmp_path: Path, **fields) -> tuple[bytes, object]:
    job = VideoJob(out_dir=str(tmp_path), seed=fields.pop("seed", 7), **fields)
    result = render_video(job)
    data = Path(result.video).read_bytes()
    assert Path(result.poster).stat().st_size > 0 and Path(result.last_frame).stat().st_size > 0
    return data, probe(data)


def decoded(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)]


def middle_frame(data: bytes) -> np.ndarray:
    shown = decoded(data)
    return shown[len(shown) // 2]


def test_restyle_keeps_the_input_length_and_grades_by_seed(source, tmp_path):
    one, facts = run(tmp_path / "a", mode=RESTYLE, source=str(source), width=160, height=96, prompt="neon")
    assert (facts.codec, facts.width, facts.height, facts.fps, facts.frames) == ("h264", 160, 96, 24, 48)
    again, _ = run(tmp_path / "b", mode=RESTYLE, source=str(source), width=160, height=96, prompt="neon")
    other, _ = run(tmp_path / "c", mode=RESTYLE, source=str(source), width=160, height=96, prompt="neon", seed=8)
    assert one == again  # deterministic per seed
    assert np.abs(middle_frame(one) - middle_frame(other)).mean() > 5  # another seed, another grade


def test_restyle_letters_the_prompt_and_keeps_the_source_s_motion(source, tmp_path):
    # The pro family's video2video and aleph take this restyle too (sandbox/footage_jobs.py).
    plain, _ = run(tmp_path / "a", mode=RESTYLE, source=str(source), width=160, height=96)
    lettered, _ = run(tmp_path / "b", mode=RESTYLE, source=str(source), width=160, height=96, prompt="anime")
    shown = decoded(plain)
    assert np.abs(shown[len(shown) // 2] - middle_frame(lettered)).mean() > 1  # the prompt shows
    assert np.abs(shown[0] - shown[23]).mean() > 8  # the picture still moves under the grade


def test_restyle_to_a_longer_length_and_another_aspect(source, tmp_path):
    _, facts = run(tmp_path, mode=RESTYLE, source=str(source), width=96, height=96, seconds=3)
    assert (facts.width, facts.height, facts.frames) == (96, 96, 72)


def test_upscale_resizes_at_the_input_rate(source, tmp_path):
    _, facts = run(tmp_path, mode=UPSCALE, source=str(source), width=320, height=192, sharpen=60)
    assert (facts.width, facts.height, facts.fps, facts.frames) == (320, 192, 12, 24)


def test_upscale_with_fps_boost_doubles_the_rate(source, tmp_path):
    _, facts = run(tmp_path, mode=UPSCALE, source=str(source), width=320, height=192, boost=True)
    assert (facts.width, facts.height, facts.fps, facts.frames) == (320, 192, 24, 48)


@pytest.mark.parametrize(("fps", "frames"), [(Fraction(60), 120), (Fraction(30000, 1001), 60)])
def test_frame_rate_boost_interpolates_motion(source, tmp_path, fps, frames):
    _, facts = run(tmp_path, mode=FRAME_RATE, source=str(source), width=160, height=96, fps=fps)
    assert (facts.width, facts.height, facts.frames) == (160, 96, frames)
    assert facts.fps == pytest.approx(float(fps), abs=0.01)
    assert facts.duration == pytest.approx(2.0, abs=0.05)


def test_frame_rate_boost_moves_the_square_between_input_frames(source, tmp_path):
    """At 60 fps from 12, frame 2 lies 2/5 of the way from input frame 0 to 1: the square's centre
    lies between, not at either end (no repeated frames, no cross-fade ghosts)."""
    import io

    data, _ = run(tmp_path, mode=FRAME_RATE, source=str(source), width=160, height=96, fps=Fraction(60))
    with av.open(io.BytesIO(data)) as container:
        decoded = [f.to_ndarray(format="gray") for f in container.decode(video=0)]

    def centre(frame: np.ndarray) -> float:
        columns = np.nonzero((frame[30:60] > 200).sum(axis=0) > 15)[0]
        return float(columns.mean())

    start, middle, end = centre(decoded[0]), centre(decoded[2]), centre(decoded[5])
    assert start < middle < end
    assert middle == pytest.approx(start + 0.4 * (end - start), abs=1.5)
