"""The web console in a real browser (Playwright driving Debian's Chromium) against a real
`reelay serve` whose channel is the upstream emulator, so a task has real polls, and a real
callback receiver that fails once and then succeeds. Saves a screenshot of each screen to
docs/screenshots/. Storage-aware: on S3 the result's URLs are the object store's, signed."""

from __future__ import annotations

import re

import httpx
import pytest

from support.backends import STORAGE, is_ours
from support.browser import Problems, chromium, screenshot, sign_in, wait_until
from support.gateway import Gateway, channel
from support.processes import starts_processes
from support.receiving import Receiver

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
@starts_processes
def receiver(tmp_path_factory):
    """Answers the first callback 500, every later one 200."""
    process = Receiver(tmp_path_factory.mktemp("receiver") / "received.jsonl", fail_first=1).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, emulator):
    # Slow enough upstream that the worker polls several times; quick callback retries.
    emulator.reset(pending_seconds=1.0, running_seconds=2.0)
    server = Gateway(
        tmp_path_factory.mktemp("console"),
        channel("runway-a", "runway", emulator.url, ["key-a"], text_model="gen4.5"),
        REELAY_CALLBACK_FIRST_RETRY_SECONDS="0.5",
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(gateway, receiver):
    # After the servers: Playwright's sync API keeps an event loop running in this thread, where
    # their setup (a PostgreSQL database made with asyncio.run) could not run any more.
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def url(gateway) -> str:
    return gateway.server.url


def make_task_in_the_playground(page, gateway, receiver) -> str:
    """A pro task from the playground's form (text only), with the receiver as its callback."""
    page.goto(url(gateway) + "/console/playground")
    form = page.locator("#pro-form")
    form.get_by_label("callback_url").fill(receiver.url + "/hook")
    screenshot(page, "playground")
    form.get_by_role("button", name="Run").click()
    link = page.locator('#pro .pg-links a[href*="/console/tasks/"]').first
    link.wait_for(timeout=30_000)
    return re.search(r"/console/tasks/([0-9a-f-]{36})", link.get_attribute("href")).group(1)


def make_task_by_api(gateway, receiver) -> str:
    answer = gateway.http.post(
        "/runway/pro/generate",
        json={
            "prompt": "a slow drift",
            "model": "gen4_turbo",
            "options": {"seconds": 5},
            "callback_url": receiver.url + "/hook",
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["task_id"]


def test_a_task_made_in_the_playground_plays_and_its_timeline_shows_polls_and_callbacks(page, gateway, receiver):
    problems = Problems(page)
    page.goto(url(gateway) + "/console/tasks")
    assert "/console/login" in page.url
    page.get_by_label("API key").fill(gateway.key)
    screenshot(page, "login")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/tasks**")

    if httpx.get(url(gateway) + "/console/playground", follow_redirects=False).status_code == 404:
        task_id = make_task_by_api(gateway, receiver)  # no playground on this build
    else:
        task_id = make_task_in_the_playground(page, gateway, receiver)

    page.goto(url(gateway) + f"/console/tasks/{task_id}")
    status = page.locator("#task-status")
    assert status.inner_text() in ("pending", "running", "throttled", "succeeded")
    # Live: the status changes in the page without a reload.
    wait_until(page, "document.getElementById('task-status').textContent.trim() === 'succeeded'", 60)
    video = page.locator("#result-video")
    wait_until(page, "document.getElementById('result-video').readyState >= 2")
    assert page.evaluate("document.getElementById('result-video').error") is None
    src, poster = video.get_attribute("src"), video.get_attribute("poster")
    assert is_ours(src, url(gateway)) and is_ours(poster, url(gateway))
    if STORAGE == "s3":
        assert "/files/" not in src
    assert httpx.get(poster).headers["content-type"] == "image/jpeg"

    # The history keeps updating after the end, until the callback retry settles.
    wait_until(
        page, "document.querySelectorAll('#history li[data-kind=callback][data-http-status=\"200\"]').length >= 1", 60
    )
    callbacks = page.locator("#history li[data-kind=callback]")
    codes = [callbacks.nth(n).get_attribute("data-http-status") for n in range(callbacks.count())]
    assert "500" in codes and "200" in codes, codes
    polls = page.locator('#history li[data-step="check"]')
    assert polls.count() >= 2, page.locator("#history").inner_text()
    page.locator("#history details").first.locator("summary").click()
    screenshot(page, "task")
    assert [entry["answered"] for entry in receiver.received()][:2] == [500, 200]

    page.goto(url(gateway) + "/console/tasks")
    assert page.locator(f'tr[data-task="{task_id}"]').count() == 1
    screenshot(page, "tasks")
    page.goto(url(gateway) + "/console/usage")
    assert page.locator("svg[role=img] title").count() >= 2
    screenshot(page, "usage")
    assert not problems.found, problems.found
    # No external network: every request went to Reelay (or to its own bucket, on S3).
    elsewhere = [u for u in problems.requested if not (u.startswith(url(gateway)) or is_ours(u, url(gateway)))]
    assert not elsewhere, elsewhere


def test_the_admin_creates_and_revokes_a_key(page, gateway):
    problems = Problems(page)
    sign_in(page, url(gateway), gateway.server.admin)
    page.goto(url(gateway) + "/console/keys")
    page.get_by_label("Name").fill("browser partner")
    page.get_by_label("Opening points").fill("250")
    page.get_by_label("Max concurrent tasks").fill("3")
    page.get_by_role("button", name="Create key").click()
    plain = page.locator("#new-key-plain").inner_text().strip()
    assert plain.startswith("rl_")
    asked = {"Authorization": f"Bearer {plain}", "X-Runway-Version": "2024-11-06"}
    assert httpx.get(url(gateway) + "/v1/organization", headers=asked).status_code == 200

    page.get_by_role("link", name="Open the key").click()
    assert "250 points" in page.locator("#key-balance").inner_text()
    page.get_by_role("button", name="Revoke this key").click()
    page.wait_for_url("**/console/keys?done=revoked")
    screenshot(page, "keys")
    assert httpx.get(url(gateway) + "/v1/organization", headers=asked).status_code == 401

    page.goto(url(gateway) + "/console/channels")
    assert page.get_by_role("heading", name=re.compile("runway-a")).count() == 1
    screenshot(page, "channels")
    # The test button: a real small task through exactly this channel, followed on its page.
    page.get_by_role("button", name=re.compile("Test runway-a")).click()
    page.wait_for_url(re.compile(r"/console/tasks/[0-9a-f-]{36}$"))
    wait_until(page, "document.getElementById('task-status').textContent.trim() === 'succeeded'", 60)
    assert "runway-a" in page.locator("#history").inner_text()
    assert not problems.found, problems.found


def test_a_client_key_cannot_see_another_keys_task(browser, gateway, receiver):
    theirs = make_task_by_api(gateway, receiver)
    other = gateway.server.create_key("someone else")
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, url(gateway), other)
        assert page.locator(f'tr[data-task="{theirs}"]').count() == 0
        admin_filter = gateway.server.new_key("x")["id"]
        page.goto(url(gateway) + f"/console/tasks?key={admin_filter}")
        assert theirs not in page.content()
        for path in (f"/console/tasks/{theirs}", f"/console/tasks/{theirs}.json"):
            answer = page.goto(url(gateway) + path)
            assert answer.status == 404, path
        assert theirs not in page.content()
        assert page.goto(url(gateway) + "/console/keys").status == 404
    finally:
        context.close()


def test_every_screen_fits_a_phone_without_sideways_scrolling(browser, gateway, receiver):
    task_id = make_task_by_api(gateway, receiver)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, url(gateway), gateway.server.admin)
        for path in (
            "/console/tasks",
            f"/console/tasks/{task_id}",
            "/console/usage",
            "/console/keys",
            "/console/channels",
        ):
            page.goto(url(gateway) + path)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"{path} is {wide} px wide"
        page.goto(url(gateway) + f"/console/tasks/{task_id}")
        wait_until(page, "document.getElementById('task-status').textContent.trim() === 'succeeded'", 60)
        screenshot(page, "phone-task")
        # Keyboard: the first Tab reaches the skip link, which moves focus to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content"
    finally:
        context.close()
