"""Whatever a client sends, the answer is a 4xx in the dialect's shape, never a 500."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.official import official_error

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
PRO_FIELDS = ["callback_url", "prompt", "ratio", "style", "model", "image", "last_image", "options", "seed"]
OFFICIAL_FIELDS = ["model", "promptImage", "promptText", "ratio", "duration", "seed", "contentModeration", "watermark"]
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "seconds": json_values,
        "flip": json_values,
        "image_as_end_frame": json_values,
        "motion_vector": st.dictionaries(st.sampled_from(["x", "y", "z", "r", "bg_x_pan"]), json_values),
    },
)


def bodies(fields, extra=None):
    optional = {name: json_values for name in fields}
    if extra:
        optional.update(extra)
    return st.fixed_dictionaries({}, optional=optional) | json_values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies(PRO_FIELDS, {"options": OPTIONS, "callback_url": st.just("https://example.com/cb")}))
def test_pro_create_never_500(app_client, body):
    answer = app_client.post("/runway/pro/generate", json=body)
    assert answer.status_code in (200, 400), answer.text
    envelope = answer.json()
    assert envelope["code"] == answer.status_code
    if answer.status_code == 400:
        assert envelope["data"] is None and ": " in envelope["msg"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/v1/image_to_video", "/v1/text_to_video"]),
    body=bodies(OFFICIAL_FIELDS, {"model": st.sampled_from(["gen4_turbo", "gen3a_turbo", "veo3.1", "gen4.5", "x"])}),
)
def test_official_create_never_500(app_client, path, body):
    answer = app_client.post(path, json=body)
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert ": " in official_error(answer)


def test_nan_and_infinity_are_not_json(app_client):
    raw = b'{"callback_url": "https://example.com/cb", "prompt": "x", "options": {"seconds": Infinity}}'
    answer = app_client.post("/runway/pro/generate", content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and "Infinity" in answer.json()["msg"]
    answer = app_client.post("/v1/text_to_video", content=b'{"model": "veo3", "seed": NaN}')
    assert answer.status_code == 400 and official_error(answer).startswith("body:")
