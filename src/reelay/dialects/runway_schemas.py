"""The official dialect's answers as pydantic models: what /openapi.json documents and what the
routes send are the same objects (`wire`), with the fields and key order Runway's SDKs read.

The create bodies are in `runway_bodies.py` (generated from the catalogue).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from reelay.domain.status import Status

TaskStatus = Literal["PENDING", "THROTTLED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]
assert set(TaskStatus.__args__) == {status.value for status in Status}  # type: ignore[attr-defined]


def wire(model: BaseModel) -> dict[str, Any]:
    """A model as its JSON body: wire names, and the members Runway leaves out when unset absent."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


class Credits(BaseModel):
    credits: int | float


class TaskObject(BaseModel):
    """GET /v1/tasks/{id}: `cost` once final, `estimatedCost` before; `progress` while running,
    `output` once succeeded, `failure` (and `failureCode`) once failed."""

    id: str
    status: TaskStatus
    createdAt: str = Field(description="ISO 8601, UTC, in milliseconds")
    cost: Credits | None = None
    estimatedCost: Credits | None = None
    progress: float | None = Field(default=None, ge=0, le=1)
    output: list[str] | None = Field(default=None, description="the results' URLs")
    failure: str | None = None
    failureCode: str | None = None


class CreatedTask(BaseModel):
    """What the SDK's `.create()` reads under /runwayml/v1: `data` (seed 004's clients)."""

    task_id: str
    task_status: TaskStatus
    created_at: int
    updated_at: int


class CreateAnswer(BaseModel):
    """A create's answer: `{id, estimatedCost}`; under /runwayml/v1 also the resellers' envelope."""

    id: str
    estimatedCost: Credits
    code: int | None = None
    message: str | None = None
    request_id: str | None = None
    data: CreatedTask | None = None


class ModelLimits(BaseModel):
    maxConcurrentGenerations: int | None
    maxDailyGenerations: int | None


class Tier(BaseModel):
    maxMonthlyCreditSpend: int
    models: dict[str, ModelLimits]


class ModelUsage(BaseModel):
    dailyGenerations: int


class DailyUsage(BaseModel):
    models: dict[str, ModelUsage]


class Organization(BaseModel):
    """GET /v1/organization."""

    creditBalance: int | float
    tier: Tier
    usage: DailyUsage


class UsedCredits(BaseModel):
    model: str
    amount: int | float


class UsageDay(BaseModel):
    date: str = Field(description="YYYY-MM-DD (UTC)")
    usedCredits: list[UsedCredits]


class Usage(BaseModel):
    """POST /v1/organization/usage: credits spent per day and model."""

    models: list[str]
    results: list[UsageDay]


class StartedUpload(BaseModel):
    """POST /v1/uploads: POST the file with `fields` to `uploadUrl`, then pass `runwayUri` on."""

    uploadUrl: str
    fields: dict[str, str]
    runwayUri: str


IssueCode = Literal[
    "custom", "unrecognized_keys", "invalid_type", "invalid_value", "too_small", "too_big", "invalid_format"
]


class Issue(BaseModel):
    """One zod issue (runway_errors.py says which code each refusal gets)."""

    code: IssueCode
    path: list[str | int]
    message: str
    keys: list[str] | None = None
    values: list[Any] | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    inclusive: bool | None = None


class RunwayError(BaseModel):
    """Every error: `issues` when a body, query or path was refused."""

    error: str
    issues: list[Issue] | None = None
    docUrl: str
