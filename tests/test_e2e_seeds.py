"""Each request example of the five seed documents (../shared/seeds), sent as published.

Only the host and the key change. The seeds' image URLs are served by a real HTTPS server on this
machine: Reelay reaches it through its REELAY_RESOLVE override and trusts it through
REELAY_CA_BUNDLE, exactly as an operator with split-horizon DNS and a private CA would.
"""

import httpx
import pytest
import trustme

from support.images import ImageServer, encode, gradient_image
from support.official import official_error
from support.server import ReelayProcess
from support.tasks import wait_official, wait_pro
from support.video import probe

pytestmark = pytest.mark.e2e  # real processes: make test-fast leaves these out

# seeds/000 (DeerAPI), text to video.
SEED_000 = {
    "callback_url": "https://your-server.com/callback",
    "ratio": "16:9",
    "prompt": "一只小猫",
    "style": "cinematic",
    "model": "gen4_turbo",
    "options": {"seconds": 10, "motion_vector": {"x": 0, "y": 0.4, "z": 0, "r": -6, "bg_x_pan": 0, "bg_y_pan": 0}},
}
# seeds/001 (CometAPI).
SEED_001 = {
    "callback_url": "http://baidu.com",
    "ratio": "16:9",
    "prompt": "a cat",
    "style": "cinematic",
    "model": "gen4",
    "options": {
        "seconds": 10,
        "motion_vector": {"x": 0, "y": 0.3999999999999999, "z": 0, "r": -6, "bg_x_pan": 0, "bg_y_pan": 0},
    },
}
# seeds/002 (ecovai); its curl sends the key raw in Authorization.
SEED_002 = {
    "callback_url": "http://baidu.com",
    "ratio": "16:9",
    "prompt": "一只小猫",
    "style": "cinematic",
    "model": "gen3",
    "options": {
        "seconds": 10,
        "motion_vector": {"x": 0, "y": 0.3999999999999999, "z": 0, "r": -6, "bg_x_pan": 0, "bg_y_pan": 0},
    },
}
# seeds/003, image to video (no ratio: the default 16:9).
SEED_003 = {
    "callback_url": "http://baidu.com",
    "image": "https://db.xiaohuhd.com/1.jpeg",
    "style": "cinematic",
    "model": "gen3",
    "prompt": "笑起来,吃汉堡",
    "options": {
        "seconds": 10,
        "image_as_end_frame": False,
        "flip": False,
        "motion_vector": {"x": -6.2, "y": 0, "z": 0, "r": 0, "bg_x_pan": 0, "bg_y_pan": 0},
    },
}
# seeds/004 (AnyAPI), Runway's official body behind /runwayml/v1.
SEED_004 = {
    "promptImage": "https://www.bt.cn/bbs/template/qiao/style/image/btlogo.png",
    "model": "gen4_turbo",
    "promptText": "cat dance",
    "watermark": False,
    "duration": 5,
    "ratio": "1280:768",
}

DEER_FIELDS = {
    "task_id",
    "state",
    "status",
    "prompt",
    "prompt_en",
    "video_url",
    "raw_video_url",
    "poster",
    "last_frame",
    "msg",
    "create_time",
    "update_time",
}
ECOVAI_FIELDS = {
    "task_id",
    "state",
    "status",
    "prompt",
    "prompt_en",
    "video_url",
    "poster",
    "last_frame",
    "msg",
    "point",
    "refund",
    "create_time",
    "update_time",
}


@pytest.fixture(scope="module")
def seed_hosts(tmp_path_factory):
    ca = trustme.CA()
    cert = ca.issue_cert("db.xiaohuhd.com", "www.bt.cn")
    context = __import__("ssl").SSLContext(__import__("ssl").PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server = ImageServer(
        {
            "/1.jpeg": ("image/jpeg", encode(gradient_image(1024, 768, seed=3), "JPEG")),
            "/bbs/template/qiao/style/image/btlogo.png": ("image/png", encode(gradient_image(300, 120, seed=4), "PNG")),
        },
        ssl_context=context,
    )
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    yield server, ca_file
    server.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, seed_hosts):
    images, ca_file = seed_hosts
    port = images.port
    server = ReelayProcess(
        tmp_path_factory.mktemp("seed-data"),
        render_scale=None,  # the videos' sizes are checked
        extra_env={
            "REELAY_RESOLVE": f"db.xiaohuhd.com:443:127.0.0.1:{port},www.bt.cn:443:127.0.0.1:{port}",
            "REELAY_CA_BUNDLE": str(ca_file),
        },
    ).start()
    key = server.create_key("seeds")
    yield server, key, images
    server.stop()


def _pro(server, key, body, **headers):
    return httpx.post(
        server.url + "/runway/pro/generate",
        json=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", **headers},
    )


def test_seed_000_deerapi_text_to_video(seeded):
    server, key, _ = seeded
    answer = _pro(server, key, SEED_000)
    assert answer.status_code == 200
    envelope = answer.json()
    assert envelope["code"] == 200 and envelope["msg"] == "成功" and isinstance(envelope["exec_time"], float)
    data = envelope["data"]
    assert set(data) >= DEER_FIELDS and data["status"] == "0" and data["prompt"] == "一只小猫"
    done = wait_pro(httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}), data["task_id"])
    facts = probe(httpx.get(done["video_url"]).content)
    assert (facts.width, facts.height, facts.frames, facts.fps) == (1280, 720, 240, 24)


def test_seed_001_cometapi_with_version_header_and_callback_url_empty(seeded):
    server, key, _ = seeded
    answer = _pro(server, key, SEED_001, **{"X-Runway-Version": "2024-11-06"})
    assert answer.status_code == 200 and answer.json()["data"]["task_id"]
    without = _pro(server, key, {k: v for k, v in SEED_001.items() if k != "callback_url"})
    assert without.status_code == 400
    assert without.json()["msg"].startswith("callback_url_empty")
    assert without.json()["data"] is None


def test_seed_002_ecovai_raw_key_gen3(seeded):
    server, key, _ = seeded
    answer = httpx.post(
        server.url + "/runway/pro/generate",
        json=SEED_002,
        headers={"Authorization": key, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert set(data) >= ECOVAI_FIELDS and data["point"] == "0" and data["refund"] == "0"
    done = wait_pro(httpx.Client(base_url=server.url, headers={"Authorization": key}), data["task_id"])
    assert done["status"] == "3"
    facts = probe(httpx.get(done["video_url"]).content)
    assert (facts.width, facts.height, facts.frames) == (1280, 768, 240)


def test_seed_003_image_to_video_fetches_the_image(seeded):
    server, key, images = seeded
    answer = _pro(server, key, SEED_003)
    assert answer.status_code == 200, answer.text
    assert "/1.jpeg" in images.requests
    done = wait_pro(
        httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}), answer.json()["data"]["task_id"]
    )
    assert done["status"] == "3"
    facts = probe(httpx.get(done["video_url"]).content)
    assert (facts.width, facts.height, facts.frames) == (1280, 768, 240)
    # The same page's rule: GEN-3 only supports 16:9 and 9:16.
    square = _pro(server, key, {**SEED_003, "ratio": "1:1"})
    assert square.status_code == 400 and "ratio" in square.json()["msg"]


def test_seed_004_anyapi_example_ratio_is_refused_and_gen3a_variant_runs(seeded):
    server, key, images = seeded
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Accept": "application/json"}
    answer = httpx.post(server.url + "/runwayml/v1/image_to_video", json=SEED_004, headers=headers)
    # 1280:768 is gen3a_turbo's ratio, not gen4_turbo's (SPEC §3): the field is named.
    assert answer.status_code == 400
    assert official_error(answer).startswith("ratio:")
    # The page's other listed model takes that ratio: the seed's body then runs as is.
    answer = httpx.post(
        server.url + "/runwayml/v1/image_to_video", json={**SEED_004, "model": "gen3a_turbo"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert created["code"] == 200 and created["data"]["task_id"] == created["id"]
    assert "/bbs/template/qiao/style/image/btlogo.png" in images.requests
    # Polled as seed 004's clients do: under /runwayml/v1, without X-Runway-Version.
    task = wait_official(httpx.Client(base_url=server.url, headers=headers), created["id"], prefix="/runwayml/v1")
    assert task["status"] == "SUCCEEDED"
    assert probe(httpx.get(task["output"][0]).content).frames == 120
