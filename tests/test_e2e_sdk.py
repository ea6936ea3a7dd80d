"""Runway's official Python SDK, pointed at a real Reelay process, with strict response validation."""

import httpx
import pytest
from runwayml import BadRequestError, NotFoundError, RunwayML

from support.images import data_uri, gradient_image
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
    created = client.text_to_video.create(model="veo3.1_fast", prompt_text="a lighthouse at dusk", ratio="720:1280", duration=4)
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


def test_delete_cancels_a_running_task(client, reelay, api_key):
    created = client.image_to_video.create(
        model="gen4_turbo", prompt_image=IMAGE, ratio="960:960", duration=2, prompt_text="[sandbox:delay=60] hold"
    )
    http = httpx.Client(base_url=reelay.url, headers={"Authorization": f"Bearer {api_key}"})
    wait_official(http, created.id, until={"RUNNING"})
    client.tasks.delete(created.id)
    task = client.tasks.retrieve(created.id)
    assert task.status == "CANCELLED"
    assert task.cost.credits == 0
    # Deleting a finished task removes it for good.
    client.tasks.delete(created.id)
    with pytest.raises(NotFoundError):
        client.tasks.retrieve(created.id)


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
    assert "ratio" in str(error.value)
    assert error.value.body["error"].startswith("ratio:")


def test_organization_passes_strict_validation(client):
    before = client.organization.retrieve()
    client.text_to_video.create(model="veo3", prompt_text="x", ratio="1280:720", duration=8)
    after = client.organization.retrieve()
    assert after.usage.models["veo3"].daily_generations == before.usage.models["veo3"].daily_generations + 1
    assert isinstance(after.credit_balance, int)
