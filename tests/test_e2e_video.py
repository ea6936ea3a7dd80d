"""video_to_video and video_upscale through Runway's Python SDK (strict) against a real Reelay
process: each makes a real video of the size, frame rate and length asked."""

import httpx
import pytest
from runwayml import BadRequestError, RunwayML
from runwayml.lib.polling import TaskFailedError

from support.images import data_uri, gradient_image
from support.official import auth
from support.video import probe
from support.video_inputs import moving_square_mp4, video_data_uri

SOURCE = video_data_uri(moving_square_mp4(width=160, height=96, fps=12, seconds=2))


@pytest.fixture(scope="module")
def client(reelay, api_key):
    return RunwayML(base_url=reelay.url, api_key=api_key, _strict_response_validation=True, max_retries=0)


def fetched(task):
    assert task.status == "SUCCEEDED"
    assert len(task.output) == 1  # the video; its stills are not outputs
    answer = httpx.get(task.output[0])
    assert answer.headers["content-type"] == "video/mp4"
    return probe(answer.content)


def test_aleph2_restyles_the_input_at_its_length(client, reelay, api_key):
    task = client.video_to_video.create(
        model="aleph2", video_uri=SOURCE, prompt_text="neon noir", seed=3
    ).wait_for_task_output(timeout=120)
    facts = fetched(task)
    assert (facts.codec, facts.width, facts.height, facts.fps, facts.frames) == ("h264", 160, 96, 24, 48)
    # The pro feed reads the same task, with its poster.
    feed = httpx.post(f"{reelay.url}/runway/feed", json={"task_id": task.id}, headers=auth(api_key)).json()["data"]
    assert (
        feed["status"] == "3"
        and feed["video_url"]
        and httpx.get(feed["poster"]).headers["content-type"] == "image/jpeg"
    )


def test_aleph2_outpaints_to_the_target_aspect_ratio(client):
    task = client.video_to_video.create(
        model="aleph2",
        video_uri=SOURCE,
        target_aspect_ratio="1:1",
        keyframes=[{"seconds": 1.0, "uri": data_uri(gradient_image(64, 64))}],
    ).wait_for_task_output(timeout=120)
    facts = fetched(task)
    assert (facts.width, facts.height, facts.frames) == (96, 96, 48)


def test_a_prompt_video_model_renders_the_duration_and_ratio_asked(client):
    task = client.video_to_video.create(
        model="seedance2_fast", prompt_video=SOURCE, prompt_text="watercolour", duration=4, ratio="640:640"
    ).wait_for_task_output(timeout=120)
    facts = fetched(task)
    assert (facts.width, facts.height, facts.frames, facts.duration) == (640, 640, 96, pytest.approx(4.0))


def test_upscale_to_720p_keeps_rate_and_length(client):
    created = client.video_upscale.create(
        model="magnific_video_upscaler_creative", video_uri=SOURCE, resolution="720p", sharpen=50
    )
    facts = fetched(created.wait_for_task_output(timeout=120))
    assert (facts.width, facts.height, facts.fps, facts.frames) == (1200, 720, 12, 24)


def test_enhance_frame_rate_to_60(client):
    task = client.video_upscale.create(
        model="enhance_frame_rate", video_uri=SOURCE, target_framerate="60"
    ).wait_for_task_output(timeout=120)
    facts = fetched(task)
    assert (facts.width, facts.height, facts.fps, facts.frames) == (160, 96, 60, 120)
    assert facts.duration == pytest.approx(2.0)


def test_a_failure_marker_fails_a_video_to_video_task(client):
    with pytest.raises(TaskFailedError) as failed:
        client.video_to_video.create(
            model="aleph2", video_uri=SOURCE, prompt_text="[sandbox:fail=SAFETY.OUTPUT] storm"
        ).wait_for_task_output(timeout=120)
    assert failed.value.task_details.failure_code == "SAFETY.OUTPUT"


def test_an_image_where_the_video_belongs_is_refused_by_field(client):
    with pytest.raises(BadRequestError) as refused:
        client.video_upscale.create(
            model="enhance_frame_rate", video_uri=data_uri(gradient_image(64, 64)), target_framerate="30"
        )
    assert "videoUri" in str(refused.value.body)
