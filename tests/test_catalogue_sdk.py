"""The catalogue and the installed `runwayml` SDK agree: the same models on every endpoint, and
for each model the same fields, the same required ones and the same choices (read from the SDK's
TypedDicts and Literals with typing's own functions)."""

import importlib
import typing

import pytest
import typing_extensions as te
from runwayml._utils import PropertyInfo

from reelay.domain import catalogue
from reelay.domain.fields import AnyOf, Choice, ListOf, Record

ENDPOINTS = [
    "image_to_video",
    "text_to_video",
    "text_to_image",
    "video_to_video",
    "character_performance",
    "video_upscale",
    "image_upscale",
]


def sdk_variants(endpoint):
    """model name -> the TypedDict of its create params."""
    module = importlib.import_module(f"runwayml.types.{endpoint}_create_params")
    params = next(value for name, value in vars(module).items() if name.endswith("CreateParams"))
    found = {}
    for variant in typing.get_args(params) or (params,):
        model_hint, _, _ = unwrap(typing.get_type_hints(variant, include_extras=True)["model"])
        (model,) = typing.get_args(model_hint)
        found[model] = variant
    return found


def unwrap(hint):
    """(inner type, required?, wire name) of one TypedDict member."""
    required, alias = False, None
    while True:
        origin = typing.get_origin(hint)
        if origin in (te.Required, typing.Required):
            required, hint = True, typing.get_args(hint)[0]
        elif origin in (te.NotRequired, typing.NotRequired):
            hint = typing.get_args(hint)[0]
        elif origin is typing.Annotated:
            alias = next((m.alias for m in hint.__metadata__ if isinstance(m, PropertyInfo) and m.alias), alias)
            hint = typing.get_args(hint)[0]
        else:
            return hint, required, alias


def sdk_fields(variant):
    """wire name -> (inner type, required?) for every member but `model`."""
    fields = {}
    for key, hint in typing.get_type_hints(variant, include_extras=True).items():
        inner, required, alias = unwrap(hint)
        if key != "model":
            fields[alias or key] = (inner, required)
    return fields


def literal_values(hint):
    """Every Literal value in a hint, through unions (not into lists or objects)."""
    if typing.get_origin(hint) is typing.Literal:
        return set(typing.get_args(hint))
    if typing.get_origin(hint) is typing.Union:
        return set().union(*(literal_values(arg) for arg in typing.get_args(hint)))
    return set()


def choice_values(type_):
    options = type_.options if isinstance(type_, AnyOf) else (type_,)
    return {v for option in options if isinstance(option, Choice) for v in option.values}


def record_of(type_):
    """The Record a field holds directly or as the items of a list (through unions)."""
    options = type_.options if isinstance(type_, AnyOf) else (type_,)
    for option in options:
        if isinstance(option, Record):
            return option
        if isinstance(option, ListOf) and isinstance(option.item, Record):
            return option.item
    return None


def sdk_record(hint):
    for arg in (hint, *typing.get_args(hint), *(a for b in typing.get_args(hint) for a in typing.get_args(b))):
        if te.is_typeddict(arg):
            return arg
    return None


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_sdk_model_is_a_row_and_every_current_row_is_in_the_sdk(endpoint):
    sdk = set(sdk_variants(endpoint))
    rows = {r.model for r in catalogue.ROWS if r.endpoint == endpoint and not r.legacy}
    assert sdk - rows == set(), "models the SDK offers and the catalogue lacks"
    assert rows - sdk == set(), "rows the SDK no longer offers: mark them legacy or drop them"


def test_the_counts_the_issue_names():
    assert len(sdk_variants("image_to_video")) == 25 and len(sdk_variants("text_to_video")) == 24
    legacy = {(r.endpoint, r.model) for r in catalogue.ROWS if r.legacy}
    assert legacy == {("image_to_video", "gen3a_turbo"), ("image_to_video", "veo3"), ("text_to_video", "veo3")}


ROW_IDS = [f"{r.endpoint}:{r.model}" for r in catalogue.ROWS if not r.legacy]


@pytest.mark.parametrize("row", [r for r in catalogue.ROWS if not r.legacy], ids=ROW_IDS)
def test_each_row_has_the_sdk_fields_required_set_and_choices(row):
    sdk = sdk_fields(sdk_variants(row.endpoint)[row.model])
    assert set(row.fields) == set(sdk)
    assert set(row.required) == {name for name, (_, required) in sdk.items() if required}
    for name, (hint, _) in sdk.items():
        assert choice_values(row.fields[name].type) == literal_values(hint), name
        record, typed = record_of(row.fields[name].type), sdk_record(hint)
        if typed is not None and record is not None:
            members = sdk_fields(typed)
            assert set(record.fields) == set(members), name
            assert {k for k, spec in record.fields.items() if spec.required} == {
                k for k, (_, r) in members.items() if r
            }, name
