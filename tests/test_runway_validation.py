"""Every rule of SPEC §3: a wrong value gives a 400 in Runway's validation shape whose issue
names the field (`path`) with zod's code for the failure, and writes nothing."""

import re

import pytest

from support.images import data_uri, gradient_image
from support.inprocess import count_rows
from support.official import official_error

IMAGE = data_uri(gradient_image(320, 200))

I2V = {"model": "gen4_turbo", "promptImage": IMAGE, "ratio": "1280:720", "duration": 5, "promptText": "a cat"}
T2V = {"model": "veo3.1", "promptText": "a cat", "ratio": "1280:720", "duration": 8}


def i2v(**changes):
    return {k: v for k, v in {**I2V, **changes}.items() if v is not ...}


def t2v(**changes):
    return {k: v for k, v in {**T2V, **changes}.items() if v is not ...}


CASES = [
    ("unknown field", "/v1/image_to_video", i2v(foo=1), "foo"),
    ("model missing", "/v1/image_to_video", i2v(model=...), "model"),
    ("unknown model", "/v1/image_to_video", i2v(model="gen9"), "model"),
    ("text-only model on i2v", "/v1/text_to_video", t2v(model="gen4_turbo"), "model"),
    ("gen3a ratio on gen4", "/v1/image_to_video", i2v(ratio="1280:768"), "ratio"),
    ("aspect ratio instead of pixels", "/v1/image_to_video", i2v(ratio="16:9"), "ratio"),
    ("gen4 ratio missing", "/v1/image_to_video", i2v(ratio=...), "ratio"),
    ("gen4 duration 11", "/v1/image_to_video", i2v(duration=11), "duration"),
    ("gen4 duration 1", "/v1/image_to_video", i2v(duration=1), "duration"),
    ("duration as text", "/v1/image_to_video", i2v(duration="5"), "duration"),
    ("gen3a duration 7", "/v1/image_to_video", i2v(model="gen3a_turbo", ratio="1280:768", duration=7), "duration"),
    ("veo3 duration 5", "/v1/text_to_video", t2v(model="veo3", duration=5), "duration"),
    ("veo3 duration missing", "/v1/text_to_video", t2v(model="veo3", duration=...), "duration"),
    ("gen4.5 text ratio", "/v1/text_to_video", t2v(model="gen4.5", ratio="960:960", duration=5), "ratio"),
    ("prompt empty", "/v1/image_to_video", i2v(promptText=""), "promptText"),
    ("prompt 1001 units", "/v1/image_to_video", i2v(promptText="x" * 1001), "promptText"),
    ("prompt 501 emoji = 1002 units", "/v1/image_to_video", i2v(promptText="😀" * 501), "promptText"),
    ("t2v prompt missing", "/v1/text_to_video", t2v(promptText=...), "promptText"),
    (
        "gen3a prompt missing",
        "/v1/image_to_video",
        i2v(model="gen3a_turbo", ratio="1280:768", promptText=..., duration=5),
        "promptText",
    ),
    ("seed negative", "/v1/image_to_video", i2v(seed=-1), "seed"),
    ("seed too big", "/v1/image_to_video", i2v(seed=4294967296), "seed"),
    ("promptImage missing", "/v1/image_to_video", i2v(promptImage=...), "promptImage"),
    ("promptImage empty list", "/v1/image_to_video", i2v(promptImage=[]), "promptImage"),
    (
        "position middle",
        "/v1/image_to_video",
        i2v(promptImage=[{"uri": IMAGE, "position": "middle"}]),
        "promptImage.0.position",
    ),
    (
        "gen4 last position",
        "/v1/image_to_video",
        i2v(promptImage=[{"uri": IMAGE, "position": "last"}]),
        "promptImage.0.position",
    ),
    (
        "position twice",
        "/v1/image_to_video",
        i2v(
            model="gen3a_turbo",
            ratio="1280:768",
            promptImage=[{"uri": IMAGE, "position": "first"}, {"uri": IMAGE, "position": "first"}],
        ),
        "promptImage.1.position",
    ),
    (
        "veo3.1 last only",
        "/v1/image_to_video",
        i2v(model="veo3.1", duration=8, promptImage=[{"uri": IMAGE, "position": "last"}]),
        "promptImage",
    ),
    ("image uri bad base64", "/v1/image_to_video", i2v(promptImage="data:image/png;base64,!!!"), "promptImage"),
    ("image uri not https", "/v1/image_to_video", i2v(promptImage="ftp://example.com/a.png"), "promptImage"),
    (
        "content moderation value",
        "/v1/image_to_video",
        i2v(contentModeration={"publicFigureThreshold": "high"}),
        "contentModeration.publicFigureThreshold",
    ),
]

# The zod code Runway's API gives each failure (dialects/runway_errors.py keeps the mapping).
CODES = {
    "unknown field": "unrecognized_keys",
    "model missing": "invalid_type",
    "unknown model": "invalid_value",
    "text-only model on i2v": "invalid_value",
    "gen3a ratio on gen4": "invalid_value",
    "aspect ratio instead of pixels": "invalid_value",
    "gen4 ratio missing": "invalid_type",
    "gen4 duration 11": "too_big",
    "gen4 duration 1": "too_small",
    "duration as text": "invalid_type",
    "gen3a duration 7": "invalid_value",
    "veo3 duration 5": "invalid_value",
    "veo3 duration missing": "invalid_type",
    "gen4.5 text ratio": "invalid_value",
    "prompt empty": "too_small",
    "prompt 1001 units": "too_big",
    "prompt 501 emoji = 1002 units": "too_big",
    "t2v prompt missing": "invalid_type",
    "gen3a prompt missing": "invalid_type",
    "seed negative": "too_small",
    "seed too big": "too_big",
    "promptImage missing": "invalid_type",
    "promptImage empty list": "too_small",
    "position middle": "invalid_value",
    "gen4 last position": "invalid_value",
    "position twice": "custom",
    "veo3.1 last only": "custom",
    "image uri bad base64": "custom",
    "image uri not https": "custom",
    "content moderation value": "invalid_value",
}


@pytest.mark.parametrize("prefix", ["", "/runwayml"])
@pytest.mark.parametrize("name,path,body,field", CASES, ids=[c[0] for c in CASES])
def test_bad_create_names_the_field_and_writes_nothing(app_client, prefix, name, path, body, field):
    answer = app_client.post(prefix + path, json=body)
    assert answer.status_code == 400, answer.text
    error = official_error(answer)
    assert error.startswith(field + ":"), error
    (issue,) = answer.json()["issues"]
    assert issue["code"] == CODES[name], issue
    path_of_field = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field)]
    if issue["code"] == "unrecognized_keys":  # zod names the object that holds the key, and the key
        assert issue["path"] + issue["keys"] == path_of_field, issue
    else:
        assert issue["path"] == path_of_field, issue
    assert count_rows(app_client.settings.data_dir, "tasks") == 0


def test_wrong_version_header_is_400(app_client):
    answer = app_client.post("/v1/image_to_video", json=I2V, headers={"X-Runway-Version": "2024-09-13"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(
        "The API version that was provided in the X-Runway-Version header is not valid."
    )


def test_watermark_is_accepted_for_older_clients(app_client):
    answer = app_client.post("/v1/image_to_video", json=i2v(watermark=False))
    assert answer.status_code == 200, answer.text


def test_create_answers_in_each_prefix_shape(app_client):
    plain = app_client.post("/v1/text_to_video", json=T2V).json()
    assert set(plain) == {"id", "estimatedCost"} and plain["estimatedCost"] == {"credits": 0}
    reseller = app_client.post("/runwayml/v1/text_to_video", json=T2V).json()
    assert reseller["code"] == 200 and reseller["data"]["task_id"] == reseller["id"]
    assert reseller["data"]["task_status"] == "PENDING"
    assert isinstance(reseller["data"]["created_at"], int)


def test_task_created_in_one_dialect_reads_in_the_other(app_client):
    official = app_client.post("/v1/text_to_video", json=T2V).json()["id"]
    data = app_client.post("/runway/feed", json={"task_id": official}).json()["data"]
    assert data["task_id"] == official and data["status"] == "0" and data["prompt"] == "a cat"
    pro = app_client.post(
        "/runway/pro/generate", json={"callback_url": "https://example.com/c", "prompt": "a dog", "model": "gen4"}
    ).json()["data"]["task_id"]
    task = app_client.get(f"/v1/tasks/{pro}").json()
    assert task["id"] == pro and task["status"] == "PENDING" and task["createdAt"].endswith("Z")


def test_unknown_and_foreign_tasks_answer_alike(app_client, tmp_path):
    from support.inprocess import make_key

    other = make_key(app_client.settings)
    mine = app_client.post("/v1/text_to_video", json=T2V).json()["id"]
    foreign = app_client.get(f"/v1/tasks/{mine}", headers={"Authorization": f"Bearer {other}"})
    unknown = app_client.get("/v1/tasks/3f0b3c1e-0000-4000-8000-000000000000")
    assert foreign.status_code == unknown.status_code == 404
    assert official_error(foreign).replace(mine, "ID") == official_error(unknown).replace(
        "3f0b3c1e-0000-4000-8000-000000000000", "ID"
    )
    assert app_client.delete(f"/v1/tasks/{mine}", headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert app_client.get(f"/v1/tasks/{mine}").json()["status"] == "PENDING"


def test_revoked_and_wrong_keys_are_401(app_client):
    answer = app_client.get("/v1/organization", headers={"Authorization": "Bearer rl_nope"})
    assert answer.status_code == 401 and official_error(answer).startswith("Authorization:")
