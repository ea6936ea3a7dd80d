"""The `reelay` command: serve, keys, generate."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import typer

from reelay.settings import Settings

app = typer.Typer(
    help="Reelay: a self-hosted video generation gateway that speaks Runway's APIs.", no_args_is_help=True
)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
callbacks_app = typer.Typer(help="See and resend callback deliveries.", no_args_is_help=True)
app.add_typer(callbacks_app, name="callbacks")


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to listen on (default: REELAY_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port to listen on (default: REELAY_PORT or 8000)."),
    no_worker: bool = typer.Option(False, "--no-worker", help="API only: tasks are run by `reelay worker` processes."),
) -> None:
    """Run the API server (with its worker, unless --no-worker or REELAY_WORKER=false)."""
    import uvicorn

    from reelay.app import create_app

    settings = Settings()
    if no_worker:
        settings.worker = False
    settings.host = host = host or settings.host
    settings.port = port = port if port is not None else settings.port
    typer.echo(f"Reelay listening on http://{host}:{port}", err=False)
    sys.stdout.flush()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


@app.command()
def worker(
    engines: str = typer.Option(
        None,
        help="Only claim tasks of these engine kinds, comma separated (sandbox,runway,relay,openai-videos,diffusers).",
    ),
) -> None:
    """Run a worker process: claims due tasks, drives engines, delivers callbacks. SIGTERM hands
    its tasks back and exits."""
    import signal

    from reelay.wiring import running

    settings = Settings()
    settings.worker = True
    if engines:
        settings.worker_engines = [name.strip() for name in engines.split(",") if name.strip()]

    async def run() -> None:
        async with running(settings) as reelay:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            assert reelay.worker is not None
            typer.echo(
                f"Reelay worker {reelay.worker.owner} running ({', '.join(settings.worker_engines) or 'all engines'})"
            )
            await stop.wait()
        typer.echo("Reelay worker stopped; its tasks were handed back.")

    asyncio.run(run())


def _with_reelay(action):
    """Run `action(reelay)` on the configured database (migrated first) and stores, built as the
    server builds them, with nothing running in the background."""

    async def run():
        from reelay.wiring import opened

        settings = Settings()
        settings.worker = False
        async with opened(settings) as reelay:
            return await action(reelay)

    return asyncio.run(run())


@keys_app.command("create")
def keys_create(
    name: str = typer.Option("", help="A label for the key."),
    points: int = typer.Option(0, help="Opening balance in points."),
    max_concurrent: int = typer.Option(None, help="Tasks running at once; more wait THROTTLED."),
    rps: float = typer.Option(None, help="Requests per second; more answer 429."),
    daily: int = typer.Option(None, help="Tasks created per 24 hours; more answer 429."),
    monthly_spend: int = typer.Option(None, help="Reported as the tier's maxMonthlyCreditSpend."),
) -> None:
    """Create a key. The key itself is printed once, alone on the last line."""
    from reelay.store.keys import KeyLimits

    limits = KeyLimits(max_concurrent, rps, daily, monthly_spend)
    key, plain = _with_reelay(lambda reelay: reelay.keys.create(name, points=points, limits=limits))
    typer.echo(f"Created key {key.id} ({key.name or 'unnamed'}). Key and signing secret are shown only now.")
    typer.echo(f"Callback signing secret (Standard Webhooks): {key.signing_secret}")
    typer.echo(plain)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (their prefixes; keys themselves are never stored)."""
    for key in _with_reelay(lambda reelay: reelay.keys.list()):
        state = "revoked" if key.revoked_at else "active"
        role = "admin" if key.is_admin else "client"
        typer.echo(f"{key.id}  {key.prefix}…  {role:6}  {state:7}  {key.name}")


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(..., help="The key's id or prefix.")) -> None:
    """Revoke a key: it stops working at once."""
    if not _with_reelay(lambda reelay: reelay.keys.revoke(key_id)):
        typer.echo(f"No active key {key_id!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Revoked {key_id}.")


@keys_app.command("topup")
def keys_topup(
    key_id: str = typer.Argument(..., help="The key's id or prefix."),
    points: int = typer.Argument(..., help="Points to add (negative with --adjust)."),
    note: str = typer.Option(None, help="Why, for the ledger."),
    adjust: bool = typer.Option(False, "--adjust", help="An adjustment (may be negative) instead of a top-up."),
) -> None:
    """Add points to a key; the change is a ledger entry."""
    from reelay.domain.errors import InputError, InsufficientPoints

    async def run(reelay):
        key = await reelay.keys.find(key_id)
        if key is None:
            return None
        return await reelay.ledger.credit(key.id, points, kind="adjustment" if adjust else "topup", note=note)

    if not adjust and points <= 0:
        typer.echo("A top-up must be positive; use --adjust to take points away.", err=True)
        raise typer.Exit(1)
    try:
        balance = _with_reelay(run)
    except (InsufficientPoints, InputError) as error:  # below zero, or past the most a balance holds
        typer.echo(error.message, err=True)
        raise typer.Exit(1) from None
    if balance is None:
        typer.echo(f"No key {key_id!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Balance of {key_id}: {balance} points.")


@keys_app.command("ledger")
def keys_ledger(key_id: str = typer.Argument(..., help="The key's id or prefix.")) -> None:
    """Every change of a key's points, newest first, and the balance."""
    import datetime as dt

    async def run(reelay):
        key = await reelay.keys.find(key_id)
        if key is None:
            return None
        return await reelay.ledger.balance(key.id), await reelay.ledger.entries(key.id)

    found = _with_reelay(run)
    if found is None:
        typer.echo(f"No key {key_id!r}.", err=True)
        raise typer.Exit(1)
    balance, entries = found
    typer.echo(f"Balance: {balance} points")
    for e in entries:
        when = dt.datetime.fromtimestamp(e.created_at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        typer.echo(f"{when}  {e.kind:10} {e.amount:+8d}  {e.task_id or ''}  {e.model or ''}  {e.note or ''}".rstrip())


@keys_app.command("rotate-secret")
def keys_rotate_secret(
    key_id: str = typer.Argument(..., help="The key's id or prefix."),
    overlap_hours: float = typer.Option(
        None, help="How long the old secret keeps signing too (default: REELAY_SECRET_OVERLAP_HOURS)."
    ),
) -> None:
    """Give a key a new callback signing secret; both sign during the overlap."""
    hours = overlap_hours if overlap_hours is not None else Settings().secret_overlap_hours
    secret = _with_reelay(lambda reelay: reelay.keys.rotate_secret(key_id, hours * 3600))
    if secret is None:
        typer.echo(f"No key {key_id!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"New signing secret; the old one keeps signing for {hours:g} hours:")
    typer.echo(secret)


@callbacks_app.command("list")
def callbacks_list(
    dead: bool = typer.Option(False, "--dead", help="Only deliveries that were given up on."),
    task: str = typer.Option(None, "--task", help="Only this task's deliveries."),
) -> None:
    """List callback deliveries, newest first."""
    import datetime as dt

    deliveries = _with_reelay(lambda reelay: reelay.callbacks.list(task_id=task, state="dead" if dead else None))
    for d in deliveries:
        when = dt.datetime.fromtimestamp(d.created_at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        typer.echo(
            f"{d.id}  {when}  task {d.task_id}  {d.event_status.value:9}  {d.state:9}  "
            f"{d.attempts} attempts  {d.url}  {d.last_error or ''}".rstrip()
        )
    if not deliveries:
        typer.echo("No deliveries.")


@callbacks_app.command("resend")
def callbacks_resend(delivery_id: str = typer.Argument(..., help="The delivery's id (or a unique prefix).")) -> None:
    """Send a delivery again now, even a dead or delivered one."""
    if not _with_reelay(lambda reelay: reelay.callbacks.resend(delivery_id)):
        typer.echo(f"No delivery {delivery_id!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Delivery {delivery_id} will be sent again.")


@app.command()
def timeline(task_id: str = typer.Argument(..., help="The task's id.")) -> None:
    """Everything that happened to a task, oldest first: status changes, each engine step with the
    requests it made upstream, each callback attempt, the charge and the refund."""
    import datetime as dt

    from reelay.domain.errors import TaskNotFound

    async def read(reelay):
        task = await reelay.reader.any(task_id)
        return task, await reelay.timeline.of(task)

    try:
        task, events = _with_reelay(read)
    except TaskNotFound as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"task {task.id}  {task.status.value}  {task.request.model} on {task.channel}")
    start = task.created_at.timestamp()
    for event in events:
        when = dt.datetime.fromtimestamp(event.at, dt.UTC).strftime("%H:%M:%S.%f")[:-3]
        typer.echo(f"{when}  +{event.at - start:7.3f} s  {event.kind:8}  {event.title}")


@app.command()
def channels(
    server: str = typer.Option("http://127.0.0.1:8000", envvar="REELAY_SERVER", help="Reelay's URL."),
    key: str = typer.Option(..., envvar="REELAY_ADMIN_KEY", help="The admin key."),
) -> None:
    """List the running server's channels: health, tasks in flight, recent errors."""
    import datetime as dt

    import httpx

    try:
        answer = httpx.get(
            f"{server.rstrip('/')}/admin/channels", headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
    except httpx.HTTPError as error:
        typer.echo(f"error: cannot reach {server}: {error}", err=True)
        raise typer.Exit(1) from None
    if answer.status_code != 200:
        typer.echo(f"error: HTTP {answer.status_code}: {answer.text[:200]}", err=True)
        raise typer.Exit(1)
    for channel in answer.json()["data"]:
        health = "healthy" if channel["healthy"] else f"unhealthy ({channel['failures']} failures)"
        cap = channel["capacity"] if channel["capacity"] is not None else "-"
        typer.echo(
            f"{channel['name']}  {channel['engine']:7}  priority {channel['priority']}  weight {channel['weight']}  "
            f"{health}  live {channel['live_tasks']}  slots {channel['slots_in_use']}/{cap}  {channel['base_url']}".rstrip()
        )
        for recent in channel["recent_errors"][-3:]:
            when = dt.datetime.fromtimestamp(recent["at"], dt.UTC).strftime("%H:%M:%S")
            typer.echo(f"    {when}  {recent['error']}")


@app.command()
def generate(
    prompt: str = typer.Argument("", help="What the video shows."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    image: str = typer.Option(None, help="First frame: a file path or an https URL."),
    last_image: str = typer.Option(None, "--last-image", help="Last frame: a file path or an https URL."),
    ratio: str = typer.Option(None, help="Pro ratio (16:9, 9:16, 1:1, 4:3, 3:4, 21:9)."),
    seconds: int = typer.Option(5, help="5 or 10."),
    model: str = typer.Option(
        None,
        help="A model (gen4_turbo, gen4.5, veo3.1, ... or a pro name such as gen3); default: one that fits the inputs.",
    ),
    seed: int = typer.Option(None, help="Seed, for a repeatable video."),
    server: str = typer.Option("http://127.0.0.1:8000", envvar="REELAY_SERVER", help="Reelay's URL."),
    key: str = typer.Option(..., envvar="REELAY_KEY", help="An API key."),
) -> None:
    """Submit a task to a running server, show its progress, and write the video."""
    from reelay.client import GenerateError, run_generate

    try:
        run_generate(
            server=server,
            key=key,
            prompt=prompt,
            image=image,
            last_image=last_image,
            ratio=ratio,
            seconds=seconds,
            model=model,
            seed=seed,
            out=out,
        )
    except GenerateError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
