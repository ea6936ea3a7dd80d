import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support import processes
from support.emulator import Emulator
from support.processes import starts_processes
from support.server import ReelayProcess, leaked_semaphores

processes.mark_session()  # before any process starts: they all inherit it
processes.guard_process_starts()

# The Runway SDK's wait_for_task_output sleeps 6 s (± 1.5) before each read; the sandbox ends a
# task in about a second. Read every 0.2 s instead, in this process only (the server is untouched).
SDK_POLL_SECONDS = 0.2


def _uses_process_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        getattr(definition.func, "starts_processes", False)
        for name in info.names_closure
        for definition in info.name2fixturedefs.get(name, ())
    )


def pytest_collection_modifyitems(items):
    """Tests that use a fixture which starts processes are e2e, like those marked by hand."""
    for item in items:
        if item.get_closest_marker("e2e") is None and _uses_process_fixture(item):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    real = any(item.get_closest_marker(name) for name in ("e2e", "chaos"))
    processes.running_test(item.nodeid, e2e=real)
    try:
        return (yield)
    finally:
        processes.running_test(None, e2e=True)


@pytest.fixture(scope="session", autouse=True)
def _quick_sdk_polling():
    from runwayml.lib import polling

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(polling, "POLL_TIME", SDK_POLL_SECONDS)
        patch.setattr(polling, "POLL_JITTER", SDK_POLL_SECONDS / 2)
        yield


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


@pytest.fixture(scope="session")
@starts_processes
def reelay(tmp_path_factory):
    """A real `reelay serve` process on embedded defaults, shared by the session's modules; it
    renders the size asked for, which their tests check."""
    server = ReelayProcess(tmp_path_factory.mktemp("reelay-data"), render_scale=None).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
@starts_processes
def emulator():
    """The upstream emulator (a fake Runway and relay), shared by a module's tests; each resets it."""
    emu = Emulator()
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def api_key(reelay):
    """Each module's own key on the shared server: its tasks, usage and idempotency keys are its own."""
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


@pytest.fixture
async def db(database_url, tmp_path):
    """A migrated database engine, on SQLite and on a fresh PostgreSQL database (see database_url)."""
    from reelay.store.db import migrate, open_engine

    engine = open_engine(database_url or f"sqlite+aiosqlite:///{tmp_path / 'reelay.db'}")
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases():
    """PostgreSQL runs make a database per data dir; they go when the session ends."""
    yield
    from support import backends

    if backends._databases:
        from support.databases import drop_database

        for url in backends._databases.values():
            drop_database(url.rsplit("/", 1)[1])
