"""The `reelay` command: serve, keys, generate."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import typer

from reelay.settings import Settings

app = typer.Typer(help="Reelay: a self-hosted video generation gateway that speaks Runway's APIs.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to listen on (default: REELAY_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port to listen on (default: REELAY_PORT or 8000)."),
) -> None:
    """Run the API server (with its worker, unless REELAY_WORKER=false)."""
    import uvicorn

    from reelay.app import create_app

    settings = Settings()
    host = host or settings.host
    port = port if port is not None else settings.port
    typer.echo(f"Reelay listening on http://{host}:{port}", err=False)
    sys.stdout.flush()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


def _with_store(action):
    async def run():
        from reelay.store.db import migrate, open_engine
        from reelay.store.keys import KeyStore

        settings = Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = open_engine(settings.resolved_database_url)
        try:
            await migrate(db)
            return await action(KeyStore(db))
        finally:
            await db.dispose()

    return asyncio.run(run())


@keys_app.command("create")
def keys_create(name: str = typer.Option("", help="A label for the key.")) -> None:
    """Create a key. The key itself is printed once, alone on the last line."""
    key, plain = _with_store(lambda keys: keys.create(name))
    typer.echo(f"Created key {key.id} ({key.name or 'unnamed'}). It is shown only now:")
    typer.echo(plain)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (their prefixes; keys themselves are never stored)."""
    for key in _with_store(lambda keys: keys.list()):
        state = "revoked" if key.revoked_at else "active"
        role = "admin" if key.is_admin else "client"
        typer.echo(f"{key.id}  {key.prefix}…  {role:6}  {state:7}  {key.name}")


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(..., help="The key's id or prefix.")) -> None:
    """Revoke a key: it stops working at once."""
    if not _with_store(lambda keys: keys.revoke(key_id)):
        typer.echo(f"No active key {key_id!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Revoked {key_id}.")


@app.command()
def generate(
    prompt: str = typer.Argument("", help="What the video shows."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    image: str = typer.Option(None, help="First frame: a file path or an https URL."),
    last_image: str = typer.Option(None, "--last-image", help="Last frame: a file path or an https URL."),
    ratio: str = typer.Option(None, help="Pro ratio (16:9, 9:16, 1:1, 4:3, 3:4, 21:9)."),
    seconds: int = typer.Option(5, help="5 or 10."),
    model: str = typer.Option(None, help="A model (gen4_turbo, gen4.5, veo3.1, ... or a pro name such as gen3); default: one that fits the inputs."),
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
        raise typer.Exit(1)
