"""The console's playground in this process, on a real data dir: the forms offer the catalogue's
models, and Run makes real tasks of the signed-in key in both dialects (rendered by the sandbox to
the end), answers the dialect's own errors by field, and refuses what lacks the session's CSRF
token. The signed-in key reaches the API only in-process, as an ASGI scope key."""

from __future__ import annotations

import html
import io
import json
import re
import time

import pytest
from PIL import Image

from reelay.console import playground
from reelay.console.render import HERE
from reelay.dialects.common import CONSOLE_KEY
from reelay.domain import catalogue
from reelay.domain.request import MOTION_AXES
from reelay.domain.status import Status
from reelay.store.task_search import TaskFilters
from support.console import sign_in
from support.images import encode, gradient_image
from support.inprocess import make_app_client

FINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


@pytest.fixture
def console(tmp_path):
    """The app with its worker on (the sandbox renders small), signed in as a client key."""
    settings = {"worker": True, "sandbox_scale": 0.25, "render_processes": 1, "require_callback_url": False}
    with make_app_client(tmp_path, **settings) as (client, key):
        client.key = client.portal.call(client.app.state.reelay.keys.authenticate, key)
        sign_in(client, key)
        client.csrf = playground_token(client)
        yield client


def playground_token(client) -> str:
    page = client.get("/console/playground")
    assert page.status_code == 200, page.text
    return html.unescape(re.search(r'id="playground-csrf" value="([^"]+)"', page.text).group(1))


def run(client, endpoint: str, body: dict, *, token: str | None = "session"):
    headers = {"X-CSRF-Token": client.csrf if token == "session" else token} if token else {}
    return client.post("/console/playground/run", json={"endpoint": endpoint, "body": body}, headers=headers)


def upload_sample(client, name: str = "valley") -> str:
    answer = client.post("/console/playground/upload", data={"sample": name}, headers={"X-CSRF-Token": client.csrf})
    assert answer.status_code == 200, answer.text
    return answer.json()["uri"]


def finished(client, task_id: str, timeout: float = 90) -> dict:
    """The task as the page polls it, once it has ended."""
    deadline = time.monotonic() + timeout
    while True:
        found = client.get(f"/console/tasks/{task_id}.json").json()
        if found["status"] in FINAL or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def stored(client, task_id: str):
    return client.portal.call(client.app.state.reelay.tasks.get, task_id)


def task_count(client) -> int:
    """The signed-in key's tasks."""
    search = client.app.state.reelay.search
    return len(client.portal.call(lambda: search.page(TaskFilters(api_key_id=client.key.id))).tasks)


def test_the_page_offers_the_catalogues_models_for_each_endpoint(console):
    page = console.get("/console/playground")
    assert page.status_code == 200 and page.headers["content-security-policy"].startswith("default-src 'self'")
    for endpoint in (catalogue.IMAGE_TO_VIDEO, catalogue.TEXT_TO_VIDEO, catalogue.TEXT_TO_IMAGE):
        select = re.search(rf'<select id="official-model-{endpoint}".*?</select>', page.text, re.S).group(0)
        assert re.findall(r'<option value="([^"]+)"', select) == list(catalogue.models(endpoint))
    pro_select = re.search(r'<select id="pro-model".*?</select>', page.text, re.S).group(0)
    assert re.findall(r'<option value="([^"]+)"', pro_select) == list(catalogue.PRO_MODELS)

    # The script reads each model's choices from the page: the catalogue row's, not a copy.
    config = json.loads(html.unescape(re.search(r'id="playground-config">(.*?)</script>', page.text, re.S).group(1)))
    for endpoint, models in config["official"].items():
        for model in models:
            row = catalogue.row(endpoint, model["model"])
            assert model["fields"].get("ratio", {}).get("choices", []) == list(row.ratios)
            if "duration" in model["fields"]:
                assert [d for d in model["fields"]["duration"]["choices"] if d != "auto"] == list(row.durations)
    assert [axis["name"] for axis in config["camera"]["axes"]] == list(MOTION_AXES)
    assert config["base_url"] == "http://testserver"

    # Every asset is Reelay's own.
    for asset in (
        "/console/static/playground.js",
        "/console/static/playground.css",
        "/console/playground/samples/city.jpg",
    ):
        assert console.get(asset).status_code == 200, asset
    assert not re.search(r'(src|href)="(https?:)?//', page.text)


def test_a_run_in_each_dialect_makes_a_task_of_the_signed_in_key_that_succeeds(console):
    picture = upload_sample(console, "chart")
    vector = {"x": 2.5, "y": 0, "z": 4, "r": -3, "bg_x_pan": 0, "bg_y_pan": 1}
    pro = run(
        console,
        "pro_generate",
        {"model": "gen4_turbo", "prompt": "over the chart", "ratio": "16:9", "image": picture,
         "options": {"seconds": 5, "motion_vector": vector}},
    )  # fmt: skip
    assert pro.status_code == 200, pro.text
    image_row = catalogue.row(catalogue.TEXT_TO_IMAGE, "gen4_image")
    official = {
        catalogue.IMAGE_TO_VIDEO: {
            "model": "gen4_turbo", "promptImage": picture, "promptText": "a drift", "ratio": "1280:720", "duration": 5
        },
        catalogue.TEXT_TO_VIDEO: {"model": "veo3.1_fast", "promptText": "a title", "ratio": "1280:720", "duration": 4},
        catalogue.TEXT_TO_IMAGE: {"model": "gen4_image", "promptText": "a still", "ratio": image_row.ratios[0]},
    }  # fmt: skip
    created = {"pro_generate": pro.json()}
    for endpoint, body in official.items():
        answer = run(console, endpoint, body)
        assert answer.status_code == 200, answer.text
        created[endpoint] = answer.json()
    # The dialect's own answers, passed through.
    assert created["pro_generate"]["answer"]["data"]["task_id"] == created["pro_generate"]["task_id"]
    assert created[catalogue.IMAGE_TO_VIDEO]["answer"]["id"] == created[catalogue.IMAGE_TO_VIDEO]["task_id"]

    for endpoint, answer in created.items():
        task_id = answer["task_id"]
        assert answer["poll_url"] == f"/console/tasks/{task_id}.json"
        polled = finished(console, task_id)
        assert polled["status"] == "SUCCEEDED", (endpoint, polled)
        task = stored(console, task_id)
        assert task.api_key_id == console.key.id and task.status == Status.SUCCEEDED
        if endpoint == catalogue.TEXT_TO_IMAGE:
            outputs = console.get(f"/console/playground/output/{task_id}").json()["output"]
            assert len(outputs) == 1
            with Image.open(io.BytesIO(console.get(outputs[0]).content)) as image:
                assert image.width > 0
        else:
            video = console.get(polled["video_url"])
            assert video.status_code == 200 and video.content[4:8] == b"ftyp"

    pro_task = stored(console, created["pro_generate"]["task_id"])
    assert pro_task.request.dialect == "pro" and pro_task.request.motion == tuple(vector[a] for a in MOTION_AXES)
    assert pro_task.request.inputs[0].uri == picture
    assert stored(console, created[catalogue.IMAGE_TO_VIDEO]["task_id"]).request.inputs[0].uri == picture


def test_a_bad_field_comes_back_with_the_dialects_error_naming_it(console):
    pro = run(console, "pro_generate", {"model": "gen3", "prompt": "a cat", "ratio": "1:1"})
    assert pro.status_code == 400
    assert pro.json()["errors"][0]["field"] == "ratio" and "16:9" in pro.json()["errors"][0]["message"]
    assert pro.json()["answer"]["msg"].startswith("invalid_parameters: ratio:")  # the pro envelope as sent

    motion = run(console, "pro_generate", {"prompt": "a cat", "options": {"motion_vector": {"x": 11}}})
    assert motion.status_code == 400 and motion.json()["errors"][0]["field"] == "options.motion_vector.x"

    official = run(
        console,
        catalogue.IMAGE_TO_VIDEO,
        {"model": "gen4_turbo", "promptImage": upload_sample(console), "ratio": "1:1"},
    )
    assert official.status_code == 400
    assert official.json()["answer"]["error"] == "Validation of body failed"  # Runway's shape, with its issues
    assert official.json()["errors"][0]["field"] == "ratio"

    several = run(console, catalogue.TEXT_TO_VIDEO, {"model": "veo3.1", "promptText": "x", "ratio": "1280:720",
                                                      "duration": 5, "colour": "red"})  # fmt: skip
    assert {error["field"] for error in several.json()["errors"]} == {"duration", "colour"}

    unknown = run(console, "image_to_music", {})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "endpoint"
    assert task_count(console) == 0


def test_a_run_or_an_upload_without_the_sessions_csrf_token_is_refused(console):
    body = {"model": "gen4_turbo", "prompt": "a cat"}
    for token in (None, "not-the-token"):
        refused = run(console, "pro_generate", body, token=token)
        assert refused.status_code == 403 and "security token" in refused.json()["errors"][0]["message"]
        upload = console.post(
            "/console/playground/upload", data={"sample": "city"}, headers={"X-CSRF-Token": token or ""}
        )
        assert upload.status_code == 403
    console.cookies.clear()  # signed out: the same request with the old token asks to sign in
    assert run(console, "pro_generate", body).status_code == 401
    away = console.get("/console/playground", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/console/login?next=/console/playground"
    assert task_count(console) == 0


def test_the_console_key_is_a_scope_key_no_network_request_can_set(console):
    made = run(console, "pro_generate", {"model": "gen4_turbo", "prompt": "mine", "options": {"seconds": 5}})
    task_id = made.json()["task_id"]
    assert finished(console, task_id)["status"] == "SUCCEEDED"
    # Over the wire the key can only come as headers, cookies or the query: none of them is it.
    for sent in (
        {"headers": {CONSOLE_KEY: console.key.id}},
        {"headers": {"Reelay-Console-Key": console.key.id}},
        {"params": {CONSOLE_KEY: console.key.id}},
        {},  # the console's session cookie alone
    ):
        answer = console.get(f"/v1/tasks/{task_id}", **sent)
        assert answer.status_code == 401, (sent, answer.text)
    # In the scope it is honoured only as the key itself, never as a name for one.
    from fastapi import Request

    from reelay.dialects.common import caller
    from reelay.domain.errors import Unauthorized

    scope = {"type": "http", "headers": [], "app": console.app, CONSOLE_KEY: console.key.id}
    with pytest.raises(Unauthorized):
        console.portal.call(caller, Request(scope))
    assert console.portal.call(caller, Request({**scope, CONSOLE_KEY: console.key})).id == console.key.id


def test_an_uploaded_picture_is_the_tasks_image(console, monkeypatch):
    picture = gradient_image(400, 300, seed=7)
    sent = console.post(
        "/console/playground/upload",
        files={"file": ("holiday.png", encode(picture), "image/png")},
        headers={"X-CSRF-Token": console.csrf},
    )
    assert sent.status_code == 200, sent.text
    uri = sent.json()["uri"]
    assert uri.startswith("runway://")
    answer = run(console, catalogue.IMAGE_TO_VIDEO, {"model": "gen4_turbo", "promptImage": uri, "ratio": "1280:720",
                                                      "duration": 2})  # fmt: skip
    assert answer.status_code == 200, answer.text
    task = stored(console, answer.json()["task_id"])
    (first,) = task.request.inputs
    assert (first.uri, first.width, first.height) == (uri, 400, 300)  # the upload itself, loaded at submission
    assert finished(console, task.id)["status"] == "SUCCEEDED"

    # Not an image, or another key's upload: the field is named.
    text = console.post(
        "/console/playground/upload",
        files={"file": ("notes.txt", b"hello", "text/plain")},
        headers={"X-CSRF-Token": console.csrf},
    )
    assert text.status_code == 400 and text.json()["errors"][0]["field"] == "file"
    monkeypatch.setattr(console.app.state.reelay.settings, "image_url_max_bytes", 1000)
    big = console.post(
        "/console/playground/upload",
        files={"file": ("big.png", encode(picture), "image/png")},
        headers={"X-CSRF-Token": console.csrf},
    )
    assert big.status_code == 400 and "1000 bytes" in big.json()["errors"][0]["message"]
    _, other = console.portal.call(console.app.state.reelay.keys.create, "other")
    foreign = console.post(
        "/v1/image_to_video",
        json={"model": "gen4_turbo", "promptImage": uri, "ratio": "1280:720"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert foreign.status_code == 400 and "promptImage" in foreign.text


def test_sample_pictures_are_images_reelay_draws_itself():
    for name in playground.SAMPLES:
        with Image.open(io.BytesIO(playground.sample_bytes(name))) as image:
            assert image.size == playground.SAMPLE_SIZE and image.format == "JPEG"


# The preview's camera, run by node (a process: e2e), against the sandbox's own CameraPath.
CAMERA_HARNESS = """
const fs = require("fs");
const [script, camera, cases] = process.argv.slice(2);
const source = fs.readFileSync(script, "utf8");
const CAM = JSON.parse(camera);
function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }
eval(source.slice(source.indexOf("  function ease(t)"), source.indexOf("  // -- the preview")));
console.log(JSON.stringify(JSON.parse(cases).map(([motion, width, height, t]) => {
  const path = new CameraPath(motion, width, height);
  return [path.baseZoom, path.corners(t)];
})));
"""


@pytest.mark.e2e
def test_the_preview_moves_the_picture_as_the_sandbox_camera_does(tmp_path):
    import shutil
    import subprocess

    import numpy as np

    from reelay.engines.sandbox.camera import CameraPath

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    harness = tmp_path / "camera.js"
    harness.write_text(CAMERA_HARNESS)
    cases = [
        ([6, 0, -5, 0, 0, 0], 1280, 720, 0.3),
        ([0, 0, 0, 0, 0, 0], 1280, 720, 0.5),
        ([2, -3, 4, 7, -8, 9], 720, 1280, 0.77),
        ([10, 10, 10, 10, 10, 10], 960, 960, 0.0),
        ([-10, 4, -10, -10, 10, -10], 1584, 672, 1.0),
        (None, 1280, 720, 0.4),  # no vector: the default push-in
    ]
    script = HERE / "static" / "playground.js"
    ran = subprocess.run(
        [node, str(harness), str(script), json.dumps(playground.camera_config()), json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for (motion, width, height, t), (base_zoom, corners) in zip(cases, json.loads(ran.stdout), strict=True):
        path = CameraPath(motion, width, height)
        assert base_zoom == pytest.approx(path.base_zoom, abs=1e-9)
        assert np.allclose(np.array(corners), path.corners(t), atol=1e-9), (motion, t)


@pytest.mark.e2e
def test_on_s3_the_picture_goes_to_the_object_stores_own_upload_form(tmp_path):
    """On S3 `POST /v1/uploads` answers a presigned POST to the bucket: the console sends the file
    there (a moto server process that checks the policy), and the task loads it from the bucket."""
    from support.s3 import ACCESS_KEY, REGION, SECRET_KEY, MotoS3

    s3 = MotoS3(bucket="playground", prefix="results").start()
    try:
        storage = {
            "storage_url": s3.storage_url,
            "s3_endpoint_url": s3.endpoint_url,
            "s3_region": REGION,
            "s3_access_key_id": ACCESS_KEY,
            "s3_secret_access_key": SECRET_KEY,
        }
        with make_app_client(tmp_path, **storage) as (client, key):
            sign_in(client, key)
            client.csrf = playground_token(client)
            uri = upload_sample(client, "city")
            stored_uploads = s3.client().list_objects_v2(Bucket="playground", Prefix="results/uploads/")["Contents"]
            sizes = {item["Size"] for item in stored_uploads}
            assert len(playground.sample_bytes("city")) in sizes
            body = {"model": "gen4_turbo", "promptImage": uri, "ratio": "1280:720", "duration": 2}
            answer = run(client, catalogue.IMAGE_TO_VIDEO, body)
            assert answer.status_code == 200, answer.text
            (first,) = stored(client, answer.json()["task_id"]).request.inputs
            assert (first.uri, first.width, first.height) == (uri, *playground.SAMPLE_SIZE)
    finally:
        s3.stop()
