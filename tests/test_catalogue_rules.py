"""Every row of the catalogue, table-driven: a valid body for each model is accepted, and each of
its rules broken gives a 400 whose error names the field (dotted wire path). Video endpoints go
through the real HTTP app; the endpoints whose routes come later are checked on the rows alone."""

import pytest

from reelay.domain import catalogue
from reelay.domain.errors import InputError
from reelay.domain.fields import AnyOf, Choice, Flag, Integer, ListOf, Number, Record, Text, Uri
from support.images import data_uri, gradient_image
from support.inprocess import count_rows, make_app_client

IMAGE = data_uri(gradient_image(64, 40))
MEDIA = {"image": IMAGE, "video": "https://example.com/clip.mp4", "audio": "https://example.com/voice.mp3"}
VIDEO_ROWS = [r for r in catalogue.ROWS if r.endpoint in catalogue.VIDEO_KINDS]
OTHER_ROWS = [r for r in catalogue.ROWS if r.endpoint not in catalogue.VIDEO_KINDS]


def error_field(answer) -> str:
    """The field a 400 names. The one place that reads the error shape, so that it can follow
    the official dialect's rendering of errors."""
    body = answer.json()
    if "issues" not in body:
        return body["error"].split(":", 1)[0]
    issue = body["issues"][0]
    path = [*issue["path"], *issue.get("keys", [])[:1]]  # an unknown key is named beside its object
    return ".".join(str(part) for part in path)


def sample(type_, full=False):
    """A valid value of a type; `full` fills optional members and takes a union's last form."""
    if isinstance(type_, AnyOf):
        return sample(type_.options[-1 if full else 0], full)
    if isinstance(type_, Text):
        return "a red kite over the dunes"
    if isinstance(type_, Uri):
        return MEDIA[type_.media]
    if isinstance(type_, Integer):
        return type_.minimum if type_.minimum is not None else 1
    if isinstance(type_, Number):
        return type_.minimum if type_.minimum is not None else 0.5
    if isinstance(type_, Flag):
        return True
    if isinstance(type_, Choice):
        return type_.values[0]
    if isinstance(type_, ListOf):
        return [sample(type_.item, full)]
    return {k: sample(spec.type, full) for k, spec in type_.fields.items() if spec.required or full}


def valid_bodies(row):
    minimal = {"model": row.model, **{k: sample(s.type) for k, s in row.fields.items() if s.required}}
    full = {"model": row.model, **{k: sample(s.type, full=True) for k, s in row.fields.items()}}
    return [minimal, full]


def bad_values(type_, path):
    """(value, the path its error must name) for each way a value of this type can be wrong."""
    if isinstance(type_, AnyOf):
        yield {"neither": "form"} if not any(isinstance(o, Record) for o in type_.options) else 12.5, path
        for option in type_.options:
            if isinstance(option, ListOf) and isinstance(option.item, Record):
                for member, spec in option.item.fields.items():
                    for value, where in bad_values(spec.type, f"{path}.0.{member}"):
                        yield [{**sample(option.item, True), member: value}], where
        return
    if isinstance(type_, Text):
        yield ("x" * (type_.max_units + 1) if type_.max_units else ""), path
        yield 7, path
    elif isinstance(type_, Uri):
        yield "", path
    elif isinstance(type_, Integer):
        yield str(sample(type_)), path
        yield 2.5, path
        if type_.minimum is not None:
            yield type_.minimum - 1, path
        if type_.maximum is not None:
            yield type_.maximum + 1, path
    elif isinstance(type_, Number):
        yield "0.5", path
        if type_.maximum is not None:
            yield type_.maximum + 1, path
    elif isinstance(type_, Flag):
        yield "yes", path
    elif isinstance(type_, Choice):
        yield next(v for v in ("sideways", 7, 9999) if v not in type_.values), path
    elif isinstance(type_, ListOf):
        yield [], path
        if type_.max_items is not None:
            yield [sample(type_.item)] * (type_.max_items + 1), path
        for value, where in bad_values(type_.item, f"{path}.0"):
            yield [value], where
    elif isinstance(type_, Record):
        yield {**sample(type_, True), "bogus": 1}, f"{path}.bogus"
        yield "text", path
        for member, spec in type_.fields.items():
            if spec.required:
                yield {k: v for k, v in sample(type_, True).items() if k != member}, f"{path}.{member}"


def broken_bodies(row):
    """(name, body, field) for every rule of a row, each broken alone on a valid body."""
    minimal, _full = valid_bodies(row)
    for name in row.required:
        yield f"{name} missing", {k: v for k, v in minimal.items() if k != name}, name
    for name, spec in row.fields.items():
        for value, field in bad_values(spec.type, name):
            yield f"{name}={value!r:.30}", {**minimal, name: value}, field
    others = {n for r in catalogue.ROWS if r.endpoint == row.endpoint for n in r.fields} - set(row.fields)
    for name in sorted(others):
        yield f"foreign {name}", {**minimal, name: "x"}, name
    yield "unknown field", {**minimal, "flavourText": "x"}, "flavourText"
    if "first" in row.positions and "promptImage" in row.fields and _list_room(row.fields["promptImage"].type) >= 2:
        twice = [{"uri": IMAGE, "position": "first"}, {"uri": IMAGE, "position": "first"}]
        yield "first given twice", {**minimal, "promptImage": twice}, "promptImage.1.position"
    if row.last_needs_first:
        yield "last without first", {**minimal, "promptImage": [{"uri": IMAGE, "position": "last"}]}, "promptImage"


def _list_room(type_):
    lists = [o for o in (type_.options if isinstance(type_, AnyOf) else (type_,)) if isinstance(o, ListOf)]
    return max((o.max_items or 99 for o in lists), default=0)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    with make_app_client(tmp_path_factory.mktemp("catalogue")) as (client, key):
        client.headers["Authorization"] = f"Bearer {key}"
        yield client


@pytest.mark.parametrize("row", VIDEO_ROWS, ids=[f"{r.endpoint}:{r.model}" for r in VIDEO_ROWS])
def test_a_video_model_takes_its_valid_bodies_and_names_each_broken_rule(api, row):
    data_dir = api.settings.data_dir
    before = count_rows(data_dir, "tasks")
    for body in valid_bodies(row):
        answer = api.post(f"/v1/{row.endpoint}", json=body)
        assert answer.status_code == 200, (body, answer.text)
    assert count_rows(data_dir, "tasks") == before + 2
    wrong = []
    for name, body, field in broken_bodies(row):
        answer = api.post(f"/v1/{row.endpoint}", json=body)
        if answer.status_code != 400 or error_field(answer) != field:
            wrong.append((name, field, answer.status_code, answer.text[:160]))
    assert wrong == []
    assert count_rows(data_dir, "tasks") == before + 2  # no broken body wrote anything


@pytest.mark.parametrize("row", OTHER_ROWS, ids=[f"{r.endpoint}:{r.model}" for r in OTHER_ROWS])
def test_a_row_without_a_route_yet_takes_its_valid_bodies_and_names_each_broken_rule(row):
    for body in valid_bodies(row):
        catalogue.check_body(row, body)
    wrong = []
    for name, body, field in broken_bodies(row):
        try:
            catalogue.check_body(row, body)
            wrong.append((name, field, "accepted"))
        except InputError as error:
            if error.field != field:
                wrong.append((name, field, error.message))
    assert wrong == []


def test_auto_duration_is_priced_and_rendered_as_the_longest_and_reaches_runway_as_auto():
    from reelay.dialects.runway_request import parse_text_to_video
    from reelay.engines.upstream.runway import official_body
    from reelay.service.pricing import Pricing

    request = parse_text_to_video(
        {"model": "seedance2_mini", "promptText": "sea", "duration": "auto", "ratio": "640:640"}
    )
    assert (request.width, request.height, request.seconds) == (640, 640, 15)
    assert Pricing({"seedance2_mini": 2}).points(request, "any") == 30
    assert (
        Pricing({"gen4_turbo": 1}).points(request, "any")
        == 15 * catalogue.row("text_to_video", "seedance2_mini").credits
    )
    path, body = official_body(request, "gen4.5", lambda image: "unused")
    assert path == "/v1/text_to_video" and body["duration"] == "auto" and body["ratio"] == "640:640"
