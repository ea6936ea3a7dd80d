"""`reelay generate`: a small client of Reelay's official dialect, with a progress bar.

It speaks the official dialect because that one needs no callback URL.
"""

from __future__ import annotations

import base64
import mimetypes
import time
from pathlib import Path

import httpx
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from reelay.domain import catalogue


class GenerateError(Exception):
    pass


def pick_model(model: str | None, image: str | None, last_image: str | None) -> str:
    if model:
        return catalogue.PRO_MODELS[model].official if model in catalogue.PRO_MODELS else model
    if last_image:
        return "gen3a_turbo"  # takes a first and a last frame
    return "gen4_turbo" if image else "gen4.5"


def pick_ratio(model: str, kind: str, ratio: str | None) -> str | None:
    """Accept a pixel ratio as is; turn an aspect ratio (16:9) into the model's pixel ratio."""
    spec = catalogue.OFFICIAL_MODELS.get(model)
    if ratio is None or spec is None or kind not in spec.ratios:
        return ratio if ratio else (spec.ratios[kind][0] if spec and kind in spec.ratios else None)
    if ratio in spec.ratios[kind]:
        return ratio
    want_w, want_h = (float(v) for v in ratio.split(":"))
    for candidate in spec.ratios[kind]:
        if not candidate.replace(":", "").isdigit():
            continue  # a tier ("auto_720p") or "adaptive": no aspect to compare
        width, height = catalogue.pixel_size(candidate)
        if abs(width / height - want_w / want_h) < 0.1:
            return candidate
    raise GenerateError(f"--ratio {ratio} is not available for {model}; it takes {', '.join(spec.ratios[kind])}")


def image_uri(value: str) -> str:
    if value.startswith(("http://", "https://", "data:")):
        return value
    path = Path(value)
    if not path.is_file():
        raise GenerateError(f"image file not found: {value}")
    content_type = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{content_type};base64,{base64.b64encode(path.read_bytes()).decode()}"


def build_body(prompt, image, last_image, ratio, seconds, model, seed) -> tuple[str, dict]:
    model = pick_model(model, image, last_image)
    kind = catalogue.IMAGE_TO_VIDEO if image else catalogue.TEXT_TO_VIDEO
    body: dict = {"model": model, "duration": seconds}
    if prompt:
        body["promptText"] = prompt
    chosen_ratio = pick_ratio(model, kind, ratio)
    if chosen_ratio:
        body["ratio"] = chosen_ratio
    if seed is not None:
        body["seed"] = seed
    if image:
        body["promptImage"] = [{"uri": image_uri(image), "position": "first"}]
        if last_image:
            body["promptImage"].append({"uri": image_uri(last_image), "position": "last"})
    elif last_image:
        raise GenerateError("--last-image needs --image as the first frame")
    return ("/v1/image_to_video" if image else "/v1/text_to_video"), body


def run_generate(*, server, key, prompt, image, last_image, ratio, seconds, model, seed, out: Path) -> None:
    path, body = build_body(prompt, image, last_image, ratio, seconds, model, seed)
    headers = {"Authorization": f"Bearer {key}", "X-Runway-Version": "2024-11-06"}
    with httpx.Client(base_url=server, headers=headers, timeout=60) as http:
        try:
            created = http.post(path, json=body)
        except httpx.HTTPError as error:
            raise GenerateError(f"cannot reach {server}: {error}") from None
        if created.status_code != 200:
            raise GenerateError(f"HTTP {created.status_code}: {_error_text(created)}")
        task_id = created.json()["id"]
        task = _follow(http, task_id)
        if task["status"] == "FAILED":
            raise GenerateError(
                f"task {task_id} failed: {task.get('failure')} ({task.get('failureCode') or 'no code'})"
            )
        if task["status"] == "CANCELLED":
            raise GenerateError(f"task {task_id} was cancelled")
        with http.stream("GET", task["output"][0]) as video:
            if video.status_code != 200:
                raise GenerateError(f"downloading the video answered HTTP {video.status_code}")
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("wb") as file:
                for chunk in video.iter_bytes():
                    file.write(chunk)
    print(f"{out} ({out.stat().st_size} bytes) from task {task_id}")


def _follow(http: httpx.Client, task_id: str) -> dict:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        line = bar.add_task(f"{task_id[:8]} PENDING", total=1.0)
        while True:
            answer = http.get(f"/v1/tasks/{task_id}")
            if answer.status_code != 200:
                raise GenerateError(f"reading task {task_id}: HTTP {answer.status_code}: {_error_text(answer)}")
            task = answer.json()
            done = task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED")
            progress = 1.0 if task["status"] == "SUCCEEDED" else task.get("progress", 0.0)
            bar.update(line, completed=progress, description=f"{task_id[:8]} {task['status']}")
            if done:
                return task
            time.sleep(0.5)


def _error_text(response: httpx.Response) -> str:
    """The error's sentence; for a refused body, the issues' ("duration: gen4.5 takes ...")."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    issues = body.get("issues") if isinstance(body, dict) else None
    if isinstance(issues, list) and issues:
        return "; ".join(str(issue.get("message")) for issue in issues if isinstance(issue, dict))
    return str(body.get("error") or body.get("msg")) if isinstance(body, dict) else response.text[:200]
