"""Odd values in URL paths and queries, and balances at the column's limit: each was a 500 (most
on PostgreSQL alone). Run it with REELAY_TEST_DATABASE=postgres too."""

import time
from functools import partial
from urllib.parse import parse_qs, urlsplit

import pytest

from reelay.domain.errors import TaskNotFound
from support import backends
from support.backends import STORAGE
from support.inprocess import make_app_client

INT_MAX = 2**31 - 1
LOCAL_ONLY = pytest.mark.skipif(STORAGE == "s3", reason="/files serves local storage only")


@pytest.fixture
def admin(app_client):
    return {"Authorization": f"Bearer {app_client.app.state.reelay.admin_key}"}


def run(client, function, *args):
    """A store call on the app's own event loop (its database connections belong to that loop)."""
    return client.portal.call(function, *args)


# --- signed file URLs -------------------------------------------------------------------------


@pytest.fixture
def signed(app_client):
    """The path and query of a valid signed URL to a stored file."""
    reelay = app_client.app.state.reelay
    run(app_client, reelay.storage.put_bytes, "t1/video.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")
    parts = urlsplit(reelay.signer.url("http://testserver", "t1/video.mp4"))
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


@LOCAL_ONLY
@pytest.mark.parametrize(
    "change",
    [
        {"expires": "\u00b2"},  # a superscript 2: str.isdigit() took it, int() did not
        {"expires": "\u0663" * 10},  # Arabic-Indic digits, which int() takes
        {"expires": "9" * 5000},  # past int()'s 4300 digits
        {"expires": "9" * 13},
        {"expires": "+9999999999"},
        {"sig": "é" * 64},  # compare_digest raised TypeError on non-ASCII text
        {"sig": "签名"},
    ],
)
def test_odd_expiry_or_signature_is_an_invalid_link(app_client, signed, change):
    path, query = signed
    assert app_client.get(path, params=query).status_code == 200
    answer = app_client.get(path, params=query | change)
    assert answer.status_code == 403, answer.text
    assert answer.json() == {"error": "This file URL is invalid or has expired; read the task again for a fresh one."}


def test_signer_refuses_odd_values_without_raising(app_client):
    signer = app_client.app.state.reelay.signer
    expires = str(int(time.time()) + 60)
    good = parse_qs(urlsplit(signer.url("http://x", "k")).query)
    assert signer.verify("k", good["expires"][0], good["sig"][0])
    assert not signer.verify("k", expires, "\udc80" * 64)
    assert not signer.verify("k\ud800", expires, "0" * 64)
    assert not signer.verify_token("task", "é" * 64)
    assert not signer.verify_token("task\ud800", "0" * 64)


# --- ids no database stores: NUL, and a lone surrogate ----------------------------------------

ODD_IDS = ["a%00b", "%00", "a%ED%A0%80b"]  # a server decodes the last to U+FFFD; store calls below send a real one


@pytest.mark.parametrize("odd", ODD_IDS)
@pytest.mark.parametrize("prefix", ["/v1", "/runwayml/v1"])
def test_official_task_routes_answer_not_found(app_client, prefix, odd):
    unknown = app_client.get(f"{prefix}/tasks/6f1c6a52-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    for method in ("GET", "DELETE"):
        answer = app_client.request(method, f"{prefix}/tasks/{odd}")
        assert answer.status_code == 404, answer.text
        assert answer.json().keys() == unknown.json().keys() and "does not exist" in answer.json()["error"]


@pytest.mark.parametrize("path", ["/runway/feed", "/runway/v1/feed"])
def test_pro_feed_answers_not_found_in_its_envelope(app_client, path):
    answer = app_client.get(f"{path}?task_id=a%ED%A0%80b")
    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == 404 and body["data"] is None and body["msg"].startswith("task_not_exist: ")
    # A NUL is refused earlier, naming the field (test_parser_limits): a 400, not a 500.
    assert app_client.get(f"{path}?task_id=a%00b").status_code == 400


def test_task_reader_treats_odd_ids_as_unknown(app_client):
    reelay = app_client.app.state.reelay
    key = run(app_client, reelay.keys.authenticate, app_client.headers["Authorization"].split()[1])
    for odd in ("a\x00b", "a\ud800b", "\udfff"):
        with pytest.raises(TaskNotFound):
            run(app_client, reelay.reader.get, key, odd)
        with pytest.raises(TaskNotFound):
            run(app_client, reelay.reader.cancel_or_delete, key, odd)


@pytest.mark.parametrize("odd", ODD_IDS)
def test_admin_key_routes_answer_as_for_an_unknown_key(app_client, admin, odd):
    for method, route, body in [("GET", "ledger", None), ("POST", "topup", {"points": 5})]:
        unknown = app_client.request(method, f"/admin/keys/nokey/{route}", json=body, headers=admin)
        answer = app_client.request(method, f"/admin/keys/{odd}/{route}", json=body, headers=admin)
        assert answer.status_code == unknown.status_code == 400, answer.text
        assert answer.json()["error"].startswith("key_id: no key ")


def test_key_store_treats_odd_ids_as_unknown(app_client):
    keys = app_client.app.state.reelay.keys
    for odd in ("a\x00", "a\ud800"):
        assert run(app_client, keys.find, odd) is None
        assert run(app_client, keys.revoke, odd) is False
        assert run(app_client, keys.rotate_secret, odd, 60.0) is None


def _deliveries(app_client, *ids):
    data_dir = app_client.settings.data_dir
    for n, delivery_id in enumerate(ids):
        backends.sql(
            data_dir,
            "insert into callback_deliveries (id, task_id, api_key_id, seq, event_status, url, state, attempts, created_at)"
            " values (:id, :task, 'k', 2, 'FAILED', 'https://example.com/cb', 'dead', 3, 1)",
            id=delivery_id,
            task=f"task-{n}",
        )
    return lambda: dict(backends.sql(data_dir, "select id, state from callback_deliveries"))


@pytest.mark.parametrize("odd", [*ODD_IDS, "%25", "_"])
def test_admin_resend_of_an_odd_id_resends_nothing(app_client, admin, odd):
    states = _deliveries(app_client, "aaaa-1", "aaab-2")
    answer = app_client.post(f"/admin/callbacks/{odd}/resend", headers=admin)
    assert answer.status_code == 200 and answer.json() == {"resent": False}, answer.text
    # "%" and "_" were LIKE wildcards: every delivery was reset to pending.
    assert states() == {"aaaa-1": "dead", "aaab-2": "dead"}


def test_admin_resend_takes_a_unique_prefix_only(app_client, admin):
    states = _deliveries(app_client, "aaaa-1", "aaab-2")
    assert app_client.post("/admin/callbacks/aaa/resend", headers=admin).json() == {"resent": False}
    assert states() == {"aaaa-1": "dead", "aaab-2": "dead"}  # ambiguous: neither changes
    assert app_client.post("/admin/callbacks/aaaa/resend", headers=admin).json() == {"resent": True}
    assert states() == {"aaaa-1": "pending", "aaab-2": "dead"}


def test_callback_store_treats_odd_ids_as_unknown(app_client):
    callbacks = app_client.app.state.reelay.callbacks
    for odd in ("a\x00", "a\ud800"):
        assert run(app_client, callbacks.resend, odd) is False
        assert run(app_client, partial(callbacks.list, task_id=odd)) == []
    assert run(app_client, callbacks.resend, "") is False  # a prefix of every id


# --- balances at PostgreSQL's INTEGER limit -----------------------------------------------------


def _new_key(client, admin, points):
    answer = client.post("/admin/keys", json={"points": points}, headers=admin)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _top_up(client, admin, key_id, points, kind="topup"):
    return client.post(f"/admin/keys/{key_id}/topup", json={"points": points, "kind": kind}, headers=admin)


def _ledger(client, admin, key_id):
    return client.get(f"/admin/keys/{key_id}/ledger", headers=admin).json()


def test_repeated_top_ups_stop_at_the_limit(app_client, admin):
    key_id = _new_key(app_client, admin, 0)["id"]
    assert _top_up(app_client, admin, key_id, INT_MAX).json()["balance"] == INT_MAX
    again = _top_up(app_client, admin, key_id, INT_MAX)
    assert again.status_code == 400, again.text
    assert again.json() == {
        "error": f"points: adding {INT_MAX} to the balance of {INT_MAX} would pass {INT_MAX}, the most a balance holds"
    }
    assert _top_up(app_client, admin, key_id, 1, kind="adjustment").status_code == 400
    ledger = _ledger(app_client, admin, key_id)
    assert ledger["balance"] == INT_MAX and len(ledger["data"]) == 1  # the refused ones left no entry


def test_a_top_up_may_reach_the_limit_exactly(app_client, admin):
    key_id = _new_key(app_client, admin, INT_MAX - 10)["id"]
    assert _top_up(app_client, admin, key_id, 11).status_code == 400
    assert _top_up(app_client, admin, key_id, 10).json()["balance"] == INT_MAX
    assert _top_up(app_client, admin, key_id, -INT_MAX, kind="adjustment").json()["balance"] == 0
    below = _top_up(app_client, admin, key_id, -1, kind="adjustment")
    assert below.status_code == 400 and below.json()["error"].startswith("You do not have enough credits")


@pytest.fixture
def priced(tmp_path):
    """The in-process app with prices: gen4_turbo costs 1 point a second."""
    config = tmp_path / "reelay.toml"
    config.write_text('[[channels]]\nname = "sandbox"\nengine = "sandbox"\n\n[prices]\ngen4_turbo = 1\n')
    with make_app_client(tmp_path / "data", config=str(config)) as (client, _):
        yield client, {"Authorization": f"Bearer {client.app.state.reelay.admin_key}"}


def test_points_held_by_live_tasks_count_against_the_limit(priced):
    """A live task's charge comes back if it fails or is cancelled: that refund must fit too."""
    client, admin = priced
    created = _new_key(client, admin, INT_MAX - 5)
    key = {"Authorization": f"Bearer {created['key']}"}
    body = {"callback_url": "https://example.com/cb", "prompt": "x", "model": "gen4_turbo", "options": {"seconds": 5}}
    task = client.post("/runway/pro/generate", json=body, headers=key)
    assert task.status_code == 200, task.text
    assert _ledger(client, admin, created["id"])["balance"] == INT_MAX - 10
    refused = _top_up(client, admin, created["id"], 10)
    assert refused.status_code == 400
    assert refused.json()["error"] == (
        f"points: adding 10 to the balance of {INT_MAX - 10} and 5 held by tasks in progress would pass {INT_MAX},"
        " the most a balance holds"
    )
    assert _top_up(client, admin, created["id"], 5).json()["balance"] == INT_MAX - 5
    cancelled = client.delete(f"/v1/tasks/{task.json()['data']['task_id']}", headers=key)
    assert cancelled.status_code == 204, cancelled.text
    assert _ledger(client, admin, created["id"])["balance"] == INT_MAX  # the refund fit


def test_the_key_list_shows_each_keys_own_balance(app_client, admin):
    rich = _new_key(app_client, admin, INT_MAX)["id"]
    poor = _new_key(app_client, admin, 7)["id"]
    _top_up(app_client, admin, poor, 5)
    listed = {k["id"]: k["balance"] for k in app_client.get("/admin/keys", headers=admin).json()["data"]}
    assert (listed[rich], listed[poor]) == (INT_MAX, 12)
