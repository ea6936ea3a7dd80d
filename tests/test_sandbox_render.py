"""The sandbox renderer, judged by decoding the MP4 it writes."""

from __future__ import annotations

import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageOps

from reelay.engines.sandbox.camera import CameraMove, view_matrix
from reelay.engines.sandbox.render import RenderCancelled, RenderJob, render
from reelay.engines.sandbox.titlecard import title_card

WIDTH, HEIGHT, SECONDS = 320, 192, 2
CLOSE = 8.0  # mean absolute difference (0..255) allowed for "the same picture" after H.264


def decode(path: str) -> tuple[av.video.stream.VideoStream, float, list[np.ndarray]]:
    with av.open(path) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        return stream, container.duration / av.time_base, frames


def difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def fitted(path: Path, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """The image as the spec says the clip shows it: cropped around its centre, resized."""
    with Image.open(path) as image:
        return np.asarray(ImageOps.fit(image.convert("RGB"), (width, height), Image.Resampling.LANCZOS))


def photo(path: Path, size: tuple[int, int] = (640, 480), inverted: bool = False) -> Path:
    """A picture with structure at several scales, of another aspect than the clip."""
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width]
    image = np.dstack([xs * 255 // width, ys * 255 // height, ((xs // 40 + ys // 40) % 2) * 160 + 40])
    image = image.astype(np.uint8)
    Image.fromarray(255 - image if inverted else image).save(path)
    return path


def job(tmp_path: Path, **fields) -> RenderJob:
    defaults = {"width": WIDTH, "height": HEIGHT, "seconds": SECONDS, "out_dir": str(tmp_path / "out"), "seed": 7}
    return RenderJob(**defaults | fields)


@pytest.fixture
def first(tmp_path: Path) -> Path:
    return photo(tmp_path / "first.png")


@pytest.fixture
def last(tmp_path: Path) -> Path:
    return photo(tmp_path / "last.jpg", size=(400, 600), inverted=True)


def test_a_text_card_is_h264_yuv420p_of_the_exact_size_frame_count_and_duration(tmp_path):
    result = render(job(tmp_path, prompt="A lighthouse in a storm"))

    stream, duration, frames = decode(result.video)
    assert stream.codec_context.name == "h264"
    assert stream.codec_context.pix_fmt == "yuv420p"
    assert (stream.codec_context.width, stream.codec_context.height) == (WIDTH, HEIGHT)
    assert stream.average_rate == 24
    assert len(frames) == result.frames == 24 * SECONDS
    assert frames[0].shape == (HEIGHT, WIDTH, 3)
    assert float(stream.duration * stream.time_base) == SECONDS
    assert duration == pytest.approx(SECONDS, abs=1e-3)


def test_the_index_comes_first_so_the_video_streams(tmp_path):
    data = Path(render(job(tmp_path, prompt="Fast start")).video).read_bytes()

    assert 0 < data.find(b"moov") < data.find(b"mdat")


def test_poster_is_the_first_frame_and_last_frame_the_last(tmp_path, first):
    result = render(job(tmp_path, first_image=str(first), motion=(4, 0, 5, 2, 0, 0)))

    _, _, frames = decode(result.video)
    poster = np.asarray(Image.open(result.poster))
    last_frame = np.asarray(Image.open(result.last_frame))
    assert Image.open(result.poster).format == Image.open(result.last_frame).format == "JPEG"
    assert difference(frames[0], frames[-1]) > 2 * CLOSE  # the camera did move
    assert difference(poster, frames[0]) < CLOSE < difference(poster, frames[-1])
    assert difference(last_frame, frames[-1]) < CLOSE < difference(last_frame, frames[0])


def test_the_clip_starts_on_the_first_image_cropped_to_the_frame(tmp_path, first):
    _, _, frames = decode(render(job(tmp_path, first_image=str(first))).video)

    assert difference(frames[0], fitted(first)) < CLOSE
    assert difference(frames[-1], fitted(first)) > CLOSE  # a push-in when no motion is asked


def test_first_and_last_images_open_and_close_the_clip(tmp_path, first, last):
    _, _, frames = decode(render(job(tmp_path, first_image=str(first), last_image=str(last))).video)

    assert difference(frames[0], fitted(first)) < CLOSE
    assert difference(frames[-1], fitted(last)) < CLOSE


def test_a_last_image_alone_ends_the_clip(tmp_path, last):
    _, _, frames = decode(render(job(tmp_path, last_image=str(last), motion=(-5, 3, 6, 0, 0, 0))).video)

    assert difference(frames[-1], fitted(last)) < CLOSE
    assert difference(frames[0], fitted(last)) > CLOSE


def test_a_sideways_phone_photo_is_turned_upright(tmp_path):
    stored = np.zeros((100, 200, 3), np.uint8)
    stored[:, :100] = (220, 30, 30)  # left half red, stored sideways: upright it is the top
    stored[:, 100:] = (30, 30, 220)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    path = tmp_path / "phone.jpg"
    Image.fromarray(stored).save(path, exif=exif, quality=95)

    _, _, frames = decode(render(job(tmp_path, width=192, height=320, first_image=str(path))).video)

    top, bottom = frames[0][:100].mean(axis=(0, 1)), frames[0][-100:].mean(axis=(0, 1))
    assert top[0] > 150 > top[2]
    assert bottom[2] > 150 > bottom[0]


EXTREME_MOTIONS = [
    None,
    (10, 10, 10, 10, 10, 10),
    (-10, -10, -10, -10, -10, -10),
    (10, -10, 0, 10, 0, 0),
    (0, 0, 0, -10, 0, 0),
]


@pytest.mark.parametrize("motion", EXTREME_MOTIONS)
@pytest.mark.parametrize("size", [(1280, 720), (1080, 1920), (960, 960), (1584, 672)])
def test_the_camera_never_looks_outside_the_image(motion, size):
    width, height = size
    move = CameraMove.from_motion(motion)
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]], dtype=float)
    still = (round(width * 1.3), round(height * 1.3))
    for step in range(41):
        # corners of the frame (pixel edges) seen in the still; the matrix works on centres
        matrix = view_matrix(move.pose(step / 40, width / height), still, size)
        seen = (corners - [0.5, 0.5, 0]) @ matrix.T + 0.5
        assert (seen >= -1e-6).all()
        assert (seen[:, 0] <= still[0] + 1e-6).all() and (seen[:, 1] <= still[1] + 1e-6).all()


def test_the_same_job_gives_the_same_bytes(tmp_path, first):
    once = render(job(tmp_path / "a", first_image=str(first), motion=(3, 1, 4, 1, 0, 0)))
    twice = render(job(tmp_path / "b", first_image=str(first), motion=(3, 1, 4, 1, 0, 0)))

    for a, b in [(once.video, twice.video), (once.poster, twice.poster), (once.last_frame, twice.last_frame)]:
        assert Path(a).read_bytes() == Path(b).read_bytes()


def test_the_seed_chooses_the_title_card_backdrop(tmp_path):
    def digest(seed: int, out: str) -> str:
        video = render(job(tmp_path / out, prompt="Same words", seed=seed)).video
        return hashlib.sha256(Path(video).read_bytes()).hexdigest()

    assert digest(1, "a") == digest(1, "b") != digest(2, "c")


def test_a_long_prompt_is_wrapped_inside_the_card():
    card = title_card("a very long prompt " * 52, seed=3, width=WIDTH * 4, height=HEIGHT * 4)

    white = (card > 235).all(axis=2)
    assert white.sum() > 1000  # text was drawn
    rows, columns = np.nonzero(white)
    assert columns.min() > card.shape[1] * 0.05 and columns.max() < card.shape[1] * 0.95
    assert rows.min() > card.shape[0] * 0.05 and rows.max() < card.shape[0] * 0.95


def test_progress_rises_to_one(tmp_path):
    reported: list[float] = []
    render(job(tmp_path, prompt="Progress"), progress=reported.append)

    assert 5 <= len(reported) <= 21
    assert reported == sorted(set(reported))
    assert reported[-1] == 1.0 and reported[0] > 0


def test_should_cancel_stops_the_render_and_leaves_nothing(tmp_path):
    asked = []

    def should_cancel() -> bool:
        asked.append(True)
        return len(asked) > 10

    with pytest.raises(RenderCancelled):
        render(job(tmp_path, prompt="Cancel me"), should_cancel=should_cancel)

    assert len(asked) == 11
    assert list((tmp_path / "out").iterdir()) == []


def test_renders_in_a_process_pool(tmp_path):
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(render, job(tmp_path, seconds=1, prompt="In another process")).result()

    _, _, frames = decode(result.video)
    assert len(frames) == 24


def test_a_real_size_clip(tmp_path):
    source = photo(tmp_path / "big.jpg", size=(3000, 2000))
    motion = (2, 1, 3, 1, 0, 0)
    result = render(job(tmp_path, width=1280, height=720, seconds=5, first_image=str(source), motion=motion))

    stream, duration, frames = decode(result.video)
    assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
    assert len(frames) == 120
    assert duration == pytest.approx(5, abs=1e-3)
    assert difference(frames[0], fitted(source, 1280, 720)) < CLOSE
