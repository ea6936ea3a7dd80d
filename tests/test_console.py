"""The web console in this process (worker off): sign-in, the cookie, CSRF, who sees what, keys,
filters and paging, and the task actions, each checked in the stores behind the pages."""

from __future__ import annotations

import re
import time

import pytest

from reelay.console import session
from reelay.domain.status import Status
from reelay.store.callbacks import PENDING
from support.console import TOKEN, sign_in
from support.inprocess import make_app_client

PRO = {"prompt": "a cat", "model": "gen4_turbo", "options": {"seconds": 5}}


@pytest.fixture
def console(tmp_path):
    with make_app_client(tmp_path) as (client, key):
        client.client_key = key
        client.admin_key = client.app.state.reelay.admin_key
        yield client


def reelay(client):
    return client.app.state.reelay


def run(client, function, *args, **kwargs):
    """A store call on the app's own event loop."""
    return client.portal.call(lambda: function(*args, **kwargs))


def token(client, path: str = "/console/tasks") -> str:
    return TOKEN.search(client.get(path).text).group(1)


def new_key(client, name: str, points: int = 0) -> str:
    _, plain = run(client, reelay(client).keys.create, name, points=points)
    return plain


def make_task(client, plain: str, **body) -> str:
    answer = client.post(
        "/runway/pro/generate",
        json={**PRO, "callback_url": "http://127.0.0.1:9/hook", **body},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["task_id"]


def task(client, task_id: str):
    return run(client, reelay(client).tasks.get, task_id)


def test_sign_in_gives_a_strict_http_only_cookie_and_sign_out_ends_it(console):
    away = console.get("/console/tasks?status=PENDING", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/console/login?next=/console/tasks")

    form = console.get("/console/login")
    wrong = console.post("/console/login", data={"api_key": "rl_wrong", "csrf_token": TOKEN.search(form.text).group(1)})
    assert wrong.status_code == 401 and "not valid or has been revoked" in wrong.text
    assert "text/html" in wrong.headers["content-type"]

    answer = sign_in(console, console.client_key)
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(session.COOKIE + "="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/console"} <= flags
    assert console.client_key not in cookie and "max-age=43200" in flags  # the key's id, never the key; 12 h

    assert console.get("/console/tasks").status_code == 200
    out = console.post("/console/logout", data={"csrf_token": token(console)}, follow_redirects=False)
    assert out.status_code == 303
    assert console.get("/console/tasks", follow_redirects=False).status_code == 303


def test_a_tampered_cookie_and_a_revoked_keys_session_are_refused(console):
    plain = new_key(console, "soon revoked")
    sign_in(console, plain)
    assert console.get("/console/tasks").status_code == 200
    real = console.cookies.get(session.COOKIE)
    body, signature = real.split(".")
    console.cookies.set(session.COOKIE, body + "." + signature[:-1] + ("0" if signature[-1] != "0" else "1"))
    assert console.get("/console/tasks", follow_redirects=False).status_code == 303

    console.cookies.set(session.COOKIE, real)
    key = run(console, reelay(console).keys.authenticate, plain)
    run(console, reelay(console).keys.revoke, key.id)
    # Loaded again on every request: the revoke ends the session at once.
    assert console.get("/console/tasks", follow_redirects=False).status_code == 303


def test_a_post_without_the_sessions_csrf_token_is_a_403_page(console):
    sign_in(console, console.admin_key)
    for data in ({"name": "x"}, {"name": "x", "csrf_token": "not-the-token"}):
        refused = console.post("/console/keys", data=data)
        assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert sorted(k.name for k in run(console, reelay(console).keys.list)) == ["admin", "test"]  # nothing made
    # The sign-in form has its own token, from a cookie a form on another site does not have.
    console.cookies.clear()
    assert console.post("/console/login", data={"api_key": console.admin_key}).status_code == 403


def test_a_client_key_sees_its_own_tasks_and_never_another_keys(console):
    other = new_key(console, "other")
    mine, theirs = make_task(console, console.client_key), make_task(console, other)
    sign_in(console, console.client_key)
    listing = console.get("/console/tasks").text
    assert f"/console/tasks/{mine}" in listing and theirs not in listing
    # Asking for the other key's tasks by filter changes nothing: a client's list is its own.
    other_id = run(console, reelay(console).keys.authenticate, other).id
    assert theirs not in console.get(f"/console/tasks?key={other_id}").text
    for path in (f"/console/tasks/{theirs}", f"/console/tasks/{theirs}.json"):
        assert console.get(path).status_code == 404
    page = console.get(f"/console/tasks/{theirs}")
    assert "text/html" in page.headers["content-type"] and theirs not in page.text
    cancelled = console.post(f"/console/tasks/{theirs}/cancel", data={"csrf_token": token(console)})
    assert cancelled.status_code == 404 and task(console, theirs).status == Status.PENDING
    assert console.get(f"/console/tasks/{mine}.json").json()["id"] == mine
    console.cookies.clear()
    signed_out = console.get(f"/console/tasks/{mine}.json")
    assert signed_out.status_code == 401 and signed_out.json()["login"].startswith("/console/login")

    sign_in(console, console.admin_key)
    everyone = console.get("/console/tasks").text
    assert mine in everyone and theirs in everyone


def test_keys_and_channels_are_the_admins_pages(console):
    sign_in(console, console.client_key)
    me = run(console, reelay(console).keys.authenticate, console.client_key)
    nav = console.get("/console/tasks").text
    assert 'href="/console/keys"' not in nav and 'href="/console/channels"' not in nav
    for path in ("/console/keys", "/console/channels", f"/console/keys/{me.id}"):
        assert console.get(path).status_code == 404
    made = console.post("/console/keys", data={"name": "sneaky", "csrf_token": token(console)})
    assert made.status_code == 404 and "sneaky" not in [k.name for k in run(console, reelay(console).keys.list)]

    sign_in(console, console.admin_key)
    assert console.get("/console/keys").status_code == 200
    channels = console.get("/console/channels")
    assert channels.status_code == 200 and "sandbox" in channels.text


def test_keys_made_topped_up_rotated_and_revoked_in_the_console_are_so_in_the_stores(console):
    sign_in(console, console.admin_key)
    made = console.post(
        "/console/keys",
        data={
            "name": "partner",
            "points": "120",
            "max_concurrent": "2",
            "daily_limit": "",
            "csrf_token": token(console),
        },
    )
    assert made.status_code == 200
    plain = re.search(r'id="new-key-plain">([^<]+)<', made.text).group(1)
    key = run(console, reelay(console).keys.authenticate, plain)
    assert key.name == "partner" and key.limits.max_concurrent == 2 and key.limits.daily_limit is None
    assert key.signing_secret in made.text and made.headers["cache-control"] == "no-store"
    assert run(console, reelay(console).ledger.balance, key.id) == 120

    bad = console.post("/console/keys", data={"name": "x", "points": "-5", "csrf_token": token(console)})
    assert bad.status_code == 400 and "points" in bad.text

    page = f"/console/keys/{key.id}"
    topped = console.post(
        f"{page}/topup", data={"points": "30", "note": "december", "csrf_token": token(console, page)}
    )
    assert topped.status_code == 200 and "150 points" in topped.text
    assert run(console, reelay(console).ledger.balance, key.id) == 150
    below = console.post(
        f"{page}/topup", data={"points": "-500", "kind": "adjustment", "csrf_token": token(console, page)}
    )
    assert below.status_code == 400 and run(console, reelay(console).ledger.balance, key.id) == 150
    assert "december" in console.get(page).text  # the ledger

    rotated = console.post(f"{page}/rotate", data={"csrf_token": token(console, page)})
    secret = re.search(r'id="rotated-secret">([^<]+)<', rotated.text).group(1)
    assert run(console, reelay(console).keys.signing_secrets, key.id) == [secret, key.signing_secret]

    revoked = console.post(f"{page}/revoke", data={"csrf_token": token(console, page)})
    assert revoked.status_code == 200 and run(console, reelay(console).keys.authenticate, plain) is None
    assert run(console, reelay(console).keys.find, key.id).revoked_at is not None


def test_filters_and_paging(console, monkeypatch):
    from reelay.console import tasks as task_pages

    monkeypatch.setattr(task_pages, "PAGE_SIZE", 2)
    ids = [make_task(console, console.client_key, prompt=f"cat {n}") for n in range(3)]
    sign_in(console, console.admin_key)
    cancelled = ids[1]
    console.post(f"/console/tasks/{cancelled}/cancel", data={"csrf_token": token(console)})

    only = console.get("/console/tasks?status=CANCELLED").text
    assert cancelled in only and ids[0] not in only and ids[2] not in only
    assert ids[2] not in console.get("/console/tasks?model=gen3").text
    assert ids[2] in console.get("/console/tasks?model=gen4_turbo").text
    future = console.get("/console/tasks?from=2999-01-01T00:00").text
    assert not any(task_id in future for task_id in ids)

    first = console.get("/console/tasks").text
    shown = re.findall(r'data-task="([^"]+)"', first)
    assert shown == [ids[2], ids[1]]  # newest first, two a page
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert re.findall(r'data-task="([^"]+)"', console.get(older).text) == [ids[0]]

    for query, field in (("status=DONE", "status"), ("from=yesterday", "from"), ("cursor=%21%21", "cursor")):
        refused = console.get(f"/console/tasks?{query}")
        assert refused.status_code == 400 and f"{field}:" in refused.text


def test_cancel_resend_and_rerun(console):
    task_id = make_task(console, console.client_key)
    sign_in(console, console.client_key)
    page = f"/console/tasks/{task_id}"
    assert console.get(f"{page}.json").json()["status"] == "PENDING"
    done = console.post(f"{page}/cancel", data={"csrf_token": token(console, page)}, follow_redirects=False)
    assert done.status_code == 303
    cancelled = task(console, task_id)
    assert cancelled.status == Status.CANCELLED and not cancelled.deleted
    assert console.get(f"{page}.json").json() == {
        "id": task_id,
        "status": "CANCELLED",
        "progress": 0.0,
        "video_url": None,
        "poster_url": None,
        "failure": cancelled.failure,
        "failure_code": cancelled.failure_code,
        "channel": "sandbox",
        "model": "gen4_turbo",
    }

    # The cancel's callback: sent again now, when asked.
    store = reelay(console).callbacks
    delivery = run(console, store.list, task_id=task_id)[0]
    before = time.time()
    resent = console.post(
        f"{page}/callbacks/{delivery.id}/resend", data={"csrf_token": token(console, page)}, follow_redirects=False
    )
    assert resent.status_code == 303
    again = run(console, store.list, task_id=task_id)[0]
    assert again.state == PENDING and again.next_attempt_at >= before
    assert (
        console.post(
            f"{page}/callbacks/{delivery.id[:8]}/resend", data={"csrf_token": token(console, page)}
        ).status_code
        == 404
    )

    rerun = console.post(f"{page}/rerun", data={"csrf_token": token(console, page)}, follow_redirects=False)
    new_id = rerun.headers["location"].rsplit("/", 1)[-1]
    new = task(console, new_id)
    assert new_id != task_id and new.status == Status.PENDING
    assert new.api_key_id == cancelled.api_key_id and new.request == cancelled.request


def test_unknown_console_paths_and_failures_are_html_pages(console):
    sign_in(console, console.client_key)
    for path in ("/console/nothing", "/console/tasks/not-a-task", "/console/static/../app.py"):
        answer = console.get(path)
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html"), path
    assert console.get("/console/static/console.js").headers["content-type"].startswith("text/javascript")


def test_usage_charts_show_a_client_only_its_own(console):
    other = new_key(console, "other-partner")
    make_task(console, console.client_key)
    make_task(console, other, model="gen3", options={"seconds": 5})
    sign_in(console, console.client_key)
    mine = console.get("/console/usage")
    assert mine.status_code == 200 and "<svg" in mine.text and "<title" in mine.text
    assert "gen4_turbo" in mine.text and "gen3<" not in mine.text and "other-partner" not in mine.text
    assert console.get("/console/usage?from=2026-13-01").status_code == 400

    sign_in(console, console.admin_key)
    everyone = console.get("/console/usage").text
    assert "other-partner" in everyone and "Tasks per day by key" in everyone


def test_the_channel_test_button_runs_a_task_on_that_channel_and_opens_it(console):
    sign_in(console, console.admin_key)
    page = "/console/channels"
    ran = console.post(f"{page}/sandbox/test", data={"csrf_token": token(console, page)}, follow_redirects=False)
    assert ran.status_code == 303 and ran.headers["location"].startswith("/console/tasks/")
    made = task(console, ran.headers["location"].rsplit("/", 1)[-1])
    assert made.channel == "sandbox" and made.status == Status.PENDING
    assert console.get(ran.headers["location"]).status_code == 200
    # Run again, it stays a test of that channel.
    again = console.post(f"/console/tasks/{made.id}/rerun", data={"csrf_token": token(console)}, follow_redirects=False)
    rerun = task(console, again.headers["location"].rsplit("/", 1)[-1])
    assert rerun.id != made.id and rerun.channel == "sandbox" and rerun.schedule.pinned
    missing = console.post(f"{page}/nowhere/test", data={"csrf_token": token(console, page)})
    assert missing.status_code == 404
