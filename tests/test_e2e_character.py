"""Act-Two (`/v1/character_performance`) through Runway's SDK, and the pro family's act_two and
aleph through the feed, rendered by the sandbox of a real Reelay process."""

import httpx
import pytest
from runwayml import RunwayML

from support.client import PRO_CALLBACK, ReelayClient
from support.images import data_uri, gradient_image
from support.media import data_uri as media_uri
from support.motion import panning_video
from support.video import probe

CHARACTER = data_uri(gradient_image(640, 480), "JPEG")
REFERENCE = media_uri(panning_video(3.0), "video/mp4")


@pytest.fixture(scope="module")
def client(reelay, api_key):
    return RunwayML(base_url=reelay.url, api_key=api_key, _strict_response_validation=True, max_retries=0)


@pytest.fixture(scope="module")
def pro(reelay, api_key):
    client = ReelayClient(reelay.url, api_key)
    yield client
    client.close()


def test_character_performance_plays_for_the_reference_s_length_at_the_ratio_s_size(client):
    task = client.character_performance.create(
        model="act_two",
        character={"type": "image", "uri": CHARACTER},
        reference={"type": "video", "uri": REFERENCE},
        ratio="960:960",
        expression_intensity=4,
        body_control=True,
    ).wait_for_task_output(timeout=180)
    assert task.status == "SUCCEEDED" and len(task.output) == 1
    facts = probe(httpx.get(task.output[0]).content)
    assert (facts.codec, facts.width, facts.height) == ("h264", 960, 960)
    assert facts.frames == 3 * 24 and facts.duration == pytest.approx(3.0)


def test_a_character_video_is_animated_from_its_first_frame(client):
    task = client.character_performance.create(
        model="act_two",
        character={"type": "video", "uri": media_uri(panning_video(1.0, step=0), "video/mp4")},
        reference={"type": "video", "uri": media_uri(panning_video(4.0), "video/mp4")},
    ).wait_for_task_output(timeout=180)
    facts = probe(httpx.get(task.output[0]).content)
    assert (facts.width, facts.height, facts.frames) == (1280, 720, 4 * 24)


def test_pro_act_two_renders_on_the_sandbox_and_reads_in_the_feed(pro):
    answer = pro.http.post(
        "/runway/v1/pro/act_two",
        json={"callback_url": PRO_CALLBACK, "video": REFERENCE, "image": CHARACTER, "options": {"flip": True}},
    )
    assert answer.status_code == 200, answer.text
    data = pro.wait_pro(answer.json()["data"]["task_id"], timeout=180)
    assert data["status"] == "3", data
    assert data["poster"] and data["last_frame"]
    facts = probe(httpx.get(data["video_url"]).content)
    assert (facts.width, facts.height, facts.frames) == (720, 1280, 3 * 24)


def test_pro_aleph_restyles_the_source_for_its_length_at_its_shape(pro):
    source = media_uri(panning_video(2.0, size=(96, 160)), "video/mp4")  # portrait
    answer = pro.http.post(
        "/runway/pro/aleph",
        json={"callback_url": PRO_CALLBACK, "video": source, "prompt": "as a watercolour", "options": {"seconds": 5}},
    )
    assert answer.status_code == 200, answer.text
    data = pro.wait_pro(answer.json()["data"]["task_id"], timeout=180)
    assert data["status"] == "3", data
    assert data["prompt"] == "as a watercolour"
    facts = probe(httpx.get(data["video_url"]).content)
    assert (facts.width, facts.height, facts.frames) == (720, 1280, 2 * 24)
