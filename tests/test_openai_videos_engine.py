"""The `openai-videos` engine (servers speaking OpenAI's /v1/videos: vLLM-Omni, LiteLLM,
new-api): its mappings in this process, then real `reelay serve` processes against the emulator's
/v1/videos face, through both of Reelay's dialects."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import time
from pathlib import Path

import httpx
import pytest

from reelay.config import ChannelConfig, ConfigError, load_config
from reelay.domain import catalogue
from reelay.domain.artifacts import MediaKind
from reelay.domain.request import FIRST, LAST, GenerationRequest, MediaInput
from reelay.engines.upstream.openai_form import DEFAULT_SIZES, aspect_of, model_for, seconds_for, sendable, size_for
from reelay.engines.upstream.openai_videos import failure_of
from support.backends import is_ours
from support.gateway import Gateway, channel, creates
from support.images import data_uri, encode, gradient_image
from support.tasks import wait_official, wait_pro
from support.video import probe
from test_upstream import upstream_deletes

PICTURE = gradient_image(400, 300)
IMAGE = data_uri(PICTURE, "PNG")
LAST_IMAGE = data_uri(gradient_image(400, 300, seed=5), "PNG")
WAN_I2V = "Wan-AI/Wan2.2-I2V-A14B-Diffusers"
WAN_T2V = "Wan-AI/Wan2.2-T2V-A14B-Diffusers"


def request(width=1280, height=720, ratio="1280:720", seconds=5, inputs=(), **fields) -> GenerationRequest:
    values = {
        "dialect": "runway",
        "kind": catalogue.IMAGE_TO_VIDEO if inputs else catalogue.TEXT_TO_VIDEO,
        "model": "gen4_turbo",
        "engine_model": "gen4_turbo",
        "ratio": ratio,
        "width": width,
        "height": height,
        "seconds": seconds,
        "prompt": "a lake",
        "inputs": tuple(inputs),
    }
    return GenerationRequest(**(values | fields))


# -- the mappings, in this process ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "aspect"),
    [
        (1280, 720, "16:9"),
        (1920, 1080, "16:9"),
        (720, 1280, "9:16"),
        (1104, 832, "4:3"),
        (1280, 768, "5:3"),
        (960, 960, "1:1"),
        (1584, 672, "21:9"),
        (2000, 600, "21:9"),
        (832, 1104, "3:4"),
    ],
)
def test_every_runway_size_has_the_nearest_aspect_of_the_table(width, height, aspect):
    assert aspect_of(width, height) == aspect
    assert size_for(request(width, height, ratio=f"{width}:{height}"), {}) == DEFAULT_SIZES[aspect]


def test_the_default_sizes_are_multiples_of_16_near_wan_720p_pixels():
    for size in DEFAULT_SIZES.values():
        width, height = (int(side) for side in size.split("x"))
        assert width % 16 == 0 and height % 16 == 0
        assert 0.8 < width * height / (1280 * 720) < 1.2


def test_a_channel_sizes_overrides_by_ratio_as_given_then_by_aspect():
    overrides = {"16:9": "832x480", "1280:768": "1280x704"}
    assert size_for(request(1280, 720, ratio="1280:720"), overrides) == "832x480"  # by its aspect
    # Pro gen3's "16:9" is 1280x768 (the table's 5:3), but the client said "16:9": the map's "16:9".
    assert size_for(request(1280, 768, ratio="16:9", dialect="pro"), overrides) == "832x480"
    assert size_for(request(1280, 768, ratio="16:9", dialect="pro"), {}) == "1280x768"
    assert size_for(request(1280, 768, ratio="1280:768"), overrides) == "1280x704"  # by the ratio itself
    assert size_for(request(720, 1280, ratio="720:1280"), overrides) == "720x1280"  # not overridden


@pytest.mark.parametrize(("asked", "durations", "sent"), [(5, (), 5), (5, (4, 8, 12), 4), (10, (4, 8, 12), 12)])
def test_durations_go_as_the_nearest_the_upstream_takes_the_longer_on_a_tie(asked, durations, sent):
    assert seconds_for(asked, durations) == sent


def test_the_upstream_model_comes_from_the_map_then_the_channel():
    config = ChannelConfig(
        "gpu", "openai-videos", upstream_model=WAN_I2V, model_map={"veo3.1": WAN_T2V, "gen3a_turbo": "ltx"}
    )
    assert model_for(request(model="veo3.1", engine_model="veo3.1"), config) == WAN_T2V
    assert model_for(request(model="gen3", engine_model="gen3a_turbo", dialect="pro"), config) == "ltx"
    assert model_for(request(), config) == WAN_I2V
    assert model_for(request(), ChannelConfig("gpu", "openai-videos")) == ""  # none: the server's own


def test_only_requests_the_form_can_carry_are_supported():
    first = MediaInput(IMAGE, "promptImage", role=FIRST)
    last = MediaInput(LAST_IMAGE, "last_image", role=LAST)
    assert sendable(request()) and sendable(request(inputs=[first]))
    assert not sendable(request(inputs=[first, last]))  # no field for a last frame
    assert not sendable(request(inputs=[MediaInput(LAST_IMAGE, "image", role=LAST)]))  # pro image_as_end_frame
    assert not sendable(request(extras={"references": [{"uri": "https://example.com/a.png"}]}))
    assert sendable(request(extras={"audio": True, "flip": False}))  # options, not media
    video = MediaInput("https://example.com/in.mp4", "videoUri", kind=MediaKind.VIDEO, role="video")
    assert not sendable(request(kind=catalogue.VIDEO_TO_VIDEO, inputs=[video]))


def test_a_failed_videos_message_and_code():
    blocked = {"status": "failed", "error": {"code": "moderation_blocked", "message": "Blocked."}}
    assert failure_of(blocked) == ("Blocked.", "SAFETY.INPUT")
    assert failure_of({"status": "failed", "error": {"code": "oom", "message": "CUDA out of memory"}}) == (
        "CUDA out of memory",
        "INTERNAL.UPSTREAM_FAILED",
    )
    assert failure_of({"status": "failed"})[1] == "INTERNAL.UPSTREAM_FAILED"
    assert failure_of({"status": "cancelled"})[1] == "INTERNAL.UPSTREAM_CANCELLED"


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ('sizes = { "16:9" = "wide" }', "channels[0].sizes.16:9"),
        ('model_map = { "gen4_turbo" = 3 }', "channels[0].model_map.gen4_turbo"),
        ("durations = [5, 0]", "channels[0].durations"),
        ('sizes = "832x480"', "channels[0].sizes"),
    ],
)
def test_bad_openai_videos_settings_are_named(tmp_path, setting, named):
    path = tmp_path / "reelay.toml"
    path.write_text(f'[[channels]]\nname = "gpu"\nengine = "openai-videos"\nbase_url = "http://gpu:8091"\n{setting}\n')
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_config(path)


def test_a_good_openai_videos_channel_loads(tmp_path):
    path = tmp_path / "reelay.toml"
    path.write_text(
        '[[channels]]\nname = "gpu"\nengine = "openai-videos"\nbase_url = "http://gpu:8091/"\n'
        f'upstream_model = "{WAN_I2V}"\nsizes = {{ "16:9" = "832x480" }}\ndurations = [8, 4]\n'
    )
    (config,) = load_config(path).channels
    assert (config.base_url, config.upstream_model, config.sizes, config.durations) == (
        "http://gpu:8091",
        WAN_I2V,
        {"16:9": "832x480"},
        (4, 8),
    )


def test_the_guides_examples_load(tmp_path, monkeypatch):
    monkeypatch.setenv("VLLM_KEY", "k1")
    monkeypatch.setenv("RUNWAY_KEY", "k2")
    guide = (Path(__file__).parents[1] / "docs" / "openai-videos.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", guide, re.S)
    assert len(blocks) == 2
    for index, block in enumerate(blocks):
        (tmp_path / f"{index}.toml").write_text(block)
        channels = load_config(tmp_path / f"{index}.toml").channels
        assert any(c.engine == "openai-videos" for c in channels)


# -- against the emulator, through real processes --------------------------------------------------


@pytest.fixture(scope="module")
def gpu_server(tmp_path_factory, emulator):
    config = channel(
        "gpu-a",
        "openai-videos",
        emulator.url,
        ["ok-a"],
        upstream_model=WAN_I2V,
        model_map={"veo3.1": WAN_T2V},
        sizes={"9:16": "480x832"},
    )
    gateway = Gateway(tmp_path_factory.mktemp("openai-videos"), config)
    yield gateway
    gateway.stop()


@pytest.fixture
def gpu(gpu_server, emulator):
    """The module's gateway on one openai-videos channel, on an emulator reset for the test."""
    emulator.reset(pending_seconds=0.2, running_seconds=0.6)
    return gpu_server


def video_creates(emulator) -> list[dict]:
    return creates(emulator, "/v1/videos")


def test_a_pro_image_task_is_one_multipart_create_and_its_content_is_copied(gpu, emulator):
    task_id = gpu.pro(image=IMAGE, model="gen3", prompt="wave", seed=42, options={"seconds": 5})
    data = wait_pro(gpu.http, task_id)
    assert data["status"] == "3", data
    (sent,) = video_creates(emulator)
    assert sent["key"] == "ok-a" and sent["json"] is None  # a form, as OpenAI's SDK sends it
    form = sent["form"]
    assert {k: form[k] for k in ("prompt", "model", "seconds", "size", "seed")} == {
        "prompt": "wave",
        "model": WAN_I2V,
        "seconds": "5",
        "size": "1280x768",  # pro gen3 16:9 is 1280x768: the table's 5:3
        "seed": "42",
    }
    # The first image as a file part: Reelay's copy of exactly the bytes the client sent.
    reference = form["input_reference"]
    assert reference["content_type"] == "image/png" and (reference["width"], reference["height"]) == (400, 300)
    assert reference["sha256"] == hashlib.sha256(base64.b64decode(IMAGE.split(",", 1)[1])).hexdigest()
    # The result is Reelay's own copy; the upstream's address is not shown.
    assert is_ours(data["video_url"], gpu.server.url) and not data.get("raw_video_url")
    video = httpx.get(data["video_url"])
    facts = probe(video.content)
    assert facts.codec == "h264" and facts.frames > 0
    for still in (data["poster"], data["last_frame"]):
        assert is_ours(still, gpu.server.url) and httpx.get(still).headers["content-type"] == "image/jpeg"
    contents = [r for r in emulator.requests("/v1/videos/") if r["path"].endswith("/content")]
    assert [r["status_answered"] for r in contents] == [200] and contents[0]["key"] == "ok-a"


def test_an_official_text_task_maps_model_size_and_seconds(gpu, emulator):
    task_id = gpu.official("/v1/text_to_video", model="veo3.1", promptText="sea", ratio="1080:1920", duration=8, seed=7)
    task = wait_official(gpu.http, task_id)
    assert task["status"] == "SUCCEEDED", task
    assert probe(httpx.get(task["output"][0]).content).codec == "h264"
    (sent,) = video_creates(emulator)
    assert sent["form"] == {"prompt": "sea", "model": WAN_T2V, "seconds": "8", "size": "480x832", "seed": "7"}


def test_an_official_image_task_through_runways_sdk_succeeds(gpu, emulator):
    from runwayml import RunwayML

    client = RunwayML(base_url=gpu.server.url, api_key=gpu.key, max_retries=0)
    task = client.image_to_video.create(
        model="gen4_turbo", prompt_image=IMAGE, prompt_text="leaves", ratio="960:960", duration=5
    ).wait_for_task_output(timeout=60)
    assert task.status == "SUCCEEDED" and is_ours(task.output[0], gpu.server.url)
    (sent,) = video_creates(emulator)
    assert sent["form"]["size"] == "960x960" and sent["form"]["input_reference"]["bytes"] == len(encode(PICTURE))


@pytest.mark.parametrize("fault", [{"status": 429, "retry_after": 1}, {"status": 500}, {"status": 503}])
def test_a_refused_create_is_sent_again_and_the_upstream_holds_one_video(gpu, emulator, fault):
    emulator.faults({"match": {"method": "POST", "path": "/v1/videos"}, "times": 2, **fault})
    task = wait_official(
        gpu.http, gpu.official("/v1/text_to_video", model="veo3.1", promptText="x", ratio="1280:720", duration=4)
    )
    assert task["status"] == "SUCCEEDED", task
    assert [r["status_answered"] for r in video_creates(emulator)] == [fault["status"]] * 2 + [200]
    assert emulator.stats()["creates"] == 1  # one video accepted upstream


@pytest.mark.parametrize("fault", [{"accept_then_hang": 4}, {"accept_then_status": 504}, {"drop": True}])
def test_an_ambiguous_create_is_never_sent_again(gpu, emulator, fault):
    """No answer in time, a 504 after the video was made, or the connection dropped after the
    request left: the server may hold the video, and OpenAI's shape cannot say, so it fails."""
    emulator.faults({"match": {"method": "POST", "path": "/v1/videos"}, **fault})
    task = wait_official(
        gpu.http, gpu.official("/v1/text_to_video", model="veo3.1", promptText="x", ratio="1280:720", duration=4)
    )
    assert task["status"] == "FAILED" and task["failureCode"] == "INTERNAL.UPSTREAM_UNCONFIRMED", task
    assert "not sent again" in task["failure"]
    time.sleep(1)
    assert len(video_creates(emulator)) == 1


def test_a_refused_create_fails_the_task_with_the_servers_message(gpu, emulator):
    refusal = {"error": {"message": "size 1280x720 is not supported by this model", "param": "size"}}
    emulator.faults({"match": {"method": "POST", "path": "/v1/videos"}, "status": 400, "body": refusal})
    task = wait_official(
        gpu.http, gpu.official("/v1/text_to_video", model="veo3.1", promptText="x", ratio="1280:720", duration=4)
    )
    assert task["status"] == "FAILED" and "size 1280x720 is not supported by this model" in task["failure"]
    assert len(video_creates(emulator)) == 1


def test_failed_reads_are_read_again(gpu, emulator):
    emulator.faults({"match": {"method": "GET", "path": "/v1/videos/*"}, "times": 3, "status": 503})
    task = wait_official(
        gpu.http, gpu.official("/v1/text_to_video", model="veo3.1", promptText="x", ratio="1280:720", duration=4)
    )
    assert task["status"] == "SUCCEEDED", task
    reads = [r["status_answered"] for r in emulator.requests("/v1/videos/") if r["method"] == "GET"]
    assert reads[:3] == [503] * 3 and reads[-1] == 200


def test_a_failed_upstream_video_fails_the_task_with_its_message(gpu, emulator):
    task = wait_official(
        gpu.http,
        gpu.official(
            "/v1/text_to_video",
            model="veo3.1",
            promptText="[emu:fail=moderation_blocked] x",
            ratio="1280:720",
            duration=4,
        ),
    )
    assert task["status"] == "FAILED", task
    assert task["failure"] == "Your request was blocked by our moderation system."
    assert task["failureCode"] == "SAFETY.INPUT"
    pro = wait_pro(gpu.http, gpu.pro(prompt="[emu:fail=gpu_oom] y", model="gen4_turbo", options={"seconds": 5}))
    assert pro["status"] == "2" and pro["msg"] == "Video generation failed (gpu_oom)."


def _read_gaps(emulator) -> list[float]:
    reads = [r["time"] for r in emulator.requests("/v1/videos/") if r["method"] == "GET" and r["path"].count("/") == 3]
    return [later - earlier for earlier, later in itertools.pairwise(reads)]


def test_polling_follows_openai_poll_after_ms(gpu, emulator):
    emulator.reset(pending_seconds=0.2, running_seconds=3.0, openai_poll_after_ms=1200)
    task_id = gpu.official("/v1/text_to_video", model="veo3.1", promptText="x", ratio="1280:720", duration=4)
    assert wait_official(gpu.http, task_id)["status"] == "SUCCEEDED"
    gaps = _read_gaps(emulator)
    assert len(gaps) >= 2 and min(gaps) >= 1.1, gaps  # the channel alone would read every 0.3 s
    assert max(gaps) < 2.5, gaps
    # Without the header, the channel's own pace.
    emulator.reset(pending_seconds=0.2, running_seconds=3.0)
    task_id = gpu.official("/v1/text_to_video", model="veo3.1", promptText="x", ratio="1280:720", duration=4)
    assert wait_official(gpu.http, task_id)["status"] == "SUCCEEDED"
    assert min(_read_gaps(emulator)) < 1.0


def test_a_cancelled_task_is_deleted_upstream(gpu, emulator):
    task_id = gpu.official(
        "/v1/text_to_video", model="veo3.1", promptText="[emu:run=60] x", ratio="1280:720", duration=4
    )
    wait_official(gpu.http, task_id, until={"RUNNING"}, timeout=60)
    assert gpu.http.delete(f"/v1/tasks/{task_id}").status_code == 204
    (deleted,) = upstream_deletes(emulator, "/v1/videos/")
    video = emulator.task(deleted["path"].rsplit("/", 1)[1])
    assert video["status"] == "CANCELLED"


def test_a_last_frame_goes_to_a_channel_that_can_send_it(tmp_path, emulator):
    """An openai-videos channel first, a Runway one after it: a task with a last frame skips the
    channel whose shape has no field for it."""
    emulator.reset(pending_seconds=0.1, running_seconds=0.3)
    config = channel("gpu-a", "openai-videos", emulator.url, ["ok-a"], priority=10) + channel(
        "runway-b", "runway", emulator.url, ["rk-b"], priority=1
    )
    gateway = Gateway(tmp_path, config)
    try:
        both = gateway.pro(image=IMAGE, last_image=LAST_IMAGE, model="gen3", prompt="keys", options={"seconds": 5})
        first = gateway.pro(image=IMAGE, model="gen3", prompt="one", options={"seconds": 5})
        assert wait_pro(gateway.http, both)["status"] == "3" and wait_pro(gateway.http, first)["status"] == "3"
    finally:
        gateway.stop()
    assert [r["json"]["promptText"] for r in creates(emulator, "/v1/image_to_video")] == ["keys"]
    assert [r["form"]["prompt"] for r in video_creates(emulator)] == ["one"]


# -- the emulator's /v1/videos face, spoken to directly ---------------------------------------------


@pytest.fixture
def videos(emulator):
    emulator.reset(pending_seconds=0.1, running_seconds=0.4)
    with httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer vk"}, timeout=10) as client:
        yield client


def _until(client: httpx.Client, video_id: str, status: str) -> httpx.Response:
    deadline = time.time() + 10
    while (answer := client.get(f"/v1/videos/{video_id}")).json()["status"] != status and time.time() < deadline:
        time.sleep(0.05)
    return answer


def test_the_emulator_takes_a_json_create_and_answers_openais_video_object(videos, emulator):
    emulator.reset(pending_seconds=0.1, running_seconds=0.4, openai_poll_after_ms=250)
    created = videos.post("/v1/videos", json={"prompt": "sea", "seconds": "8", "size": "1280x720", "model": "ltx"})
    assert created.status_code == 200 and created.headers["openai-poll-after-ms"] == "250"
    video = created.json()
    assert {k: video[k] for k in ("object", "status", "progress", "seconds", "size", "model", "prompt")} == {
        "object": "video",
        "status": "queued",
        "progress": 0,
        "seconds": "8",
        "size": "1280x720",
        "model": "ltx",
        "prompt": "sea",
    }
    done = _until(videos, video["id"], "completed").json()
    assert done["progress"] == 100 and done["completed_at"] >= video["created_at"] and done["expires_at"]
    content = videos.get(f"/v1/videos/{video['id']}/content")
    assert content.headers["content-type"] == "video/mp4" and probe(content.content).codec == "h264"
    part = videos.get(f"/v1/videos/{video['id']}/content", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == content.content[:100]
    thumbnail = videos.get(f"/v1/videos/{video['id']}/content", params={"variant": "thumbnail"})
    assert thumbnail.headers["content-type"] == "image/jpeg"


def test_the_emulator_refuses_a_bad_create_naming_the_parameter(videos):
    for fields, param in (({"seconds": "5"}, "prompt"), ({"prompt": "x", "size": "wide"}, "size")):
        answer = videos.post("/v1/videos", data=fields, files={"unused": ("a.txt", b"x", "text/plain")})
        assert answer.status_code == 400 and answer.json()["error"]["param"] == param
    not_image = videos.post(
        "/v1/videos", data={"prompt": "x"}, files={"input_reference": ("a.png", b"no", "image/png")}
    )
    assert not_image.json()["error"]["param"] == "input_reference"
    assert httpx.post(videos.base_url.join("/v1/videos"), json={"prompt": "x"}).status_code == 401


def test_the_emulators_videos_are_their_keys_own_and_delete_cancels_a_live_one(videos, emulator):
    live = videos.post("/v1/videos", json={"prompt": "[emu:run=30] slow"}).json()["id"]
    other = httpx.get(videos.base_url.join(f"/v1/videos/{live}"), headers={"Authorization": "Bearer other"})
    assert other.status_code == 404 and other.json()["error"]["code"] == "video_not_found"
    assert videos.get(f"/v1/videos/{live}/content").json()["error"]["code"] == "video_not_ready"
    assert videos.delete(f"/v1/videos/{live}").json() == {"id": live, "object": "video.deleted", "deleted": True}
    assert videos.get(f"/v1/videos/{live}").json()["error"]["code"] == "cancelled"
    assert videos.delete(f"/v1/videos/{live}").status_code == 200  # a finished video is deleted
    assert videos.get(f"/v1/videos/{live}").status_code == 404


def test_the_emulators_faults_answer_in_openais_error_shape(videos, emulator):
    emulator.faults({"match": {"method": "POST", "path": "/v1/videos"}, "status": 429, "retry_after": 2})
    refused = videos.post("/v1/videos", json={"prompt": "x"})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "2"
    assert refused.json()["error"]["type"] == "requests"
    assert emulator.stats()["creates"] == 0
