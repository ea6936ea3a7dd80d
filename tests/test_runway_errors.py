"""Runway's own error shapes on the official dialect (SPEC §3, issue #13 item 5) and its DELETE
(item 6): what a client written against api.dev.runwayml.com reads, and the pro envelope kept."""

import json

import pytest

from reelay.dialects.pro import error_response as pro_error_response
from reelay.dialects.runway_errors import error_response
from reelay.domain.errors import InputError, InputErrors, Problem
from support.inprocess import count_rows, make_app_client
from support.official import official_error

DOC_URL = "https://docs.dev.runwayml.com/api"
T2V = {"model": "gen4.5", "promptText": "a cat", "ratio": "1280:720", "duration": 5}
PRO = {"callback_url": "https://example.com/cb", "prompt": "a cat", "model": "gen4_turbo", "options": {"seconds": 5}}
NO_TASK = "3f0b3c1e-0000-4000-8000-000000000000"


def test_a_refused_body_is_runways_validation_error(app_client):
    answer = app_client.post("/v1/text_to_video", json={**T2V, "ratio": "960:960"})
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "Validation of body failed",
        "issues": [
            {
                "code": "invalid_value",
                "path": ["ratio"],
                "message": "ratio: must be one of '1280:720', '720:1280', not '960:960'",
                "values": ["1280:720", "720:1280"],
            }
        ],
        "docUrl": DOC_URL,
    }


def test_every_problem_of_a_body_is_an_issue_of_its_own(app_client):
    answer = app_client.post("/v1/text_to_video", json={**T2V, "ratio": "960:960", "duration": 11, "seed": -1})
    issues = answer.json()["issues"]
    assert [(i["code"], i["path"]) for i in issues] == [
        ("too_big", ["duration"]),
        ("invalid_value", ["ratio"]),
        ("too_small", ["seed"]),
    ]
    assert count_rows(app_client.settings.data_dir, "tasks") == 0


def test_the_pro_envelope_names_the_first_of_several_problems():
    errors = InputErrors([InputError("duration", "must be 5 or 10"), InputError("ratio", "must be 16:9")])
    answer = json.loads(bytes(pro_error_response(errors).body))
    assert (answer["code"], answer["msg"]) == (400, "invalid_parameters: duration: must be 5 or 10")
    assert [issue["path"] for issue in json.loads(bytes(error_response(errors).body))["issues"]] == [
        ["duration"],
        ["ratio"],
    ]


def test_an_unknown_field_is_zods_unrecognized_key_on_the_object_that_holds_it(app_client):
    answer = app_client.post("/v1/text_to_video", json={**T2V, "contentModeration": {"strict": True}})
    (issue,) = answer.json()["issues"]
    assert (issue["code"], issue["path"], issue["keys"]) == ("unrecognized_keys", ["contentModeration"], ["strict"])


@pytest.mark.parametrize("field", ["promptImage.1.position", "promptImage[1].position"])
def test_any_dotted_field_becomes_a_path_with_numeric_indexes(field):
    answer = error_response(
        InputError(field, "must be first or last", problem=Problem.NOT_ALLOWED, allowed=("first", "last"))
    )
    (issue,) = json.loads(bytes(answer.body))["issues"]
    assert issue["path"] == ["promptImage", 1, "position"] and issue["values"] == ["first", "last"]
    assert issue["message"] == f"{field}: must be first or last"


def test_a_body_that_is_not_json_is_an_issue_at_the_root(app_client):
    answer = app_client.post("/v1/text_to_video", content=b"[1, 2]", headers={"Content-Type": "application/json"})
    (issue,) = answer.json()["issues"]
    assert (issue["code"], issue["path"]) == ("invalid_type", []) and issue["message"] == "body: must be a JSON object"


def test_every_other_error_is_a_sentence_with_the_doc_url(app_client):
    admin = {"Authorization": f"Bearer {app_client.app.state.reelay.admin_key}"}
    unknown_key = app_client.get(f"/v1/tasks/{NO_TASK}", headers={"Authorization": "Bearer rl_nope"})
    assert unknown_key.status_code == 401
    assert unknown_key.json() == {
        "error": "Authorization: the API key is not valid or has been revoked.",
        "docUrl": DOC_URL,
    }
    missing = app_client.get(f"/v1/tasks/{NO_TASK}")
    assert (
        missing.status_code == 404
        and missing.json()["docUrl"] == DOC_URL
        and "does not exist" in missing.json()["error"]
    )
    first = app_client.post("/v1/text_to_video", json=T2V, headers={"Idempotency-Key": "order-1"})
    clash = app_client.post("/v1/text_to_video", json={**T2V, "duration": 10}, headers={"Idempotency-Key": "order-1"})
    assert first.status_code == 200 and clash.status_code == 409 and clash.json()["docUrl"] == DOC_URL
    limited_key = app_client.post(
        "/admin/keys", json={"name": "slow", "rate_limit_per_second": 0.01}, headers=admin
    ).json()["key"]
    answers = [app_client.get("/v1/organization", headers={"Authorization": f"Bearer {limited_key}"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 429]
    assert int(answers[1].headers["retry-after"]) >= 1
    assert set(answers[1].json()) == {"error", "docUrl"} and "requests per second" in answers[1].json()["error"]


@pytest.mark.parametrize(
    "method,path,status,allow",
    [
        ("GET", "/v1/text_to_videos", 404, None),
        ("POST", "/runwayml/v1/nothing", 404, None),
        ("GET", "/nothing/at/all", 404, None),
        ("PUT", "/v1/image_to_video", 405, "POST"),
        ("POST", f"/v1/tasks/{NO_TASK}", 405, "GET, DELETE"),
    ],
)
def test_unknown_paths_and_methods_answer_in_runways_shape(app_client, method, path, status, allow):
    answer = app_client.request(method, path)
    assert answer.status_code == status
    assert set(answer.json()) == {"error", "docUrl"} and path in answer.json()["error"]  # never {"detail": ...}
    if allow:
        assert answer.headers["allow"] == allow and method in answer.json()["error"]


@pytest.mark.parametrize(
    "method,path,status", [("GET", "/runway/pro/nothing", 404), ("GET", "/runway/pro/generate", 405)]
)
def test_unknown_pro_paths_keep_the_pro_envelope(app_client, method, path, status):
    answer = app_client.request(method, path)
    body = answer.json()
    assert answer.status_code == status == body["code"] and body["data"] is None
    assert body["msg"].startswith("not_found:" if status == 404 else "method_not_allowed:")


def test_the_version_header_is_required_under_v1_only(app_client):
    app_client.headers.pop("X-Runway-Version")
    answer = app_client.post("/v1/text_to_video", json=T2V)
    assert answer.status_code == 400
    assert answer.json() == {"error": "The X-Runway-Version header was not provided in the request", "docUrl": DOC_URL}
    assert app_client.get(f"/v1/tasks/{NO_TASK}").status_code == 400  # before the task is looked up
    assert count_rows(app_client.settings.data_dir, "tasks") == 0
    # Seed 004's resellers' clients omit it, and so do pro clients.
    assert app_client.post("/runwayml/v1/text_to_video", json=T2V).status_code == 200
    assert app_client.post("/runway/pro/generate", json=PRO).status_code == 200
    wrong = app_client.post("/runwayml/v1/text_to_video", json=T2V, headers={"X-Runway-Version": "2024-09-13"})
    assert wrong.status_code == 400
    assert wrong.json()["error"].startswith(
        "The API version that was provided in the X-Runway-Version header is not valid."
    )


def test_a_setting_lets_clients_without_the_version_header_in(tmp_path):
    with make_app_client(tmp_path, require_runway_version=False) as (client, key):
        client.headers["Authorization"] = f"Bearer {key}"
        client.headers.pop("X-Runway-Version")
        assert client.post("/v1/text_to_video", json=T2V).status_code == 200
        assert client.post("/v1/text_to_video", json=T2V, headers={"X-Runway-Version": "2025-01-01"}).status_code == 400


def test_delete_makes_the_task_unreadable_on_the_official_dialect_only(app_client):
    task_id = app_client.post("/v1/text_to_video", json=T2V).json()["id"]
    assert app_client.delete(f"/v1/tasks/{task_id}").status_code == 204
    gone = app_client.get(f"/v1/tasks/{task_id}")
    assert gone.status_code == 404
    assert official_error(gone) == official_error(app_client.get(f"/v1/tasks/{NO_TASK}")).replace(NO_TASK, task_id)
    assert app_client.delete(f"/v1/tasks/{task_id}").status_code == 404
    # The pro format has no delete: its clients poll until "2" or "3", so the task still answers there.
    feed = app_client.post("/runway/feed", json={"task_id": task_id}).json()
    assert feed["code"] == 200 and feed["data"]["status"] == "2" and feed["data"]["state"] == "cancelled"
