"""Results are served by Reelay under signed URLs that expire, with Range support."""

import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from support.backends import STORAGE
from support.images import data_uri, gradient_image
from support.official import auth
from support.tasks import wait_pro
from support.video import probe

IMAGE = data_uri(gradient_image(640, 640), "PNG")


@pytest.fixture(scope="module")
def done(reelay, api_key):
    http = httpx.Client(base_url=reelay.url, headers=auth(api_key))
    created = http.post(
        "/runway/pro/generate",
        json={
            "callback_url": "https://example.com/cb",
            "image": IMAGE,
            "model": "gen4",
            "ratio": "1:1",
            "options": {"seconds": 5},
        },
    ).json()["data"]
    return http, wait_pro(http, created["task_id"])


def test_succeeded_pro_task_has_video_poster_and_last_frame(done):
    _http, data = done
    assert data["status"] == "3" and data["state"] == "succeeded" and data["msg"] is None
    video = httpx.get(data["video_url"])
    facts = probe(video.content)
    assert (facts.codec, facts.width, facts.height, facts.frames) == ("h264", 960, 960, 120)
    for name in ("poster", "last_frame"):
        image = httpx.get(data[name])
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        assert image.content[:3] == b"\xff\xd8\xff"


def test_urls_are_issued_afresh_on_every_read(done):
    http, data = done
    time.sleep(1.1)
    again = http.post("/runway/feed", json={"task_id": data["task_id"]}).json()["data"]
    assert again["video_url"] != data["video_url"]
    assert httpx.get(again["video_url"]).status_code == 200


def test_range_requests_get_partial_content(done):
    _, data = done
    whole = httpx.get(data["video_url"]).content
    part = httpx.get(data["video_url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == whole[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole)}"


def _with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.mark.skipif(STORAGE == "s3", reason="local storage URLs; S3 presigned URLs are proven in test_storage_s3")
def test_tampered_and_expired_urls_are_refused(done):
    _, data = done
    url = data["video_url"]
    signature = parse_qs(urlsplit(url).query)["sig"][0]
    tampered_sig = _with_query(url, sig=("0" if signature[0] != "0" else "1") + signature[1:])
    later = _with_query(url, expires=str(int(time.time()) + 10 * 86400))  # stretched expiry, old signature
    expired = _with_query(url, expires="1000")
    other_file = url.replace("video.mp4", "poster.jpg")
    for bad in (tampered_sig, later, expired, other_file):
        answer = httpx.get(bad)
        assert answer.status_code == 403, bad
        assert "expired" in answer.json()["error"]


def test_idempotency_same_body_same_task_other_body_409(reelay, api_key):
    http = httpx.Client(base_url=reelay.url, headers={**auth(api_key), "Idempotency-Key": "order-42"})
    body = {"model": "veo3.1", "promptText": "once", "ratio": "1280:720", "duration": 4}
    first = http.post("/v1/text_to_video", json=body)
    second = http.post("/v1/text_to_video", json=dict(reversed(list(body.items()))))
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    other = http.post("/v1/text_to_video", json={**body, "promptText": "twice"})
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["error"]
    pro = http.post("/runway/pro/generate", json={"callback_url": "https://e.com/c", "prompt": "once"})
    assert pro.status_code == 409 and pro.json()["msg"].startswith("idempotency_conflict:")
    # Another key may use the same idempotency key for its own task.
    other_key = reelay.create_key("other")
    mine = httpx.post(
        reelay.url + "/v1/text_to_video", json=body, headers={**auth(other_key), "Idempotency-Key": "order-42"}
    )
    assert mine.status_code == 200 and mine.json()["id"] != first.json()["id"]
