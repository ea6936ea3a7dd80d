"""Runway's TypeScript SDK (@runwayml/sdk, pinned in tests/ts/package-lock.json) as a client of
the session's real Reelay process, on every generation endpoint Reelay serves: each call is
created with the SDK and waited for with its own `.waitForTaskOutput()`, and the outputs are
decoded here for their size, frame rate and length. Also `uploads.createEphemeral` with its
runway:// URI used in a create, `tasks.delete` on a running task, then `retrieve` raising the
SDK's NotFoundError, and a failed task raising its TaskFailedError with the failure code.

One node process runs the whole plan (tests/ts/sdk_client.mjs), every call at once: the SDK
polls every 6 s, so a process per call would add that many times over. The SDK is installed from
npm once into a cache folder (kept between sessions while the lock file is unchanged); without
node the tests skip. Sizes are checked on the shared server, which renders the size asked for."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from support.images import data_uri, encode, gradient_image
from support.media import data_uri as media_uri
from support.motion import panning_video
from support.video import probe
from support.video_inputs import moving_square_mp4, video_data_uri

pytestmark = pytest.mark.e2e

TS = Path(__file__).parent / "ts"


def _cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reelay-tests"


@pytest.fixture(scope="session")
def ts_sdk() -> Path:
    """A folder whose node_modules holds the pinned SDK: `npm ci` once per lock file."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: Runway's TypeScript SDK cannot run")
    lock = (TS / "package-lock.json").read_bytes()
    folder = _cache_root() / f"ts-sdk-{hashlib.sha256(lock).hexdigest()[:16]}"
    if (folder / "node_modules" / "@runwayml" / "sdk" / "package.json").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Installed beside, then renamed: a half-done install is never taken for a finished one.
    scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix="installing-"))
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(TS / name, scratch / name)
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        pytest.fail(f"npm ci of Runway's TypeScript SDK failed:\n{done.stdout}\n{done.stderr}")
    try:
        scratch.rename(folder)
    except OSError:  # another session finished first: use its copy
        shutil.rmtree(scratch, ignore_errors=True)
    return folder


@dataclass(frozen=True)
class Video:
    width: int
    height: int
    fps: int
    seconds: int


@dataclass(frozen=True)
class Images:
    count: int
    width: int
    height: int


@dataclass(frozen=True)
class Call:
    name: str
    resource: str  # as the TypeScript SDK names it: client.imageToVideo, client.textToImage, ...
    params: dict[str, Any]
    expect: Video | Images


FIRST = data_uri(gradient_image(800, 500, seed=6), "JPEG")
LAST = data_uri(gradient_image(800, 500, seed=9), "PNG")
SOURCE = video_data_uri(moving_square_mp4(width=160, height=96, fps=12, seconds=2))  # 12 fps, 2 s
CHARACTER = data_uri(gradient_image(640, 480, seed=2), "JPEG")
REFERENCE = media_uri(panning_video(3.0), "video/mp4")  # act_two takes 3 s at least
SMALL_PICTURE = data_uri(gradient_image(400, 300, seed=5), "PNG")

# Short durations and the smallest sizes each model takes: the server renders the size asked for.
CALLS = [
    Call(
        "text_to_image",
        "textToImage",
        dict(model="gemini_image3.1_flash", promptText="a lighthouse", ratio="672:384", outputCount=4),
        Images(4, 672, 384),
    ),
    Call(
        "image_to_video gen4.5 from an upload",
        "imageToVideo",
        dict(model="gen4.5", promptImage="upload:first", promptText="a slow pan", ratio="960:960", duration=2),
        Video(960, 960, 24, 2),
    ),
    Call(
        "image_to_video veo3.1 first and last frames",
        "imageToVideo",
        dict(
            model="veo3.1",
            promptImage=[{"uri": FIRST, "position": "first"}, {"uri": LAST, "position": "last"}],
            ratio="1280:720",
            duration=4,
        ),
        Video(1280, 720, 24, 4),
    ),
    Call(
        "image_to_video seedance2",
        "imageToVideo",
        dict(model="seedance2", promptImage=FIRST, ratio="640:640", duration=4),
        Video(640, 640, 24, 4),
    ),
    # The TypeScript SDK 4.20.1 types no kling model on imageToVideo; the Python SDK 5.24 does,
    # and the TypeScript client sends the body as given.
    Call(
        "image_to_video kling3.0",
        "imageToVideo",
        dict(model="kling3.0_standard", promptImage=FIRST, ratio="960:960", duration=3),
        Video(960, 960, 24, 3),
    ),
    Call(
        "image_to_video wan3",
        "imageToVideo",
        dict(model="wan3", promptImage=FIRST, promptText="a kite", ratio="832:480", duration=2),
        Video(832, 480, 24, 2),
    ),
    Call(
        "image_to_video grok_imagine",
        "imageToVideo",
        dict(model="grok_imagine_1_5", promptImage=FIRST, resolution="480p", duration=1),
        Video(854, 480, 24, 1),  # no ratio: 16:9 at the resolution's height
    ),
    Call(
        "image_to_video hailuo3",
        "imageToVideo",
        dict(model="hailuo3", promptImage=FIRST, promptText="a kite", ratio="1:1", resolution="768p", duration=6),
        Video(768, 768, 24, 6),
    ),
    Call(
        "text_to_video",
        "textToVideo",
        dict(model="gen4.5", promptText="a lighthouse at dusk", ratio="720:1280", duration=2),
        Video(720, 1280, 24, 2),
    ),
    Call(
        "video_to_video aleph2",
        "videoToVideo",
        dict(model="aleph2", videoUri=SOURCE, promptText="neon noir"),
        Video(160, 96, 24, 2),  # the input's size and length, at Runway's 24 fps
    ),
    Call(
        "character_performance act_two",
        "characterPerformance",
        dict(
            model="act_two",
            character={"type": "image", "uri": CHARACTER},
            reference={"type": "video", "uri": REFERENCE},
            ratio="960:960",
        ),
        Video(960, 960, 24, 3),  # as long as the reference
    ),
    Call(
        "video_upscale magnific to 720p",
        "videoUpscale",
        dict(model="magnific_video_upscaler_creative", videoUri=SOURCE, resolution="720p"),
        Video(1200, 720, 12, 2),  # the input's aspect, rate and length
    ),
    Call(
        "video_upscale enhance_frame_rate to 60",
        "videoUpscale",
        dict(model="enhance_frame_rate", videoUri=SOURCE, targetFramerate="60"),
        Video(160, 96, 60, 2),
    ),
    Call(
        "image_upscale by 4",
        "imageUpscale",
        dict(model="magnific_precision_upscaler_v2", imageUri=SMALL_PICTURE, scaleFactor=4),
        Images(1, 1600, 1200),
    ),
]
FAILING = dict(model="gen4.5", promptText="[sandbox:fail=SAFETY.INPUT.TEXT] a cat", ratio="1280:720", duration=2)
HELD = dict(model="gen4_turbo", promptImage=FIRST, ratio="960:960", duration=2, promptText="[sandbox:delay=60] hold")


@pytest.fixture(scope="module")
def seen(ts_sdk, reelay, api_key, tmp_path_factory) -> dict[str, Any]:
    """What the TypeScript SDK saw of the whole plan, run once for the module's tests."""
    folder = tmp_path_factory.mktemp("ts-plan")
    image = folder / "first-frame.jpg"
    image.write_bytes(encode(gradient_image(800, 500, seed=6), "JPEG"))
    calls = [{"name": c.name, "resource": c.resource, "params": c.params} for c in CALLS]
    calls.append({"name": "held", "resource": "imageToVideo", "params": HELD, "then": "delete"})
    calls.append({"name": "refused by moderation", "resource": "textToVideo", "params": FAILING})
    plan = folder / "plan.json"
    plan.write_text(json.dumps({"uploads": {"first": str(image)}, "calls": calls}))
    env = {**os.environ, "REELAY_URL": reelay.url, "REELAY_API_KEY": api_key, "REELAY_TS_MODULES": str(ts_sdk)}
    run = subprocess.run(
        ["node", str(TS / "sdk_client.mjs"), str(plan)], env=env, capture_output=True, text=True, timeout=420
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def _fetched(url: str) -> httpx.Response:
    answer = httpx.get(url)
    assert answer.status_code == 200, url
    return answer


@pytest.mark.parametrize("call", CALLS, ids=[c.name for c in CALLS])
def test_each_endpoint_waits_for_output_of_the_size_asked(seen, call):
    result = seen["results"][call.name]
    assert result.get("status") == "SUCCEEDED", result
    assert result["id"] == result["created"]
    expect = call.expect
    if isinstance(expect, Images):
        assert len(result["output"]) == expect.count
        images = [Image.open(io.BytesIO(_fetched(url).content)) for url in result["output"]]
        for image in images:
            image.load()  # a real decode, not just a header
            assert image.size == (expect.width, expect.height)
        assert len({image.tobytes() for image in images}) == expect.count  # each its own picture
        return
    (url,) = result["output"]
    video = _fetched(url)
    assert video.headers["content-type"] == "video/mp4"
    facts = probe(video.content)
    assert (facts.codec, facts.width, facts.height, facts.fps) == ("h264", expect.width, expect.height, expect.fps)
    assert facts.frames == expect.fps * expect.seconds
    assert facts.duration == pytest.approx(expect.seconds)


def test_an_ephemeral_upload_is_a_runway_uri_a_create_takes(seen):
    assert seen["uploads"]["first"].startswith("runway://")
    # The gen4.5 call's first frame was that URI; it succeeded (checked above) only if Reelay read it.
    assert seen["results"]["image_to_video gen4.5 from an upload"]["status"] == "SUCCEEDED"


def test_a_running_task_deleted_then_read_raises_not_found(seen):
    held = seen["results"]["held"]
    assert held.get("deletedWhile") == "RUNNING", held
    assert held["afterDelete"] == "NotFoundError"


def test_a_failed_task_raises_the_sdks_task_failed_error_with_its_code(seen):
    failed = seen["results"]["refused by moderation"]
    assert failed.get("error") == "TaskFailedError", failed
    assert failed["task"]["status"] == "FAILED" and failed["task"]["failureCode"] == "SAFETY.INPUT.TEXT"
    assert "moderation" in failed["message"]
