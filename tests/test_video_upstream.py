"""video_to_video and video_upscale through a `runway` channel to the emulator: the body goes on
as sent with the inputs made readable (a data URI of Reelay's verified copy), the output is
copied into Reelay's storage, and the upstream's faults reach the client as for other tasks."""

import base64

import httpx
import pytest

from support.backends import is_ours
from support.gateway import Gateway, channel, creates
from support.images import data_uri, gradient_image
from support.tasks import wait_official
from support.video import probe
from support.video_inputs import moving_square_mp4, video_data_uri

pytestmark = pytest.mark.e2e  # real processes

SOURCE_BYTES = moving_square_mp4(width=64, height=48, fps=12, seconds=2)
SOURCE = video_data_uri(SOURCE_BYTES)
KEYFRAME = data_uri(gradient_image(64, 48), "PNG")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, emulator):
    served = Gateway(tmp_path_factory.mktemp("video-upstream"), channel("runway-a", "runway", emulator.url, ["key-a"]))
    yield served
    served.stop()


@pytest.fixture(autouse=True)
def fresh(emulator):
    emulator.reset(pending_seconds=0.1, running_seconds=0.3)


def from_data_uri(uri: str) -> tuple[str, bytes]:
    head, _, data = uri.partition(";base64,")
    assert head.startswith("data:"), uri[:40]
    return head.removeprefix("data:"), base64.b64decode(data)


def test_upscale_goes_upstream_with_a_data_uri_of_the_stored_input(gateway, emulator):
    task_id = gateway.official("/v1/video_upscale", model="enhance_frame_rate", videoUri=SOURCE, targetFramerate="60")
    task = wait_official(gateway.http, task_id)
    assert task["status"] == "SUCCEEDED", task
    (sent,) = creates(emulator, "/v1/video_upscale")
    body = sent["json"]
    assert (body["model"], body["targetFramerate"], sent["key"]) == ("enhance_frame_rate", "60", "key-a")
    # The verified copy, small enough for Runway's data URI limit: Runway need not reach Reelay.
    assert from_data_uri(body["videoUri"]) == ("video/mp4", SOURCE_BYTES)
    (output,) = task["output"]
    assert is_ours(output, gateway.server.url) and probe(httpx.get(output).content).codec == "h264"


def test_video_to_video_keeps_the_models_fields_and_makes_every_input_readable(gateway, emulator):
    task_id = gateway.official(
        "/v1/video_to_video",
        model="aleph2",
        videoUri=SOURCE,
        promptText="neon",
        targetAspectRatio="1:1",
        keyframes=[{"at": 1.5, "uri": KEYFRAME}],
    )
    assert wait_official(gateway.http, task_id)["status"] == "SUCCEEDED"
    body = creates(emulator, "/v1/video_to_video")[0]["json"]
    assert (body["model"], body["promptText"], body["targetAspectRatio"]) == ("aleph2", "neon", "1:1")
    assert body["keyframes"][0]["at"] == 1.5
    assert from_data_uri(body["keyframes"][0]["uri"])[0] == "image/png"
    assert from_data_uri(body["videoUri"]) == ("video/mp4", SOURCE_BYTES)


def test_prompt_video_models_send_prompt_video(gateway, emulator):
    task_id = gateway.official("/v1/video_to_video", model="seedance2_fast", promptVideo=SOURCE, duration=4)
    assert wait_official(gateway.http, task_id)["status"] == "SUCCEEDED"
    body = creates(emulator, "/v1/video_to_video")[0]["json"]
    assert body["duration"] == 4 and "videoUri" not in body
    assert from_data_uri(body["promptVideo"]) == ("video/mp4", SOURCE_BYTES)


def test_an_upstream_400_fails_the_task_with_its_sentence(gateway, emulator):
    emulator.faults(
        {
            "match": {"method": "POST", "path": "/v1/video_upscale"},
            "status": 400,
            "body": {"error": "videoUri: too long"},
        }
    )
    task_id = gateway.official("/v1/video_upscale", model="magnific_video_upscaler_creative", videoUri=SOURCE)
    task = wait_official(gateway.http, task_id)
    assert task["status"] == "FAILED" and "videoUri: too long" in task["failure"]
    assert len(creates(emulator, "/v1/video_upscale")) == 1


def test_an_upstream_validation_failure_names_its_fields_in_the_tasks_failure(gateway, emulator):
    issues = [
        {"code": "too_big", "path": ["videoUri"], "message": "Video is too long"},
        {"code": "unrecognized_keys", "path": [], "keys": ["colour"], "message": "Unrecognized key"},
    ]
    emulator.faults(
        {
            "match": {"method": "POST", "path": "/v1/video_upscale"},
            "status": 400,
            "body": {"error": "Validation of body failed", "issues": issues},
        }
    )
    task_id = gateway.official("/v1/video_upscale", model="magnific_video_upscaler_creative", videoUri=SOURCE)
    task = wait_official(gateway.http, task_id)
    assert task["status"] == "FAILED"
    assert "Validation of body failed: videoUri: Video is too long; colour: Unrecognized key" in task["failure"]


def test_a_429_waits_throttled_then_succeeds(gateway, emulator):
    emulator.faults(
        {"match": {"method": "POST", "path": "/v1/video_to_video"}, "times": 1, "status": 429, "retry_after": 1}
    )
    task_id = gateway.official("/v1/video_to_video", model="aleph2", videoUri=SOURCE)
    assert wait_official(gateway.http, task_id)["status"] == "SUCCEEDED"
    assert emulator.stats()["creates"] == 1


@pytest.mark.parametrize(
    ("path", "body", "sentence"),
    [
        ("/v1/video_upscale", {"model": "enhance_frame_rate", "targetFramerate": "60"}, "videoUri: is required"),
        ("/v1/video_to_video", {"model": "seedance2", "promptVideo": ""}, "promptVideo: must not be empty"),
    ],
)
def test_the_emulator_refuses_a_body_without_its_input_video(emulator, path, body, sentence):
    answer = httpx.post(f"{emulator.url}{path}", json=body, headers={"Authorization": "Bearer key-a"})
    assert answer.status_code == 400 and sentence in answer.text
