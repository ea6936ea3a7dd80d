"""The routes' request bodies in /openapi.json.

The dialects read their bodies themselves (the catalogue checks the official ones, answering in
Runway's issue shape), so a route does not take its body as a FastAPI parameter, which would
validate it a second time and answer FastAPI's 422. It names the body's model with `body(Model)`
instead, and `install` adds those models' schemas to the document's components.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"
_BODIES: dict[str, type[BaseModel]] = {}


def body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """A route's `openapi_extra` declaring `model` as its JSON body."""
    known = _BODIES.setdefault(model.__name__, model)
    assert known is model, f"two request models are named {model.__name__}"
    schema = {"$ref": REF.format(model=model.__name__)}
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}}


def query(name: str, description: str) -> dict[str, Any]:
    """A route's `openapi_extra` declaring a required text query parameter it reads itself."""
    parameter = {"name": name, "in": "query", "required": True, "description": description}
    return {"parameters": [parameter | {"schema": {"type": "string", "minLength": 1}}]}


def install(app: FastAPI, owned: Callable[[str], bool]) -> None:
    """Serve /openapi.json with the declared bodies' schemas among its components. On the paths
    a dialect owns (`owned`), FastAPI's 422 is not listed: a dialect never answers it (its path
    parameters are text, and every refusal is a 400 in its own shape)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, routes=app.routes)
            for path, operations in document["paths"].items():
                if owned(path):
                    for operation in operations.values():
                        operation["responses"].pop("422", None)
            _, found = models_json_schema([(model, "validation") for model in _BODIES.values()], ref_template=REF)
            components = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in found.get("$defs", {}).items():
                components.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
