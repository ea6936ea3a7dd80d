"""Schemathesis against the app's own /openapi.json: every route of both dialects, with bodies
made from their schemas (valid ones and broken ones), answers no 5xx, only the statuses it
documents, and bodies that match the documented schema.

In this process (the app under a TestClient), with the worker off: valid creates are accepted
and queued, never rendered. Bounded: a few seeded examples per operation (docs/testing.md).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reelay.app import create_app
from reelay.settings import Settings
from support.inprocess import make_app_client

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The dialects' routes; Reelay's own (admin, files, hooks, health) are not part of this document's promise.
DIALECT_PATHS = r"^/(v1|runwayml/v1|runway)/"
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"deterministic": True},
    }
)

document = schemathesis.openapi.from_dict(create_app(Settings(worker=False)).openapi(), config=CONFIG)
schema = document.include(path_regex=DIALECT_PATHS)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One app for the module's operations (worker off), and a real key's Authorization header."""
    # No callback_url required: the pro creates' bodies then get past it to the rest of their checks.
    with make_app_client(tmp_path_factory.mktemp("openapi-fuzz"), require_callback_url=False) as (client, key):
        client.headers["Authorization"] = f"Bearer {key}"
        yield client


def httpx_kwargs(request: dict) -> dict:
    """A case's request (in `requests`' words) as the TestClient's httpx takes it."""
    request = dict(request)
    assert not request.pop("cookies", None), "the routes take no cookies"
    if isinstance(request.get("data"), bytes | str):
        request["content"] = request.pop("data")  # raw bytes: httpx's `content`
    return request


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented(case, served):
    answer = served.request(**httpx_kwargs(case.as_transport_kwargs(base_url="http://testserver")))
    case.validate_response(answer, checks=CHECKS)


def test_a_tasks_answers_match_their_schemas(served):
    """The answers fuzzing rarely reaches with a 200: a task's, read back in both dialects,
    before and after it is cancelled."""

    def documented(answer, path: str, method: str = "GET", status: int = 200) -> dict:
        assert answer.status_code == status, answer.text
        document[path][method].validate_response(answer)
        return answer.json() if status != 204 else {}

    body = {"model": "veo3.1", "promptText": "a cat", "ratio": "1280:720", "duration": 8}
    for prefix in ("/v1", "/runwayml/v1"):
        task_id = documented(served.post(f"{prefix}/text_to_video", json=body), f"{prefix}/text_to_video", "POST")["id"]
        assert documented(served.get(f"{prefix}/tasks/{task_id}"), f"{prefix}/tasks/{{task_id}}")["status"] == "PENDING"
    pro = served.post("/runway/pro/generate", json={"prompt": "a cat", "model": "gen4", "ratio": "16:9"})
    task_id = documented(pro, "/runway/pro/generate", "POST")["data"]["task_id"]
    assert documented(served.get("/runway/feed", params={"task_id": task_id}), "/runway/feed")["data"]["status"] == "0"
    documented(served.delete(f"/v1/tasks/{task_id}"), "/v1/tasks/{task_id}", "DELETE", 204)
    cancelled = served.post("/runway/v1/feed", json={"task_id": task_id})
    assert documented(cancelled, "/runway/v1/feed", "POST")["data"]["state"] == "cancelled"
