"""Runway's official Python SDK, pointed at a real Reelay process, with strict response validation."""

import time

import httpx
import pytest
from runwayml import AuthenticationError, BadRequestError, NotFoundError, RunwayML

from support.images import data_uri, gradient_image
from support.official import auth, official_error
from support.tasks import wait_official
from support.video import probe

IMAGE = data_uri(gradient_image(800, 500), "JPEG")


@pytest.fixture(scope="module")
def client(reelay, api_key):
    return RunwayML(base_url=reelay.url, api_key=api_key, _strict_response_validation=True, max_retries=0)


def test_image_to_video_waits_for_output_and_the_video_is_real(client):
    task = client.image_to_video.create(
        model="gen4_turbo", prompt_image=IMAGE, ratio="1280:720", duration=2, prompt_text="a slow pan"
    ).wait_for_task_output(timeout=120)
    assert task.status == "SUCCEEDED"
    assert task.cost.credits == 0
    video = httpx.get(task.output[0])
    assert video.headers["content-type"] == "video/mp4"
    facts = probe(video.content)
    assert (facts.codec, facts.pix_fmt, facts.width, facts.height) == ("h264", "yuv420p", 1280, 720)
    assert facts.fps == 24 and facts.frames == 48 and facts.duration == pytest.approx(2.0)


def test_text_to_video_succeeds(client):
    created = client.text_to_video.create(
        model="veo3.1_fast", prompt_text="a lighthouse at dusk", ratio="720:1280", duration=4
    )
    assert created.estimated_cost.credits == 0
    task = created.wait_for_task_output(timeout=120)
    assert task.status == "SUCCEEDED"
    facts = probe(httpx.get(task.output[0]).content)
    assert (facts.width, facts.height, facts.frames) == (720, 1280, 96)


def test_first_and_last_keyframes_with_gen3a(client):
    last = data_uri(gradient_image(800, 500, seed=9), "PNG")
    task = client.image_to_video.create(
        model="gen3a_turbo",
        prompt_image=[{"uri": IMAGE, "position": "first"}, {"uri": last, "position": "last"}],
        prompt_text="morph",
        duration=5,
    ).wait_for_task_output(timeout=120)
    facts = probe(httpx.get(task.output[0]).content)
    assert (facts.width, facts.height, facts.frames) == (1280, 768, 120)


def test_delete_cancels_a_running_task_and_it_is_gone_as_on_runway(client, reelay, api_key):
    created = client.image_to_video.create(
        model="gen4_turbo", prompt_image=IMAGE, ratio="960:960", duration=2, prompt_text="[sandbox:delay=60] hold"
    )
    http = httpx.Client(base_url=reelay.url, headers=auth(api_key))
    wait_official(http, created.id, until={"RUNNING"})
    client.tasks.delete(created.id)
    with pytest.raises(NotFoundError) as gone:
        client.tasks.retrieve(created.id)
    assert "does not exist" in str(gone.value)
    # The SDK's wait ends at once instead of waiting out its timeout on a CANCELLED task.
    started = time.monotonic()
    with pytest.raises(NotFoundError):
        created.wait_for_task_output(timeout=60)
    assert time.monotonic() - started < 30
    with pytest.raises(NotFoundError):
        client.tasks.delete(created.id)
    # The cancel went through as before: the pro feed (which has no delete) shows it, refunded.
    feed = http.post("/runway/feed", json={"task_id": created.id}).json()["data"]
    assert feed["status"] == "2" and feed["state"] == "cancelled"


def test_delete_removes_a_finished_task(client):
    task = client.text_to_video.create(
        model="gen4.5", prompt_text="a kite", ratio="1280:720", duration=2
    ).wait_for_task_output(timeout=120)
    assert task.status == "SUCCEEDED"
    client.tasks.delete(task.id)
    with pytest.raises(NotFoundError):
        client.tasks.retrieve(task.id)


def test_failure_marker_reads_as_failed_with_code(client):
    from runwayml.lib.polling import TaskFailedError

    created = client.text_to_video.create(
        model="gen4.5", prompt_text="[sandbox:fail=SAFETY.INPUT.TEXT] a cat", ratio="1280:720", duration=2
    )
    with pytest.raises(TaskFailedError) as failed:
        created.wait_for_task_output(timeout=120)
    details = failed.value.task_details
    assert details.status == "FAILED" and details.failure_code == "SAFETY.INPUT.TEXT"
    assert "moderation" in details.failure


def test_bad_field_raises_bad_request_naming_it(client):
    with pytest.raises(BadRequestError) as error:
        client.image_to_video.create(model="gen4_turbo", prompt_image=IMAGE, ratio="1280:768")
    assert "Validation of body failed" in str(error.value) and "ratio" in str(error.value)
    assert official_error(error.value.body).startswith("ratio:")
    (issue,) = error.value.body["issues"]
    assert issue["code"] == "invalid_value" and issue["path"] == ["ratio"] and "1280:720" in issue["values"]


def test_errors_raise_the_sdks_typed_exceptions_with_a_readable_message(reelay, api_key):
    unknown = "3f0b3c1e-0000-4000-8000-000000000000"
    with pytest.raises(AuthenticationError) as refused:
        RunwayML(base_url=reelay.url, api_key="rl_wrong", max_retries=0).tasks.retrieve(unknown)
    assert "API key is not valid" in refused.value.message
    with pytest.raises(NotFoundError) as missing:
        RunwayML(base_url=reelay.url, api_key=api_key, max_retries=0).tasks.retrieve(unknown)
    assert unknown in missing.value.message
    with pytest.raises(BadRequestError) as old:
        RunwayML(base_url=reelay.url, api_key=api_key, max_retries=0, runway_version="2024-09-13").tasks.retrieve(
            unknown
        )
    assert "X-Runway-Version header is not valid" in old.value.message
    assert old.value.body["docUrl"] == "https://docs.dev.runwayml.com/api"


def test_organization_passes_strict_validation(client):
    before = client.organization.retrieve()
    client.text_to_video.create(model="veo3", prompt_text="x", ratio="1280:720", duration=8)
    after = client.organization.retrieve()
    assert after.usage.models["veo3"].daily_generations == before.usage.models["veo3"].daily_generations + 1
    assert isinstance(after.credit_balance, int)


# One model of each family (gen4.5, veo3.1 with first and last frames, and those Runway's SDK
# 5.24 added), created with the SDK on a real server and rendered by the sandbox at the size its
# ratio or resolution asks for ("auto": the longest), at 24 fps for the seconds asked.
LAST = data_uri(gradient_image(800, 500, seed=9), "PNG")
FAMILIES = [
    (
        "image_to_video",
        dict(model="gen4.5", prompt_image=IMAGE, prompt_text="a kite", ratio="960:960", duration=2),
        (960, 960, 2),
    ),
    (
        "image_to_video",
        dict(
            model="veo3.1",
            prompt_image=[{"uri": IMAGE, "position": "first"}, {"uri": LAST, "position": "last"}],
            ratio="1280:720",
            duration=4,
        ),
        (1280, 720, 4),
    ),
    (
        "image_to_video",
        dict(model="wan3", prompt_image=IMAGE, prompt_text="a kite", ratio="832:480", duration=2),
        (832, 480, 2),
    ),
    (
        "image_to_video",
        dict(model="hailuo3", prompt_image=IMAGE, prompt_text="a kite", ratio="1:1", resolution="768p", duration=6),
        (768, 768, 6),
    ),
    ("image_to_video", dict(model="kling3.0_standard", prompt_image=IMAGE, ratio="960:960", duration=3), (960, 960, 3)),
    ("image_to_video", dict(model="seedance2_fast", prompt_image=IMAGE, ratio="640:640", duration=4), (640, 640, 4)),
    ("image_to_video", dict(model="happyhorse_1_0", prompt_image=IMAGE, resolution="720p", duration=3), (1280, 720, 3)),
    (
        "image_to_video",
        dict(model="grok_imagine_1_5_lite", prompt_image=IMAGE, ratio="auto_480p", duration=1),
        (854, 480, 1),
    ),
    (
        "image_to_video",
        dict(model="h3_max", prompt_image=IMAGE, prompt_text="a kite", resolution="480p", duration=2),
        (854, 480, 2),
    ),
    ("text_to_video", dict(model="gen4.5", prompt_text="a kite", ratio="720:1280", duration=2), (720, 1280, 2)),
    ("text_to_video", dict(model="wan3", prompt_text="a kite", ratio="832:480", duration=2), (832, 480, 2)),
    (
        "text_to_video",
        dict(model="gemini_omni_flash_1.1", prompt_text="a kite", ratio="640:360", duration="auto"),
        (640, 360, 10),
    ),
    (
        "text_to_video",
        dict(model="hailuo3", prompt_text="a kite", ratio="1:1", resolution="768p", duration=6),
        (768, 768, 6),
    ),
    ("text_to_video", dict(model="kling_4", prompt_text="a kite", ratio="auto_720p", duration=3), (1280, 720, 3)),
    ("text_to_video", dict(model="seedance2_mini", prompt_text="a kite", ratio="560:752", duration=4), (560, 752, 4)),
]


def test_one_model_of_each_family_renders_at_its_size(client):
    created = [(getattr(client, endpoint).create(**params), size) for endpoint, params, size in FAMILIES]
    for task, (width, height, seconds) in created:
        done = task.wait_for_task_output(timeout=300)
        facts = probe(httpx.get(done.output[0]).content)
        assert (facts.width, facts.height, facts.fps, facts.frames) == (width, height, 24, seconds * 24), done.id
        assert facts.duration == pytest.approx(seconds), done.id
