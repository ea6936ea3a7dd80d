"""Sandbox render speed, against ffmpeg's `zoompan` filter doing the same camera move.

    .venv/bin/python bench/render.py                 # 5 s and 10 s clips, 3 rounds each
    .venv/bin/python bench/render.py --rounds 5 --seconds 10

Both sides film the same 1920×1080 JPEG (made here, from a fixed seed) at 1280×720, 24 fps: a
zoom in to 1.3× with a truck right of 15% of the frame width (Reelay's motion_vector x=6, z=6),
on the same eased timeline, and both encode with the same libx264 settings (preset and CRF of
Reelay's encoder, 2 threads, no macroblock tree). Rounds alternate between the two tools, so a
busy machine slows both alike; the figures are medians and the ratio is taken within one run.

Then a profile of one 10-second render says where its time goes (warp or encode), and the two
stages are timed alone: filming every frame without encoding, and encoding frames filmed before.
ffmpeg is the binary of the `imageio-ffmpeg` wheel (pip install '.[bench]').
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from reelay.engines.sandbox import encode
from reelay.engines.sandbox.camera import TRUCK_PER_UNIT, ZOOM_PER_UNIT, CameraPath
from reelay.engines.sandbox.picture import new_frame
from reelay.engines.sandbox.render import RenderJob, plan_shot, render

WIDTH, HEIGHT, FPS = 1280, 720, 24
SOURCE = (1920, 1080)
MOTION = (6.0, 0.0, 6.0, 0.0, 0.0, 0.0)  # truck right 6/40 of the width, zoom in 1 + 6/20


def test_image(path: Path) -> Path:
    """A photo-like picture: soft colour clouds at several scales, with sharp discs over them."""
    rng = np.random.default_rng(20240601)
    width, height = SOURCE
    image = np.zeros((height, width, 3), np.float32)
    for octave in range(7):
        cells = 2 ** (octave + 2)
        grid = rng.random((cells * 9 // 16 + 2, cells + 2, 3)).astype(np.float32)
        image += cv2.resize(grid, SOURCE, interpolation=cv2.INTER_CUBIC) * 0.6**octave
    image = (image - image.min()) / (image.max() - image.min()) * 255
    image = image.astype(np.uint8)
    for _ in range(80):
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        cv2.circle(image, centre, int(rng.integers(8, 90)), colour, -1, cv2.LINE_AA)
    Image.fromarray(image).save(path, quality=92)
    return path


def zoompan_filter(frames: int) -> str:
    """zoompan expressions for Reelay's camera path: the same zoom, truck and easing, frame by frame."""
    path = CameraPath(MOTION, WIDTH, HEIGHT)
    x, _, z, *_ = MOTION
    b = path.base_zoom
    eased = f"(on/{frames - 1}-0.5*sin(2*PI*on/{frames - 1})/(2*PI))"  # camera.ease, with EASE = 0.5
    zoom = f"{b!r}*pow({1 + z * ZOOM_PER_UNIT!r},{eased})"
    # the view's centre moves x/40 of the frame (x/40/b of the picture) across, centred
    left = f"iw/2+{x * TRUCK_PER_UNIT / b!r}*({eased}-0.5)*iw-iw/zoom/2"
    top = "ih/2-ih/zoom/2"
    return (
        f"format=yuv420p,zoompan=z='{zoom}':x='{left}':y='{top}':d={frames}:s={WIDTH}x{HEIGHT}:fps={FPS}"
    )


def run_zoompan(ffmpeg: str, source: Path, seconds: int, out: Path) -> float:
    frames = seconds * FPS
    command = [
        ffmpeg, "-v", "error", "-y", "-i", str(source),
        "-vf", zoompan_filter(frames), "-frames:v", str(frames),
        "-c:v", "libx264", "-preset", encode.PRESET, "-crf", str(encode.CRF), "-threads", str(encode.X264_THREADS),
        "-x264-params", "mbtree=0", "-g", str(encode.KEYFRAME_SECONDS * FPS), "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", str(out),
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def run_reelay(source: Path, seconds: int, out: Path) -> float:
    job = RenderJob(WIDTH, HEIGHT, seconds, str(out), seed=1, first_image=str(source), motion=MOTION)
    start = time.perf_counter()
    render(job)
    return time.perf_counter() - start


def middle_frame(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    return frames[len(frames) // 2]


def stages(source: Path, seconds: int) -> tuple[float, float]:
    """Filming every frame without encoding, then encoding those frames alone (seconds each)."""
    job = RenderJob(WIDTH, HEIGHT, seconds, "", seed=1, first_image=str(source), motion=MOTION)
    shot = plan_shot(job)
    count = seconds * FPS
    filmed = []
    start = time.perf_counter()
    for index in range(count):
        buffer, planes = new_frame(WIDTH, HEIGHT)
        shot.frame_into(index / (count - 1), planes)
        filmed.append(buffer)
    warp = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with encode.Mp4Writer(Path(tmp) / "encode-only.mp4", WIDTH, HEIGHT, FPS) as writer:
            for buffer in filmed:
                writer.write_i420(buffer)
        encoding = time.perf_counter() - start
    return warp, encoding


def profile(source: Path, seconds: int, out: Path) -> list[tuple[str, float]]:
    """Main-thread time of one render, by what it was doing (x264's own threads run alongside)."""
    profiler = cProfile.Profile()
    job = RenderJob(WIDTH, HEIGHT, seconds, str(out), seed=1, first_image=str(source), motion=MOTION)
    start = time.perf_counter()
    profiler.runcall(render, job)
    total = time.perf_counter() - start
    stats = pstats.Stats(profiler, stream=io.StringIO()).stats

    def own(name: str) -> float:  # time inside a C function, over all its calls
        return sum(row[2] for (_, _, function), row in stats.items() if name in function)

    def within(name: str) -> float:  # time inside a Python function, callees included
        return sum(row[3] for (_, _, function), row in stats.items() if function == name)

    parts = [
        ("warp (cv2.warpPerspective, 3 planes a frame)", own("warpPerspective")),
        ("encode (x264 via PyAV: encode + mux + flush)", own("'encode' of 'av.") + own("'mux' of 'av.")),
        ("frame copy into PyAV (VideoFrame.from_ndarray)", own("from_ndarray")),
        ("set-up (decode, crop and resize the image; plan)", within("plan_shot")),
        ("poster and last frame (JPEG)", within("_save_jpeg")),
    ]
    parts.append(("other", total - sum(seconds for _, seconds in parts)))
    parts.append(("total", total))
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, nargs="+", default=[5, 10])
    parser.add_argument("--no-profile", action="store_true")
    options = parser.parse_args()
    try:
        import imageio_ffmpeg
    except ImportError:
        sys.exit("ffmpeg comes from the imageio-ffmpeg wheel: pip install -e '.[bench]'")
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    version = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True).stdout.split("\n")[0]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = test_image(work / "source.jpg")
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.2f} at start")  # fmt: skip
        print(f"python {platform.python_version()}, opencv {cv2.__version__}, pyav {av.__version__}, {version}")
        print(f"x264: preset {encode.PRESET}, crf {encode.CRF}, {encode.X264_THREADS} threads, mbtree=0\n")

        times: dict[tuple[int, str], list[float]] = {}
        for round_ in range(options.rounds):
            for seconds in options.seconds:
                for tool in ("reelay", "zoompan") if round_ % 2 == 0 else ("zoompan", "reelay"):
                    out = work / f"{tool}-{seconds}"
                    if tool == "reelay":
                        took = run_reelay(source, seconds, out)
                    else:
                        took = run_zoompan(ffmpeg, source, seconds, out.with_suffix(".mp4"))
                    times.setdefault((seconds, tool), []).append(took)

        print("| clip | Reelay sandbox | ffmpeg zoompan | zoompan ÷ Reelay | Reelay, share of real time |")
        print("| --- | --- | --- | --- | --- |")
        for seconds in options.seconds:
            ours = statistics.median(times[(seconds, "reelay")])
            theirs = statistics.median(times[(seconds, "zoompan")])
            print(f"| {seconds} s 1280×720 | {ours:.2f} s | {theirs:.2f} s | {theirs / ours:.2f}× | {ours / seconds:.2f} |")
        print(f"\n(medians of {options.rounds} alternating rounds; load average {os.getloadavg()[0]:.2f} at the end)")

        seconds = max(options.seconds)
        a = middle_frame(work / f"reelay-{seconds}" / "video.mp4")
        b = middle_frame(work / f"zoompan-{seconds}.mp4")
        print(f"same move: the two middle frames differ by {np.abs(a.astype(int) - b.astype(int)).mean():.1f}/255 "
              f"on average (zoompan crops at whole input pixels)")  # fmt: skip

        if options.no_profile:
            return
        warp, encoding = stages(source, seconds)
        print(f"\nstages alone, {seconds} s clip: filming {seconds * FPS} frames {warp:.2f} s "
              f"({warp / seconds / FPS * 1000:.1f} ms a frame), encoding them {encoding:.2f} s "
              f"({encoding / seconds / FPS * 1000:.1f} ms a frame)\n")  # fmt: skip
        print(f"| one {seconds} s render, main thread (cProfile) | seconds | share |")
        print("| --- | --- | --- |")
        parts = profile(source, seconds, work / "profiled")
        total = parts[-1][1]
        for name, took in parts:
            print(f"| {name} | {took:.2f} | {took / total:.0%} |")


if __name__ == "__main__":
    main()
