import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support import processes  # noqa: E402
from support.server import ReelayProcess, leaked_semaphores  # noqa: E402

processes.mark_session()  # before any process starts: they all inherit it


@pytest.fixture(scope="session", autouse=True)
def _nothing_outlives_the_session():
    """No server, worker, pool child or helper the suite started runs on after it. The first
    session fixture, so its check comes after every other fixture's teardown."""
    yield
    from support import s3

    s3.stop_shared()
    # A SIGKILLed server's pool children notice within a second; a few more for a loaded machine.
    left = processes.wait_gone(processes.of_this_session(), timeout=10)
    found = [f"{pid} {processes.command(pid)}" for pid in left]
    processes.kill(left)
    assert not left, "processes of the test session still running at its end:\n" + "\n".join(found)
    leaking = leaked_semaphores()
    assert not leaking, "stopped, yet leaked semaphores:\n" + "\n".join(leaking)


@pytest.fixture(autouse=True)
def _stop_what_the_test_started():
    """Servers, receivers and emulators a test started are stopped even if it failed before
    stopping them. (Module fixtures start theirs before this runs, so theirs are left alone.)"""
    count = len(processes.started)
    yield
    processes.stop_started_since(count)


@pytest.fixture(scope="module")
def reelay(tmp_path_factory):
    """A real `reelay serve` process on embedded defaults, shared by a test module."""
    server = ReelayProcess(tmp_path_factory.mktemp("reelay-data")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_key(reelay):
    return reelay.create_key()


@pytest.fixture
def app_client(tmp_path):
    """The app in this process (worker off): for request-validation tests that need no renders."""
    from support.inprocess import make_app_client

    with make_app_client(tmp_path) as (client, key):
        client.headers["Authorization"] = f"Bearer {key}"
        yield client


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """Each test that takes this runs on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield ""
        return
    from support.databases import create_database, drop_database

    name, url = create_database()
    yield url
    drop_database(name)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases():
    """PostgreSQL runs make a database per data dir; they go when the session ends."""
    yield
    from support import backends

    if backends._databases:
        from support.databases import drop_database

        for url in backends._databases.values():
            drop_database(url.rsplit("/", 1)[1])
