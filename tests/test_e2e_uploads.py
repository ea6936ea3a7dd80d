"""Runway's Python SDK uploads a local file (`uploads.create_ephemeral`) to a real Reelay process
and uses its `runway://` URI, with strict response validation; on S3 storage
(REELAY_TEST_STORAGE=s3) the file goes straight to the bucket through a presigned POST."""

import httpx
import pytest
from runwayml import BadRequestError, RunwayML

from support import backends
from support.images import encode, gradient_image
from support.media import make_audio
from support.video import probe

JPEG = encode(gradient_image(800, 500, seed=4), "JPEG")


def sdk(reelay, key) -> RunwayML:
    return RunwayML(base_url=reelay.url, api_key=key, _strict_response_validation=True, max_retries=0)


@pytest.fixture(scope="module")
def client(reelay, api_key):
    return sdk(reelay, api_key)


def test_an_uploaded_image_becomes_the_first_frame(client, reelay, tmp_path):
    path = tmp_path / "first-frame.jpg"
    path.write_bytes(JPEG)
    uploaded = client.uploads.create_ephemeral(file=path)
    assert uploaded.uri.startswith("runway://")

    task = client.image_to_video.create(
        model="gen4_turbo", prompt_image=uploaded.uri, ratio="1280:720", duration=2, prompt_text="a slow pan"
    ).wait_for_task_output(timeout=120)
    assert task.status == "SUCCEEDED"
    video = httpx.get(task.output[0])
    facts = probe(video.content)
    assert (facts.codec, facts.width, facts.height, facts.frames) == ("h264", 1280, 720, 48)


def test_the_upload_went_where_the_storage_is(client):
    started = client.post("/v1/uploads", body={"filename": "a.png", "type": "ephemeral"}, cast_to=httpx.Response).json()
    if backends.STORAGE == "s3":
        assert "policy" in started["fields"] and "x-amz-signature" in started["fields"]
        assert "/uploads" not in started["uploadUrl"]
    else:
        assert started["uploadUrl"].endswith("/uploads")


def test_another_keys_upload_is_refused_naming_the_field(client, reelay):
    uploaded = client.uploads.create_ephemeral(file=("mine.jpg", JPEG))
    stranger = sdk(reelay, reelay.create_key("stranger"))
    with pytest.raises(BadRequestError) as refused:
        stranger.image_to_video.create(model="gen4_turbo", prompt_image=uploaded.uri, ratio="1280:720", duration=2)
    issue = refused.value.body["issues"][0]
    assert issue["path"] == ["promptImage"] and "no upload of this API key" in issue["message"]


def test_metadata_rides_along_and_an_audio_upload_is_accepted(client):
    uploaded = client.uploads.create_ephemeral(file=("voice.mp3", make_audio(1.0, "mp3")), file_metadata='{"take": 3}')
    assert uploaded.uri.startswith("runway://")


def test_a_file_of_no_known_kind_is_refused_before_any_upload(client):
    with pytest.raises(BadRequestError) as refused:
        client.uploads.create_ephemeral(file=("notes.txt", b"hello"))
    assert refused.value.body["issues"][0]["path"] == ["filename"]
