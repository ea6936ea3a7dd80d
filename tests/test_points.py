"""Points, refunds and limits: exact under concurrency, on SQLite and on PostgreSQL."""

import asyncio
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from runwayml import RunwayML

from support.official import auth, official_error
from support.processes import starts_processes
from support.server import ReelayProcess, reelay_cli
from support.tasks import wait_official

PRICES = """
[[channels]]
name = "sandbox"
engine = "sandbox"

[prices]
gen4_turbo = 1
"veo3.1" = 2
"""


def config_file(tmp_path, text=PRICES):
    path = tmp_path / "reelay.toml"
    path.write_text(text)
    return str(path)


def start(tmp_path, database_url="", **env):
    extra = {"REELAY_CONFIG": config_file(tmp_path), **env}
    if database_url:
        extra["REELAY_DATABASE_URL"] = database_url
    return ReelayProcess(tmp_path / "data", extra_env=extra).start()


@pytest.fixture(scope="module")
@starts_processes
def server(tmp_path_factory):
    """One server with prices and a worker for the tests that need no server of their own: each
    makes its own key, with its own points and limits."""
    server = start(tmp_path_factory.mktemp("priced"))
    yield server
    server.stop()


def new_key(server, **fields):
    """(id, key) of a key made through the admin API: points, max_concurrent, rate_limit_per_second,
    daily_limit, monthly_spend_limit."""
    made = server.new_key("points", **fields)
    return made["id"], made["key"]


def ledger(server, key_id):
    answer = httpx.get(f"{server.url}/admin/keys/{key_id}/ledger", headers={"Authorization": f"Bearer {server.admin}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


PRO_BODY = {"callback_url": "https://example.com/cb", "prompt": "x", "model": "gen4_turbo", "options": {"seconds": 5}}


@pytest.mark.e2e
def test_200_parallel_creates_against_a_balance_for_100(tmp_path, database_url):
    server = start(tmp_path, database_url, REELAY_WORKER="false")
    try:
        key_id, key = new_key(server, points=500)  # 5 s × 1 point = 5 points a task: 100 tasks

        async def create_all():
            async with httpx.AsyncClient(base_url=server.url, headers=auth(key), timeout=60) as http:
                return await asyncio.gather(*(http.post("/runway/pro/generate", json=PRO_BODY) for _ in range(200)))

        answers = asyncio.run(create_all())
        codes = sorted(a.status_code for a in answers)
        assert codes.count(200) == 100 and codes.count(402) == 100, codes
        refused = next(a for a in answers if a.status_code == 402).json()
        assert refused["msg"].startswith("insufficient_points:") and refused["data"] is None
        accepted = [a.json()["data"] for a in answers if a.status_code == 200]
        assert all(d["point"] == "5" and d["refund"] == "0" for d in accepted)
        book = ledger(server, key_id)
        assert book["balance"] == 0
        assert sum(e["amount"] for e in book["data"]) == book["balance"]
        assert sum(1 for e in book["data"] if e["kind"] == "charge") == 100
    finally:
        server.stop()


def test_official_dialect_refuses_missing_credits_as_runway_does(server):
    _, key = new_key(server, points=3)
    answer = httpx.post(
        server.url + "/v1/text_to_video",
        json={"model": "veo3.1", "promptText": "x", "ratio": "1280:720", "duration": 4},
        headers=auth(key),
    )
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("You do not have enough credits")
    assert "8" in answer.json()["error"]  # 4 s × 2 points


def test_failed_and_cancelled_tasks_are_refunded_once_succeeded_never(server):
    key_id, key = new_key(server, points=100)
    http = httpx.Client(base_url=server.url, headers=auth(key))
    body = {"model": "gen4_turbo", "ratio": "960:960", "duration": 2, "promptImage": _image()}
    ok = http.post("/v1/image_to_video", json={**body, "promptText": "fine"}).json()["id"]
    failing = http.post(
        "/v1/image_to_video", json={**body, "promptText": "[sandbox:fail=INTERNAL.BAD_OUTPUT] no"}
    ).json()["id"]
    slow = http.post("/v1/image_to_video", json={**body, "promptText": "[sandbox:delay=30] slow"}).json()["id"]
    wait_official(http, slow, until={"RUNNING"})
    assert http.delete(f"/v1/tasks/{slow}").status_code == 204
    assert http.get(f"/v1/tasks/{slow}").status_code == 404  # gone for the official dialect, as on Runway
    assert wait_official(http, ok)["cost"] == {"credits": 2}
    assert wait_official(http, failing)["cost"] == {"credits": 0}
    feed = http.post("/runway/feed", json={"task_id": failing}).json()["data"]
    assert feed["point"] == "2" and feed["refund"] == "1"
    cancelled = http.post("/runway/feed", json={"task_id": slow}).json()["data"]
    assert cancelled["state"] == "cancelled" and cancelled["point"] == "2" and cancelled["refund"] == "1"
    book = ledger(server, key_id)
    assert book["balance"] == 98
    refunds = [e for e in book["data"] if e["kind"] == "refund"]
    assert sorted(e["task_id"] for e in refunds) == sorted([failing, slow])


def _image():
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from support.images import data_uri, gradient_image

    return data_uri(gradient_image(200, 200))


async def _race(database_url: str, tmp_path) -> tuple[int, int, list]:
    """50 tasks; for each, a cancel and a failure race to make it final."""
    from reelay.domain.request import GenerationRequest
    from reelay.domain.status import Status
    from reelay.domain.task import Task
    from reelay.store.db import migrate, open_engine
    from reelay.store.keys import KeyStore
    from reelay.store.ledger import LedgerStore
    from reelay.store.tasks import TaskStore

    db = open_engine(database_url or f"sqlite+aiosqlite:///{tmp_path / 'race.db'}")
    await migrate(db)
    key, _ = await KeyStore(db).create("race", points=500)
    store, ledger_store = TaskStore(db), LedgerStore(db)
    request = GenerationRequest("pro", "text_to_video", "gen4", "gen4_turbo", "16:9", 1280, 720, 5, prompt="x")
    now = datetime.now(UTC)
    ids = []
    for _ in range(50):
        task = Task(str(uuid.uuid4()), key.id, request, Status.PENDING, now, now, points=10)
        await store.create(task)
        await store.transition(task.id, Status.RUNNING)
        ids.append(task.id)
    assert await ledger_store.balance(key.id) == 0
    outcomes = []
    for task_id in ids:
        outcomes.append(
            await asyncio.gather(
                store.transition(task_id, Status.CANCELLED),
                store.transition(task_id, Status.FAILED, failure="boom"),
            )
        )
    balance = await ledger_store.balance(key.id)
    entries = await ledger_store.entries(key.id)
    await db.dispose()
    return balance, sum(e.amount for e in entries), outcomes, entries


def test_cancel_racing_a_failure_refunds_once(tmp_path, database_url):
    balance, ledger_sum, outcomes, entries = asyncio.run(_race(database_url, tmp_path))
    assert all(sorted(pair) == [False, True] for pair in outcomes)  # exactly one writer won each race
    assert balance == 500 and ledger_sum == 500
    assert sum(1 for e in entries if e.kind == "refund") == 50


def test_rate_limit_answers_429_with_retry_after_in_each_dialect(server):
    _, key = new_key(server, rate_limit_per_second=2, points=1000)
    http = httpx.Client(base_url=server.url, headers=auth(key))
    answers = [http.post("/runway/feed", json={"task_id": "nope"}) for _ in range(4)]
    limited = [a for a in answers if a.status_code == 429]
    assert limited and int(limited[0].headers["retry-after"]) >= 1
    assert limited[0].json()["msg"].startswith("rate_limited:") and limited[0].json()["code"] == 429
    official = [http.get("/v1/organization") for _ in range(3)]
    assert any(a.status_code == 429 and "error" in a.json() for a in official)
    time.sleep(1.1)
    assert http.post("/runway/feed", json={"task_id": "nope"}).status_code == 404  # allowed again


def test_concurrency_limit_makes_extra_tasks_wait_throttled(server):
    _, key = new_key(server, max_concurrent=1, points=1000)
    http = httpx.Client(base_url=server.url, headers=auth(key))
    body = {"model": "veo3.1", "ratio": "1280:720", "duration": 4}
    first = http.post("/v1/text_to_video", json={**body, "promptText": "[sandbox:delay=3] one"}).json()["id"]
    wait_official(http, first, until={"RUNNING"})
    second = http.post("/v1/text_to_video", json={**body, "promptText": "two"}).json()["id"]
    assert wait_official(http, second, until={"THROTTLED"}, timeout=10)["status"] == "THROTTLED"
    assert http.get(f"/v1/tasks/{first}").json()["status"] == "RUNNING"
    assert wait_official(http, first)["status"] == "SUCCEEDED"
    assert wait_official(http, second)["status"] == "SUCCEEDED"


def test_daily_limit_answers_429_on_create_and_rolls_over(server):
    from support.backends import sql

    key_id, key = new_key(server, daily_limit=2, points=1000)
    http = httpx.Client(base_url=server.url, headers=auth(key))
    body = {"model": "veo3.1", "promptText": "x", "ratio": "1280:720", "duration": 4}
    assert [http.post("/v1/text_to_video", json=body).status_code for _ in range(2)] == [200, 200]
    third = http.post("/v1/text_to_video", json=body)
    assert third.status_code == 429 and "daily_limit" in third.json()["error"]
    assert int(third.headers["retry-after"]) > 86000
    pro = http.post("/runway/pro/generate", json=PRO_BODY)
    assert pro.status_code == 429 and pro.json()["msg"].startswith("rate_limited:")
    # A day later the oldest creations leave the 24-hour window.
    sql(server.data_dir, "update tasks set created_at = created_at - 86401 where api_key_id = :key", key=key_id)
    assert http.post("/v1/text_to_video", json=body).status_code == 200


def test_runway_sdk_reads_organization_and_usage(server):
    _, key = new_key(server, points=50, max_concurrent=3, daily_limit=40, monthly_spend_limit=1000)
    client = RunwayML(base_url=server.url, api_key=key, _strict_response_validation=True, max_retries=0)
    client.text_to_video.create(model="veo3.1", prompt_text="a", ratio="1280:720", duration=4).wait_for_task_output(
        timeout=60
    )
    failed = client.text_to_video.create(
        model="veo3.1", prompt_text="[sandbox:fail=INTERNAL] b", ratio="1280:720", duration=4
    )
    http = httpx.Client(base_url=server.url, headers=auth(key))
    wait_official(http, failed.id)
    org = client.organization.retrieve()
    assert org.credit_balance == 42  # 50 - 8, the failed task refunded
    assert org.tier.max_monthly_credit_spend == 1000
    assert org.tier.models["veo3.1"].max_concurrent_generations == 3
    assert org.tier.models["veo3.1"].max_daily_generations == 40
    assert org.usage.models["veo3.1"].daily_generations == 2
    usage = client.organization.retrieve_usage()
    assert usage.models == ["veo3.1"]
    today = usage.results[-1]
    assert today.used_credits[0].model == "veo3.1" and today.used_credits[0].amount == 8
    bad = http.post("/v1/organization/usage", json={"startDate": "2026-13-01"})
    assert bad.status_code == 400 and official_error(bad).startswith("startDate:")


def test_admin_api_and_cli_top_up_and_list_the_ledger(server):
    admin = {"Authorization": f"Bearer {server.admin}"}
    created = httpx.post(
        server.url + "/admin/keys", json={"name": "shop", "points": 10, "daily_limit": 5}, headers=admin
    ).json()
    assert created["balance"] == 10 and created["key"].startswith("rl_") and created["limits"]["daily_limit"] == 5
    topped = httpx.post(
        f"{server.url}/admin/keys/{created['id']}/topup", json={"points": 15, "note": "invoice 7"}, headers=admin
    )
    assert topped.json()["balance"] == 25
    bad = httpx.post(f"{server.url}/admin/keys/{created['id']}/topup", json={"points": "lots"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"].startswith("points:")
    assert "Balance of" in reelay_cli("keys", "topup", created["prefix"], "5", env=server.env).stdout
    listing = reelay_cli("keys", "ledger", created["id"], env=server.env).stdout
    assert "Balance: 30 points" in listing and "invoice 7" in listing and "opening balance" in listing
    client = httpx.post(
        server.url + "/admin/keys", json={"name": "x"}, headers={"Authorization": f"Bearer {created['key']}"}
    )
    assert client.status_code == 403


@pytest.mark.e2e
def test_rate_limit_holds_across_two_api_processes_through_redis(tmp_path):
    import redis

    redis.Redis(host="127.0.0.1", port=6379).ping()  # the machine's Redis server
    env = {"REELAY_REDIS_URL": "redis://127.0.0.1:6379/0", "REELAY_WORKER": "false"}
    first = start(tmp_path, **env)
    second = ReelayProcess(tmp_path / "data", extra_env={"REELAY_CONFIG": str(tmp_path / "reelay.toml"), **env}).start()
    try:
        _, key = new_key(first, rate_limit_per_second=0.2)  # one request per 5-second window
        headers = auth(key)

        async def burst():
            async with httpx.AsyncClient(headers=headers, timeout=30) as http:
                return await asyncio.gather(
                    *(http.get((first, second)[i % 2].url + "/v1/organization") for i in range(6))
                )

        time.sleep(5 - time.time() % 5 + 0.05)  # the start of a fresh window
        answers = asyncio.run(burst())
        allowed = sum(a.status_code == 200 for a in answers)
        # One in the window, whichever process served it (counted per process, it would be two).
        assert allowed == 1, [a.status_code for a in answers]
        assert all(a.status_code == 429 and "error" in a.json() for a in answers if a.status_code != 200)
    finally:
        second.stop()
        first.stop()
