"""Draft the model catalogue's rows from the installed `runwayml` SDK's request types.

    .venv/bin/python scripts/catalogue_from_sdk.py > /tmp/rows.py

The output is a draft to review, not the catalogue: the SDK's types drop most ranges (Stainless
keeps them only in docstrings, which this reads where it can) and say nothing of prices, defaults
or rules between fields. `src/reelay/domain/catalogue_rows.py` is the reviewed result;
`tests/test_catalogue_sdk.py` fails when the SDK and the catalogue drift apart, and this script
is how to see what changed (diff its output against the committed rows).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import re
import sys
import typing
from collections.abc import Iterable, Sequence

import typing_extensions as te
from runwayml._utils import PropertyInfo

ENDPOINTS = {
    "image_to_video": "image_to_video_create_params",
    "text_to_video": "text_to_video_create_params",
    "text_to_image": "text_to_image_create_params",
    "video_to_video": "video_to_video_create_params",
    "character_performance": "character_performance_create_params",
    "video_upscale": "video_upscale_create_params",
    "image_upscale": "image_upscale_create_params",
}
MEDIA_BY_NAME = {"video": "video", "audio": "audio"}


def variants(module) -> list[type]:
    params = next(v for k, v in vars(module).items() if k.endswith("CreateParams"))
    return list(typing.get_args(params)) or [params]


def docstrings(module) -> dict[tuple[str, str], str]:
    """(class, python field name) -> the docstring Stainless writes under the field."""
    found = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for here, after in itertools.pairwise(body):
            if (
                isinstance(here, ast.AnnAssign)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
            ):
                found[(node.name, here.target.id)] = " ".join(str(after.value.value).split())
    return found


def unwrap(hint):
    """(type, required?, wire alias) of one TypedDict member's hint."""
    required, alias = False, None
    while True:
        origin = typing.get_origin(hint)
        if origin in (te.Required, typing.Required):
            required, hint = True, typing.get_args(hint)[0]
        elif origin in (te.NotRequired, typing.NotRequired):
            hint = typing.get_args(hint)[0]
        elif origin is typing.Annotated:
            for meta in hint.__metadata__:
                if isinstance(meta, PropertyInfo) and meta.alias:
                    alias = meta.alias
            hint = typing.get_args(hint)[0]
        else:
            return hint, required, alias


def first_int(pattern: str, text: str) -> tuple[int, int] | None:
    match = re.search(pattern, text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def emit(hint, name: str, doc: str, owner: str, docs) -> str:
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return f"Choice({typing.get_args(hint)!r})"
    if origin is typing.Union:
        options = [emit(arg, name, doc, owner, docs) for arg in typing.get_args(hint)]
        return f"AnyOf(({', '.join(options)},))"
    if origin in (Iterable, Sequence, typing.Iterable, typing.Sequence, list):
        (item,) = typing.get_args(hint)
        limit = re.search(r"[Uu]p to (\d+)(?![\dM])", doc)
        tail = f", max_items={limit.group(1)}" if limit else ""
        return f"ListOf({emit(item, name, '', owner, docs)}{tail})"
    if te.is_typeddict(hint):
        return f"Record({{{members(hint, docs)}}})"
    if hint is str:
        if name.lower().endswith("uri") or name in ("promptImage", "promptVideo", "references"):
            # A bare `uri` member says its media only in its docstring ("containing an encoded audio").
            said = re.search(r"encoded (image|video|audio)", doc)
            media = said.group(1) if said else next((m for k, m in MEDIA_BY_NAME.items() if k in name.lower()), "image")
            return f'Uri("{media}")'
        if name == "tag" and "3-16 characters" in doc:
            return "Tag()"
        limit = re.search(r"up to (\d+) characters", doc)
        return f"Text({limit.group(1)})" if limit else "Text()"
    if hint is int:
        if name == "seed":
            return "SEED"
        span = first_int(r"from (\d+) to (\d+)", doc) or first_int(r"between (\d+) and (\d+)", doc)
        return f"Integer{span}" if span else "Integer()"
    if hint is float:
        return "Number()"
    if hint is bool:
        return "Flag()"
    return "UNTYPED"  # `object`: the SDK gave up on a union; write it by hand


def members(typed_dict, docs) -> str:
    hints = typing.get_type_hints(typed_dict, include_extras=True)
    parts = []
    for key, hint in hints.items():
        inner, required, alias = unwrap(hint)
        wire = alias or key
        text = emit(inner, wire, docs.get((typed_dict.__name__, key), ""), typed_dict.__name__, docs)
        parts.append(f'"{wire}": {"required" if required else "optional"}({text})')
    return ", ".join(parts)


def main() -> None:
    print("ROWS = (")
    for endpoint, module_name in ENDPOINTS.items():
        module = importlib.import_module(f"runwayml.types.{module_name}")
        docs = docstrings(module)
        for variant in variants(module):
            hints = typing.get_type_hints(variant, include_extras=True)
            model = typing.get_args(unwrap(hints["model"])[0])[0]
            body = members(variant, docs).replace('"model": required(Choice((' + repr(model) + ",))), ", "")
            print(f'    Row("{endpoint}", "{model}", {{{body}}}),')
    print(")")


if __name__ == "__main__":
    sys.exit(main())
