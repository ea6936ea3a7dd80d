"""The hottest routes once more as plain Starlette routes, matched before FastAPI's.

For a status read FastAPI's own per-request work (matching through the included routers,
solving the route's dependencies, its request wrapper) cost more CPU than the read itself.
These endpoints need none of it: they take the request and their path's parameters and build
their answer. Each stays a FastAPI route too, which documents it in /openapi.json and answers
any other method; the plain route, listed first, answers its own method and sets the dialect
as the FastAPI route's dependency would, so errors keep the dialect's shape.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import Route


def plain_routes(router: APIRouter, hot: Iterable[str], dialect: Any) -> list[Route]:
    """A plain route for each of the router's routes named "METHOD /path", same endpoint."""
    wanted = set(hot)
    found = {
        f"{method} {route.path}": route
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    missing = wanted - set(found)
    assert not missing, f"no route for {sorted(missing)}"
    routes = []
    for name in sorted(wanted):
        method, api_route = name.split(" ", 1)[0], found[name]
        route = Route(api_route.path, _plain(api_route.endpoint, dialect), methods=[method])
        route.methods = {method}  # as FastAPI's: no HEAD added for a GET
        routes.append(route)
    return routes


def _plain(endpoint: Callable, dialect: Any):
    taken = set(inspect.signature(endpoint).parameters)
    assert "request" in taken, f"{endpoint.__name__} must take the request to be served plainly"

    async def plain(request: Request):
        request.state.dialect = dialect
        return await endpoint(request=request, **request.path_params)

    return plain
