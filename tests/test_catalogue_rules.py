"""Every row of the catalogue, table-driven through the real routes (`/v1/<endpoint>`, in process,
the worker off): a valid body for each model is accepted, one meeting each of its cross-field
rules too, and each rule broken alone (a required field missing, an unknown or another model's
field, a value of the wrong type or out of its set, each rule between fields) is a 400 whose
first issue's path names the field, writing nothing."""

import json

import pytest

from reelay.domain import catalogue
from reelay.domain.catalogue_row import AllOrNone, Count, Forbids, Limits, Only, Requires, Total, Unique, Within
from reelay.domain.fields import AnyOf, Choice, Flag, Integer, ListOf, Number, Record, Tag, Text, Uri
from support.images import data_uri, gradient_image
from support.inprocess import count_rows, make_app_client
from support.media import data_uri as media_uri
from support.media import make_audio, make_video

# Inputs fetched and probed when a task is created are real media: an image to upscale has sides
# of at least 300 px, a character_performance reference video lasts 3 to 30 s.
IMAGE = data_uri(gradient_image(320, 304))
MEDIA = {
    "image": IMAGE,
    "video": media_uri(make_video(seconds=3.5, width=32, height=24, fps=4), "video/mp4"),
    "audio": media_uri(make_audio(seconds=0.5), "audio/mpeg"),
}
ROWS = catalogue.ROWS


def issue_paths(answer) -> list[str]:
    """The fields a 400 names, as dotted paths, in the order given. The one place that reads the
    error shape, so that it can follow the official dialect's rendering of errors."""
    found = []
    for issue in answer.json()["issues"]:
        path = [*issue["path"], *issue.get("keys", [])[:1]]  # an unknown key is named beside its object
        found.append(".".join(str(part) for part in path))
    return found


def sample(type_, full=False):
    """A valid value of a type; `full` fills optional members and takes a union's last form."""
    if isinstance(type_, AnyOf):
        return sample(type_.options[-1 if full else 0], full)
    if isinstance(type_, Text):
        return "a red kite over the dunes"
    if isinstance(type_, Tag):
        return "kite_2"
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


# -- reading and writing a body at a rule's dotted path -------------------------------------------


def type_at(row, path):
    """The type of the field at a dotted path (`*`: a list's item)."""
    type_ = Record(row.fields)
    for part in path.split("."):
        options = type_.options if isinstance(type_, AnyOf) else (type_,)
        if part == "*":
            type_ = next(o.item for o in options if isinstance(o, ListOf))
        else:
            type_ = next(o.fields[part].type for o in options if isinstance(o, Record) and part in o.fields)
    return type_


def put(row, body, path, value):
    """`body` with `value` at a dotted path; `promptImage.*.position` makes a one-frame list."""
    if path.endswith(".*.position"):
        head = path.removesuffix(".*.position")
        return put(row, body, head, [{"uri": IMAGE, "position": value}])
    head, _, rest = path.partition(".")
    if not rest:
        return {**body, head: value}
    inner = body.get(head) if isinstance(body.get(head), dict) else {}
    return {**body, head: put(row, inner, rest, value)}


def drop(body, names):
    return {k: v for k, v in body.items() if k not in names}


def make_hold(row, body, when):
    """`body` changed so that the condition holds."""
    if when is None:
        return body
    if when.values is not None:
        value = when.values[0]
    else:
        choices = type_at(row, when.field)
        value = next(v for v in choices.values if v not in when.other_than) if when.other_than else sample(choices)
    return put(row, body, when.field, value)


def items(row, name, number, where=None):
    """A list of `number` valid items for the list field `name`."""
    item = sample(type_at(row, f"{name}.*"), full=where is not None)
    if where is not None:
        item = {**item, where[0]: where[1]}
    return [item] * number


def satisfy(row, body, rule):
    """`body` changed so that `rule` holds, if it did not."""
    if isinstance(rule, Requires):
        if any(body.get(name) is not None for name in rule.fields) or not _holds(body, rule.when):
            return body
        return {**body, rule.fields[0]: sample(row.fields[rule.fields[0]].type)}
    if isinstance(rule, Forbids):
        given = any(body.get(name) is not None for name in rule.fields)
        return drop(body, [rule.when.field]) if given and _holds(body, rule.when) else body
    if isinstance(rule, Only):
        return make_hold(row, body, rule.when) if rule.field in body else body
    if isinstance(rule, Limits):
        if _holds(body, rule.when) and body.get(rule.field) is not None:
            return {**body, rule.field: rule.values[0]}
        return body
    if isinstance(rule, Count) and rule.minimum is not None and _holds(body, rule.when):
        return {**body, rule.fields[-1]: items(row, rule.fields[-1], rule.minimum)}
    return body  # Total, Unique, AllOrNone, Within and Count's maximum hold for one sample item


def _holds(body, when):
    from reelay.domain import catalogue_rules

    return catalogue_rules.holds(when, body)


def satisfy_all(row, body, but=None):
    for rule in row.rules:
        if rule is not but:
            body = satisfy(row, body, rule)
    return body


def met_body(row, rule):
    """A valid body on which `rule`'s condition holds (it is checked, and met)."""
    minimal = valid_bodies(row)[0]
    body = make_hold(row, minimal, getattr(rule, "when", None))
    if isinstance(rule, Only):
        body = {**body, rule.field: sample(row.fields[rule.field].type)}
    if isinstance(rule, Limits):
        body = {**body, rule.field: rule.values[0]}
    if isinstance(rule, Within):
        body = {**body, rule.field: [spanned(row, rule, at=1)]}
    return satisfy_all(row, satisfy(row, body, rule))


def break_rule(row, rule):
    """(body breaking `rule` alone, the field its issue names)."""
    body = satisfy_all(row, make_hold(row, valid_bodies(row)[0], getattr(rule, "when", None)), but=rule)
    if isinstance(rule, Requires):
        return drop(body, rule.fields), rule.fields[0]
    if isinstance(rule, Forbids):
        name = next(n for n in rule.fields if n != rule.when.field and n not in body)
        return {**body, name: sample(row.fields[name].type)}, name
    if isinstance(rule, Only):
        return {**drop(body, [rule.when.field]), rule.field: sample(row.fields[rule.field].type)}, rule.field
    if isinstance(rule, Limits):
        choices = type_at(row, rule.field)
        options = choices.options if isinstance(choices, AnyOf) else (choices,)
        candidates = [v for o in options for v in (o.values if isinstance(o, Choice) else (sample(o),))]
        return {**body, rule.field: next(v for v in candidates if v not in rule.values)}, rule.field
    if isinstance(rule, Total):
        member = type_at(row, f"{rule.field}.*.{rule.member}")
        each = member.maximum or rule.maximum
        item = {**sample(type_at(row, f"{rule.field}.*")), rule.member: each}
        return put(row, body, rule.field, [item] * (int(rule.maximum // each) + 1)), rule.field
    if isinstance(rule, Count):
        *others, last = rule.fields
        for name in others:
            body = {**body, name: sample(row.fields[name].type)}  # one item each
        number = rule.maximum + 1 - len(others) if rule.maximum is not None else rule.minimum - 1
        return {**body, last: items(row, last, number, rule.where)}, last
    if isinstance(rule, Unique):
        return {**body, rule.field: items(row, rule.field, 2, where=(rule.member, "same_tag"))}, (
            f"{rule.field}.1.{rule.member}"
        )
    if isinstance(rule, AllOrNone):
        first = sample(type_at(row, f"{rule.field}.*"), full=True)
        return {**body, rule.field: [first, drop(first, [rule.member])]}, rule.field
    return {**body, rule.field: [spanned(row, rule, at=5)]}, f"{rule.field}.0.{rule.member}"


def spanned(row, rule, at):
    """An item of the list `rule.field` giving `rule.member` = `at` and the span 0 up to 2."""
    options = type_at(row, f"{rule.field}.*")
    form = next(o for o in options.options if rule.member in o.fields) if isinstance(options, AnyOf) else options
    item = {**sample(form, full=True), rule.member: at}
    return put(row, put(row, item, rule.start, 0), rule.end, 2)


# -- the bodies -------------------------------------------------------------------------------


def valid_bodies(row):
    minimal = {"model": row.model, **{k: sample(s.type) for k, s in row.fields.items() if s.required}}
    full = {"model": row.model, **{k: sample(s.type, full=True) for k, s in row.fields.items()}}
    return [satisfy_all(row, minimal), satisfy_all(row, full)]


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
    elif isinstance(type_, Tag):
        yield from (("2kite", path), ("ki", path), ("kite-2", path), (7, path))
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
        yield f"{name} missing", drop(minimal, [name]), name
    for name, spec in row.fields.items():
        for value, field in bad_values(spec.type, name):
            yield f"{name}={value!r:.30}", {**minimal, name: value}, field
    others = {n for r in ROWS if r.endpoint == row.endpoint for n in r.fields} - set(row.fields)
    for name in sorted(others):
        yield f"foreign {name}", {**minimal, name: "x"}, name
    yield "unknown field", {**minimal, "flavourText": "x"}, "flavourText"
    if "first" in row.positions and "promptImage" in row.fields and _list_room(row.fields["promptImage"].type) >= 2:
        twice = [{"uri": IMAGE, "position": "first"}, {"uri": IMAGE, "position": "first"}]
        yield "first given twice", {**minimal, "promptImage": twice}, "promptImage.1.position"
    if row.last_needs_first:
        yield "last without first", {**minimal, "promptImage": [{"uri": IMAGE, "position": "last"}]}, "promptImage"
    for rule in row.rules:
        body, field = break_rule(row, rule)
        yield f"breaks {type(rule).__name__} on {field}", body, field


def _list_room(type_):
    lists = [o for o in (type_.options if isinstance(type_, AnyOf) else (type_,)) if isinstance(o, ListOf)]
    return max((o.max_items or 99 for o in lists), default=0)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    with make_app_client(tmp_path_factory.mktemp("catalogue")) as (client, key):
        client.headers["Authorization"] = f"Bearer {key}"
        yield client


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.endpoint}:{r.model}" for r in ROWS])
def test_a_model_takes_its_valid_bodies_and_names_each_broken_rule(api, row):
    data_dir = api.settings.data_dir
    before = count_rows(data_dir, "tasks")
    accepted = [*valid_bodies(row), *(met_body(row, rule) for rule in row.rules)]
    for body in accepted:
        answer = api.post(f"/v1/{row.endpoint}", json=body)
        assert answer.status_code == 200, (json.dumps(body)[:300], answer.text[:300])
    assert count_rows(data_dir, "tasks") == before + len(accepted)
    wrong = []
    for name, body, field in broken_bodies(row):
        answer = api.post(f"/v1/{row.endpoint}", json=body)
        if answer.status_code != 400 or issue_paths(answer)[:1] != [field]:
            wrong.append((name, field, answer.status_code, answer.text[:200]))
    assert wrong == []
    assert count_rows(data_dir, "tasks") == before + len(accepted)  # no broken body wrote anything


def test_every_issue_of_a_body_is_answered_in_the_order_found(api):
    body = {
        "model": "gen4.5",
        "flavourText": "x",  # unknown fields first
        "duration": 99,  # then the row's fields in its order
        "promptText": "",
        "ratio": "1280:720",
        "outputFormat": "mp4",
        "proresProfile": "422",  # then the rules between fields
    }
    answer = api.post("/v1/image_to_video", json=body)
    assert answer.status_code == 400
    assert issue_paths(answer) == ["flavourText", "duration", "promptImage", "promptText", "proresProfile"]
    codes = [issue["code"] for issue in answer.json()["issues"]]
    assert codes == ["unrecognized_keys", "too_big", "invalid_type", "too_small", "custom"]
    assert "only when outputFormat is" in answer.json()["issues"][-1]["message"]


def test_a_rule_reading_a_field_with_its_own_problem_is_left_out(api):
    # The segments' total is not added up while a segment's duration is not a number.
    segments = [{"prompt": "a", "duration": "ten"}, {"prompt": "b", "duration": 15}]
    body = {"model": "klingO3_pro", "promptImage": IMAGE, "providerSettings": {"multiPrompt": segments}}
    answer = api.post("/v1/image_to_video", json=body)
    assert issue_paths(answer) == ["providerSettings.multiPrompt.0.duration"]


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
