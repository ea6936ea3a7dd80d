"""Runway's `POST /v1/uploads`: start an ephemeral upload, answered as Runway's SDKs read it
(`{uploadUrl, fields, runwayUri}`); the SDK then POSTs the file with `fields` to `uploadUrl`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from reelay.domain.errors import InputError, Problem
from reelay.service.uploads import Uploads

from . import openapi
from .common import base_url, caller, json_object, services
from .runway_bodies import UploadBody
from .runway_errors import errors
from .runway_schemas import StartedUpload, wire
from .runway_v1 import PREFIXES, check_version

router = APIRouter()


def parse_upload(body: dict[str, Any]) -> str:
    """The file name of `{filename, type: "ephemeral"}`, Runway's only kind of upload."""
    for name in body:
        if name not in ("filename", "type"):
            raise InputError(name, "is not a known parameter", problem=Problem.UNKNOWN)
    filename = body.get("filename")
    if filename is None:
        raise InputError("filename", "is required", problem=Problem.MISSING)
    if not isinstance(filename, str):
        raise InputError("filename", "must be a string", problem=Problem.WRONG_TYPE)
    kind = body.get("type", "ephemeral")
    if kind != "ephemeral":
        raise InputError("type", 'must be "ephemeral"', problem=Problem.NOT_ALLOWED, allowed=["ephemeral"])
    return filename


for prefix in PREFIXES:

    @router.post(
        f"{prefix}/uploads",
        response_model=StartedUpload,
        responses=errors(400, 401, 429),
        openapi_extra=openapi.body(UploadBody),
    )
    async def create_upload(request: Request) -> JSONResponse:
        key = await caller(request)
        check_version(request)
        filename = parse_upload(await json_object(request))
        reelay = services(request)
        started = await Uploads(reelay.settings, reelay.storage, reelay.signer).start(
            key.id, filename, base_url(request)
        )
        return JSONResponse(wire(StartedUpload(uploadUrl=started.url, fields=started.fields, runwayUri=started.uri)))
