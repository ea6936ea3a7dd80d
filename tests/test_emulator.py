"""The upstream emulator (reelay.emulator), run as a real process and driven over HTTP."""

from __future__ import annotations

import io
import json
import queue
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import av
import httpx
import pytest

from reelay.emulator.state import Store
from support.processes import starts_processes

KEY = "key_test"
AUTH = {"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"}
I2V = {
    "model": "gen4_turbo",
    "promptImage": "https://example.com/a.png",
    "promptText": "a cat",
    "ratio": "1280:720",
    "duration": 5,
}
T2V = {"model": "veo3.1", "promptText": "a dog", "ratio": "1280:720", "duration": 4}


@pytest.fixture(scope="module")
@starts_processes
def emulator():
    """`python -m reelay.emulator --port 0`; the port is read from its ready line (no port races)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reelay.emulator", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen = []
    deadline = time.time() + 30
    url = None
    while url is None:
        try:
            line = lines.get(timeout=max(deadline - time.time(), 0.01))
        except queue.Empty:
            process.kill()
            pytest.fail("emulator did not start:\n" + "".join(seen))
        seen.append(line)
        if line.startswith("emulator listening on "):
            url = line.split()[-1]
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def emu(emulator):
    """A client on a freshly reset emulator with sub-second phases."""
    with httpx.Client(base_url=emulator, timeout=5) as client:
        assert client.post("/_control/reset").status_code == 200
        set_behaviour(client, pending_seconds=0.1, running_seconds=0.3)
        yield client


def set_behaviour(client: httpx.Client, **fields) -> dict:
    answer = client.post("/_control/behaviour", json=fields)
    assert answer.status_code == 200, answer.text
    return answer.json()


def add_faults(client: httpx.Client, *rules) -> None:
    answer = client.post("/_control/faults", json={"rules": list(rules)})
    assert answer.status_code == 200, answer.text


def stats(client: httpx.Client) -> dict:
    return client.get("/_control/stats").json()


def poll(client: httpx.Client, task_id: str, until=("SUCCEEDED", "FAILED", "CANCELLED"), timeout=5.0) -> list[dict]:
    """Every task object read until the status is one of `until`."""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        answer = client.get(f"/v1/tasks/{task_id}", headers=AUTH)
        assert answer.status_code == 200, answer.text
        seen.append(answer.json())
        if seen[-1]["status"] in until:
            return seen
        time.sleep(0.03)
    raise AssertionError(f"task stayed {seen[-1]['status']}")


def create(client: httpx.Client, body=None, path="/v1/image_to_video", headers=AUTH) -> str:
    answer = client.post(path, json=body or I2V, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def decode_video(data: bytes) -> tuple[str, int, int, int]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return stream.codec_context.name, stream.codec_context.width, stream.codec_context.height, frames


# ------------------------------------------------------------------ official API


def test_official_task_runs_to_succeeded_with_a_real_h264_output(emu):
    answer = emu.post("/v1/image_to_video", json=I2V, headers=AUTH)
    assert answer.status_code == 200
    created = answer.json()
    assert set(created) == {"id", "estimatedCost"} and created["estimatedCost"] == {"credits": 5}

    seen = poll(emu, created["id"])
    statuses = [task["status"] for task in seen]
    assert statuses[0] == "PENDING" and "RUNNING" in statuses and statuses[-1] == "SUCCEEDED"
    assert "THROTTLED" not in statuses  # throttled_seconds defaults to 0
    running = [task for task in seen if task["status"] == "RUNNING"]
    assert all(0 <= task["progress"] <= 1 for task in running)
    assert [task["progress"] for task in running] == sorted(task["progress"] for task in running)
    assert all(task["estimatedCost"] == {"credits": 5} and "cost" not in task for task in seen[:-1])
    done = seen[-1]
    assert done["cost"] == {"credits": 5} and "estimatedCost" not in done
    assert done["createdAt"].endswith("Z") and done["id"] == created["id"]

    url = done["output"][0]
    assert urlparse(url).path == f"/files/{created['id']}.mp4"
    video = emu.get(url)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    codec, width, height, frames = decode_video(video.content)
    assert (codec, width, height, frames) == ("h264", 320, 192, 24)

    partial = emu.get(url, headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206 and partial.content == video.content[:100]


def test_official_errors_use_runway_shapes(emu):
    assert emu.post("/v1/image_to_video", json=I2V).status_code == 401
    assert emu.post("/v1/image_to_video", json=I2V, headers={"Authorization": KEY}).json() == {
        "error": "Unauthorized: missing or malformed API key"
    }
    wrong_version = emu.post("/v1/image_to_video", json=I2V, headers={**AUTH, "X-Runway-Version": "2024-09-13"})
    assert wrong_version.status_code == 400 and "X-Runway-Version" in wrong_version.json()["error"]
    # The version header may be absent.
    assert emu.post("/v1/image_to_video", json=I2V, headers={"Authorization": "Bearer other"}).status_code == 200

    cases = [
        ("/v1/image_to_video", {k: v for k, v in I2V.items() if k != "promptImage"}, "promptImage", "invalid_type"),
        ("/v1/image_to_video", {**I2V, "duration": "5"}, "duration", "invalid_type"),
        ("/v1/image_to_video", {k: v for k, v in I2V.items() if k != "model"}, "model", "invalid_type"),
        ("/v1/text_to_video", {k: v for k, v in T2V.items() if k != "promptText"}, "promptText", "invalid_type"),
        ("/v1/text_to_video", {k: v for k, v in T2V.items() if k != "ratio"}, "ratio", "invalid_type"),
        ("/v1/text_to_video", {**T2V, "ratio": "640:640"}, "ratio", "invalid_value"),
    ]
    for path, body, field, code in cases:
        answer = emu.post(path, json=body, headers=AUTH)
        assert answer.status_code == 400, (path, body)
        assert answer.json()["error"] == "Validation of body failed"
        assert [(i["path"], i["code"]) for i in answer.json()["issues"]] == [([field], code)], answer.text
    not_json = emu.post("/v1/text_to_video", content=b"{nope", headers=AUTH)
    assert not_json.status_code == 400 and "error" in not_json.json()

    unknown = emu.get("/v1/tasks/00000000-0000-0000-0000-000000000000", headers=AUTH)
    assert unknown.status_code == 404 and set(unknown.json()) == {"error"}
    # Another key's task reads as unknown, as on Runway (tasks belong to an organization).
    task_id = create(emu)
    assert emu.get(f"/v1/tasks/{task_id}", headers={"Authorization": "Bearer someone-else"}).status_code == 404
    assert stats(emu)["creates_by_key"] == {"other": 1, KEY: 1}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        # resolution-only models take no ratio; seedance's duration may be "auto"
        ("/v1/image_to_video", {"model": "happyhorse_1_0", "promptImage": "https://example.com/a.png"}),
        (
            "/v1/image_to_video",
            {"model": "grok_imagine_1_5", "promptImage": "https://e.com/a.png", "resolution": "720p"},
        ),
        ("/v1/text_to_video", {"model": "seedance2_mini", "promptText": "sea", "duration": "auto"}),
        ("/v1/text_to_video", {"model": "h3_max", "promptText": "sea", "resolution": "480p", "duration": 6}),
        ("/v1/text_to_image", {"model": "ideogram_4_0", "promptText": "a kite"}),
        # a model the catalogue does not know is checked only for its inputs
        ("/v1/image_to_video", {"model": "gen4", "promptImage": "https://example.com/a.png"}),
    ],
)
def test_official_creates_are_accepted_as_runway_types_them(emu, path, body):
    task_id = create(emu, body, path)
    assert poll(emu, task_id)[-1]["status"] == "SUCCEEDED"


def test_official_creates_are_refused_for_every_issue_runway_would_name(emu):
    body = {**T2V, "model": "gen4.5", "duration": "auto", "outputFormat": "mp4", "proresProfile": "422"}
    answer = emu.post("/v1/text_to_video", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert [issue["path"] for issue in answer.json()["issues"]] == [["duration"], ["proresProfile"]]
    unknown = emu.post("/v1/image_to_video", json={"model": "gen4", "duration": "5"}, headers=AUTH)
    assert [issue["path"] for issue in unknown.json()["issues"]] == [["promptImage"], ["duration"]]
    assert stats(emu)["creates"] == 0


def test_output_url_expires_and_a_fresh_read_gives_a_fresh_url(emu):
    set_behaviour(emu, url_ttl_seconds=0.3)
    task_id = create(emu)
    url = poll(emu, task_id)[-1]["output"][0]
    assert emu.get(url).status_code == 200
    forged = url.replace("sig=", "sig=0")
    assert emu.get(forged).status_code == 403

    exp = int(parse_qs(urlparse(url).query)["exp"][0])
    time.sleep(max(exp - time.time(), 0) + 0.05)
    expired = emu.get(url)
    assert expired.status_code == 403 and expired.json() == {"error": "URL expired"}

    fresh = poll(emu, task_id)[-1]["output"][0]
    assert fresh != url
    assert emu.get(fresh).status_code == 200


def test_delete_cancels_a_live_task_and_deletes_a_final_one(emu):
    task_id = create(emu, {**I2V, "promptText": "slow [emu:run=5]"})
    poll(emu, task_id, until=("RUNNING",))
    assert emu.delete(f"/v1/tasks/{task_id}", headers=AUTH).status_code == 204
    cancelled = emu.get(f"/v1/tasks/{task_id}", headers=AUTH).json()
    assert cancelled["status"] == "CANCELLED" and cancelled["cost"] == {"credits": 0}
    assert "progress" not in cancelled and "output" not in cancelled
    assert stats(emu)["live"] == 0

    assert emu.delete(f"/v1/tasks/{task_id}", headers=AUTH).status_code == 204  # final: now deleted
    assert emu.get(f"/v1/tasks/{task_id}", headers=AUTH).status_code == 404
    assert emu.delete(f"/v1/tasks/{task_id}", headers=AUTH).status_code == 404
    record = emu.get(f"/_control/tasks/{task_id}").json()
    assert record["deleted"] and record["timeline"]["cancelled_at"] is not None


def test_failure_codes_from_behaviour_and_from_prompt_markers(emu):
    set_behaviour(emu, fail_code="SAFETY.INPUT.TEXT")
    by_behaviour = create(emu)
    set_behaviour(emu, fail_code=None)  # defaults apply to new tasks only
    by_marker = create(emu, {**T2V, "promptText": "x [emu:fail=INTERNAL.BAD_OUTPUT]"}, "/v1/text_to_video")
    plain = create(emu)

    failed = poll(emu, by_behaviour)[-1]
    assert failed["status"] == "FAILED" and failed["failureCode"] == "SAFETY.INPUT.TEXT"
    assert "moderation" in failed["failure"] and failed["cost"] == {"credits": 0} and "output" not in failed
    assert poll(emu, by_marker)[-1]["failureCode"] == "INTERNAL.BAD_OUTPUT"
    assert poll(emu, plain)[-1]["status"] == "SUCCEEDED"


def test_throttled_phase_appears_between_pending_and_running(emu):
    task_id = create(emu, {**I2V, "promptText": "busy [emu:throttle=0.3]"})
    statuses = [task["status"] for task in poll(emu, task_id)]
    order = [status for i, status in enumerate(statuses) if i == 0 or statuses[i - 1] != status]
    assert order == ["PENDING", "THROTTLED", "RUNNING", "SUCCEEDED"]

    set_behaviour(emu, pending_seconds=0, throttled_seconds=0.2)
    assert emu.get(f"/v1/tasks/{create(emu)}", headers=AUTH).json()["status"] == "THROTTLED"


def test_answers_pass_the_runway_sdk_strict_validation(emu, emulator):
    runwayml = pytest.importorskip("runwayml")
    client = runwayml.RunwayML(api_key=KEY, base_url=emulator, _strict_response_validation=True, max_retries=0)
    set_behaviour(emu, pending_seconds=0.2, throttled_seconds=0.2)
    created = client.text_to_video.create(model="veo3.1", prompt_text="a fox", ratio="1280:720", duration=4)
    seen = set()
    for _ in range(200):
        task = client.tasks.retrieve(created.id)
        seen.add(task.status)
        if task.status == "SUCCEEDED":
            break
        time.sleep(0.02)
    assert seen == {"PENDING", "THROTTLED", "RUNNING", "SUCCEEDED"}
    set_behaviour(emu, fail_code="SAFETY.INPUT.TEXT", pending_seconds=0, throttled_seconds=0, running_seconds=0)
    failed = client.image_to_video.create(
        model="gen4_turbo", prompt_image="https://example.com/a.png", ratio="1280:720", duration=5
    )
    assert client.tasks.retrieve(failed.id).status == "FAILED"
    set_behaviour(emu, running_seconds=5)
    slow = client.image_to_video.create(
        model="gen4_turbo", prompt_image="https://example.com/a.png", ratio="1280:720", duration=5
    )
    client.tasks.delete(slow.id)
    assert client.tasks.retrieve(slow.id).status == "CANCELLED"


# ------------------------------------------------------------------ faults


def test_status_faults_answer_in_the_dialect_shape_without_processing(emu):
    add_faults(emu, {"match": {"method": "POST", "path": "/v1/image_to_video"}, "status": 429, "retry_after": 2})
    limited = emu.post("/v1/image_to_video", json=I2V, headers=AUTH)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert set(limited.json()) == {"error"}
    assert stats(emu)["creates"] == 0
    assert emu.post("/v1/image_to_video", json=I2V, headers=AUTH).status_code == 200  # times defaults to 1

    add_faults(
        emu,
        {"match": {"path": "/v1/tasks/*"}, "status": 500, "times": 2},
        {"match": {"path": "/runway/pro/*"}, "status": 503},
        {"match": {"path": "/runway/feed"}, "status": 504},
    )
    task_id = emu.get("/_control/tasks").json()[0]["id"]
    assert [emu.get(f"/v1/tasks/{task_id}", headers=AUTH).status_code for _ in range(3)] == [500, 500, 200]
    pro = emu.post(
        "/runway/pro/generate",
        json={"prompt": "x", "callback_url": "http://127.0.0.1:9/cb"},
        headers={"Authorization": KEY},
    )
    assert pro.status_code == 503
    assert pro.json() == {"code": 503, "msg": "service_unavailable", "data": None, "exec_time": 0.0}
    feed = emu.post("/runway/feed", json={"task_id": task_id}, headers={"Authorization": KEY})
    assert feed.status_code == 504 and feed.json()["code"] == 504
    assert stats(emu)["creates"] == 1

    log = emu.get("/_control/requests", params={"path": "/v1/tasks/"}).json()
    assert [(entry["status_answered"], entry["fault"]) for entry in log] == [
        (500, "status:500"),
        (500, "status:500"),
        (200, None),
    ]


def test_fault_rules_can_target_one_key_and_last_forever(emu):
    add_faults(emu, {"match": {"path": "/v1/*", "key": "victim"}, "status": 502, "times": -1})
    victim = {"Authorization": "Bearer victim"}
    assert [emu.post("/v1/image_to_video", json=I2V, headers=victim).status_code for _ in range(3)] == [502] * 3
    assert emu.post("/v1/image_to_video", json=I2V, headers=AUTH).status_code == 200
    rules = emu.get("/_control/faults").json()["rules"]
    assert rules[0]["applied"] == 3 and rules[0]["times"] == -1
    emu.delete("/_control/faults")
    assert emu.post("/v1/image_to_video", json=I2V, headers=victim).status_code == 200


def test_delay_fault_answers_late_but_normally(emu):
    add_faults(emu, {"match": {"method": "POST", "path": "/v1/text_to_video"}, "delay": 0.4})
    started = time.perf_counter()
    answer = emu.post("/v1/text_to_video", json=T2V, headers=AUTH)
    assert answer.status_code == 200 and time.perf_counter() - started >= 0.4
    assert stats(emu)["creates"] == 1


def test_drop_fault_closes_the_connection_without_an_answer(emu):
    add_faults(emu, {"match": {"method": "POST", "path": "/v1/image_to_video"}, "drop": True})
    with pytest.raises(httpx.RemoteProtocolError):
        emu.post("/v1/image_to_video", json=I2V, headers=AUTH)
    assert stats(emu)["creates"] == 0
    entry = emu.get("/_control/requests").json()[-1]
    assert entry["fault"] == "drop" and entry["status_answered"] is None
    assert emu.post("/v1/image_to_video", json=I2V, headers=AUTH).status_code == 200  # and the server lives on


def test_accept_then_hang_creates_the_task_but_the_client_times_out(emu):
    add_faults(emu, {"match": {"method": "POST", "path": "/v1/image_to_video"}, "accept_then_hang": 1.0})
    with pytest.raises(httpx.ReadTimeout):
        emu.post("/v1/image_to_video", json=I2V, headers=AUTH, timeout=0.3)
    assert stats(emu)["creates"] == 1
    [task] = emu.get("/_control/tasks").json()
    assert task["key"] == KEY
    assert poll(emu, task["id"])[-1]["status"] == "SUCCEEDED"  # it ran upstream all the same


def test_accept_then_status_creates_the_task_but_answers_an_error(emu):
    add_faults(emu, {"match": {"path": "/runway/pro/generate"}, "accept_then_status": 504})
    answer = emu.post(
        "/runway/pro/generate",
        json={"prompt": "x", "callback_url": "http://127.0.0.1:9/cb"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert answer.status_code == 504 and answer.json()["code"] == 504
    assert stats(emu)["creates"] == 1
    [task] = emu.get("/_control/tasks").json()
    record = emu.get(f"/_control/tasks/{task['id']}").json()
    assert record["dialect"] == "pro" and record["body"]["prompt"] == "x"


def test_control_api_rejects_bad_input(emu):
    assert emu.post("/_control/behaviour", json={"pending_secs": 1}).status_code == 400
    assert emu.post("/_control/behaviour", json={"feed_shape": "xml"}).status_code == 400
    assert emu.post("/_control/faults", json={"rules": [{"status": 500, "drop": True}]}).status_code == 400
    assert emu.post("/_control/faults", json={"rules": [{"match": {"path": "/x"}}]}).status_code == 400
    assert emu.get("/_control/faults").json() == {"rules": []}
    assert emu.get("/_control/behaviour").json()["running_seconds"] == 0.3


# ------------------------------------------------------------------ pro format

PRO_KEYS = {
    "task_id",
    "status",
    "state",
    "prompt",
    "prompt_en",
    "video_url",
    "raw_video_url",
    "poster",
    "last_frame",
    "msg",
    "point",
    "refund",
    "create_time",
    "update_time",
}


def pro_feed(client: httpx.Client, task_id: str, method="POST", key=KEY) -> httpx.Response:
    if method == "GET":
        return client.get("/runway/feed", params={"task_id": task_id}, headers={"Authorization": key})
    return client.post("/runway/feed", json={"task_id": task_id}, headers={"Authorization": f"Bearer {key}"})


def test_pro_create_and_flat_feed(emu):
    missing = emu.post("/runway/pro/generate", json={"prompt": "x"}, headers={"Authorization": KEY})
    assert missing.status_code == 400
    assert (missing.json()["code"], missing.json()["msg"], missing.json()["data"]) == (400, "callback_url_empty", None)
    assert emu.post("/runway/pro/generate", json={"prompt": "x", "callback_url": "http://h/cb"}).status_code == 401

    created = emu.post(
        "/runway/v1/pro/generate",
        json={"prompt": "一只小猫", "callback_url": "http://127.0.0.1:9/cb"},
        headers={"Authorization": KEY},
    )
    envelope = created.json()
    assert envelope["code"] == 200 and envelope["msg"] == "成功" and isinstance(envelope["exec_time"], float)
    task = envelope["data"]
    assert set(task) == PRO_KEYS and task["status"] == "0" and task["state"] == "pending"
    assert task["prompt"] == "一只小猫" and task["video_url"] is None

    deadline = time.time() + 5
    statuses = []
    while time.time() < deadline:
        data = pro_feed(emu, task["task_id"], method="GET" if len(statuses) % 2 else "POST").json()["data"]
        statuses.append(data["status"])
        if data["status"] == "3":
            break
        time.sleep(0.03)
    assert statuses[0] == "0" and "1" in statuses and statuses[-1] == "3"
    assert data["state"] == "succeeded" and data["refund"] == "0" and data["msg"] is None
    assert emu.get(data["video_url"]).headers["content-type"] == "video/mp4"
    for still in (data["poster"], data["last_frame"]):
        image = emu.get(still)
        assert image.headers["content-type"] == "image/jpeg" and image.content[:2] == b"\xff\xd8"

    # Dialects are separate services: a pro id is unknown to /v1/tasks and the reverse.
    assert emu.get(f"/v1/tasks/{task['task_id']}", headers=AUTH).status_code == 404
    assert pro_feed(emu, create(emu)).json()["msg"] == "task_not_exist"

    for path, body in [
        ("/runway/pro/video2video", {"video": "https://e/v.mp4"}),
        ("/runway/pro/act_one", {"video": "https://e/v.mp4", "image": "https://e/i.png"}),
    ]:
        answer = emu.post(path, json={**body, "callback_url": "http://127.0.0.1:9/cb"}, headers={"Authorization": KEY})
        assert answer.json()["code"] == 200, path
    bad = emu.post(
        "/runway/pro/act_one", json={"video": "v", "callback_url": "http://h/cb"}, headers={"Authorization": KEY}
    )
    assert bad.json()["msg"].startswith("invalid_parameters")


def test_pro_feed_in_the_newapi_shape(emu):
    set_behaviour(emu, feed_shape="newapi")
    task_id = emu.post(
        "/runway/pro/generate",
        json={"prompt": "p", "image": "https://e/i.png", "callback_url": "http://127.0.0.1:9/cb"},
        headers={"Authorization": KEY},
    ).json()["data"]["task_id"]
    first = pro_feed(emu, task_id).json()
    assert first["code"] == "success" and first["message"] == ""
    data = first["data"]
    assert data["task_id"] == task_id and data["action"] == "IMAGE_TO_VIDEO" and data["status"] == "QUEUED"
    assert data["progress"] == "0%" and data["data"]["status"] == "PENDING" and data["data"]["id"] == task_id
    assert set(data) == {
        "task_id",
        "action",
        "status",
        "fail_reason",
        "submit_time",
        "start_time",
        "finish_time",
        "progress",
        "result_url",
        "data",
    }
    seen = set()
    deadline = time.time() + 5
    while time.time() < deadline and data["status"] != "SUCCESS":
        data = pro_feed(emu, task_id).json()["data"]
        seen.add(data["status"])
        time.sleep(0.03)
    assert seen >= {"IN_PROGRESS", "SUCCESS"}
    assert data["progress"] == "100%" and data["result_url"] == data["data"]["output"][0]
    assert data["finish_time"] >= data["start_time"] >= data["submit_time"] > 0
    unknown = pro_feed(emu, "00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 400 and unknown.json() == {
        "code": "task_not_exist",
        "message": "task_not_exist",
        "data": None,
    }


def test_pro_feed_says_task_not_exist_during_the_lag_window(emu):
    set_behaviour(emu, feed_lag_seconds=0.4)
    task_id = emu.post(
        "/runway/pro/generate",
        json={"prompt": "p", "callback_url": "http://127.0.0.1:9/cb"},
        headers={"Authorization": KEY},
    ).json()["data"]["task_id"]
    early = pro_feed(emu, task_id)
    assert early.status_code == 404
    assert early.json() == {"code": 404, "msg": "task_not_exist", "data": None, "exec_time": early.json()["exec_time"]}
    time.sleep(0.45)
    assert pro_feed(emu, task_id).json()["data"]["task_id"] == task_id

    set_behaviour(emu, pro_http_200=True)  # resellers that put errors only in the body
    late = pro_feed(emu, "00000000-0000-0000-0000-000000000000")
    assert late.status_code == 200 and late.json()["code"] == 404


class Receiver:
    """A local HTTP server recording every callback POST."""

    def __init__(self):
        self.received: list[dict] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                received.append({"path": self.path, "body": json.loads(body)})
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout=5.0) -> list[dict]:
        deadline = time.time() + timeout
        while len(self.received) < count and time.time() < deadline:
            time.sleep(0.02)
        return list(self.received)


@pytest.fixture
def receiver():
    receiving = Receiver()
    yield receiving
    receiving.server.shutdown()
    receiving.server.server_close()


def test_pro_callbacks_arrive_on_each_status_change(emu, receiver):
    headers = {"Authorization": KEY}
    ok = emu.post(
        "/runway/pro/generate", json={"prompt": "ok", "callback_url": receiver.url + "/ok"}, headers=headers
    ).json()["data"]["task_id"]
    bad = emu.post(
        "/runway/pro/generate",
        json={"prompt": "[emu:fail=SAFETY.OUTPUT]", "callback_url": receiver.url + "/bad"},
        headers=headers,
    ).json()["data"]["task_id"]
    received = receiver.wait(4)
    time.sleep(0.2)  # nothing more should come
    assert len(receiver.received) == 4
    by_path = {path: [r["body"] for r in received if r["path"] == path] for path in ("/ok", "/bad")}
    assert [body["status"] for body in by_path["/ok"]] == ["1", "3"]
    assert [body["status"] for body in by_path["/bad"]] == ["1", "2"]
    success, failure = by_path["/ok"][-1], by_path["/bad"][-1]
    assert set(success) == PRO_KEYS and success["task_id"] == ok and success["video_url"].startswith("http")
    assert emu.get(success["video_url"]).status_code == 200
    assert failure["task_id"] == bad and failure["refund"] == "1" and failure["msg"] and failure["video_url"] is None

    log = emu.get("/_control/callbacks", params={"task_id": ok}).json()
    assert [(entry["status"], entry["answered"]) for entry in log] == [("1", 200), ("3", 200)]
    assert stats(emu)["callbacks_sent"] == 4


def test_callback_failures_are_recorded_not_retried(emu):
    task_id = emu.post(
        "/runway/pro/generate",
        json={"prompt": "x", "callback_url": "http://127.0.0.1:9/nobody"},
        headers={"Authorization": KEY},
    ).json()["data"]["task_id"]
    deadline = time.time() + 5
    while time.time() < deadline and len(emu.get("/_control/callbacks").json()) < 2:
        time.sleep(0.05)
    log = emu.get("/_control/callbacks").json()
    assert [entry["status"] for entry in log] == ["1", "3"]
    assert all(entry["answered"] is None and entry["error"] for entry in log)
    assert emu.get(f"/_control/tasks/{task_id}").json()["callbacks"][0]["status"] == "1"


# ------------------------------------------------------------------ accounting


def test_max_concurrent_counts_overlapping_tasks(emu):
    set_behaviour(emu, pending_seconds=0.05, running_seconds=0.6)
    for key in ("a", "a", "a", "b", "b"):
        create(emu, headers={"Authorization": f"Bearer {key}"})
    during = stats(emu)
    assert during["live"] == 5 and during["max_concurrent"] == 5
    wait_until_idle(emu)
    set_behaviour(emu, running_seconds=0.1)
    create(emu, headers={"Authorization": "Bearer a"})  # starts after the others ended: no overlap
    after = wait_until_idle(emu)
    assert after["live"] == 0 and after["creates"] == 6
    assert after["max_concurrent"] == 5
    assert after["max_concurrent_by_key"] == {"a": 3, "b": 2}
    assert after["creates_by_key"] == {"a": 4, "b": 2}
    assert after["requests"] == 6


def wait_until_idle(client: httpx.Client, timeout=5.0) -> dict:
    deadline = time.time() + timeout
    while (current := stats(client))["live"] and time.time() < deadline:
        time.sleep(0.05)
    return current


def test_concurrency_comes_from_timelines_including_cancels():
    store = Store()
    store.behaviour.update(pending_seconds=0, running_seconds=10)
    tasks = [
        store.create(dialect="official", endpoint="/v1/x", key=k, body={}, base_url="http://h/", prompt=None)
        for k in ("a", "a", "b")
    ]
    for offset, task in enumerate(tasks):
        task.created_at = 1000 + offset * 4  # a: [1000, 1010) and [1004, 1014); b: [1008, 1018)
    tasks[0].cancelled_at = 1002  # the first ends early: never overlaps the third
    assert store.concurrency(now=2000) == {"max_concurrent": 2, "max_concurrent_by_key": {"a": 1, "b": 1}, "live": 0}
    assert store.concurrency(now=1009)["live"] == 2


def test_character_performance_is_checked_and_runs_like_every_official_task(emu):
    body = {
        "model": "act_two",
        "character": {"type": "image", "uri": "https://e/i.png"},
        "reference": {"type": "video", "uri": "https://e/v.mp4"},
    }
    for bad, field in [
        ({**body, "reference": {"type": "image", "uri": "https://e/i.png"}}, "reference.type"),
        ({**body, "character": {"type": "image"}}, "character.uri"),
        ({k: v for k, v in body.items() if k != "reference"}, "reference"),
    ]:
        answer = emu.post("/v1/character_performance", json=bad, headers=AUTH)
        assert answer.status_code == 400 and field in answer.text, (field, answer.text)
    created = emu.post("/v1/character_performance", json=body, headers=AUTH)
    assert created.status_code == 200, created.text
    task_id = created.json()["id"]
    deadline = time.time() + 20
    while (task := emu.get(f"/v1/tasks/{task_id}", headers=AUTH).json())["status"] != "SUCCEEDED":
        assert time.time() < deadline, task
        time.sleep(0.05)
    assert emu.get(task["output"][0]).headers["content-type"] == "video/mp4"
