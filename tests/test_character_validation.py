"""Act-Two's and the pro video routes' bad bodies: a 400 naming the field, in each dialect's
shape, and nothing written. The reference's length and kind are found by probing it."""

import pytest

from support.images import data_uri, gradient_image
from support.inprocess import count_rows
from support.media import data_uri as media_uri
from support.media import make_video

IMAGE = data_uri(gradient_image(320, 200), "JPEG")
VIDEO = media_uri(make_video(3.0), "video/mp4")
SHORT = media_uri(make_video(2.0), "video/mp4")
LONG = media_uri(make_video(31.0, width=32, height=32, fps=4), "video/mp4")

GOOD = {"model": "act_two", "character": {"type": "image", "uri": IMAGE}, "reference": {"type": "video", "uri": VIDEO}}


def body(**changes):
    return {k: v for k, v in {**GOOD, **changes}.items() if v is not ...}


OFFICIAL = [
    ("reference too short", body(reference={"type": "video", "uri": SHORT}), ["reference", "uri"], "too_small"),
    ("reference too long", body(reference={"type": "video", "uri": LONG}), ["reference", "uri"], "too_big"),
    ("reference an image", body(reference={"type": "video", "uri": IMAGE}), ["reference", "uri"], None),
    ("reference typed image", body(reference={"type": "image", "uri": IMAGE}), ["reference", "type"], None),
    ("character video is an image", body(character={"type": "video", "uri": IMAGE}), ["character", "uri"], None),
    ("character image is a video", body(character={"type": "image", "uri": VIDEO}), ["character", "uri"], None),
    ("no character", body(character=...), ["character"], "invalid_type"),
    ("intensity 6", body(expressionIntensity=6), ["expressionIntensity"], "too_big"),
    ("ratio not act_two's", body(ratio="1280:768"), ["ratio"], "invalid_value"),
    ("a prompt", body(promptText="smile"), [], "unrecognized_keys"),
    ("another model", body(model="gen4_turbo"), ["model"], "invalid_value"),
]


@pytest.mark.parametrize("prefix", ["/v1", "/runwayml/v1"])
@pytest.mark.parametrize(("name", "sent", "path", "code"), OFFICIAL, ids=[case[0] for case in OFFICIAL])
def test_a_bad_character_performance_names_the_field(app_client, prefix, name, sent, path, code):
    answer = app_client.post(f"{prefix}/character_performance", json=sent)
    assert answer.status_code == 400, answer.text
    (issue,) = answer.json()["issues"]
    assert issue["path"] == path, issue
    if code is not None:
        assert issue["code"] == code, issue
    assert count_rows(app_client.settings.data_dir, "tasks") == 0


def test_act_two_costs_runway_s_list_price_per_second_of_the_reference():
    from reelay.dialects.runway_performance import parse_character_performance
    from reelay.domain.footage import fit_to_footage
    from reelay.domain.request import MediaRef
    from reelay.service.pricing import Pricing

    parsed = parse_character_performance(GOOD)
    # What submission keeps of the inputs once fetched: the reference probed at 3.5 s.
    probed = tuple(
        MediaRef(item.uri, f"inputs/{item.role}", 64, 48, "video/mp4", item.kind, item.role, duration=3.5)
        for item in parsed.inputs
    )
    fitted = fit_to_footage(parsed.__class__(**{**parsed.__dict__, "inputs": probed}))
    assert fitted.seconds == 4  # whole seconds of output, rounded up
    # Billing on, no price for act_two: Runway's list price, 5 credits a second.
    assert Pricing({"gen4_turbo": 1}).points(fitted, "sandbox") == 5 * 4
    assert Pricing({"act_two": 2}).points(fitted, "sandbox") == 2 * 4


PRO = [
    ("act_two", {"image": IMAGE}, "video"),
    ("act_two", {"video": VIDEO}, "image"),
    ("act_one", {"video": SHORT, "image": IMAGE}, "video"),
    ("act_two", {"video": IMAGE, "image": IMAGE}, "video"),
    (
        "act_two",
        {"video": VIDEO, "image": IMAGE, "options": {"expression_intensity": 9}},
        "options.expression_intensity",
    ),
    ("aleph", {"video": VIDEO}, "prompt"),
    ("aleph", {"video": VIDEO, "prompt": "rain", "options": {"seconds": 0}}, "options.seconds"),
    ("aleph", {"video": VIDEO, "prompt": "rain", "images": [IMAGE, IMAGE]}, "images"),
    ("video2video", {"video": VIDEO, "prompt": "x" * 1001}, "prompt"),
    ("video2video", {"video": "https://reelay.invalid/v.mp4"}, "video"),
]


@pytest.mark.parametrize(("route", "sent", "field"), PRO, ids=[f"{c[0]}-{c[2]}" for c in PRO])
def test_a_bad_pro_video_body_names_the_field(app_client, route, sent, field):
    answer = app_client.post(f"/runway/pro/{route}", json={"callback_url": "https://example.com/cb", **sent})
    assert answer.status_code == 400, answer.text
    message = answer.json()["msg"]
    assert message.startswith("invalid_parameters:") and field in message, message
    assert count_rows(app_client.settings.data_dir, "tasks") == 0
