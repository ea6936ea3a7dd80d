"""/openapi.json describes each body field by field: a client generator (or a person) reading it
sees every model's own fields, their types and choices, as the catalogue checks them."""

from __future__ import annotations

from typing import Any

import pytest

from reelay.app import create_app
from reelay.domain import catalogue, stills
from reelay.settings import Settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings(worker=False)).openapi()


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def request_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    body = document["paths"][path]["post"]["requestBody"]
    return resolve(document, body["content"]["application/json"]["schema"])


def model_schema(document: dict[str, Any], path: str, model: str) -> dict[str, Any]:
    """The body schema of one model, found through the endpoint's `model` discriminator."""
    union = request_schema(document, path)
    assert union["discriminator"]["propertyName"] == "model"
    return resolve(document, {"$ref": union["discriminator"]["mapping"][model]})


def answer_schema(document: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    answer = document["paths"][path][method]["responses"][status]
    return resolve(document, answer["content"]["application/json"]["schema"])


def test_image_to_video_lists_each_models_fields(document):
    row = catalogue.row(catalogue.IMAGE_TO_VIDEO, "gen4_turbo")
    schema = model_schema(document, "/v1/image_to_video", "gen4_turbo")
    assert {"promptImage", "ratio", "duration"} <= set(schema["properties"])
    assert schema["properties"]["ratio"]["enum"] == list(row.ratios)
    assert schema["properties"]["model"]["const"] == "gen4_turbo"
    assert set(schema["required"]) == {"model", *row.required}
    assert schema["additionalProperties"] is False  # a field the model does not take is refused
    duration = schema["properties"]["duration"]["anyOf"][0]
    assert (duration["type"], duration["minimum"], duration["maximum"]) == ("integer", 2, 10)


def test_every_catalogue_row_has_its_own_schema(document):
    for row in catalogue.ROWS:
        path = f"/v1/{row.endpoint}"
        for prefix in ("/v1", "/runwayml/v1"):
            schema = model_schema(document, path.replace("/v1", prefix, 1), row.model)
            assert set(schema["properties"]) >= {"model", *row.fields}, (row.endpoint, row.model)


def test_veo_durations_are_an_enum(document):
    schema = model_schema(document, "/v1/image_to_video", "veo3.1")
    assert schema["properties"]["duration"]["anyOf"][0]["enum"] == [4, 6, 8]


def test_text_to_image_output_count(document):
    def output_count(model: str) -> dict[str, Any]:
        return model_schema(document, "/v1/text_to_image", model)["properties"]["outputCount"]["anyOf"][0]

    assert output_count("gemini_image3_pro")["enum"] == [1, 4]
    # Where Runway's SDK says only "an integer", the schema gives the bound Reelay checks.
    assert output_count("gpt_image_2") == {"type": "integer", "minimum": 1, "maximum": stills.MAX_OUTPUT_COUNT}
    assert "outputCount" not in model_schema(document, "/v1/text_to_image", "gen4_image")["properties"]


def test_pro_generate_options_motion_vector(document):
    body = request_schema(document, "/runway/pro/generate")
    options = resolve(document, body["properties"]["options"])
    assert resolve(document, options["properties"]["seconds"])["enum"] == [5, 10]
    motion = resolve(document, options["properties"]["motion_vector"]["anyOf"][0])
    assert set(motion["properties"]) == {"x", "y", "z", "r", "bg_x_pan", "bg_y_pan"}
    assert (motion["properties"]["x"]["minimum"], motion["properties"]["x"]["maximum"]) == (-10, 10)
    assert body["properties"]["ratio"]["enum"] == list(catalogue.PRO_RATIOS)


def test_answers_are_described(document):
    task = answer_schema(document, "/v1/tasks/{task_id}", "get", "200")
    assert {"id", "status", "createdAt", "output", "failure", "progress"} <= set(task["properties"])
    assert set(task["required"]) == {"id", "status", "createdAt"}
    # Never FastAPI's 422 {"detail": ...}: a refusal is a 400 in the dialect's shape.
    assert set(document["paths"]["/v1/tasks/{task_id}"]["get"]["responses"]) == {"200", "400", "401", "404", "429"}
    error = answer_schema(document, "/v1/image_to_video", "post", "400")
    assert set(error["required"]) == {"error", "docUrl"}
    issue = resolve(document, error["properties"]["issues"]["anyOf"][0]["items"])
    assert "invalid_value" in issue["properties"]["code"]["enum"]
    feed = answer_schema(document, "/runway/feed", "get", "200")
    pro_task = resolve(document, feed["properties"]["data"])
    assert {"task_id", "status", "video_url", "point"} <= set(pro_task["properties"])
    assert answer_schema(document, "/runway/pro/generate", "post", "402")["properties"]["data"]["type"] == "null"
