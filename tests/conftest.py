import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.server import ReelayProcess  # noqa: E402


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
