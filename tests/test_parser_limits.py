"""The parser's limits answer a 400 that names the body and the limit, never a 500 (issue #11):
nesting, long numbers, numbers past float range, strings no database stores, and admin query
parameters, checked after the key."""

import json

import httpx
import pytest

from support.official import auth, official_error

JSON = {"Content-Type": "application/json"}
TOO_DEEP = "body: is nested too deeply (more than 64 levels)"
PRO = {"callback_url": "https://example.com/cb", "prompt": "a cat", "model": "gen4_turbo", "options": {"seconds": 5}}
OFFICIAL = {"model": "veo3.1", "promptText": "a cat", "ratio": "1280:720", "duration": 8}


def nested(depth: int) -> bytes:
    """An object `depth` objects deep: {"a":{"a":...{}}}."""
    return b'{"a":' * (depth - 1) + b"{}" + b"}" * (depth - 1)


def with_raw(body: dict, field: str, raw: bytes) -> bytes:
    """The body's JSON with one field's value spelled as raw JSON text."""
    return (
        json.dumps({**body, field: 0}, separators=(",", ":"))
        .encode()
        .replace(f'"{field}":0'.encode(), f'"{field}":'.encode() + raw)
    )


def error_of(answer: httpx.Response) -> str:
    """The error sentence in any dialect's shape; a pro envelope's code matches the status."""
    body = answer.json()
    if "code" in body:
        assert body["code"] == answer.status_code and body["data"] is None
        return body["msg"].split(": ", 1)[1]
    if "docUrl" in body:  # the official dialect's
        return official_error(body)
    return body["error"]  # Reelay's own routes (admin)


@pytest.fixture
def admin(app_client):
    return {"Authorization": f"Bearer {app_client.app.state.reelay.admin_key}"}


@pytest.mark.parametrize(
    "path", ["/runway/pro/generate", "/v1/image_to_video", "/v1/organization/usage", "/runway/feed"]
)
@pytest.mark.parametrize("depth", [65, 1000, 50_000])
def test_deep_json_is_a_400_naming_the_body(app_client, path, depth):
    answer = app_client.post(path, content=nested(depth), headers=JSON)
    assert answer.status_code == 400, answer.text
    assert error_of(answer) == TOO_DEEP


def test_deep_arrays_inside_a_known_field(app_client):
    raw = b"[" * 2000 + b"]" * 2000
    assert (
        error_of(app_client.post("/runway/pro/generate", content=with_raw(PRO, "prompt", raw), headers=JSON))
        == TOO_DEEP
    )
    assert (
        error_of(app_client.post("/v1/text_to_video", content=with_raw(OFFICIAL, "promptText", raw), headers=JSON))
        == TOO_DEEP
    )


def test_64_levels_reach_the_fields_65_do_not(app_client, admin):
    fits = app_client.post("/admin/keys", content=nested(64), headers={**JSON, **admin})
    assert fits.status_code == 400 and fits.json() == {"error": "a: is not a known field"}
    deeper = app_client.post("/admin/keys", content=nested(65), headers={**JSON, **admin})
    assert deeper.status_code == 400 and deeper.json() == {"error": TOO_DEEP}


@pytest.mark.parametrize("depth", [1000, 50_000])
def test_deep_json_on_admin_routes(app_client, admin, depth):
    key_id = app_client.post("/admin/keys", json={"name": "shop"}, headers=admin).json()["id"]
    for path in ("/admin/keys", f"/admin/keys/{key_id}/topup"):
        answer = app_client.post(path, content=nested(depth), headers={**JSON, **admin})
        assert answer.status_code == 400 and answer.json() == {"error": TOO_DEEP}


@pytest.mark.parametrize(
    "path,body,field",
    [("/runway/pro/generate", PRO, "seed"), ("/v1/text_to_video", OFFICIAL, "seed"), ("/admin/keys", {}, "points")],
)
def test_a_number_longer_than_4300_digits_states_the_limit(app_client, admin, path, body, field):
    headers = {**JSON, **admin} if path.startswith("/admin") else JSON
    for digits in (b"9" * 5000, b"-" + b"9" * 4301):
        answer = app_client.post(path, content=with_raw(body, field, digits), headers=headers)
        assert answer.status_code == 400
        assert error_of(answer) == "body: has a number with more than 4300 digits"
    # 4300 digits parse; the field then says what is wrong with the value.
    answer = app_client.post(path, content=with_raw(body, field, b"9" * 4300), headers=headers)
    assert answer.status_code == 400 and error_of(answer).startswith(f"{field}:")


@pytest.mark.parametrize("number", [b"1e999", b"-1e999", b"1E400", b"1" * 400 + b".5"])
def test_a_number_past_float_range_is_not_infinity(app_client, admin, number):
    shown = number.decode() if len(number) <= 24 else number[:20].decode() + "…"
    expected = f"body: has a number out of range ({shown} is not a finite number)"
    for path, body, field in [
        ("/runway/pro/generate", PRO, "seed"),
        ("/v1/image_to_video", OFFICIAL, "duration"),
        ("/admin/keys", {}, "rate_limit_per_second"),
    ]:
        answer = app_client.post(path, content=with_raw(body, field, number), headers={**JSON, **admin})
        assert answer.status_code == 400 and error_of(answer) == expected, answer.text


def test_strings_a_database_cannot_store(app_client, admin):
    # A NUL is refused by PostgreSQL and a lone surrogate by every UTF-8 encoder: both made a 500.
    nul = app_client.post("/admin/keys", content=b'{"name": "shop\\u0000"}', headers={**JSON, **admin})
    assert nul.status_code == 400 and nul.json() == {"error": "body: has a string with a NUL character (\\u0000)"}
    lone = app_client.post(
        "/v1/text_to_video", content=with_raw(OFFICIAL, "promptText", b'"cat \\ud800"'), headers=JSON
    )
    assert lone.status_code == 400
    assert official_error(lone) == "body: has a string with a lone surrogate (\\ud800-\\udfff), which is not text"
    key = app_client.post("/runway/pro/generate", content=b'{"\\udc00": 1}', headers=JSON)
    assert key.status_code == 400 and "lone surrogate" in key.json()["msg"]
    # A surrogate pair is one character (here a clapperboard) and is fine.
    pair = app_client.post(
        "/v1/text_to_video", content=with_raw(OFFICIAL, "promptText", b'"\\ud83c\\udfac"'), headers=JSON
    )
    assert pair.status_code == 200, pair.text


ROUTES = [("/admin/keys/{key_id}/ledger", 100_000), ("/admin/callbacks", 1000)]
BAD_LIMITS = [
    ("abc", "limit: must be an integer"),
    ("", "limit: must be an integer"),
    ("1.5", "limit: must be an integer"),
    ("1_000", "limit: must be an integer"),
    ("\u0663", "limit: must be an integer"),  # an Arabic-Indic 3, which int() would take
    ("-5", "limit: must be from 1 to {maximum}"),
    ("0", "limit: must be from 1 to {maximum}"),
    ("{above}", "limit: must be from 1 to {maximum}"),
    ("9" * 5000, "limit: must be from 1 to {maximum}"),
]


@pytest.mark.parametrize("route,maximum", ROUTES)
@pytest.mark.parametrize("limit,message", BAD_LIMITS)
def test_admin_limit_is_checked_after_the_key(app_client, admin, route, maximum, limit, message):
    key_id = app_client.post("/admin/keys", json={"name": "shop"}, headers=admin).json()["id"]
    path = route.format(key_id=key_id)
    params = {"limit": limit.format(above=maximum + 1)}
    anonymous = app_client.get(path, params=params, headers={"Authorization": ""})
    assert anonymous.status_code == 401 and anonymous.json()["error"].startswith("Authorization:")
    client_key = app_client.get(path, params=params)
    assert client_key.status_code == 403 and client_key.json()["error"].startswith("Authorization:")
    answer = app_client.get(path, params=params, headers=admin)
    assert answer.status_code == 400 and answer.json() == {"error": message.format(maximum=maximum)}


@pytest.mark.parametrize("route,maximum", ROUTES)
def test_admin_limit_within_range(app_client, admin, route, maximum):
    key_id = app_client.post("/admin/keys", json={"name": "shop", "points": 5}, headers=admin).json()["id"]
    path = route.format(key_id=key_id)
    for limit in ("1", str(maximum), "007"):
        answer = app_client.get(path, params={"limit": limit}, headers=admin)
        assert answer.status_code == 200, answer.text
    assert app_client.get(path, params={"limit": str(maximum + 1)}, headers=admin).status_code == 400


def test_admin_callbacks_state_and_task_id(app_client, admin):
    bad_state = app_client.get("/admin/callbacks", params={"state": "lost"}, headers=admin)
    assert bad_state.status_code == 400
    assert bad_state.json() == {"error": "state: must be one of pending, delivered, dead"}
    assert (
        app_client.get("/admin/callbacks", params={"state": "lost"}, headers={"Authorization": ""}).status_code == 401
    )
    for state in ("pending", "delivered", "dead", ""):
        assert app_client.get("/admin/callbacks", params={"state": state}, headers=admin).status_code == 200
    nul = app_client.get("/admin/callbacks", params={"task_id": "a\x00b"}, headers=admin)
    assert nul.status_code == 400 and nul.json() == {"error": "task_id: must not contain a NUL character"}


def test_feed_query_task_id_with_a_nul(app_client):
    answer = app_client.get("/runway/feed", params={"task_id": "a\x00b"})
    assert answer.status_code == 400
    assert answer.json()["msg"] == "invalid_parameters: task_id: must not contain a NUL character"
    posted = app_client.post("/runway/feed", content=b'{"task_id": "a\\u0000b"}', headers=JSON)
    assert posted.status_code == 400 and posted.json()["msg"].startswith("invalid_parameters: body:")


def test_relay_hook_takes_any_body_and_refuses_odd_tokens(app_client):
    task_id = "6f1c6a52-0000-4000-8000-000000000000"
    token = app_client.app.state.reelay.signer.token(task_id)
    url = f"/hooks/relay/{task_id}"
    # compare_digest raised a TypeError on non-ASCII text.
    assert app_client.post(url, params={"token": "é" * 64}, json={}).status_code == 403
    for body in (b"[1, 2]", b'"text"', nested(1000), b'{"task_id": ' + b"9" * 5000 + b"}", b"{"):
        answer = app_client.post(url, params={"token": token}, content=body, headers=JSON)
        assert answer.status_code == 200 and answer.json() == {"ok": True}, body[:20]
    long = app_client.post(url, params={"token": token}, json={"task_id": "u" * 500, "status": "s" * 500})
    assert long.status_code == 200


def test_deep_json_keeps_the_keep_alive_connection(reelay, api_key):
    """A real server: the 400 comes on the same connection, which then serves the next request."""
    connections = []

    def trace(event, info):
        if event == "connection.connect_tcp.complete":
            connections.append(info)

    with httpx.Client(base_url=reelay.url, headers=auth(api_key), timeout=30) as client:
        for path in ("/v1/image_to_video", "/runway/pro/generate"):
            answer = client.post(path, content=nested(1000), headers=JSON, extensions={"trace": trace})
            assert answer.status_code == 400 and error_of(answer) == TOO_DEEP
            assert answer.headers.get("connection") != "close"
        after = client.get("/v1/organization", extensions={"trace": trace})
        assert after.status_code == 200, after.text
    assert len(connections) == 1


def test_admin_numbers_and_names_fit_their_columns(app_client, admin):
    # Past PostgreSQL's INTEGER and the name's VARCHAR(200) these were 500s (past 2**63, on SQLite too).
    big = app_client.post("/admin/keys", json={"points": 2**63}, headers=admin)
    assert big.status_code == 400 and big.json()["error"].startswith("points:")
    assert app_client.post("/admin/keys", json={"name": "n" * 201}, headers=admin).json()["error"].startswith("name:")
    key_id = app_client.post("/admin/keys", json={"name": "n" * 200, "points": 2**31 - 1}, headers=admin).json()["id"]
    topup = app_client.post(
        f"/admin/keys/{key_id}/topup", json={"points": -(2**40), "kind": "adjustment"}, headers=admin
    )
    assert topup.status_code == 400 and topup.json()["error"].startswith("points:")
