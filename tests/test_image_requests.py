"""The image endpoints' bodies in process: each wrong value is a 400 in Runway's validation shape
naming the field, with nothing written; Runway's upscale pixel limits; per-image list prices."""

import re

import pytest

from reelay.dialects.runway_images_request import parse_image_upscale, parse_text_to_image
from reelay.service.pricing import Pricing
from support.images import data_uri, gradient_image
from support.inprocess import count_rows
from support.official import official_error

IMAGE = data_uri(gradient_image(320, 320))
T2I = {"model": "gen4_image", "promptText": "a lamp", "ratio": "1920:1080"}
UPSCALE = {"model": "magnific_precision_upscaler_v2", "imageUri": IMAGE}


def t2i(**changes):
    return {k: v for k, v in {**T2I, **changes}.items() if v is not ...}


def upscale(**changes):
    return {k: v for k, v in {**UPSCALE, **changes}.items() if v is not ...}


CASES = [
    ("unknown model", "/v1/text_to_image", t2i(model="gen5_image"), "model", "invalid_value"),
    ("ratio of another model", "/v1/text_to_image", t2i(ratio="2048:2048"), "ratio", "invalid_value"),
    ("ratio missing", "/v1/text_to_image", t2i(ratio=...), "ratio", "invalid_type"),
    ("prompt missing", "/v1/text_to_image", t2i(promptText=...), "promptText", "invalid_type"),
    ("field of another model", "/v1/text_to_image", t2i(outputCount=2), "outputCount", "unrecognized_keys"),
    ("turbo needs references", "/v1/text_to_image", t2i(model="gen4_image_turbo"), "referenceImages", "invalid_type"),
    (
        "reference not an image",
        "/v1/text_to_image",
        t2i(referenceImages=[{"uri": "data:text/plain;base64,aGk="}]),
        "referenceImages.0.uri",
        "custom",
    ),
    (
        "reference without uri",
        "/v1/text_to_image",
        t2i(referenceImages=[{"tag": "lamp"}]),
        "referenceImages.0.uri",
        "invalid_type",
    ),
    (
        "outputCount 0",
        "/v1/text_to_image",
        t2i(model="seedream5_flash", ratio="1024:1024", outputCount=0),
        "outputCount",
        "too_small",
    ),
    (
        "outputCount 11",
        "/v1/text_to_image",
        t2i(model="seedream5_flash", ratio="1024:1024", outputCount=11),
        "outputCount",
        "too_big",
    ),
    (
        "outputCount not 1 or 4",
        "/v1/text_to_image",
        t2i(model="gemini_image3_pro", ratio="1024:1024", outputCount=2),
        "outputCount",
        "invalid_value",
    ),
    ("upscale image missing", "/v1/image_upscale", upscale(imageUri=...), "imageUri", "invalid_type"),
    ("upscale factor 3", "/v1/image_upscale", upscale(scaleFactor=3), "scaleFactor", "invalid_value"),
    ("upscale sharpen 101", "/v1/image_upscale", upscale(sharpen=101), "sharpen", "too_big"),
    (
        "upscale image too narrow",
        "/v1/image_upscale",
        upscale(imageUri=data_uri(gradient_image(299, 600))),
        "imageUri",
        "too_small",
    ),
    (
        "upscale output too large",
        "/v1/image_upscale",
        upscale(imageUri=data_uri(gradient_image(1600, 1000), "JPEG"), scaleFactor=4),
        "imageUri",
        "too_big",
    ),
]


@pytest.mark.parametrize("prefix", ["", "/runwayml"])
@pytest.mark.parametrize("name,path,body,field,code", CASES, ids=[c[0] for c in CASES])
def test_bad_image_create_names_the_field_and_writes_nothing(app_client, prefix, name, path, body, field, code):
    answer = app_client.post(prefix + path, json=body)
    assert answer.status_code == 400, answer.text
    assert official_error(answer).startswith(field + ":"), answer.text
    (issue,) = answer.json()["issues"]
    assert issue["code"] == code, issue
    path_of_field = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field)]
    assert (issue["path"] + issue.get("keys", [])) == path_of_field, issue
    assert count_rows(app_client.settings.data_dir, "tasks") == 0


def test_the_upscale_limit_message_says_the_sizes(app_client):
    answer = app_client.post(
        "/v1/image_upscale", json=upscale(imageUri=data_uri(gradient_image(1600, 1000), "JPEG"), scaleFactor=4)
    )
    assert "6400×4000" in official_error(answer) and "25,300,000" in official_error(answer)


def test_an_accepted_image_create_answers_runways_shape(app_client):
    answer = app_client.post("/v1/text_to_image", json=t2i(referenceImages=[{"uri": IMAGE, "tag": "lamp"}]))
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"id", "estimatedCost"}
    read = app_client.get(f"/v1/tasks/{answer.json()['id']}").json()
    assert read["status"] == "PENDING"


def test_a_model_whose_ratio_is_optional_may_leave_it_out(app_client):
    # Found by tests/test_openapi_fuzz.py: leaving ratio out answered a 500 (KeyError).
    answer = app_client.post("/v1/text_to_image", json={"model": "ideogram_4_5", "promptText": "a lamp"})
    assert answer.status_code == 200, answer.text
    # The model picks, as for `auto` (the sandbox: square, about a megapixel); an upstream gets no ratio.
    request = parse_text_to_image({"model": "ideogram_4_5", "promptText": "a lamp"})
    assert (request.ratio, request.width, request.height) == ("", 1024, 1024)


def test_list_prices_are_per_image_and_per_upscale():
    pricing = Pricing({"gen4_turbo": 1})  # billing on; the image models priced at their list price
    four = parse_text_to_image(t2i(model="seedream5_flash", ratio="1024:1024", outputCount=4))
    assert pricing.points(four, "sandbox") == 4 * 5
    assert (
        pricing.points(parse_text_to_image(t2i(model="gen4_image_turbo", referenceImages=[{"uri": IMAGE}])), "sandbox")
        == 2
    )
    assert pricing.points(parse_image_upscale(upscale(scaleFactor=8)), "sandbox") == 10
    assert Pricing({"seedream5_flash": 3}).points(four, "sandbox") == 12  # an operator's price is per image too
