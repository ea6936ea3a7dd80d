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
# Each declared body's name and how to get its model. Built when the document is first asked
# for, not at import: the catalogue's bodies take a few hundred milliseconds to generate, and
# every process would pay them at start.
_BODIES: dict[str, Callable[[], type[BaseModel]]] = {}


def body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """A route's `openapi_extra` declaring `model` as its JSON body."""
    return lazy_body(model.__name__, lambda: model, required=required)


def lazy_body(name: str, build: Callable[[], type[BaseModel]], *, required: bool = True) -> dict[str, Any]:
    """As `body`, for a model named `name` that `build()` makes when the document is made."""
    _BODIES.setdefault(name, build)  # a route under both prefixes declares its body twice
    schema = {"$ref": REF.format(model=name)}
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}}


def _models() -> list[type[BaseModel]]:
    models = []
    for name, build in _BODIES.items():
        model = build()
        assert model.__name__ == name, f"{name} was declared, {model.__name__} built"
        models.append(model)
    return models


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
            _, found = models_json_schema([(model, "validation") for model in _models()], ref_template=REF)
            components = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in found.get("$defs", {}).items():
                components.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
