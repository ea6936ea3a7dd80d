"""OpenAI's /v1/videos dialect: the openai SDK (3.51) and plain HTTP against a real `reelay serve`
whose sandbox renders real MP4s; tasks made here read in the other dialects and the reverse."""

from __future__ import annotations

import io

import httpx
import pytest
from openai import BadRequestError, ConflictError, NotFoundError, OpenAI
from standardwebhooks import Webhook

from reelay.dialects.openai_v1 import event_object, task_object
from support import backends, litellm
from support.images import data_uri, encode, gradient_image
from support.official import auth
from support.receiving import Receiver
from support.tasks import wait_official
from support.video import probe

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore:The Sora API:DeprecationWarning")]


@pytest.fixture(scope="module")
def client(reelay, api_key):
    return OpenAI(base_url=f"{reelay.url}/v1", api_key=api_key, max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def http(reelay, api_key):
    # Runway's version header too, for the official routes the tests read tasks back through.
    with httpx.Client(base_url=reelay.url, headers=auth(api_key), timeout=60) as found:
        yield found


@pytest.fixture(scope="module")
def finished(client):
    """One completed text-to-video, shared by the reading tests."""
    video = client.videos.create_and_poll(prompt="a lighthouse at dusk", model="wan3", seconds="2", size="832x480")
    assert video.status == "completed", video.error
    return video


def test_create_and_poll_renders_an_h264_of_the_asked_size_and_length(client, finished):
    assert (finished.object, finished.model, finished.seconds, finished.size) == ("video", "wan3", "2", "832x480")
    assert finished.progress == 100 and finished.completed_at >= finished.created_at and finished.error is None
    facts = probe(client.videos.download_content(finished.id).read())
    assert (facts.codec, facts.pix_fmt, facts.width, facts.height) == ("h264", "yuv420p", 832, 480)
    assert facts.duration == pytest.approx(2.0)


def test_input_reference_as_a_file_part(client):
    image = io.BytesIO(encode(gradient_image(480, 832), "PNG"))
    video = client.videos.create_and_poll(
        prompt="the gradient drifts",
        model="gen4_turbo",
        seconds="2",
        size="720x1280",
        input_reference=("frame.png", image, "image/png"),
    )
    assert (video.status, video.size, video.seconds) == ("completed", "720x1280", "2")
    facts = probe(client.videos.download_content(video.id).read())
    assert (facts.codec, facts.width, facts.height, facts.frames) == ("h264", 720, 1280, 48)


def test_input_reference_as_an_image_url_object(client):
    video = client.videos.create(
        prompt="a slow pan",
        model="gen4_turbo",
        seconds="2",
        size="1100x830",  # no such ratio: the nearest, 1104:832
        # As the SDK's type allows ({image_url}): its 3.51 refuses a dict there client-side, so
        # the form field it would send goes as an extra field of its multipart body.
        extra_body={"input_reference[image_url]": data_uri(gradient_image(640, 480), "JPEG")},
    )
    assert video.status == "queued" and video.size == "1104x832"
    assert client.videos.poll(video.id).status == "completed"


def test_input_reference_as_a_stored_upload(http, client):
    """A file uploaded through Runway's POST /v1/uploads, named by its runway:// URI as `file_id`."""
    started = http.post("/v1/uploads", json={"filename": "frame.jpg", "type": "ephemeral"}).json()
    image = encode(gradient_image(640, 360, seed=4), "JPEG")
    sent = httpx.post(started["uploadUrl"], data=started["fields"], files={"file": ("frame.jpg", image, "image/jpeg")})
    assert sent.status_code in (200, 201, 204), sent.text
    created = http.post(
        "/v1/videos",
        json={
            "prompt": "pan",
            "model": "gen4_turbo",
            "seconds": "2",
            "input_reference": {"file_id": started["runwayUri"]},
        },
    )
    assert created.status_code == 200, created.text
    assert client.videos.poll(created.json()["id"]).status == "completed"
    stranger = http.post(
        "/v1/videos",
        json={"prompt": "pan", "model": "gen4_turbo", "input_reference": {"file_id": "runway://nothing-here"}},
    )
    assert stranger.status_code == 400 and stranger.json()["error"]["param"] == "input_reference"


def test_a_model_that_needs_an_image_names_input_reference(client):
    with pytest.raises(BadRequestError) as refused:
        client.videos.create(prompt="a cat", model="gen4_turbo", seconds="2")
    error = refused.value.body
    assert (error["param"], error["type"], error["code"]) == (
        "input_reference",
        "invalid_request_error",
        "missing_required_parameter",
    )


def test_validation_errors_name_the_field_in_openais_shape(http):
    last_only = {"image_url": {"url": "https://x.test/a.png"}, "frame_type": "last_frame"}
    cases = [
        ({"prompt": "a cat", "model": "veo3.1", "seconds": "5"}, "seconds", "must be one of 4, 6, 8"),
        ({"prompt": "a cat", "model": "veo3.1", "size": "wide"}, "size", "1280x720"),
        ({"prompt": "a cat", "model": "nope"}, "model", "not 'nope'"),
        ({"model": "veo3.1"}, "prompt", "is required"),
        ({"prompt": "a cat", "colour": "red"}, "colour", "not a known parameter"),
        ({"prompt": "a cat", "model": "veo3.1", "duration": 3}, "duration", "must be one of 4, 6, 8"),
        (
            {"prompt": "a cat", "frame_images": [{"image_url": {"url": ""}}]},
            "frame_images[0].image_url.url",
            "required",
        ),
        ({"prompt": "a cat", "model": "veo3.1", "resolution": "720p"}, "resolution", "not a parameter of veo3.1"),
        (
            {
                "prompt": "a cat",
                "model": "gen4.5",
                "frame_images": [{"image_url": {"url": "https://x.test/a.png"}}] * 2,
            },
            "frame_images[1].frame_type",
            "'first' is given twice",
        ),
        (
            {"prompt": "a cat", "model": "gen4.5", "frame_images": [last_only]},
            "frame_images[0].frame_type",
            "not 'last'",
        ),
    ]
    for body, param, words in cases:
        answer = http.post("/v1/videos", json=body)
        assert answer.status_code == 400, (body, answer.text)
        error = answer.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert error["param"] == param and words in error["message"], (body, error)
    form = http.post(
        "/v1/videos", data={"prompt": "a cat", "seconds": "x"}, files={"input_reference": ("a.txt", b"hi")}
    )
    assert form.status_code == 400 and form.json()["error"]["param"] == "input_reference"


def test_errors_under_v1_videos_are_openais_and_runways_stay_runways(http, api_key):
    unknown = http.get("/v1/videos/some-id/nothing")
    assert unknown.status_code == 404 and set(unknown.json()["error"]) == {"message", "type", "param", "code"}
    wrong = http.put("/v1/videos/some-id")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"] and "DELETE" in wrong.headers["Allow"]
    unauthorized = httpx.get(str(http.base_url) + "/v1/videos", headers={"Authorization": "Bearer nope"})
    assert unauthorized.status_code == 401 and unauthorized.json()["error"]["type"] == "authentication_error"
    runway = http.get("/v1/tasks/some-id")
    assert runway.status_code == 404 and isinstance(runway.json()["error"], str) and "docUrl" in runway.json()


def test_openrouter_fields_as_plain_json(http):
    first, last = data_uri(gradient_image(640, 360, seed=2), "PNG"), data_uri(gradient_image(640, 360, seed=5), "PNG")
    body = {
        "prompt": "morph",
        "model": "seedance2_fast",
        "duration": 4,
        "aspect_ratio": "16:9",
        "seed": 7,
        "frame_images": [
            {"type": "image_url", "image_url": {"url": first}, "frame_type": "first_frame"},
            {"type": "image_url", "image_url": {"url": last}, "frame_type": "last_frame"},
        ],
    }
    broken = {
        **body,
        "frame_images": [
            body["frame_images"][0],
            {**body["frame_images"][1], "image_url": {"url": "data:text/plain;base64,aGk="}},
        ],
    }
    refused = http.post("/v1/videos", json=broken)  # found when the images are loaded, at submission
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "frame_images[1].image_url.url"
    created = http.post("/v1/videos", json=body)
    assert created.status_code == 200, created.text
    video = created.json()
    assert (video["status"], video["size"], video["seconds"], video["model"]) == (
        "queued",
        "1280x720",
        "4",
        "seedance2_fast",
    )
    assert int(created.headers["openai-poll-after-ms"]) > 0
    done = wait_official(http, video["id"])
    assert done["status"] == "SUCCEEDED"
    read = http.get(f"/v1/videos/{video['id']}")
    assert read.json()["status"] == "completed" and "openai-poll-after-ms" not in read.headers


def test_content_answers_range_head_and_the_thumbnail(http, finished):
    path = f"/v1/videos/{finished.id}/content"
    refused = http.get(path, params={"variant": "spritesheet"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "variant"
    if backends.STORAGE == "s3":
        # On S3 the content is a redirect to a signed URL, and the object store answers Range.
        video, thumbnail = (http.get(path, params={"variant": v}) for v in ("video", "thumbnail"))
        assert video.status_code == thumbnail.status_code == 302
        with httpx.Client() as store:
            whole = store.get(video.headers["location"])
            part = store.get(video.headers["location"], headers={"Range": "bytes=0-99"})
            picture = store.get(thumbnail.headers["location"])
    else:
        whole = http.get(path)
        part = http.get(path, headers={"Range": "bytes=0-99"})
        picture = http.get(path, params={"variant": "thumbnail"})
        head = http.head(path)  # (a signed S3 URL is signed for GET alone)
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) == len(whole.content)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    assert part.status_code == 206 and part.content == whole.content[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole.content)}"
    assert picture.status_code == 200 and picture.headers["content-type"].startswith("image/")


def test_list_pages_with_openais_cursor(client, reelay):
    key = reelay.create_key()
    own = OpenAI(base_url=f"{reelay.url}/v1", api_key=key, max_retries=0)
    made = [
        own.videos.create(prompt=f"[sandbox:delay=30] clip {n}", model="veo3.1_fast", seconds="4").id for n in range(3)
    ]
    page = own.videos.list(limit=2)
    assert [v.id for v in page.data] == made[::-1][:2] and page.has_more is True
    assert [v.id for v in own.videos.list(limit=2).iter_pages().__next__().data] == made[::-1][:2]
    assert [v.id for v in own.videos.list(limit=2)] == made[::-1]  # the SDK follows last_id
    assert [v.id for v in own.videos.list(order="asc", limit=5).data] == made
    after = own.videos.list(after=made[2], limit=5)
    assert [v.id for v in after.data] == made[1::-1] and after.has_more is False
    with httpx.Client(base_url=reelay.url, headers=auth(key)) as http:
        for video_id in made:  # cancelled (Runway's DELETE), so the worker renders none of them
            assert http.delete(f"/v1/tasks/{video_id}").status_code == 204
    assert own.videos.list().data == []
    with httpx.Client(base_url=reelay.url, headers=auth(key)) as http:  # an image task is no video
        image = http.post("/v1/text_to_image", json={"model": "ideogram_4_5", "promptText": "[sandbox:delay=30] a"})
        assert own.videos.list().data == []
        assert http.delete(f"/v1/tasks/{image.json()['id']}").status_code == 204


def test_delete_a_finished_video_and_refuse_a_live_one(client, http, api_key):
    done = client.videos.create_and_poll(prompt="short", model="wan3", seconds="2", size="480x832")
    deleted = client.videos.delete(done.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (done.id, True, "video.deleted")
    with pytest.raises(NotFoundError):
        client.videos.retrieve(done.id)
    live = client.videos.create(prompt="[sandbox:delay=60] hold", model="wan3", seconds="2", size="480x832")
    with pytest.raises(ConflictError) as refused:
        client.videos.delete(live.id)
    assert refused.value.body["code"] == "task_not_finished"
    assert http.delete(f"/v1/tasks/{live.id}").status_code == 204


def test_remix_repeats_the_request_with_a_new_prompt(client, finished):
    remix = client.videos.remix(finished.id, prompt="the same lighthouse at dawn")
    assert remix.remixed_from_video_id == finished.id and remix.id != finished.id
    assert (remix.model, remix.size, remix.seconds, remix.prompt) == (
        "wan3",
        "832x480",
        "2",
        "the same lighthouse at dawn",
    )
    done = client.videos.poll(remix.id)
    assert done.status == "completed" and done.remixed_from_video_id == finished.id


def test_an_image_task_is_not_remixed(http):
    made = http.post("/v1/text_to_image", json={"model": "ideogram_4_5", "promptText": "[sandbox:delay=30] a lamp"})
    task_id = made.json()["id"]
    refused = http.post(f"/v1/videos/{task_id}/remix", json={"prompt": "again"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "video_id"
    assert http.delete(f"/v1/tasks/{task_id}").status_code == 204


def test_a_task_reads_in_every_dialect(http, finished):
    official = http.get(f"/v1/tasks/{finished.id}").json()
    assert official["status"] == "SUCCEEDED" and official["output"][0].startswith("http")
    pro = http.get("/runway/feed", params={"task_id": finished.id}).json()["data"]
    assert pro["status"] == "3" and pro["video_url"]
    made = http.post(
        "/v1/text_to_video",
        json={"model": "veo3.1_fast", "promptText": "[sandbox:delay=30] waves", "ratio": "720:1280", "duration": 4},
    ).json()
    seen = http.get(f"/v1/videos/{made['id']}").json()
    assert (seen["object"], seen["status"], seen["size"], seen["seconds"]) == ("video", "queued", "720x1280", "4")
    assert http.delete(f"/v1/tasks/{made['id']}").status_code == 204


def test_cancelled_reads_as_failed_with_code_cancelled_and_events_name_the_outcome():
    from datetime import UTC, datetime

    from reelay.domain.request import GenerationRequest
    from reelay.domain.status import Status
    from reelay.domain.task import Task

    request = GenerationRequest("openai", "text_to_video", "veo3.1", "veo3.1", "1280:720", 1280, 720, 8, prompt="x")
    now = datetime.now(UTC)
    task = Task("t1", "k", request, Status.CANCELLED, now, now)
    shown = task_object(task, {})
    assert shown["status"] == "failed" and shown["error"]["code"] == "cancelled"
    assert event_object(task, {})["type"] == "video.failed"
    task.status = Status.SUCCEEDED
    event = event_object(task, {})
    assert (event["type"], event["object"], event["data"]["id"]) == ("video.completed", "event", "t1")


def test_callback_url_gets_openais_webhook_events_signed(reelay, tmp_path):
    made = reelay.new_key("openai-webhooks")
    receiver = Receiver(tmp_path / "events.jsonl").start()
    try:
        created = httpx.post(
            f"{reelay.url}/v1/videos",
            json={
                "prompt": "rain",
                "model": "wan3",
                "seconds": "2",
                "size": "480x832",
                "callback_url": receiver.url + "/hook",
            },
            headers={"Authorization": f"Bearer {made['key']}"},
        ).json()
        entries = receiver.wait_for(lambda got: any(e["json"].get("type") == "video.completed" for e in got))
        mine = [e for e in entries if e["json"]["data"]["id"] == created["id"]]
        assert [e["json"]["type"] for e in mine] == ["video.in_progress", "video.completed"]
        final = mine[-1]
        assert final["json"]["object"] == "event" and final["json"]["data"]["video"]["status"] == "completed"
        Webhook(made["signing_secret"]).verify(final["body"], final["headers"])  # Standard Webhooks, as OpenAI signs
    finally:
        receiver.stop()


def test_litellm_proxy_in_front_of_reelay(reelay, tmp_path):
    """LiteLLM's proxy (its own virtual environment) with `openai/wan3` pointed at Reelay: a create
    through it ends completed, and the content downloads through it."""
    key = reelay.create_key("litellm")
    config = (
        "model_list:\n"
        "  - model_name: reelay-wan3\n"
        "    litellm_params:\n"
        "      model: openai/wan3\n"
        f"      api_base: {reelay.url}/v1\n"
        f"      api_key: {key}\n"
        "general_settings:\n"
        "  master_key: sk-reelay-test\n"
    )
    process, url = litellm.start(config, tmp_path)
    try:
        proxy = OpenAI(base_url=f"{url}/v1", api_key="sk-reelay-test", max_retries=0, timeout=60)
        video = proxy.videos.create_and_poll(
            prompt="rain on a window", model="reelay-wan3", seconds="2", size="832x480"
        )
        assert (video.status, video.size, video.seconds) == ("completed", "832x480", "2")
        facts = probe(proxy.videos.download_content(video.id).read())
        assert (facts.codec, facts.width, facts.height) == ("h264", 832, 480)
        assert facts.duration == pytest.approx(2.0)
        # LiteLLM's id wraps Reelay's; the task is the key's own on Reelay.
        with httpx.Client(base_url=reelay.url, headers={"Authorization": f"Bearer {key}"}) as http:
            [mine] = http.get("/v1/videos").json()["data"]
        assert mine["status"] == "completed" and mine["model"] == "wan3"
    finally:
        litellm.stop(process)


def test_openapi_documents_the_routes_in_openais_shapes(reelay):
    document = httpx.get(f"{reelay.url}/openapi.json").json()
    paths = document["paths"]
    assert {"post", "get"} <= set(paths["/v1/videos"]) and {"get", "delete"} <= set(paths["/v1/videos/{video_id}"])
    assert {"get", "head"} <= set(paths["/v1/videos/{video_id}/content"])
    refused = paths["/v1/videos"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert refused["$ref"].endswith("/OpenAIError")
    body = document["components"]["schemas"]["CreateVideoBody"]
    assert {"prompt", "model", "seconds", "size", "input_reference", "frame_images"} <= set(body["properties"])
    assert set(document["components"]["schemas"]["Video"]["properties"]["status"]["enum"]) == {
        "queued",
        "in_progress",
        "completed",
        "failed",
    }
