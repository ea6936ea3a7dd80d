"""A real `reelay serve` whose channels go to the upstream emulator, as the upstream tests run it."""

from __future__ import annotations

from .client import ReelayClient
from .server import ReelayProcess


def channel(name, engine, url, keys, **extra):
    """One `[[channels]]` table of REELAY_CONFIG, quick to poll and to time out."""
    settings = {"poll_seconds": 0.3, "max_poll_seconds": 0.6, "request_timeout_seconds": 1.5} | extra
    lines = [
        "[[channels]]",
        f'name = "{name}"',
        f'engine = "{engine}"',
        f'base_url = "{url}"',
        "keys = [" + ", ".join(f'"{k}"' for k in keys) + "]",
    ]
    for setting, value in settings.items():
        lines.append(f"{setting} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(value) -> str:
    """A setting's value as TOML: tables inline (`sizes = { "16:9" = "832x480" }`)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{key}" = {_toml(item)}' for key, item in value.items()) + " }"
    return str(value).lower() if isinstance(value, bool) else repr(value).replace("'", '"')


class Gateway:
    def __init__(self, tmp_path, config: str, **env):
        (tmp_path / "reelay.toml").write_text(config)
        self.server = ReelayProcess(
            tmp_path / "data", extra_env={"REELAY_CONFIG": str(tmp_path / "reelay.toml"), **env}
        )
        self.server.extra_env["REELAY_PUBLIC_URL"] = self.server.url
        self.server.start()
        client = ReelayClient.with_new_key(self.server)
        self.key, self.http, self.pro, self.official = client.key, client.http, client.pro, client.official

    def stop(self):
        self.server.stop()


def creates(emulator, path):
    """The create requests the emulator received on `path`, oldest first."""
    return [r for r in emulator.requests(path) if r["method"] == "POST"]
