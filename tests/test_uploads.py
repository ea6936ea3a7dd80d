"""POST /v1/uploads and Reelay's own upload form (local storage), in process: what a client
gets wrong is a clear 4xx, the form writes only its own upload, and a `runway://` URI works for
the key that uploaded it until it expires."""

import time

import pytest

from support.images import encode, gradient_image
from support.inprocess import make_app_client, make_key
from support.official import auth, official_error

JPEG = encode(gradient_image(640, 400), "JPEG")


def start(client, key, filename="still.jpg"):
    answer = client.post("/v1/uploads", json={"filename": filename, "type": "ephemeral"}, headers=auth(key))
    assert answer.status_code == 200, answer.text
    return answer.json()


def send(client, started, data=JPEG, *, name="still.jpg", content_type="image/jpeg", **changed):
    fields = {**started["fields"], **changed}
    return client.post(started["uploadUrl"], data=fields, files={"file": (name, data, content_type)})


def image_to_video(client, key, uri):
    body = {"model": "gen4_turbo", "promptImage": uri, "ratio": "1280:720", "duration": 5}
    return client.post("/v1/image_to_video", json=body, headers=auth(key))


@pytest.fixture
def uploads(tmp_path):
    with make_app_client(tmp_path) as (client, key):
        yield client, key


def test_an_uploaded_image_starts_a_task_for_its_key_only(uploads):
    client, key = uploads
    started = start(client, key)
    assert started["runwayUri"].startswith("runway://")
    assert set(started["fields"]) == {"key", "Content-Type", "expires", "signature"}
    assert started["fields"]["Content-Type"] == "image/jpeg"
    assert send(client, started).status_code == 204

    created = image_to_video(client, key, started["runwayUri"])
    assert created.status_code == 200, created.text
    other = make_key(client.settings)
    refused = image_to_video(client, other, started["runwayUri"])
    assert refused.status_code == 400
    assert official_error(refused).startswith("promptImage: names no upload of this API key")


def test_a_started_upload_without_its_file_is_refused_where_it_is_used(uploads):
    client, key = uploads
    started = start(client, key)
    refused = image_to_video(client, key, started["runwayUri"])
    assert refused.status_code == 400
    assert "never sent" in official_error(refused)


def test_an_upload_expires(tmp_path):
    # 3 s, not 1: on a loaded machine the start and the send alone once took longer than 1 s.
    with make_app_client(tmp_path, upload_ttl_seconds=3) as (client, key):
        started = start(client, key)
        assert send(client, started).status_code == 204
        time.sleep(3.2)
        refused = image_to_video(client, key, started["runwayUri"])
        assert refused.status_code == 400
        assert "expired" in official_error(refused)
        # Its form expired too: it no longer writes.
        late = send(client, started)
        assert late.status_code == 403 and "expired" in late.json()["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filename": "notes.txt", "type": "ephemeral"}, "filename"),
        ({"filename": "", "type": "ephemeral"}, "filename"),
        ({"filename": 7, "type": "ephemeral"}, "filename"),
        ({"type": "ephemeral"}, "filename"),
        ({"filename": "a.png", "type": "permanent"}, "type"),
        ({"filename": "a.png", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_start_names_its_field_in_runways_shape(uploads, body, field):
    client, key = uploads
    answer = client.post("/v1/uploads", json=body, headers=auth(key))
    assert answer.status_code == 400
    assert answer.json()["error"] == "Validation of body failed"
    assert official_error(answer).startswith(f"{field}:")


def test_starting_an_upload_needs_a_key(uploads):
    client, _ = uploads
    assert client.post("/v1/uploads", json={"filename": "a.png"}, headers=auth("rl_nope")).status_code == 401


def test_the_form_writes_only_the_upload_it_was_made_for(uploads):
    client, key = uploads
    mine, theirs = start(client, key), start(client, make_key(client.settings))
    # Pointing the form at another upload, or changing its type or expiry, breaks the signature.
    for changed in (
        {"key": theirs["fields"]["key"]},
        {"Content-Type": "video/mp4"},
        {"expires": str(int(mine["fields"]["expires"]) + 3600)},
        {"signature": "0" * 64},
    ):
        answer = send(client, mine, **changed)
        assert answer.status_code == 403, changed
        assert "not valid" in answer.json()["error"]
    assert "never sent" in official_error(image_to_video(client, key, mine["runwayUri"]))


def test_the_form_refuses_a_file_of_another_kind_an_empty_file_and_stray_fields(uploads):
    client, key = uploads
    started = start(client, key)
    wrong = send(client, started, b"ID3" + bytes(100), name="song.mp3", content_type="audio/mpeg")
    assert wrong.status_code == 400 and "image/jpeg" in wrong.json()["error"]
    empty = send(client, started, b"")
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    stray = send(client, started, colour="red")
    assert stray.status_code == 400 and "colour" in stray.json()["error"]
    no_file = client.post(started["uploadUrl"], data=started["fields"])
    assert no_file.status_code == 400
    # None of those wrote anything.
    assert "never sent" in official_error(image_to_video(client, key, started["runwayUri"]))


def test_the_form_refuses_a_file_over_the_size_limit(tmp_path):
    with make_app_client(tmp_path, upload_max_bytes=len(JPEG) - 1) as (client, key):
        started = start(client, key)
        answer = send(client, started)
        assert answer.status_code == 413
        assert "size limit" in answer.json()["error"]
        assert "never sent" in official_error(image_to_video(client, key, started["runwayUri"]))


def test_a_video_and_an_audio_file_upload_with_their_types(uploads):
    client, key = uploads
    for filename, content_type in (
        ("clip.MP4", "video/mp4"),
        ("voice.wav", "audio/wav"),
        ("take.mov", "video/quicktime"),
    ):
        assert start(client, key, filename)["fields"]["Content-Type"] == content_type


@pytest.mark.parametrize(
    "request_args",
    [
        {"content": b"not a form"},
        {"json": {"key": "uploads/x/y"}},
        {"content": b"--b\r\nbroken", "headers": {"Content-Type": "multipart/form-data; boundary=b"}},
        {"data": {"key": "uploads/a/b", "Content-Type": "image/png", "expires": "²", "signature": "x"}},
        {"data": {"key": "../../etc/passwd", "Content-Type": "image/png", "expires": "9" * 12, "signature": "é"}},
    ],
)
def test_a_malformed_form_is_a_clear_4xx_never_a_500(uploads, request_args):
    client, _ = uploads
    answer = client.post("/uploads", **request_args)
    assert answer.status_code in (400, 403), answer.text
    assert answer.json()["error"]


def test_an_expired_upload_is_deleted_from_storage_by_the_worker(tmp_path):
    with make_app_client(tmp_path, upload_ttl_seconds=1, worker=True, upload_sweep_seconds=0.2) as (client, key):
        storage = client.app.state.reelay.storage
        kept = start(client, key)  # started but its file never sent: its record goes too
        sent = start(client, key)
        assert send(client, sent).status_code == 204
        assert len(client.portal.call(storage.keys, "uploads/")) == 3  # two records, one file
        deadline = time.monotonic() + 5
        while client.portal.call(storage.keys, "uploads/") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.portal.call(storage.keys, "uploads/") == []
        assert "deleted once they expire" in official_error(image_to_video(client, key, kept["runwayUri"]))
