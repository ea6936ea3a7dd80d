"""The diffusers engine in a real `reelay worker --engines diffusers` beside `reelay serve` (its
worker off): tiny random pipelines built here from configs, saved to folders, loaded by the
worker through the engine's real loading path (docs/gpu.md). Sizes come from the channels' size
tables (tiny), durations as asked; the outputs are noise, so the checks are sizes, lengths,
determinism, routing, cancels and errors."""

from __future__ import annotations

import io
import time

import av
import httpx
import numpy as np
import pytest
from runwayml import RunwayML

from support import tiny_diffusers as tiny
from support.client import ReelayClient
from support.images import data_uri, gradient_image
from support.processes import starts_processes
from support.server import ReelayProcess
from support.tasks import wait_official
from support.video import probe

FIRST = data_uri(gradient_image(800, 500), "JPEG")
LAST = data_uri(gradient_image(800, 500, seed=9), "PNG")

# wan-5b answers first (priority) for what it can do; a last image only wan-a14b honours, so
# such a request can go nowhere else. wan-slow (2000 steps) is for cancels; wan-missing's folder
# is not there.
CONFIG = """
[[channels]]
name = "wan-5b"
engine = "diffusers"
model_dir = "{root}/wan-5b"
family = "wan2.2-ti2v-5b"
device = "cpu"
dtype = "float32"
steps = 2
models = ["gen4_turbo"]
priority = 10
sizes = {{ "16:9" = "128x64", "9:16" = "64x128", "1:1" = "64x64" }}

[[channels]]
name = "wan-a14b"
engine = "diffusers"
model_dir = "{root}/wan-a14b"
family = "wan2.2-i2v-a14b"
device = "cpu"
dtype = "float32"
steps = 2
models = ["gen4_turbo"]
sizes = {{ "16:9" = "96x48" }}

[[channels]]
name = "wan-slow"
engine = "diffusers"
model_dir = "{root}/wan-5b"
family = "wan2.2-ti2v-5b"
device = "cpu"
dtype = "float32"
steps = 2000
models = ["veo3.1_fast"]
sizes = {{ "16:9" = "64x32" }}

[[channels]]
name = "wan-missing"
engine = "diffusers"
model_dir = "{root}/nowhere"
family = "wan2.2-t2v-a14b"
device = "cpu"
models = ["kling3.0_standard"]
"""


@pytest.fixture(scope="module")
@starts_processes
def box(tmp_path_factory):
    root = tmp_path_factory.mktemp("diffusers")
    tiny.wan22_ti2v_5b(root / "wan-5b")
    tiny.wan22_i2v_a14b(root / "wan-a14b")
    config = root / "reelay.toml"
    config.write_text(CONFIG.format(root=root))
    server = ReelayProcess(
        root / "data", extra_env={"REELAY_WORKER": "false", "REELAY_CONFIG": str(config)}, render_scale=None
    ).start()
    server.start_worker("--engines", "diffusers")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(box):
    reelay = ReelayClient(box.url, box.create_key())
    yield reelay
    reelay.close()


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_a_pro_text_task_renders_the_mapped_size_for_the_asked_seconds(client):
    done = client.wait_pro(client.pro(prompt="a cat at dusk", model="gen4_turbo", options={"seconds": 5}, seed=7))
    assert done["state"] == "succeeded", done
    facts = probe(httpx.get(done["video_url"]).content)
    # 16:9 -> the channel's 128x64; 5 s at 24 fps (the model's 121 frames, the extra one dropped).
    assert (facts.codec, facts.pix_fmt, facts.width, facts.height) == ("h264", "yuv420p", 128, 64)
    assert facts.fps == 24 and facts.frames == 120 and facts.duration == pytest.approx(5.0)
    for still in ("poster", "last_frame"):
        picture = httpx.get(done[still])
        assert picture.headers["content-type"] == "image/jpeg" and len(picture.content) > 200


def test_the_same_seed_gives_the_same_frames(client):
    body = dict(prompt="a boat on the sea", model="gen4_turbo", ratio="9:16", options={"seconds": 5}, seed=11)
    runs = [client.wait_pro(client.pro(**body)) for _ in range(2)]
    videos = [frames_of(httpx.get(run["video_url"]).content) for run in runs]
    assert len(videos[0]) == 120 and videos[0][0].shape == (128, 64, 3)
    assert all(np.array_equal(a, b) for a, b in zip(*videos, strict=True))
    other = client.wait_pro(client.pro(**{**body, "seed": 12}))
    assert not np.array_equal(frames_of(httpx.get(other["video_url"]).content)[60], videos[0][60])


def test_a_last_image_goes_to_the_channel_whose_pipeline_honours_it(client):
    done = client.wait_pro(
        client.pro(prompt="morph", model="gen4_turbo", image=FIRST, last_image=LAST, options={"seconds": 5})
    )
    assert done["state"] == "succeeded", done
    facts = probe(httpx.get(done["video_url"]).content)
    # wan-a14b's size (TI2V-5B would drop the last image), 16 fps frames interpolated to 24 fps.
    assert (facts.width, facts.height, facts.fps, facts.frames) == (96, 48, 24, 120)


def test_an_official_image_to_video_through_runways_sdk(box, client):
    sdk = RunwayML(base_url=box.url, api_key=client.key, _strict_response_validation=True, max_retries=0)
    task = sdk.image_to_video.create(
        model="gen4_turbo", prompt_image=FIRST, ratio="1280:720", duration=2, prompt_text="a slow pan"
    ).wait_for_task_output(timeout=120)
    assert task.status == "SUCCEEDED"
    facts = probe(httpx.get(task.output[0]).content)
    # A first image alone: wan-5b (priority 10) through its image pipeline, at its 16:9 size.
    assert (facts.codec, facts.width, facts.height, facts.fps, facts.frames) == ("h264", 128, 64, 24, 48)


def test_a_cancel_frees_the_device_and_a_second_task_waits_throttled_meanwhile(client):
    body = dict(model="veo3.1_fast", promptText="a lighthouse", ratio="1280:720", duration=4)
    first = client.official("/v1/text_to_video", **body)
    wait_official(client.http, first, 60, until={"RUNNING"})
    second = client.official("/v1/text_to_video", **body)
    # The channel takes one task at a time (its default cap): the second waits THROTTLED.
    assert wait_official(client.http, second, 30, until={"THROTTLED"})["status"] == "THROTTLED"
    deadline = time.time() + 60
    while (client.task(first).get("progress") or 0) <= 0 and time.time() < deadline:
        time.sleep(0.1)  # denoising steps are reported as they end
    assert client.task(first)["progress"] > 0
    assert client.http.delete(f"/v1/tasks/{first}").status_code == 204
    # 2000 steps take minutes; stopped at the next one, the device is free for the second at once.
    started = time.time()
    wait_official(client.http, second, 30, until={"RUNNING"})
    assert time.time() - started < 20
    assert client.http.delete(f"/v1/tasks/{second}").status_code == 204  # cancelled and deleted, as on Runway


def test_a_missing_model_folder_fails_the_task_with_a_code_and_the_worker_serves_on(client):
    missing = client.official(
        "/v1/text_to_video", model="kling3.0_standard", promptText="a dog", ratio="1280:720", duration=3
    )
    failed = wait_official(client.http, missing, 60)
    assert failed["status"] == "FAILED"
    assert failed["failureCode"] == "INTERNAL.MODEL_NOT_FOUND"
    assert "nowhere" in failed["failure"] and "does not exist" in failed["failure"]
    done = client.wait_pro(client.pro(prompt="a dog", model="gen4_turbo", ratio="1:1", options={"seconds": 5}))
    assert done["state"] == "succeeded", done
    assert probe(httpx.get(done["video_url"]).content).width == 64


def test_the_server_never_loads_torch_and_the_worker_does(box, client):
    """After the tasks above: the API process routed them with no torch in it."""

    def loaded(pid: int) -> bool:
        with open(f"/proc/{pid}/maps") as maps:
            return "libtorch" in maps.read()

    assert not loaded(box.process.pid)
    assert loaded(box.workers[0].pid)
