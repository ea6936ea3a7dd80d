"""The operator's config file (`REELAY_CONFIG`, TOML): channels now, prices later.

[[channels]]
name = "runway-main"
engine = "runway"                 # sandbox | runway | relay | openai-videos
base_url = "https://api.dev.runwayml.com"
keys = ["env:RUNWAY_KEY", "key_..."]   # a pool; "env:VAR" reads the environment
models = ["gen4_turbo"]           # empty: every model
priority = 10                     # higher first
weight = 1                        # share among channels of the same priority
max_concurrent = 4                # tasks upstream at once (whole life of a task)
key_max_concurrent = 2            # per key of the pool

[[channels]]                      # an open model on this machine's GPU (docs/gpu.md)
name = "wan-5b"
engine = "diffusers"
model_dir = "/models/Wan2.2-TI2V-5B-Diffusers"   # a local folder; never downloaded
family = "wan2.2-ti2v-5b"
models = ["gen4_turbo"]

An `openai-videos` channel (docs/openai-videos.md) also takes `upstream_model`, `model_map`,
`sizes` and `durations`.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ENGINES = ("sandbox", "runway", "relay", "openai-videos", "diffusers")
LOCAL_ENGINES = ("sandbox", "diffusers")  # no base_url: nothing upstream
SIZE = re.compile(r"^[1-9][0-9]*x[1-9][0-9]*$")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    engine: str
    base_url: str = ""
    keys: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    priority: int = 0
    weight: int = 1
    max_concurrent: int | None = None
    key_max_concurrent: int | None = None
    # Upstream polling: never more often than this (Runway asks for 5 s).
    poll_seconds: float = 5.0
    max_poll_seconds: float = 30.0
    # While a task runs, poll less often when its progress says the end is far off.
    poll_by_progress: bool = True
    # An upstream task unfinished after this long fails, and its cancel is sent upstream.
    task_timeout_seconds: float = 1800.0
    request_timeout_seconds: float = 30.0
    # runway: the model text-only pro tasks go to.
    text_model: str = "gen4.5"
    # relay: how long a fresh upstream id may answer task_not_exist.
    feed_grace_seconds: float = 30.0
    # openai-videos: the `model` sent upstream (empty: none, the server's own model), and per
    # Reelay model (the client's name or the official one it stands for) in `model_map`.
    upstream_model: str = ""
    model_map: dict = field(default_factory=dict, hash=False, compare=False)
    # openai-videos: `size` ("WxH") per Runway ratio or aspect ("1280:720", "16:9"), over the
    # default table (engines/upstream/openai_form.py). diffusers: ratio -> "WxH", replacing the
    # family's size table whole (a tiny model renders small in tests; engines/diffusers/settings.py).
    sizes: dict = field(default_factory=dict, hash=False, compare=False)
    # openai-videos: the clip lengths the upstream takes; a task's duration goes as the nearest
    # (empty: as asked).
    durations: tuple[int, ...] = ()
    # Points per second of video per model on this channel, over the [prices] table.
    prices: dict = field(default_factory=dict, hash=False, compare=False)
    # diffusers: an open model run in the worker's process (engines/diffusers/settings.py reads
    # and checks these; docs/gpu.md). Steps and guidance default to the family's.
    model_dir: str = ""
    family: str = ""
    dtype: str = "bfloat16"
    device: str = "cuda"
    cpu_offload: bool = False
    steps: int | None = None
    guidance: float | None = None
    negative_prompt: str = ""

    @property
    def capacity(self) -> int | None:
        """Concurrent tasks this channel takes: the channel cap and the keys' caps together."""
        caps = []
        if self.max_concurrent is not None:
            caps.append(self.max_concurrent)
        elif self.engine == "diffusers":
            caps.append(1)  # one task at a time on the device unless the operator says otherwise
        if self.key_max_concurrent is not None and self.keys:
            caps.append(self.key_max_concurrent * len(self.keys))
        return min(caps) if caps else None

    def key_for_slot(self, slot: int | None) -> str:
        # Slots are spread over the keys in turn, so no key holds more than its share.
        return self.keys[(slot or 0) % len(self.keys)] if self.keys else ""

    def serves(self, model: str, engine_model: str) -> bool:
        return not self.models or model in self.models or engine_model in self.models


@dataclass(frozen=True)
class ReelayConfig:
    channels: tuple[ChannelConfig, ...] = field(default_factory=lambda: (ChannelConfig("sandbox", "sandbox"),))
    prices: dict = field(default_factory=dict)


def load_config(path: str | Path | None) -> ReelayConfig:
    if not path:
        return ReelayConfig()
    try:
        raw = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"REELAY_CONFIG: {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"REELAY_CONFIG: {path} is not valid TOML ({error})") from None
    channels = tuple(_channel(entry, index) for index, entry in enumerate(raw.get("channels", [])))
    names = [c.name for c in channels]
    if len(set(names)) != len(names):
        raise ConfigError("channels: names must be unique")
    if not channels:
        raise ConfigError("channels: the config file names no channel; add a [[channels]] table")
    prices = raw.get("prices", {})
    for model, price in prices.items():
        if not isinstance(price, (int, float)) or price < 0:
            raise ConfigError(f"prices.{model} must be a number of points per second, not {price!r}")
    return ReelayConfig(channels=channels, prices=dict(prices))


def _channel(entry: dict, index: int) -> ChannelConfig:
    where = f"channels[{index}]"
    if not isinstance(entry, dict) or not entry.get("name"):
        raise ConfigError(f"{where}.name is required")
    engine = entry.get("engine")
    if engine not in ENGINES:
        raise ConfigError(f"{where}.engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine not in LOCAL_ENGINES and not entry.get("base_url"):
        raise ConfigError(f"{where}.base_url is required for engine {engine}")
    known = set(ChannelConfig.__dataclass_fields__)
    unknown = set(entry) - known
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    values = dict(entry)
    values["keys"] = tuple(_secret(key, f"{where}.keys") for key in entry.get("keys", []))
    values["models"] = tuple(entry.get("models", []))
    values["base_url"] = str(entry.get("base_url", "")).rstrip("/")
    values.update(_openai_videos(entry, where))
    # A diffusers channel's own settings are checked by its engine, built at every start.
    return ChannelConfig(**values)


def _openai_videos(entry: dict, where: str) -> dict:
    """The openai-videos settings, checked: each wrong value is named."""
    found: dict = {}
    if "upstream_model" in entry and not isinstance(entry["upstream_model"], str):
        raise ConfigError(f"{where}.upstream_model must be a string")
    for name in ("model_map", "sizes"):
        table = entry.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f'{where}.{name} must be a table, e.g. {name} = {{ "gen4_turbo" = "..." }}')
        for key, value in table.items():
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where}.{name}.{key} must be a non-empty string, not {value!r}")
            if name == "sizes" and not SIZE.match(value):
                raise ConfigError(f"{where}.sizes.{key} must be a size like 1280x720, not {value!r}")
        found[name] = dict(table)
    durations = entry.get("durations", [])
    if not isinstance(durations, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in durations
    ):
        raise ConfigError(f"{where}.durations must be a list of whole seconds > 0, e.g. [4, 8, 12]")
    found["durations"] = tuple(sorted(durations))
    return found


def _secret(value: str, where: str) -> str:
    if isinstance(value, str) and value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise ConfigError(f"{where}: environment variable {name} is not set")
        return os.environ[name]
    return str(value)
