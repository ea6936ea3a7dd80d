"""Sandbox render speed, against ffmpeg's `zoompan` filter doing the same camera move.

    .venv/bin/python bench/render.py                 # 5 s and 10 s clips, 3 rounds
    .venv/bin/python bench/render.py --rounds 5 --seconds 10

Both sides film the same JPEG (made here, from a fixed seed) at 1280×720, 24 fps: a zoom in to
1.3× with a truck right of 15% of the frame width (Reelay's motion_vector x=6, z=6), on the
same eased timeline, and both encode with the same libx264 settings (Reelay's preset, x264
parameters and CRF, 2 threads). Two pictures: a 1920×1080 frame grab and a 12-megapixel phone
photo (4032×3024, cropped to 16:9 around its centre by both). zoompan crops at whole input
pixels, so its moves judder; the usual remedy, enlarging the input first, is timed too ("zoompan
2×": half-pixel steps). Rounds alternate between the tools, so a busy machine slows all alike;
figures are medians, ratios are taken within the run. Wall time is what a client waits; CPU
time (user + system, all threads) is the work done, the steadier figure on a shared machine.
A third zoompan runs as a plain `ffmpeg -vf zoompan=... out.mp4` does, with ffmpeg's default
libx264 settings (preset medium, crf 23, threads auto): what a user comparing tools would time.

The ceiling: x264 alone encoding frames filmed beforehand, at Reelay's settings, is timed too.
No renderer that uses this encoder can finish faster than that, so "zoompan ÷ x264 alone" is
the most any of them could be faster than zoompan at the same settings.

Then each stage alone, on the 10-second clip: Reelay's camera filming every frame (no encoding),
zoompan producing every frame (no encoding), and x264 encoding Reelay's frames; and a profile
of one Reelay render, by what its main thread was doing.
ffmpeg is the binary of the `imageio-ffmpeg` wheel (pip install -e '.[bench]').

Then the sandbox's image upscale (`engines/sandbox/images.py`: decode, Lanczos resize, unsharp
mask, encode) in output megapixels per second, for JPEG and PNG inputs of the same picture, up to
Runway's largest output (25.3 megapixels). `--upscale` runs that figure alone (no ffmpeg needed).

    .venv/bin/python bench/render.py --upscale

Last, the video-in renders (video_upscale, enhance_frame_rate, video_to_video), per second of
output, on a 5 s 1280×720 24 fps input (Reelay's camera over the 1920×1080 picture):

    .venv/bin/python bench/render.py --video-in-only   # those figures alone, about 2 minutes
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from reelay.engines.sandbox import encode
from reelay.engines.sandbox.camera import TRUCK_PER_UNIT, ZOOM_PER_UNIT, CameraPath, ease
from reelay.engines.sandbox.images import UpscaleJob
from reelay.engines.sandbox.picture import new_frame
from reelay.engines.sandbox.render import RenderJob, plan_shot, render
from reelay.engines.sandbox.video_render import FRAME_RATE, RESTYLE, UPSCALE, VideoJob, render_video

WIDTH, HEIGHT, FPS = 1280, 720, 24
SOURCES = {"1920×1080 JPEG": (1920, 1080), "4032×3024 photo": (4032, 3024)}
MOTION = (6.0, 0.0, 6.0, 0.0, 0.0, 0.0)  # truck right 6/40 of the width, zoom in 1 + 6/20
TOOLS = {
    "reelay": "Reelay",
    "zoompan": "zoompan",
    "zoompan2x": "zoompan 2×",
    "zoompan_default": "zoompan, ffmpeg defaults",
}
RATIOS = ("zoompan", "zoompan2x", "zoompan_default")  # each divided by Reelay's figure
SMOOTH_UPSCALE = 2  # "zoompan 2×": the input enlarged this much first, for finer crop steps


def test_image(path: Path, size: tuple[int, int]) -> Path:
    """A photo-like picture: soft colour clouds at several scales, with sharp discs over them."""
    rng = np.random.default_rng(20240601)
    width, height = size
    image = np.zeros((height, width, 3), np.float32)
    for octave in range(7):
        cells = 2 ** (octave + 2)
        grid = rng.random((cells * height // width + 2, cells + 2, 3)).astype(np.float32)
        image += cv2.resize(grid, size, interpolation=cv2.INTER_CUBIC) * 0.6**octave
    image = (image - image.min()) / (image.max() - image.min()) * 255
    image = image.astype(np.uint8)
    for _ in range(80):
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        cv2.circle(image, centre, int(rng.integers(width // 240, width // 20)), colour, -1, cv2.LINE_AA)
    Image.fromarray(image).save(path, quality=92)
    return path


def zoompan_filter(frames: int, motion=MOTION, upscale: int = 1) -> str:
    """zoompan expressions for Reelay's camera path: the same zoom, truck and easing, frame by frame."""
    path = CameraPath(motion, WIDTH, HEIGHT)
    x, _, z, *_ = motion
    b = path.base_zoom
    eased = f"(on/{frames - 1}-0.5*sin(2*PI*on/{frames - 1})/(2*PI))"  # camera.ease, with EASE = 0.5
    zoom = f"{b!r}*pow({1 + z * ZOOM_PER_UNIT!r},{eased})"
    # the view's centre moves x/40 of the frame (x/40/b of the picture) across, centred
    left = f"iw/2+{x * TRUCK_PER_UNIT / b!r}*({eased}-0.5)*iw-iw/zoom/2"
    top = "ih/2-ih/zoom/2"
    cover = f"crop='min(iw,ih*{WIDTH}/{HEIGHT})':'min(ih,iw*{HEIGHT}/{WIDTH})'"  # 16:9 around the centre
    enlarge = f"scale=iw*{upscale}:ih*{upscale}," if upscale > 1 else ""
    return (
        f"{cover},{enlarge}format=yuv420p,"
        f"zoompan=z='{zoom}':x='{left}':y='{top}':d={frames}:s={WIDTH}x{HEIGHT}:fps={FPS}"
    )


def cpu_time(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_zoompan(
    ffmpeg: str,
    source: Path,
    seconds: int,
    out: Path,
    *,
    motion=MOTION,
    upscale: int = 1,
    encode_too: bool = True,
    ffmpeg_defaults: bool = False,
) -> tuple[float, float]:
    """Wall and CPU seconds of ffmpeg making the clip (or only its frames, thrown away)."""
    frames = seconds * FPS
    if ffmpeg_defaults:
        output = ["-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)]
    elif encode_too:
        output = [
            "-c:v", "libx264", "-preset", encode.PRESET, "-crf", str(encode.CRF),
            "-threads", str(encode.X264_THREADS), "-x264-params", encode.X264_PARAMS,
            "-g", str(encode.KEYFRAME_SECONDS * FPS), "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out),
        ]  # fmt: skip
    else:
        output = ["-f", "rawvideo", "-pix_fmt", "yuv420p", os.devnull]
    video_filter = zoompan_filter(frames, motion, upscale)
    command = [ffmpeg, "-v", "error", "-y", "-i", str(source), "-vf", video_filter, "-frames:v", str(frames)]
    cpu, start = cpu_time(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command + output, check=True)
    return time.perf_counter() - start, cpu_time(resource.RUSAGE_CHILDREN) - cpu


def run_reelay(source: Path, seconds: int, out: Path, *, motion=MOTION) -> tuple[float, float]:
    """Wall and CPU seconds of the sandbox renderer making the clip, poster and last frame."""
    job = RenderJob(WIDTH, HEIGHT, seconds, str(out), seed=1, first_image=str(source), motion=motion)
    cpu, start = cpu_time(resource.RUSAGE_SELF), time.perf_counter()
    render(job)
    return time.perf_counter() - start, cpu_time(resource.RUSAGE_SELF) - cpu


def run(tool: str, ffmpeg: str, source: Path, seconds: int, work: Path, motion=MOTION) -> tuple[Path, float, float]:
    out = work / f"{tool}-{source.stem}-{seconds}-{motion[0]:g}"
    if tool == "reelay":
        return out / "video.mp4", *run_reelay(source, seconds, out, motion=motion)
    upscale = SMOOTH_UPSCALE if tool == "zoompan2x" else 1
    video = out.with_suffix(".mp4")
    defaults = tool == "zoompan_default"
    return video, *run_zoompan(ffmpeg, source, seconds, video, motion=motion, upscale=upscale, ffmpeg_defaults=defaults)


def luma(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="gray").astype(np.float32) for frame in container.decode(video=0)]


def judder(ffmpeg: str, source: Path, work: Path) -> dict[str, tuple[float, float]]:
    """How far each tool's picture strays from the planned path in a slow truck (x=2, 2 s):
    (largest, root-mean-square) error in pixels, measured by phase correlation to frame 0."""
    motion, seconds = (2.0, 0.0, 0.0, 0.0, 0.0, 0.0), 2
    frames = seconds * FPS
    planned = np.array([-WIDTH * motion[0] * TRUCK_PER_UNIT * ease(i / (frames - 1)) for i in range(frames)])
    window = cv2.createHanningWindow((WIDTH, HEIGHT), cv2.CV_32F)
    result = {}
    for tool in TOOLS:
        video, _, _ = run(tool, ffmpeg, source, seconds, work, motion)
        clip = luma(video)
        error = np.array([cv2.phaseCorrelate(clip[0], frame, window)[0][0] for frame in clip]) - planned
        result[tool] = float(np.abs(error).max()), float(np.sqrt((error**2).mean()))
    return result


def stages(source: Path, seconds: int) -> tuple[float, float]:
    """CPU seconds of Reelay's camera filming every frame alone, then of x264 encoding them alone."""
    job = RenderJob(WIDTH, HEIGHT, seconds, "", seed=1, first_image=str(source), motion=MOTION)
    shot = plan_shot(job)
    count = seconds * FPS
    filmed = []
    cpu = cpu_time(resource.RUSAGE_SELF)
    for index in range(count):
        buffer, planes = new_frame(WIDTH, HEIGHT)
        shot.frame_into(index / (count - 1), planes)
        filmed.append(buffer)
    camera = cpu_time(resource.RUSAGE_SELF) - cpu
    with tempfile.TemporaryDirectory() as tmp:
        cpu = cpu_time(resource.RUSAGE_SELF)
        with encode.Mp4Writer(Path(tmp) / "encode-only.mp4", WIDTH, HEIGHT, FPS) as writer:
            for buffer in filmed:
                writer.write_i420(buffer)
        encoding = cpu_time(resource.RUSAGE_SELF) - cpu
    return camera, encoding


def encode_alone(source: Path, seconds: int) -> tuple[float, float]:
    """Wall and CPU seconds of x264 alone encoding the clip's frames, filmed beforehand (untimed)."""
    job = RenderJob(WIDTH, HEIGHT, seconds, "", seed=1, first_image=str(source), motion=MOTION)
    shot = plan_shot(job)
    count = seconds * FPS
    filmed = []
    for index in range(count):
        buffer, planes = new_frame(WIDTH, HEIGHT)
        shot.frame_into(index / (count - 1), planes)
        filmed.append(buffer)
    with tempfile.TemporaryDirectory() as tmp:
        cpu, start = cpu_time(resource.RUSAGE_SELF), time.perf_counter()
        with encode.Mp4Writer(Path(tmp) / "encode-only.mp4", WIDTH, HEIGHT, FPS) as writer:
            for buffer in filmed:
                writer.write_i420(buffer)
        return time.perf_counter() - start, cpu_time(resource.RUSAGE_SELF) - cpu


def profile(source: Path, seconds: int, out: Path) -> list[tuple[str, float]]:
    """Main-thread time of one render, by what it was doing.

    The main thread films; the writer's thread (and x264's own) encode alongside, so the time the
    main thread spends waiting for the encoder is the time the encoder, not the camera, limits."""
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
        ("filming: warp (cv2.warpPerspective, 3 planes a frame)", own("warpPerspective")),
        ("waiting for the encoder (x264 on its own thread: encode + mux + flush)", within("result")),
        ("set-up (decode, crop and resize the image; plan)", within("plan_shot")),
        ("poster and last frame (JPEG)", within("_save_jpeg")),
    ]
    parts.append(("other (Python, frame allocation)", total - sum(seconds for _, seconds in parts)))
    parts.append(("total", total))
    return parts


# (label, mode, output size, target rate): each from the same 720p input.
VIDEO_IN = [
    ("upscale to 1k (1920×1080)", UPSCALE, (1920, 1080), 0),
    ("upscale to 2k (2560×1440)", UPSCALE, (2560, 1440), 0),
    ("upscale to 4k (3840×2160)", UPSCALE, (3840, 2160), 0),
    ("frame rate 24 → 30 (720p)", FRAME_RATE, (WIDTH, HEIGHT), 30),
    ("frame rate 24 → 60 (720p)", FRAME_RATE, (WIDTH, HEIGHT), 60),
    ("video_to_video restyle (720p)", RESTYLE, (WIDTH, HEIGHT), 0),
]
VIDEO_IN_SECONDS = 5


def video_in_figures(source: Path, rounds: int, work: Path) -> None:
    """Wall and CPU seconds per second of output of each video-in render, medians of `rounds`."""
    clip = work / "video-in-source"
    render(RenderJob(WIDTH, HEIGHT, VIDEO_IN_SECONDS, str(clip), seed=1, first_image=str(source), motion=MOTION))
    print(f"\n| video-in render, {VIDEO_IN_SECONDS} s 1280×720 24 fps input | frames out | wall | CPU "
          "| wall per output second | CPU per output second |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    for label, mode, (width, height), rate in VIDEO_IN:
        walls, cpus, frames = [], [], 0
        for round_ in range(rounds):
            out = work / f"video-in-{mode}-{width}-{rate}-{round_}"
            job = VideoJob(mode, str(clip / "video.mp4"), width, height, str(out), seed=1, prompt="neon noir",
                           fps=Fraction(rate))  # fmt: skip
            cpu, start = cpu_time(resource.RUSAGE_SELF), time.perf_counter()
            frames = render_video(job).frames
            walls.append(time.perf_counter() - start)
            cpus.append(cpu_time(resource.RUSAGE_SELF) - cpu)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"| {label} | {frames} | {wall:.2f} s | {cpu:.2f} s | {wall / VIDEO_IN_SECONDS:.2f} s "
              f"| {cpu / VIDEO_IN_SECONDS:.2f} s |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, nargs="+", default=[5, 10])
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--upscale", action="store_true", help="only the image-upscale figure")
    parser.add_argument("--video-in-only", action="store_true", help="only the video-in renders' figures")
    options = parser.parse_args()
    if options.upscale:
        upscale_figures(options.rounds)
        return
    if options.video_in_only:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
            video_in_figures(test_image(work / "source.jpg", SOURCES["1920×1080 JPEG"]), options.rounds, work)
            print(f"(medians of {options.rounds} rounds; load average {os.getloadavg()[0]:.2f} at the end)")
        return
    try:
        import imageio_ffmpeg
    except ImportError:
        sys.exit("ffmpeg comes from the imageio-ffmpeg wheel: pip install -e '.[bench]'")
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    version = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True).stdout.split(" Copyright")[0]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = {name: test_image(work / f"source-{size[0]}.jpg", size) for name, size in SOURCES.items()}
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
        print(f"python {platform.python_version()}, opencv {cv2.__version__}, pyav {av.__version__}, {version}")
        print(f"x264 on every side: preset {encode.PRESET}, {encode.X264_PARAMS}, crf {encode.CRF}, "
              f"{encode.X264_THREADS} threads\n")  # fmt: skip

        runs: dict[tuple[str, int, str], list[tuple[float, float]]] = {}
        for round_ in range(options.rounds):
            order = list(TOOLS) if round_ % 2 == 0 else list(reversed(TOOLS))
            for name, source in sources.items():
                for seconds in options.seconds:
                    for tool in order:
                        _, wall, cpu = run(tool, ffmpeg, source, seconds, work)
                        runs.setdefault((name, seconds, tool), []).append((wall, cpu))
                    runs.setdefault((name, seconds, "x264"), []).append(encode_alone(source, seconds))
        medians = {key: [statistics.median(v) for v in zip(*values, strict=True)] for key, values in runs.items()}

        for index, kind in enumerate(("wall", "CPU")):
            print("| picture | clip | " + " | ".join(f"{label} {kind}" for label in TOOLS.values()) + " |"
                  + "".join(f" {TOOLS[tool]} ÷ Reelay |" for tool in RATIOS)
                  + (" Reelay ÷ clip length |" if index == 0 else ""))  # fmt: skip
            print("| --- | --- |" + " --- |" * (len(TOOLS) + len(RATIOS) + (index == 0)))
            for name in sources:
                for seconds in options.seconds:
                    took = {tool: medians[(name, seconds, tool)][index] for tool in TOOLS}
                    cells = [f"{took[tool]:.2f} s" for tool in TOOLS]
                    cells += [f"{took[tool] / took['reelay']:.2f}×" for tool in RATIOS]
                    if index == 0:
                        cells.append(f"{took['reelay'] / seconds:.2f}")
                    print(f"| {name} | {seconds} s | " + " | ".join(cells) + " |")
            print()
        print(f"(medians of {options.rounds} alternating rounds; load average {os.getloadavg()[0]:.2f} at the end)")

        print("\n| picture | clip | x264 alone wall | zoompan wall | ceiling at these x264 settings: zoompan ÷ x264 alone "
              "| Reelay: zoompan ÷ Reelay |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- |")
        for name in sources:
            for seconds in options.seconds:
                alone, zoompan, ours = (medians[(name, seconds, tool)][0] for tool in ("x264", "zoompan", "reelay"))
                print(
                    f"| {name} | {seconds} s | {alone:.2f} s | {zoompan:.2f} s | {zoompan / alone:.2f}× | {zoompan / ours:.2f}× |"
                )

        seconds = max(options.seconds)
        for name, source in sources.items():
            a = luma(work / f"reelay-{source.stem}-{seconds}-{MOTION[0]:g}" / "video.mp4")
            b = luma(work / f"zoompan-{source.stem}-{seconds}-{MOTION[0]:g}.mp4")
            middle = len(a) // 2
            print(f"same move ({name}): the middle frames differ by "
                  f"{np.abs(a[middle] - b[middle]).mean():.1f}/255 on average")  # fmt: skip
        errors = judder(ffmpeg, next(iter(sources.values())), work)
        print("\n| a slow truck (x=2, 2 s), distance from the planned path | " + " | ".join(TOOLS.values()) + " |")
        print("| --- |" + " --- |" * len(TOOLS))
        print("| largest | " + " | ".join(f"{errors[tool][0]:.2f} px" for tool in TOOLS) + " |")
        print("| root mean square | " + " | ".join(f"{errors[tool][1]:.2f} px" for tool in TOOLS) + " |")

        video_in_figures(next(iter(sources.values())), options.rounds, work)

        if options.no_profile:
            return
        frames = seconds * FPS
        print(f"\n| each stage alone, {seconds} s clip, CPU per frame | " + " | ".join(sources) + " |")
        print("| --- |" + " --- |" * len(sources))
        camera, zoompan, smooth, encoding = [], [], [], []
        for source in sources.values():
            ours, x264 = stages(source, seconds)
            camera.append(ours)
            encoding.append(x264)
            zoompan.append(run_zoompan(ffmpeg, source, seconds, work, encode_too=False)[1])
            smooth.append(run_zoompan(ffmpeg, source, seconds, work, upscale=SMOOTH_UPSCALE, encode_too=False)[1])
        for label, values in [
            ("Reelay's camera: Y, U and V warped (cv2.warpPerspective)", camera),
            ("ffmpeg: decode, crop, zoompan (swscale), no encoding", zoompan),
            ("ffmpeg: the same on the 2× enlarged input", smooth),
            ("x264 encoding the frames (the same on every side)", encoding),
        ]:
            print(f"| {label} | " + " | ".join(f"{v / frames * 1000:.1f} ms" for v in values) + " |")

        print(f"\n| one {seconds} s render of the 1920×1080 picture, main thread (cProfile) | seconds | share |")
        print("| --- | --- | --- |")
        parts = profile(next(iter(sources.values())), seconds, work / "profiled")
        total = parts[-1][1]
        for name, took in parts:
            print(f"| {name} | {took:.2f} | {took / total:.0%} |")

    upscale_figures(options.rounds)


# (input size, factor): a small photo at each usual factor, and Runway's largest outputs.
UPSCALES = (((1024, 768), 2), ((1024, 768), 4), ((1920, 1080), 2), ((1536, 1024), 4), ((2560, 1600), 2))


def upscale_figures(rounds: int) -> None:
    """Output megapixels per second of the sandbox's image upscale (wall time, one process)."""
    print(f"\nimage upscale (Lanczos + unsharp mask, Pillow {Image.__version__}); "
          f"load average {os.getloadavg()[0]:.2f} at start")  # fmt: skip
    print("| input | factor | output | format | wall (median) | CPU | output MP/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for (width, height), factor in UPSCALES:
            jpeg = test_image(work / f"upscale-{width}.jpg", (width, height))
            png = work / f"upscale-{width}.png"
            Image.open(jpeg).save(png)
            for source in (jpeg, png):
                job = UpscaleJob(str(source), width * factor, height * factor, str(work / "out"))
                walls, cpus = [], []
                for _ in range(rounds):
                    cpu, started = time.process_time(), time.perf_counter()
                    job.run(lambda _fraction: None, lambda: False)
                    walls.append(time.perf_counter() - started)
                    cpus.append(time.process_time() - cpu)
                wall, megapixels = statistics.median(walls), job.width * job.height / 1e6
                print(f"| {width}×{height} | {factor}× | {job.width}×{job.height} ({megapixels:.1f} MP) | "
                      f"{source.suffix[1:].upper()} | {wall:.2f} s | {statistics.median(cpus):.2f} s | "
                      f"{megapixels / wall:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
