"""Talking to the official dialect as Runway's SDKs do, and reading its errors (SPEC §3)."""

from __future__ import annotations

from typing import Any

import httpx

# Runway's SDKs send the version on every request; under /v1 Reelay requires it, as Runway does.
VERSION = {"X-Runway-Version": "2024-11-06"}


def auth(key: str, **headers: str) -> dict[str, str]:
    """The headers of an SDK's request with this key (the version included)."""
    return {"Authorization": f"Bearer {key}", **VERSION, **headers}


def official_error(answer: httpx.Response | dict[str, Any]) -> str:
    """The sentence of an error in Runway's shape: a refused body's issue ("<field>: <reason>"),
    else the error itself. Also takes the parsed body (an SDK exception's `.body`)."""
    # Not isinstance(httpx.Response): Starlette's TestClient answers with httpx2's Response when
    # httpx2 is installed (the openai SDK brings it).
    body = answer if isinstance(answer, dict) else answer.json()
    assert body.get("docUrl"), body
    if body["error"] == "Validation of body failed":
        return body["issues"][0]["message"]
    assert "issues" not in body, body
    return body["error"]
