"""Many processes: API-only servers, separate workers, SIGTERM hand-back, health and metrics."""

import signal
import time

import httpx
import pytest

from support.backends import STORAGE, sql
from support.official import auth
from support.server import ReelayProcess
from support.tasks import wait_official

pytestmark = pytest.mark.e2e  # real processes: make test-fast leaves these out

BODY = {"model": "veo3.1", "ratio": "1280:720", "duration": 4}


def test_healthz_readyz_and_metrics(reelay, api_key):
    assert httpx.get(reelay.url + "/healthz").json()["status"] == "ok"
    ready = httpx.get(reelay.url + "/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "storage": "ok",
    }
    http = httpx.Client(base_url=reelay.url, headers=auth(api_key))
    task_id = http.post("/v1/text_to_video", json={**BODY, "promptText": "metered"}).json()["id"]
    wait_official(http, task_id)
    text = httpx.get(reelay.url + "/metrics").text
    assert 'reelay_tasks{engine="sandbox",status="SUCCEEDED"}' in text
    assert "reelay_queue_depth " in text and "reelay_queue_oldest_due_seconds " in text
    assert 'reelay_callback_deliveries{state="dead"} 0.0' in text
    assert 'reelay_engine_task_seconds_count{engine="sandbox",status="SUCCEEDED"}' in text


@pytest.mark.skipif(STORAGE == "s3", reason="removes the local storage folder")
def test_readyz_says_which_dependency_is_missing(tmp_path):
    server = ReelayProcess(tmp_path / "data").start()
    try:
        (tmp_path / "data" / "files").rename(tmp_path / "moved")
        answer = httpx.get(server.url + "/readyz")
        assert answer.status_code == 503 and answer.json()["checks"]["storage"].startswith("unreachable")
        assert httpx.get(server.url + "/healthz").status_code == 200  # alive, just not ready
    finally:
        server.stop()


def test_api_only_server_with_separate_worker_processes(tmp_path):
    server = ReelayProcess(tmp_path / "data", extra_env={"REELAY_WORKER": "false"}).start()
    try:
        key = server.create_key()
        http = httpx.Client(base_url=server.url, headers=auth(key))
        task_id = http.post("/v1/text_to_video", json={**BODY, "promptText": "who runs me"}).json()["id"]
        time.sleep(2)
        assert http.get(f"/v1/tasks/{task_id}").json()["status"] == "PENDING"  # the API runs nothing itself
        upstream_only = server.start_worker("--engines", "runway,relay")
        time.sleep(2)
        assert http.get(f"/v1/tasks/{task_id}").json()["status"] == "PENDING"  # not an engine it runs
        server.start_worker("--engines", "sandbox")
        assert wait_official(http, task_id)["status"] == "SUCCEEDED"
        assert upstream_only.poll() is None
    finally:
        server.stop()


def test_sigterm_hands_tasks_back_to_another_worker(tmp_path):
    server = ReelayProcess(
        tmp_path / "data", extra_env={"REELAY_WORKER": "false", "REELAY_LEASE_SECONDS": "60"}
    ).start()
    try:
        key = server.create_key()
        http = httpx.Client(base_url=server.url, headers=auth(key))
        first = server.start_worker()
        task_id = http.post("/v1/text_to_video", json={**BODY, "promptText": "[sandbox:delay=3] handed on"}).json()[
            "id"
        ]
        wait_official(http, task_id, until={"RUNNING"})
        first.send_signal(signal.SIGTERM)
        assert first.wait(20) == 0
        assert any("handed back" in line for line in first.lines)
        owner, expires = sql(
            tmp_path / "data", "select lease_owner, lease_expires_at from tasks where id = :id", id=task_id
        )[0]
        assert owner is None and expires is None  # free at once: no 60 s lease to wait out
        started = time.time()
        server.start_worker()
        assert wait_official(http, task_id, timeout=60)["status"] == "SUCCEEDED"
        assert time.time() - started < 45
    finally:
        server.stop()
