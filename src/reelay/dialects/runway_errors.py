"""Runway's error shapes (SPEC §3), as its API answers them.

A refused body: `{"error": "Validation of body failed", "issues": [issue], "docUrl": DOC_URL}`;
every other error: `{"error": "<sentence>", "docUrl": DOC_URL}`. Runway validates with zod and
its issues are zod's (v4 codes, as captured live); an InputError's `problem` picks the code:

| Problem       | zod `code`          | members besides `code`, `path`, `message`             |
| ------------- | ------------------- | ----------------------------------------------------- |
| `INVALID`     | `custom`            | (Runway's own checks: "Failed to fetch asset", ...)   |
| `UNKNOWN`     | `unrecognized_keys` | `keys: [name]`; `path` is the object that holds it    |
| `MISSING`     | `invalid_type`      | (zod: expected a value, received undefined)           |
| `WRONG_TYPE`  | `invalid_type`      |                                                       |
| `NOT_ALLOWED` | `invalid_value`     | `values`: the allowed values, when known              |
| `TOO_SMALL`   | `too_small`         | `minimum`, `inclusive`, when the bound is known       |
| `TOO_BIG`     | `too_big`           | `maximum`, `inclusive`, when the bound is known       |
| `FORMAT`      | `invalid_format`    |                                                       |

`path` is the field split into keys and list indexes (`promptImage.1.position` and
`promptImage[1].position` both give `["promptImage", 1, "position"]`; `body` itself gives `[]`).
Every issue found is listed, in the order found (fields as the body gives them, then each field's
own rules, then the rules between fields), as zod lists them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse

from reelay.domain.errors import InputError, InsufficientPoints, Problem, ReelayError

from .runway_schemas import Issue, IssueCode, RunwayError, wire

DOC_URL = "https://docs.dev.runwayml.com/api"

ZOD_CODES: dict[Problem, IssueCode] = {
    Problem.INVALID: "custom",
    Problem.UNKNOWN: "unrecognized_keys",
    Problem.MISSING: "invalid_type",
    Problem.WRONG_TYPE: "invalid_type",
    Problem.NOT_ALLOWED: "invalid_value",
    Problem.TOO_SMALL: "too_small",
    Problem.TOO_BIG: "too_big",
    Problem.FORMAT: "invalid_format",
}

_SEGMENT = re.compile(r"[^.\[\]]+")


def error_response(error: ReelayError) -> JSONResponse:
    status = error.status_code
    answer = RunwayError(error=error.message, docUrl=DOC_URL)
    if isinstance(error, InputError) and error.location != "header":
        answer = validation_failure(error.issues, error.location)
    elif isinstance(error, InsufficientPoints):
        # Runway answers missing credits with a 400, not 402.
        status = 400
        answer.error = f"You do not have enough credits to run this task. {error.message.split(': ', 1)[-1]}"
    return JSONResponse(wire(answer), status_code=status, headers=getattr(error, "headers", None))


def validation_failure(issues: Sequence[InputError], location: str = "body") -> RunwayError:
    """A refused request: every issue found, as zod lists them."""
    return RunwayError(
        error=f"Validation of {location} failed", issues=[issue(found) for found in issues], docUrl=DOC_URL
    )


def issue(error: InputError) -> Issue:
    """One zod issue for the error (module docstring)."""
    path = wire_path(error.field or "body")
    found = Issue(code=ZOD_CODES[error.problem], path=path, message=error.message)
    if error.problem == Problem.UNKNOWN and path:
        found.path, found.keys = path[:-1], [str(path[-1])]
    elif error.problem == Problem.NOT_ALLOWED and error.allowed is not None:
        found.values = list(error.allowed)
    elif error.problem in (Problem.TOO_SMALL, Problem.TOO_BIG) and error.limit is not None:
        if error.problem == Problem.TOO_SMALL:
            found.minimum = error.limit
        else:
            found.maximum = error.limit
        found.inclusive = True
    return found


# What each status means in Runway's API, as /openapi.json describes it.
MEANINGS = {
    400: "The request was refused: a body, query or header field is not valid (`issues` says which), or the credits do not cover the task.",
    401: "No API key, or not a valid one.",
    404: "No such task (or path) for this key.",
    409: "The Idempotency-Key was used before with another body.",
    429: "Too many requests per second, or too many tasks at once; Retry-After says when to retry.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: its error answers in Runway's shape."""
    return {status: {"model": RunwayError, "description": MEANINGS[status]} for status in statuses}


def wire_path(field: str) -> list[str | int]:
    """A field's dotted wire name as a JSON path: keys as strings, list indexes as integers."""
    if field == "body":
        return []
    return [int(part) if part.isascii() and part.isdigit() else part for part in _SEGMENT.findall(field)]
