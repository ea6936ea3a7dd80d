"""Callbacks are never lost: signed, retried, in order per task, through restarts and crashes."""

import time

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from support.backends import is_ours
from support.official import auth
from support.receiving import Receiver
from support.server import ReelayProcess, reelay_cli
from support.tasks import wait_official, wait_pro

pytestmark = pytest.mark.e2e  # real processes: make test-fast leaves these out

FAST_RETRIES = {
    "REELAY_CALLBACK_FIRST_RETRY_SECONDS": "0.3",
    "REELAY_CALLBACK_MAX_RETRY_SECONDS": "1",
}


def pro_task(server, key, callback_url, prompt="a cat", seconds=5):
    answer = httpx.post(
        server.url + "/runway/pro/generate",
        json={
            "callback_url": callback_url,
            "prompt": prompt,
            "model": "gen4_turbo",
            "ratio": "1:1",
            "options": {"seconds": seconds},
        },
        headers=auth(key),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["task_id"]


def statuses_for(entries, task_id):
    return [e["json"]["status"] for e in entries if e["json"].get("task_id") == task_id]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = ReelayProcess(tmp_path_factory.mktemp("cb-data"), extra_env=FAST_RETRIES).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def keyed(server):
    made = server.new_key("callbacks")
    return made["key"], made["signing_secret"]


def admin_deliveries(server, task_id, admin_key=None):
    admin_key = admin_key or server.admin_key()
    answer = httpx.get(
        server.url + "/admin/callbacks", params={"task_id": task_id}, headers={"Authorization": f"Bearer {admin_key}"}
    )
    assert answer.status_code == 200, answer.text
    return sorted(answer.json()["data"], key=lambda d: d["created_at"])


def settled(server, task_id, timeout: float = 10):
    """The task's deliveries once none is pending (or as they are after `timeout`)."""
    deadline = time.time() + timeout
    while True:
        deliveries = admin_deliveries(server, task_id)
        if all(d["state"] != "pending" for d in deliveries) or time.time() > deadline:
            return deliveries
        time.sleep(0.1)


def test_each_status_change_is_posted_and_signed_per_standard_webhooks(server, keyed, tmp_path):
    key, secret = keyed
    receiver = Receiver(tmp_path / "got.jsonl").start()
    try:
        task_id = pro_task(server, key, receiver.url + "/hook")
        entries = receiver.wait_for(lambda e: "3" in statuses_for(e, task_id))
        assert statuses_for(entries, task_id) == ["1", "3"]
        final = entries[-1]
        assert final["path"] == "/hook"
        body = final["json"]
        # The pro task object, without the envelope (SPEC §2.4).
        assert body["state"] == "succeeded" and is_ours(body["video_url"], server.url) and "code" not in body
        assert httpx.get(body["video_url"]).status_code == 200
        headers = final["headers"]
        Webhook(secret).verify(final["body"], headers)  # raises if the signature is wrong
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(final["body"].replace("succeeded", "failed"), headers)
        old = {**headers, "webhook-timestamp": str(int(time.time()) - 3600)}
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(final["body"], old)
        other_secret = server.new_key("someone-else")["signing_secret"]
        with pytest.raises(WebhookVerificationError):
            Webhook(other_secret).verify(final["body"], headers)
    finally:
        receiver.stop()


def test_receiver_failing_three_times_then_ok_gets_four_attempts(server, keyed, tmp_path):
    key, _ = keyed
    receiver = Receiver(tmp_path / "flaky.jsonl", fail_first=3, fail_status=500).start()
    try:
        task_id = pro_task(server, key, receiver.url + "/cb")
        entries = receiver.wait_for(lambda e: "3" in statuses_for(e, task_id))
        assert statuses_for(entries, task_id) == ["1", "1", "1", "1", "3"]
        assert [e["answered"] for e in entries] == [500, 500, 500, 200, 200]
        assert len({e["headers"]["webhook-id"] for e in entries[:4]}) == 1  # a retry is the same message
        # The receiver logs a POST before its answer reaches the dispatcher, which then records
        # the outcome in its next batch: wait for that record.
        running, final = settled(server, task_id)
        assert running["status"] == "RUNNING" and running["state"] == "delivered" and running["attempts"] == 4
        assert [a["http_status"] for a in running["history"]] == [500, 500, 500, 200]
        assert all(a["error"] == "HTTP 500" and a["next_attempt_at"] for a in running["history"][:3])
        assert final["status"] == "SUCCEEDED" and final["state"] == "delivered" and final["attempts"] == 1
    finally:
        receiver.stop()


def test_official_dialect_callback_header_receives_runway_task_objects(server, keyed, tmp_path):
    key, secret = keyed
    receiver = Receiver(tmp_path / "official.jsonl").start()
    try:
        created = httpx.post(
            server.url + "/v1/text_to_video",
            json={"model": "veo3.1", "promptText": "waves", "ratio": "1280:720", "duration": 4},
            headers={**auth(key), "X-Reelay-Callback-Url": receiver.url + "/runway"},
        ).json()
        entries = receiver.wait_for(lambda e: any(x["json"].get("status") == "SUCCEEDED" for x in e))
        mine = [e for e in entries if e["json"]["id"] == created["id"]]
        assert [e["json"]["status"] for e in mine] == ["RUNNING", "SUCCEEDED"]
        assert "progress" in mine[0]["json"] and is_ours(mine[1]["json"]["output"][0], server.url)
        Webhook(secret).verify(mine[1]["body"], mine[1]["headers"])
    finally:
        receiver.stop()
    refused = httpx.post(
        server.url + "/v1/text_to_video",
        json={"model": "veo3.1", "promptText": "waves", "ratio": "1280:720", "duration": 4},
        headers={**auth(key), "X-Reelay-Callback-Url": "gopher://x"},
    )
    assert refused.status_code == 400 and refused.json()["error"].startswith("X-Reelay-Callback-Url:")


def test_cancelled_and_failed_tasks_are_called_back(server, keyed, tmp_path):
    key, _ = keyed
    receiver = Receiver(tmp_path / "ends.jsonl").start()
    try:
        failing = pro_task(server, key, receiver.url, prompt="[sandbox:fail=SAFETY.INPUT.TEXT] x")
        slow = pro_task(server, key, receiver.url, prompt="[sandbox:delay=30] x")
        http = httpx.Client(base_url=server.url, headers=auth(key))
        wait_official(http, slow, until={"RUNNING"})
        assert http.delete(f"/v1/tasks/{slow}").status_code == 204
        entries = receiver.wait_for(
            lambda e: statuses_for(e, failing)[-1:] == ["2"] and statuses_for(e, slow)[-1:] == ["2"]
        )
        failed = [e["json"] for e in entries if e["json"]["task_id"] == failing][-1]
        assert failed["state"] == "failed" and "moderation" in failed["msg"]
        cancelled = [e["json"] for e in entries if e["json"]["task_id"] == slow][-1]
        assert cancelled["state"] == "cancelled"
    finally:
        receiver.stop()


def test_signing_secret_rotation_keeps_both_valid_during_overlap(server, keyed, tmp_path):
    key, old_secret = keyed
    key_id = reelay_cli("keys", "list", env=server.env).stdout
    prefix = key[:10]
    new_secret = (
        reelay_cli("keys", "rotate-secret", prefix, "--overlap-hours", "1", env=server.env)
        .stdout.strip()
        .splitlines()[-1]
    )
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    receiver = Receiver(tmp_path / "rotated.jsonl").start()
    try:
        task_id = pro_task(server, key, receiver.url)
        entry = receiver.wait_for(lambda e: "3" in statuses_for(e, task_id))[-1]
        assert len(entry["headers"]["webhook-signature"].split()) == 2
        Webhook(new_secret).verify(entry["body"], entry["headers"])
        Webhook(old_secret).verify(entry["body"], entry["headers"])
    finally:
        receiver.stop()
    assert prefix in key_id


def test_admin_callbacks_needs_the_admin_key(server, keyed):
    key, _ = keyed
    answer = httpx.get(server.url + "/admin/callbacks", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 403 and "admin" in answer.json()["error"]


def test_receiver_down_across_a_restart_is_delivered_after_it_comes_back(tmp_path):
    receiver = Receiver(tmp_path / "late.jsonl")  # not started yet: connections are refused
    server = ReelayProcess(tmp_path / "data", extra_env=FAST_RETRIES).start()
    key = server.create_key()
    http = httpx.Client(base_url=server.url, headers=auth(key))
    task_id = pro_task(server, key, receiver.url + "/late")
    wait_pro(http, task_id)
    time.sleep(1.5)  # a few refused attempts
    server.stop()
    restarted = ReelayProcess(tmp_path / "data", port=server.port, extra_env=FAST_RETRIES).start()
    try:
        receiver.start()
        entries = receiver.wait_for(lambda e: statuses_for(e, task_id) == ["1", "3"], timeout=30)
        assert statuses_for(entries, task_id) == ["1", "3"]
        running = admin_deliveries(restarted, task_id, server.admin_key())[0]
        assert running["attempts"] >= 2 and "could not connect" in running["history"][0]["error"]
    finally:
        receiver.stop()
        restarted.stop()


def test_sigkill_mid_delivery_loses_no_status_and_keeps_order(tmp_path):
    receiver = Receiver(tmp_path / "crash.jsonl", delay=0.4).start()
    server = ReelayProcess(tmp_path / "data", extra_env={**FAST_RETRIES, "REELAY_CALLBACK_PER_HOST": "2"}).start()
    key = server.create_key()
    try:
        task_ids = [pro_task(server, key, receiver.url + f"/t{i}", prompt=f"clip {i}", seconds=5) for i in range(12)]
        receiver.wait_for(lambda e: len(e) >= 4, timeout=60)
        server.kill()  # deliveries are in flight at the slow receiver
        restarted = ReelayProcess(tmp_path / "data", port=server.port, extra_env=FAST_RETRIES).start()
        try:
            entries = receiver.wait_for(lambda e: all(statuses_for(e, t)[-1:] == ["3"] for t in task_ids), timeout=180)
        finally:
            restarted.stop()
        for task_id in task_ids:
            seen = statuses_for(sorted(entries, key=lambda e: e["received_at"]), task_id)
            assert "1" in seen and "3" in seen, (task_id, seen)
            assert seen == sorted(seen), (task_id, seen)  # never a final status before RUNNING
        print(f"{len(entries)} posts for {len(task_ids)} tasks ({len(entries) - 2 * len(task_ids)} repeats)")
    finally:
        receiver.stop()


def test_dead_delivery_is_listed_and_resent_from_the_cli(tmp_path):
    receiver = Receiver(tmp_path / "dead.jsonl", fail_first=1000).start()
    env = {**FAST_RETRIES, "REELAY_CALLBACK_GIVE_UP_HOURS": "0.0005"}  # 1.8 seconds
    server = ReelayProcess(tmp_path / "data", extra_env=env).start()
    try:
        key = server.create_key()
        task_id = pro_task(server, key, receiver.url + "/dead")
        deadline = time.time() + 30
        while time.time() < deadline and not any(d["state"] == "dead" for d in admin_deliveries(server, task_id)):
            time.sleep(0.2)
        listed = reelay_cli("callbacks", "list", "--dead", env=server.env).stdout
        assert task_id in listed and "dead" in listed
        dead_id = next(d["id"] for d in admin_deliveries(server, task_id) if d["state"] == "dead")
        receiver.stop()
        good = Receiver(tmp_path / "revived.jsonl", port=receiver.port).start()
        try:
            assert "sent again" in reelay_cli("callbacks", "resend", dead_id, env=server.env).stdout
            good.wait_for(lambda e: len(e) >= 1, timeout=30)
        finally:
            good.stop()
    finally:
        server.stop()


def test_callback_host_resolving_to_loopback_is_refused_without_the_development_setting(tmp_path):
    receiver = Receiver(tmp_path / "never.jsonl").start()
    server = ReelayProcess(
        tmp_path / "data",
        extra_env={
            **FAST_RETRIES,
            "REELAY_ALLOW_PRIVATE_URLS": "false",
            "REELAY_RESOLVE": f"hooks.example.test:{receiver.port}:127.0.0.1",
        },
    ).start()
    try:
        key = server.create_key()
        literal = httpx.post(
            server.url + "/runway/pro/generate",
            json={"callback_url": receiver.url + "/x", "prompt": "x"},
            headers=auth(key),
        )
        assert (
            literal.status_code == 400
            and "callback_url" in literal.json()["msg"]
            and "not public" in literal.json()["msg"]
        )
        task_id = pro_task(server, key, f"http://hooks.example.test:{receiver.port}/x")
        deadline = time.time() + 30
        while time.time() < deadline:
            deliveries = admin_deliveries(server, task_id)
            if deliveries and deliveries[0]["history"]:
                break
            time.sleep(0.2)
        assert "not public" in deliveries[0]["history"][0]["error"]
        assert receiver.received() == []
    finally:
        server.stop()
        receiver.stop()
