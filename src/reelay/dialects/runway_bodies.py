"""The official dialect's create bodies as pydantic models, generated from the model catalogue.

One model per catalogue row (`{endpoint}.{model}`), and per endpoint a union of them told apart by
`model`, so /openapi.json shows each model's own fields, types, choices and required ones. They
describe; the catalogue validates (`catalogue.check_body`, whose answers name Runway's issue codes
and paths): a row is the single source of both, so they cannot drift apart.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model

from reelay.domain import catalogue, stills
from reelay.domain.catalogue_row import Row
from reelay.domain.fields import TAG_PATTERN, AnyOf, Choice, Flag, Integer, ListOf, Number, Record, Tag, Text, Type, Uri
from reelay.domain.fields import Field as CatalogueField
from reelay.service.uploads import FILENAME_MAX
from reelay.storage.uploads import UPLOAD_TYPES

# Each endpoint's wire name, as its schema is named in /openapi.json.
ENDPOINT_NAMES = {
    catalogue.IMAGE_TO_VIDEO: "ImageToVideo",
    catalogue.TEXT_TO_VIDEO: "TextToVideo",
    catalogue.TEXT_TO_IMAGE: "TextToImage",
    catalogue.IMAGE_UPSCALE: "ImageUpscale",
    catalogue.VIDEO_TO_VIDEO: "VideoToVideo",
    catalogue.VIDEO_UPSCALE: "VideoUpscale",
    "character_performance": "CharacterPerformance",
}


# Where the SDK types a field as any integer and Reelay checks a bound of its own after the row.
_REELAY_LIMITS = {(catalogue.TEXT_TO_IMAGE, "outputCount"): Integer(1, stills.MAX_OUTPUT_COUNT)}


class _Closed(BaseModel):
    # Runway's bodies are `additionalProperties: false`, as the catalogue refuses other fields.
    model_config = ConfigDict(extra="forbid")


def body_name(endpoint: str) -> str:
    """The name of `body_model(endpoint)`, known without building it."""
    return ENDPOINT_NAMES[endpoint]


def body_model(endpoint: str) -> type[BaseModel]:
    """The union of every model's body on `endpoint`, told apart by `model`."""
    return _endpoint_model(endpoint)


def row_model(row: Row) -> type[BaseModel]:
    """One catalogue row's body: `model` fixed to the row's model, and its fields."""
    return _row_model(row.endpoint, row.model)


@cache
def _endpoint_model(endpoint: str) -> type[BaseModel]:
    members = tuple(row_model(row) for row in catalogue.ROWS if row.endpoint == endpoint)
    assert len({member.__name__ for member in members}) == len(members), f"two {endpoint} models share a name"
    union = Annotated[Union[members], Field(discriminator="model")]  # type: ignore[valid-type]  # noqa: UP007
    name = body_name(endpoint)
    return type(name, (RootModel[union],), {"__doc__": f"POST /v1/{endpoint}: one body per model."})


@cache
def _row_model(endpoint: str, model: str) -> type[BaseModel]:
    row = catalogue.row(endpoint, model)
    assert row is not None, (endpoint, model)
    name = _name(endpoint, model)
    fields: dict[str, Any] = {"model": (Literal[model], ...)}
    for field_name, spec in row.fields.items():
        limit = _REELAY_LIMITS.get((endpoint, field_name))
        if limit is not None and spec.type == Integer():
            spec = CatalogueField(limit, spec.required, spec.notes)
        fields[field_name] = _member(spec, f"{name}_{field_name}")
    if endpoint in catalogue.VIDEO_KINDS:
        for field_name, compat in catalogue.COMPAT_FIELDS.items():
            fields[field_name] = _member(CatalogueField(compat), f"{name}_{field_name}", deprecated=True)
    legacy = " (legacy: no longer in Runway's SDK, accepted for older clients)" if row.legacy else ""
    return create_model(name, __base__=_Closed, __doc__=f"{model} on {endpoint}{legacy}.", **fields)


def _name(endpoint: str, model: str) -> str:
    # pydantic reads a dotted class name as a qualified one: gen4.5's body is ImageToVideo_gen4_5.
    return f"{ENDPOINT_NAMES[endpoint]}_{model.replace('.', '_')}"


def _member(spec: CatalogueField, name: str, *, deprecated: bool = False) -> tuple[Any, Any]:
    annotation = _annotation(spec.type, name)
    extra: dict[str, Any] = {"description": spec.notes} if spec.notes else {}
    if deprecated:
        extra["deprecated"] = True
    if spec.required:
        return annotation, Field(..., **extra)
    # The catalogue takes null for an optional field as leaving it out.
    return annotation | None, Field(default=None, **extra)


def _annotation(type_: Type, name: str) -> Any:
    """The Python type (with its JSON Schema constraints) of a catalogue value type."""
    if isinstance(type_, Text):
        return Annotated[str, Field(min_length=1, max_length=type_.max_units)]
    if isinstance(type_, Tag):
        return Annotated[str, Field(pattern=f"^{TAG_PATTERN}$", description=type_.describe())]
    if isinstance(type_, Uri):
        return Annotated[str, Field(min_length=1, description=f"{type_.describe()}: https, data: or runway://")]
    if isinstance(type_, Integer):
        return Annotated[int, Field(ge=type_.minimum, le=type_.maximum)]
    if isinstance(type_, Number):
        return Annotated[float, Field(ge=type_.minimum, le=type_.maximum)]
    if isinstance(type_, Flag):
        return bool
    if isinstance(type_, Choice):
        return Literal[type_.values]
    if isinstance(type_, ListOf):
        item = _annotation(type_.item, f"{name}_item")
        return Annotated[list[item], Field(min_length=1, max_length=type_.max_items)]  # type: ignore[valid-type]
    if isinstance(type_, Record):
        members: dict[str, Any] = {member: _member(spec, f"{name}_{member}") for member, spec in type_.fields.items()}
        return create_model(name, __base__=_Closed, **members)
    assert isinstance(type_, AnyOf)
    return Union[tuple(_annotation(option, name) for option in type_.options)]  # noqa: UP007


# -- the official dialect's other bodies --------------------------------------------------------


# A file name ending in a medium Reelay takes (its case does not matter to the server).
_UPLOAD_NAME = r"\.(" + "|".join(sorted(ext.lstrip(".") for ext in UPLOAD_TYPES)) + r")$"


class UploadBody(_Closed):
    """POST /v1/uploads: an ephemeral upload of one file."""

    filename: str = Field(max_length=FILENAME_MAX, pattern=_UPLOAD_NAME, description="its ending says its type")
    type: Literal["ephemeral"] = "ephemeral"


class UsageBody(_Closed):
    """POST /v1/organization/usage: 30 days up to today by default, at most 90 (UTC dates)."""

    startDate: str | None = Field(
        default=None, description="YYYY-MM-DD, inclusive", json_schema_extra={"format": "date"}
    )
    beforeDate: str | None = Field(
        default=None, description="YYYY-MM-DD, exclusive", json_schema_extra={"format": "date"}
    )
