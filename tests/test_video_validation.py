"""video_to_video and video_upscale refuse a bad body with a 400 naming the field, in Runway's
shape, writing nothing; the input video is proved a video within the endpoint's limit; a task is
priced per second of output at the model's list price."""

import asyncio
import re

import pytest

from reelay.store.db import open_engine
from reelay.store.keys import KeyStore
from support.images import data_uri, gradient_image
from support.inprocess import count_rows, make_app_client
from support.official import official_error
from support.video_inputs import moving_square_mp4, video_data_uri

VIDEO = video_data_uri(moving_square_mp4(width=64, height=48, fps=12, seconds=2))
IMAGE = data_uri(gradient_image(64, 48), "PNG")

ALEPH = {"model": "aleph2", "videoUri": VIDEO, "promptText": "neon"}
SEEDANCE = {"model": "seedance2_fast", "promptVideo": VIDEO, "promptText": "ink"}
UPSCALE = {"model": "magnific_video_upscaler_creative", "videoUri": VIDEO}
BOOST = {"model": "enhance_frame_rate", "videoUri": VIDEO, "targetFramerate": "60"}


def change(body, **changes):
    return {k: v for k, v in {**body, **changes}.items() if v is not ...}


CASES = [
    ("unknown model", "video_to_video", change(ALEPH, model="gen4_aleph"), "model"),
    ("aleph videoUri missing", "video_to_video", change(ALEPH, videoUri=...), "videoUri"),
    ("seedance promptVideo missing", "video_to_video", change(SEEDANCE, promptVideo=...), "promptVideo"),
    ("promptVideo on aleph", "video_to_video", change(ALEPH, promptVideo=VIDEO), "promptVideo"),
    ("target aspect 5:4", "video_to_video", change(ALEPH, targetAspectRatio="5:4"), "targetAspectRatio"),
    ("six keyframes", "video_to_video", change(ALEPH, keyframes=[{"seconds": 0, "uri": IMAGE}] * 6), "keyframes"),
    ("seedance duration 20", "video_to_video", change(SEEDANCE, duration=20), "duration"),
    ("gemini duration 31", "video_to_video", {"model": "gemini_omni_flash_1.1", "videoUri": VIDEO, "promptText": "x", "duration": 31}, "duration"),
    ("mode on seedance2_fast", "video_to_video", change(SEEDANCE, mode="edit"), "mode"),
    ("upscale resolution 8k", "video_upscale", change(UPSCALE, resolution="8k"), "resolution"),
    ("upscale sharpen 101", "video_upscale", change(UPSCALE, sharpen=101), "sharpen"),
    ("frame rate missing", "video_upscale", change(BOOST, targetFramerate=...), "targetFramerate"),
    ("frame rate 33", "video_upscale", change(BOOST, targetFramerate="33"), "targetFramerate"),
    ("frame rate as a number", "video_upscale", change(BOOST, targetFramerate=60), "targetFramerate"),
    # The input itself, fetched and probed at submission.
    ("an image where the video belongs", "video_upscale", change(UPSCALE, videoUri=IMAGE), "videoUri"),
    ("a PNG labelled video", "video_to_video", change(ALEPH, videoUri="data:video/mp4;base64," + IMAGE.split(",")[1]), "videoUri"),
    ("not a video at all", "video_upscale", change(BOOST, videoUri="data:video/mp4;base64,AAAAAAAAAAAAAAAA"), "videoUri"),
    ("a video where a keyframe image belongs", "video_to_video", change(ALEPH, keyframes=[{"at": 1, "uri": VIDEO}]), "keyframes.0.uri"),
]  # fmt: skip


@pytest.mark.parametrize("prefix", ["", "/runwayml"])
@pytest.mark.parametrize(("name", "endpoint", "body", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_create_names_the_field_and_writes_nothing(app_client, prefix, name, endpoint, body, field):
    answer = app_client.post(f"{prefix}/v1/{endpoint}", json=body)
    assert answer.status_code == 400, answer.text
    assert official_error(answer).startswith(field + ":"), answer.text
    (issue,) = answer.json()["issues"]
    path = [int(p) if p.isdigit() else p for p in re.findall(r"[^.]+", field)]
    assert issue["path"] + issue.get("keys", []) == path, issue
    assert count_rows(app_client.settings.data_dir, "tasks") == 0


def test_an_input_video_longer_than_the_endpoint_takes_is_refused(app_client):
    long = video_data_uri(moving_square_mp4(width=32, height=32, fps=2, seconds=31))
    answer = app_client.post("/v1/video_upscale", json=change(BOOST, videoUri=long))
    assert answer.status_code == 400, answer.text
    message = official_error(answer)
    assert message.startswith("videoUri:") and "30 second limit" in message, message


PRICES = '[[channels]]\nname = "sandbox"\nengine = "sandbox"\n\n[prices]\ngen4_turbo = 1\n'


def key_with_points(settings, points: int) -> str:
    async def run() -> str:
        db = open_engine(settings.resolved_database_url)
        _, plain = await KeyStore(db).create("priced", points=points)
        await db.dispose()
        return plain

    return asyncio.run(run())


@pytest.fixture
def priced(tmp_path):
    config = tmp_path / "reelay.toml"
    config.write_text(PRICES)
    with make_app_client(tmp_path / "data", config=str(config)) as (client, _):
        client.headers["Authorization"] = f"Bearer {key_with_points(client.settings, 1000)}"
        yield client


@pytest.mark.parametrize(
    ("endpoint", "body", "credits"),
    [
        ("video_to_video", ALEPH, 15 * 2),  # aleph2: 15 credits a second, the input's 2 s
        ("video_to_video", change(SEEDANCE, duration=5), 10 * 5),  # seedance2_fast: 10 a second, 5 asked
        ("video_upscale", UPSCALE, 10 * 2),  # the Magnific upscaler: 10 a second
        ("video_upscale", BOOST, 5 * 2),  # enhance_frame_rate: 5 a second
    ],
    ids=["aleph2", "seedance2_fast", "magnific", "enhance_frame_rate"],
)
def test_a_task_costs_the_list_price_per_output_second(priced, endpoint, body, credits):
    answer = priced.post(f"/v1/{endpoint}", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["estimatedCost"] == {"credits": credits}
