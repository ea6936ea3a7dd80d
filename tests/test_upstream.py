"""Upstream engines against the emulator: mappings, faults, failover, caps, expiry, timeouts."""

import itertools
import time

import httpx
import pytest

from support.backends import is_ours
from support.gateway import Gateway, channel, creates
from support.images import data_uri, gradient_image
from support.official import auth
from support.server import reelay_cli
from support.tasks import wait_official, wait_pro
from support.video import probe

pytestmark = pytest.mark.e2e  # real processes: make test-fast leaves these out

IMAGE = data_uri(gradient_image(400, 300), "PNG")
LAST = data_uri(gradient_image(400, 300, seed=5), "PNG")


@pytest.fixture(scope="module")
def runway_server(tmp_path_factory, emulator):
    gateway = Gateway(
        tmp_path_factory.mktemp("runway"), channel("runway-a", "runway", emulator.url, ["key-a"], text_model="gen4.5")
    )
    yield gateway
    gateway.stop()


@pytest.fixture
def runway_gateway(runway_server, emulator):
    """The module's gateway on one Runway channel (every task it ran has ended), on an emulator
    reset for the test: no request or task of an earlier test is seen."""
    emulator.reset(pending_seconds=0.2, running_seconds=0.6)
    return runway_server


def test_pro_gen3_image_task_maps_to_gen3a_turbo_and_the_result_is_copied(runway_gateway, emulator):
    task_id = runway_gateway.pro(image=IMAGE, model="gen3", prompt="wave", options={"seconds": 5})
    data = wait_pro(runway_gateway.http, task_id)
    assert data["status"] == "3"
    sent = creates(emulator, "/v1/image_to_video")[0]
    assert sent["key"] == "key-a"
    body = sent["json"]
    assert body["model"] == "gen3a_turbo" and body["ratio"] == "1280:768" and body["duration"] == 5
    assert body["promptText"] == "wave" and body["promptImage"][0]["position"] == "first"
    assert body["promptImage"][0]["uri"].startswith("data:image/png;base64,")
    # Reelay's own copy, the upstream's URL kept as raw_video_url, posters made from the video.
    assert is_ours(data["video_url"], runway_gateway.server.url) and data["raw_video_url"].startswith(emulator.url)
    assert probe(httpx.get(data["video_url"]).content).codec == "h264"
    assert httpx.get(data["poster"]).headers["content-type"] == "image/jpeg"


def test_mappings_of_gen4_text_only_last_frame_and_end_frame(runway_gateway, emulator):
    ids = [
        runway_gateway.pro(image=IMAGE, model="gen4", ratio="4:3", prompt="a", options={"seconds": 10}),
        runway_gateway.pro(prompt="only words", model="gen4_turbo", ratio="9:16", options={"seconds": 5}),
        runway_gateway.pro(image=IMAGE, last_image=LAST, model="gen4", prompt="b", options={"seconds": 5}),
        runway_gateway.pro(image=IMAGE, model="gen3", prompt="c", options={"seconds": 5, "image_as_end_frame": True}),
    ]
    for task_id in ids:
        assert wait_pro(runway_gateway.http, task_id)["status"] == "3"
    image_bodies = [r["json"] for r in creates(emulator, "/v1/image_to_video")]
    text_bodies = [r["json"] for r in creates(emulator, "/v1/text_to_video")]
    gen4 = next(b for b in image_bodies if b["promptText"] == "a")
    assert (gen4["model"], gen4["ratio"], gen4["duration"]) == ("gen4_turbo", "1104:832", 10)
    assert text_bodies[0] == {"model": "gen4.5", "ratio": "720:1280", "duration": 5, "promptText": "only words"}
    keyframes = next(b for b in image_bodies if b["promptText"] == "b")
    assert keyframes["model"] == "gen3a_turbo" and [p["position"] for p in keyframes["promptImage"]] == [
        "first",
        "last",
    ]
    end = next(b for b in image_bodies if b["promptText"] == "c")
    assert [p["position"] for p in end["promptImage"]] == ["last"]


def test_official_request_passes_through_and_polling_respects_the_cadence(runway_gateway, emulator):
    emulator.reset(pending_seconds=0.5, throttled_seconds=0.5, running_seconds=1.0)
    task_id = runway_gateway.official(
        "/v1/text_to_video", model="veo3.1", promptText="sea", ratio="1080:1920", duration=6, seed=7
    )
    seen = set()
    deadline = time.time() + 30
    while time.time() < deadline:
        task = runway_gateway.http.get(f"/v1/tasks/{task_id}").json()
        seen.add(task["status"])
        if task["status"] == "SUCCEEDED":
            break
        time.sleep(0.1)
    assert {"THROTTLED", "RUNNING", "SUCCEEDED"} <= seen
    body = creates(emulator, "/v1/text_to_video")[0]["json"]
    assert body == {"model": "veo3.1", "ratio": "1080:1920", "duration": 6, "promptText": "sea", "seed": 7}
    polls = [r["time"] for r in emulator.requests("/v1/tasks/") if r["method"] == "GET"]
    gaps = [b - a for a, b in itertools.pairwise(polls)]
    assert gaps and min(gaps) >= 0.25  # never faster than the channel's poll_seconds (0.3 s here)
    assert all(r["key"] == "key-a" for r in emulator.requests("/v1/tasks/"))


def test_a_new_models_own_fields_reach_runway_as_sent(runway_gateway, emulator):
    emulator.reset(pending_seconds=0.1, running_seconds=0.3)
    refs = [{"uri": "https://example.com/a.png"}]
    task_id = runway_gateway.official(
        "/v1/text_to_video", model="seedance2_fast", promptText="sea", duration=4, audio=True, references=refs
    )
    assert wait_official(runway_gateway.http, task_id, timeout=60)["status"] == "SUCCEEDED"
    body = creates(emulator, "/v1/text_to_video")[0]["json"]
    assert body == {
        "model": "seedance2_fast",
        "ratio": "1280:720",  # the default Reelay filled in
        "duration": 4,
        "promptText": "sea",
        "audio": True,
        "references": refs,
    }


def test_a_long_task_is_read_seldom_while_its_progress_says_the_end_is_far(tmp_path, emulator):
    """Two 6-second upstream tasks, one on a channel that polls by progress and one that polls
    every poll_seconds: the first is read far less often, and both are seen finished promptly."""
    emulator.reset(pending_seconds=0.2, running_seconds=6.0)
    config = channel("paced", "runway", emulator.url, ["key-p"], models=["gen4.5"], max_poll_seconds=3.0) + channel(
        "steady", "runway", emulator.url, ["key-s"], models=["veo3.1"], max_poll_seconds=3.0, poll_by_progress=False
    )
    gateway = Gateway(tmp_path, config)
    try:
        ids = {
            model: gateway.official(
                "/v1/text_to_video", model=model, promptText="a long one", ratio="1280:720", duration=8
            )
            for model in ("gen4.5", "veo3.1")
        }
        seen_done: dict[str, float] = {}
        deadline = time.time() + 30
        while len(seen_done) < 2 and time.time() < deadline:
            for model, task_id in ids.items():
                if model not in seen_done and gateway.http.get(f"/v1/tasks/{task_id}").json()["status"] == "SUCCEEDED":
                    seen_done[model] = time.time()
            time.sleep(0.05)
    finally:
        gateway.stop()
    assert len(seen_done) == 2
    reads: dict[str, list[str]] = {"key-p": [], "key-s": []}
    for request in emulator.requests("/v1/tasks/"):
        if request["method"] == "GET":
            reads[request["key"]].append(request["path"].rsplit("/", 1)[1])
    paced, steady = len(reads["key-p"]), len(reads["key-s"])
    assert steady >= 15  # 6 s at one read per 0.3 s, give or take
    assert paced <= steady / 2
    for model, key in (("gen4.5", "key-p"), ("veo3.1", "key-s")):
        finished_upstream = emulator.task(reads[key][0])["timeline"]["final_at"]
        # Within one poll interval and the result's copy (download, poster, storing: over a second
        # on a loaded machine), still well under the 3 s a paced poll that overshot would add.
        assert seen_done[model] - finished_upstream < 0.3 + 2.0


def test_upstream_failure_code_reaches_both_dialects(runway_gateway, emulator):
    task_id = runway_gateway.official(
        "/v1/image_to_video",
        model="gen4_turbo",
        promptImage=IMAGE,
        ratio="1280:720",
        duration=5,
        promptText="[emu:fail=SAFETY.INPUT.IMAGE] x",
    )
    task = wait_official(runway_gateway.http, task_id)
    assert task["status"] == "FAILED" and task["failureCode"] == "SAFETY.INPUT.IMAGE"
    pro = runway_gateway.http.post("/runway/feed", json={"task_id": task_id}).json()["data"]
    assert pro["status"] == "2" and pro["msg"] == task["failure"]


def test_upstream_400_is_not_retried_and_reaches_the_client(runway_gateway, emulator):
    emulator.faults(
        {
            "match": {"method": "POST", "path": "/v1/text_to_video"},
            "status": 400,
            "body": {"error": "promptText: flagged"},
        }
    )
    task = wait_official(
        runway_gateway.http,
        runway_gateway.official("/v1/text_to_video", model="veo3", promptText="x", ratio="1280:720", duration=8),
    )
    assert task["status"] == "FAILED" and "promptText: flagged" in task["failure"]
    assert len(creates(emulator, "/v1/text_to_video")) == 1


@pytest.mark.parametrize(
    "fault", [{"status": 429, "retry_after": 1}, {"status": 500}, {"status": 502}, {"status": 503}]
)
def test_refused_create_fails_over_to_the_next_channel(tmp_path, emulator, fault):
    emulator.reset(pending_seconds=0.1, running_seconds=0.3)
    emulator.faults({"match": {"method": "POST", "path": "/v1/*", "key": "key-a"}, "times": -1, **fault})
    config = channel("primary", "runway", emulator.url, ["key-a"], priority=10) + channel(
        "backup", "runway", emulator.url, ["key-b"], priority=1
    )
    gateway = Gateway(tmp_path, config)
    try:
        task = wait_official(
            gateway.http,
            gateway.official("/v1/text_to_video", model="veo3", promptText="x", ratio="1280:720", duration=8),
        )
        assert task["status"] == "SUCCEEDED"
        assert emulator.stats()["creates_by_key"] == {"key-b": 1}
        listing = reelay_cli(
            "channels", "--server", gateway.server.url, "--key", gateway.server.admin_key(), env=gateway.server.env
        ).stdout
        assert "primary" in listing and "unhealthy" in listing and "backup" in listing
    finally:
        gateway.stop()


def test_connection_refused_fails_over(tmp_path, emulator):
    from support.server import free_port

    emulator.reset(pending_seconds=0.1, running_seconds=0.3)
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    config = channel("gone", "runway", closed, ["key-a"], priority=10) + channel(
        "backup", "runway", emulator.url, ["key-b"]
    )
    gateway = Gateway(tmp_path, config)
    try:
        task = wait_official(
            gateway.http,
            gateway.official("/v1/text_to_video", model="veo3", promptText="x", ratio="1280:720", duration=8),
        )
        assert task["status"] == "SUCCEEDED" and emulator.stats()["creates_by_key"] == {"key-b": 1}
    finally:
        gateway.stop()


def test_429_on_the_only_channel_waits_throttled_then_succeeds(runway_gateway, emulator):
    emulator.faults(
        {"match": {"method": "POST", "path": "/v1/text_to_video"}, "times": 2, "status": 429, "retry_after": 1}
    )
    task_id = runway_gateway.official("/v1/text_to_video", model="veo3", promptText="x", ratio="1280:720", duration=8)
    assert wait_official(runway_gateway.http, task_id, until={"THROTTLED", "SUCCEEDED"})["status"] == "THROTTLED"
    assert wait_official(runway_gateway.http, task_id)["status"] == "SUCCEEDED"
    assert emulator.stats()["creates"] == 1


@pytest.mark.parametrize("fault", [{"accept_then_hang": 4}, {"accept_then_status": 504}, {"drop": True}])
def test_ambiguous_create_is_never_submitted_twice(runway_gateway, emulator, fault):
    """A timeout after sending, a 504, or a connection dropped after the request left: the
    upstream may hold the task, so it is reconciled (Runway's API offers no way) and failed."""
    emulator.faults({"match": {"method": "POST", "path": "/v1/text_to_video"}, **fault})
    task = wait_official(
        runway_gateway.http,
        runway_gateway.official("/v1/text_to_video", model="veo3", promptText="x", ratio="1280:720", duration=8),
    )
    assert task["status"] == "FAILED" and task["failureCode"] == "INTERNAL.UPSTREAM_UNCONFIRMED"
    assert "not sent again" in task["failure"]
    time.sleep(1)
    assert len(creates(emulator, "/v1/text_to_video")) == 1  # one request upstream, never a second


def test_poll_errors_are_retried(runway_gateway, emulator):
    emulator.faults({"match": {"method": "GET", "path": "/v1/tasks/*"}, "times": 3, "status": 503})
    task_id = runway_gateway.official("/v1/text_to_video", model="veo3", promptText="x", ratio="1280:720", duration=8)
    assert wait_official(runway_gateway.http, task_id)["status"] == "SUCCEEDED"


def test_expired_result_url_is_fetched_fresh_and_results_outlive_it(runway_gateway, emulator):
    emulator.reset(pending_seconds=0.1, running_seconds=0.3, url_ttl_seconds=2)
    emulator.faults({"match": {"method": "GET", "path": "/files/*"}, "times": 1, "status": 403})
    task = wait_official(
        runway_gateway.http,
        runway_gateway.official("/v1/text_to_video", model="veo3", promptText="x", ratio="1280:720", duration=8),
    )
    assert task["status"] == "SUCCEEDED"
    file_reads = [r for r in emulator.requests("/files/") if r["path"].endswith(".mp4")]
    assert [r["status_answered"] for r in file_reads][:2] == [403, 200]
    task_reads = [r for r in emulator.requests("/v1/tasks/") if r["method"] == "GET"]
    assert len(task_reads) >= 2  # read again for a fresh URL
    time.sleep(3.2)  # the upstream URL has expired now; Reelay's copy has not
    raw = runway_gateway.http.post("/runway/feed", json={"task_id": task["id"]}).json()["data"]
    assert httpx.get(raw["raw_video_url"]).status_code == 403
    assert probe(httpx.get(task["output"][0]).content).codec == "h264"


def test_channel_cap_makes_tasks_wait_throttled_and_never_exceeds_it(tmp_path, emulator):
    emulator.reset(pending_seconds=0.1, running_seconds=1.0)
    gateway = Gateway(tmp_path, channel("capped", "runway", emulator.url, ["k1", "k2"], max_concurrent=2))
    try:
        ids = [
            gateway.official("/v1/text_to_video", model="veo3", promptText=f"t{i}", ratio="1280:720", duration=8)
            for i in range(10)
        ]
        throttled = set()
        deadline = time.time() + 120
        while time.time() < deadline:
            states = {i: gateway.http.get(f"/v1/tasks/{i}").json()["status"] for i in ids}
            throttled |= {i for i, s in states.items() if s == "THROTTLED"}
            if all(s == "SUCCEEDED" for s in states.values()):
                break
            time.sleep(0.1)
        assert all(s == "SUCCEEDED" for s in states.values())
        assert len(throttled) >= 8
        stats = emulator.stats()
        assert stats["creates"] == 10 and stats["max_concurrent"] <= 2
        assert set(stats["creates_by_key"]) == {"k1", "k2"}  # the pool's keys share the work
        order = [r["json"]["promptText"] for r in creates(emulator, "/v1/text_to_video")]
        # Turns come in order of submission: a task is let in only when every older task that
        # waits fits in the free slots with it, so it can start at most (cap - 1) places early,
        # beside an older task let in at the same moment.
        assert sorted(order) == sorted(f"t{i}" for i in range(10))
        assert all(int(name[1:]) <= place + 1 for place, name in enumerate(order)), order
    finally:
        gateway.stop()


def test_upstream_task_over_the_time_limit_fails_is_cancelled_and_refunded_once(tmp_path, emulator):
    emulator.reset(pending_seconds=0.1, running_seconds=30)
    config = channel("slow", "runway", emulator.url, ["key-a"], task_timeout_seconds=1.5) + "\n[prices]\nveo3 = 1\n"
    gateway = Gateway(tmp_path, config)
    try:
        key_id = reelay_cli("keys", "list", env=gateway.server.env).stdout  # noqa: F841 - keys exist
        admin = {"Authorization": f"Bearer {gateway.server.admin_key()}"}
        paid = httpx.post(gateway.server.url + "/admin/keys", json={"points": 20}, headers=admin).json()
        http = httpx.Client(base_url=gateway.server.url, headers=auth(paid["key"]))
        task_id = http.post(
            "/v1/text_to_video", json={"model": "veo3", "promptText": "x", "ratio": "1280:720", "duration": 8}
        ).json()["id"]
        task = wait_official(http, task_id, timeout=60)
        assert (
            task["status"] == "FAILED" and task["failureCode"] == "INTERNAL.TIMEOUT" and task["cost"] == {"credits": 0}
        )
        upstream_id = creates(emulator, "/v1/text_to_video")[0]
        deletes = [r for r in emulator.requests("/v1/tasks/") if r["method"] == "DELETE"]
        assert len(deletes) == 1
        book = httpx.get(f"{gateway.server.url}/admin/keys/{paid['id']}/ledger", headers=admin).json()
        assert book["balance"] == 20 and [e["kind"] for e in book["data"]].count("refund") == 1
        assert upstream_id
    finally:
        gateway.stop()


def test_a_delete_cancels_the_upstream_task_though_the_task_is_gone_at_once(runway_gateway, emulator):
    # DELETE cancels and deletes in one write; the worker still sees the cancel and passes it on.
    task_id = runway_gateway.official(
        "/v1/text_to_video", model="veo3", promptText="[emu:run=60] x", ratio="1280:720", duration=8
    )
    wait_official(runway_gateway.http, task_id, until={"RUNNING"}, timeout=60)
    assert runway_gateway.http.delete(f"/v1/tasks/{task_id}").status_code == 204
    assert runway_gateway.http.get(f"/v1/tasks/{task_id}").status_code == 404
    (deleted,) = upstream_deletes(emulator, "/v1/tasks/")
    assert emulator.task(deleted["path"].rsplit("/", 1)[1])["status"] == "CANCELLED"


def upstream_deletes(emulator, prefix: str, seconds: float = 20) -> list[dict]:
    """The DELETEs the emulator got under `prefix`, once one came (or after `seconds`): a cancel
    reaches the upstream from the worker, a moment after the client's."""
    deadline = time.time() + seconds
    while not (found := [r for r in emulator.requests(prefix) if r["method"] == "DELETE"]) and time.time() < deadline:
        time.sleep(0.2)
    return found


# -- the relay engine (pro-format upstreams) ---------------------------------------------------


@pytest.fixture(scope="module")
def relay_server(tmp_path_factory, emulator):
    gateway = Gateway(
        tmp_path_factory.mktemp("relay"), channel("reseller", "relay", emulator.url, ["rk"], feed_grace_seconds=10)
    )
    yield gateway
    gateway.stop()


@pytest.fixture
def relay_gateway(relay_server, emulator):
    """The module's gateway on one relay channel, on an emulator reset for the test."""
    emulator.reset(pending_seconds=0.2, running_seconds=0.5)
    return relay_server


def test_relay_passes_the_pro_body_with_its_own_callback_url(relay_gateway, emulator):
    task_id = relay_gateway.pro(
        image=IMAGE, model="gen3", prompt="hi", options={"seconds": 5, "motion_vector": {"x": 2}}
    )
    data = wait_pro(relay_gateway.http, task_id)
    assert data["status"] == "3" and is_ours(data["video_url"], relay_gateway.server.url)
    body = creates(emulator, "/runway/pro/generate")[0]["json"]
    assert body["model"] == "gen3" and body["prompt"] == "hi" and body["options"]["seconds"] == 5
    assert body["options"]["motion_vector"]["x"] == 2
    assert body["callback_url"].startswith(f"{relay_gateway.server.url}/hooks/relay/{task_id}?token=")
    # The emulator's callbacks reached Reelay's hook.
    hooks = emulator.control.get("/callbacks").json()
    assert hooks and all(h["answered"] == 200 for h in hooks)


@pytest.mark.parametrize("shape", ["flat", "newapi"])
def test_relay_reads_both_feed_shapes_and_tolerates_task_not_exist(tmp_path, emulator, shape):
    emulator.reset(pending_seconds=0.2, running_seconds=0.5, feed_shape=shape, feed_lag_seconds=1.0)
    gateway = Gateway(tmp_path, channel("reseller", "relay", emulator.url, ["rk"], feed_grace_seconds=10))
    try:
        data = wait_pro(gateway.http, gateway.pro(prompt="words", model="gen4_turbo", options={"seconds": 5}))
        assert data["status"] == "3"
        feeds = [r for r in emulator.requests("/runway/feed")]
        assert any(r["status_answered"] != 200 for r in feeds)  # task_not_exist was answered, and tolerated
    finally:
        gateway.stop()


def test_relay_callback_wakes_the_check_before_the_next_poll(tmp_path, emulator):
    emulator.reset(pending_seconds=0.2, running_seconds=0.5)
    config = channel("reseller", "relay", emulator.url, ["rk"], poll_seconds=60, max_poll_seconds=60)
    gateway = Gateway(tmp_path, config)
    try:
        started = time.time()
        data = wait_pro(
            gateway.http, gateway.pro(prompt="quick", model="gen4_turbo", options={"seconds": 5}), timeout=30
        )
        assert data["status"] == "3" and time.time() - started < 20  # far less than the 60 s poll
    finally:
        gateway.stop()


def test_relay_timeout_after_sending_is_reconciled_by_the_upstream_callback(relay_gateway, emulator):
    emulator.faults({"match": {"method": "POST", "path": "/runway/pro/generate"}, "accept_then_hang": 5})
    data = wait_pro(
        relay_gateway.http,
        relay_gateway.pro(prompt="slow answer", model="gen4_turbo", options={"seconds": 5}),
        timeout=60,
    )
    assert data["status"] == "3"
    assert emulator.stats()["creates"] == 1


def test_relay_passes_video2video_through(relay_gateway, emulator):
    answer = relay_gateway.http.post(
        "/runway/pro/video2video",
        json={
            "callback_url": "https://e.com/c",
            "video": "https://example.com/in.mp4",
            "prompt": "anime",
            "model": "gen3",
            "options": {"structure_transformation": 0.5},
        },
    )
    assert answer.status_code == 200, answer.text
    assert wait_pro(relay_gateway.http, answer.json()["data"]["task_id"])["status"] == "3"
    body = creates(emulator, "/runway/pro/video2video")[0]["json"]
    assert body["video"] == "https://example.com/in.mp4" and body["options"]["structure_transformation"] == 0.5


def _act_two_body():
    from support.media import data_uri as media_uri
    from support.media import make_video

    reference = media_uri(make_video(3.0), "video/mp4")
    return {
        "model": "act_two",
        "character": {"type": "image", "uri": IMAGE},
        "reference": {"type": "video", "uri": reference},
        "ratio": "960:960",
        "expressionIntensity": 2,
    }


def test_character_performance_reaches_runway_with_its_files_and_the_result_is_copied(runway_gateway, emulator):
    body = _act_two_body()
    task = wait_official(runway_gateway.http, runway_gateway.official("/v1/character_performance", **body), timeout=60)
    assert task["status"] == "SUCCEEDED", task
    assert is_ours(task["output"][0], runway_gateway.server.url)
    assert probe(httpx.get(task["output"][0]).content).codec == "h264"
    sent = creates(emulator, "/v1/character_performance")[0]["json"]
    assert {k: sent[k] for k in ("model", "ratio", "expressionIntensity")} == {
        "model": "act_two",
        "ratio": "960:960",
        "expressionIntensity": 2,
    }
    # Our verified copies, as data URIs: the same files the client sent.
    assert sent["character"]["type"] == "image" and sent["character"]["uri"].startswith("data:image/png;base64,")
    assert sent["reference"] == {"type": "video", "uri": body["reference"]["uri"]}


def test_a_refused_character_performance_reaches_the_client(runway_gateway, emulator):
    emulator.faults(
        {
            "match": {"method": "POST", "path": "/v1/character_performance"},
            "status": 400,
            "body": {"error": "character: no face found"},
        }
    )
    task = wait_official(runway_gateway.http, runway_gateway.official("/v1/character_performance", **_act_two_body()))
    assert task["status"] == "FAILED" and "no face found" in task["failure"]
    assert len(creates(emulator, "/v1/character_performance")) == 1


@pytest.mark.parametrize(
    ("route", "upstream", "sent"),
    [
        (
            "act_two",
            "/runway/v1/pro/act_two",
            {"video": "https://example.com/me.mp4", "image": "https://example.com/face.png"},
        ),
        (
            "aleph",
            "/runway/v1/pro/aleph",
            {"video": "https://example.com/in.mp4", "prompt": "snow", "options": {"seconds": 5}},
        ),
    ],
)
def test_relay_passes_act_two_and_aleph_through_as_sent(relay_gateway, emulator, route, upstream, sent):
    answer = relay_gateway.http.post(f"/runway/v1/pro/{route}", json={"callback_url": "https://e.com/c", **sent})
    assert answer.status_code == 200, answer.text
    assert wait_pro(relay_gateway.http, answer.json()["data"]["task_id"])["status"] == "3"
    body = creates(emulator, upstream)[0]["json"]
    assert {k: body[k] for k in sent} == sent
