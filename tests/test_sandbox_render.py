"""The sandbox renderer, judged by decoding the MP4 it writes."""

from __future__ import annotations

import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageOps

from reelay.engines.sandbox.render import RenderCancelled, RenderJob, render

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

    assert difference(frames[0], fitted(first)) < CLOSE / 2
    assert difference(frames[-1], fitted(last)) < CLOSE / 2


def test_a_last_image_alone_ends_the_clip(tmp_path, last):
    _, _, frames = decode(render(job(tmp_path, last_image=str(last), motion=(0, 0, 6, 0, 0, 0))).video)

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


def test_the_same_job_gives_the_same_files(tmp_path, first):
    once = render(job(tmp_path / "a", first_image=str(first), motion=(3, 1, 4, 1, 0, 0)))
    twice = render(job(tmp_path / "b", first_image=str(first), motion=(3, 1, 4, 1, 0, 0)))

    for a, b in [(once.video, twice.video), (once.poster, twice.poster), (once.last_frame, twice.last_frame)]:
        assert Path(a).read_bytes() == Path(b).read_bytes()


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "fields",
    [
        {"prompt": "Same words"},
        {"prompt": "一只小猫 [camera]", "motion": (2, -3, -4, 5, 6, -7)},
        {"first": True, "motion": (-2, 0, -6, 0, 3, 0)},
        {"first": True, "last": True},
    ],
    ids=["title", "title-with-camera", "image", "transition"],
)
def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(tmp_path, first, last, fields):
    fields = dict(fields)
    if fields.pop("first", False):
        fields["first_image"] = str(first)
    if fields.pop("last", False):
        fields["last_image"] = str(last)
    videos = [
        render(job(tmp_path / name, seed=seed, seconds=1, **fields)).video
        for name, seed in [("a", 1), ("b", 1), ("c", 2)]
    ]

    assert digest(videos[0]) == digest(videos[1]) != digest(videos[2])


def test_the_seed_chooses_the_title_card_backdrop(tmp_path):
    _, _, one = decode(render(job(tmp_path / "one", prompt="Same words", seed=1, seconds=1)).video)
    _, _, two = decode(render(job(tmp_path / "two", prompt="Same words", seed=2, seconds=1)).video)

    assert difference(one[0], two[0]) > 2 * CLOSE


def test_the_video_names_the_seed_that_made_it(tmp_path, first):
    with av.open(render(job(tmp_path, first_image=str(first), seed=4242, seconds=1)).video) as container:
        assert container.metadata["comment"] == "Reelay sandbox render, seed 4242"


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
    motion = (0, 0, 3, 0, 0, 0)  # a zoom in starts on the whole picture
    result = render(job(tmp_path, width=1280, height=720, seconds=5, first_image=str(source), motion=motion))

    stream, duration, frames = decode(result.video)
    assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
    assert len(frames) == 120
    assert duration == pytest.approx(5, abs=1e-3)
    assert difference(frames[0], fitted(source, 1280, 720)) < CLOSE


def _peak_memory_after(job: RenderJob) -> int:
    import resource

    render(job)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def test_memory_stays_flat_however_long_the_clip(tmp_path, first):
    """Frames stream to the encoder: ten seconds need no more memory than two."""
    peaks = []
    for seconds in (2, 10):
        # a fresh process each, so that each peak is that render's own
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            fields = {
                "width": 640,
                "height": 360,
                "seconds": seconds,
                "first_image": str(first),
                "motion": (3, 0, 4, 0, 0, 0),
            }
            peaks.append(pool.submit(_peak_memory_after, job(tmp_path / str(seconds), **fields)).result())

    frames_held = 24 * 8 * 640 * 360 * 3 // 2  # what keeping the extra 8 seconds of frames would take
    assert peaks[1] - peaks[0] < frames_held / 4


def test_another_process_renders_the_same_bytes(tmp_path, first, last):
    """A task rendered again after a restart, in another worker, gives the same video."""
    jobs = [
        job(tmp_path / "title", prompt="一只小猫 on a roof", motion=(3, -2, 4, 2, -5, 3), seconds=1),
        job(tmp_path / "pair", first_image=str(first), last_image=str(last), seconds=1),
    ]
    here = [digest(render(one).video) for one in jobs]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        there = [
            digest(pool.submit(render, replace(one, out_dir=one.out_dir + "-again")).result().video) for one in jobs
        ]

    assert here == there
