"""A diffusers channel's settings, read from its [[channels]] table and checked at start."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reelay.config import ChannelConfig, ConfigError

from .families import FAMILIES, Family, Size

DTYPES = ("bfloat16", "float16", "float32")
_SIZE = re.compile(r"^(\d+)x(\d+)$")
_DEVICE = re.compile(r"^(cpu|cuda|cuda:\d+|mps|xpu|xpu:\d+)$")


@dataclass(frozen=True)
class DiffusersSettings:
    channel: str
    model_dir: Path
    family: Family
    sizes: dict[str, Size]
    dtype: str
    device: str
    cpu_offload: bool
    steps: int
    guidance: float
    negative_prompt: str

    @classmethod
    def of(cls, channel: ChannelConfig, where: str | None = None) -> DiffusersSettings:
        where = where or f"channel {channel.name}"
        if not channel.model_dir:
            raise ConfigError(f"{where}.model_dir is required for engine diffusers (a local folder)")
        family = FAMILIES.get(channel.family)
        if family is None:
            raise ConfigError(f"{where}.family must be one of {', '.join(FAMILIES)}, not {channel.family!r}")
        if channel.dtype not in DTYPES:
            raise ConfigError(f"{where}.dtype must be one of {', '.join(DTYPES)}, not {channel.dtype!r}")
        if not _DEVICE.match(channel.device):
            raise ConfigError(f"{where}.device must be cpu, cuda, cuda:N, mps or xpu, not {channel.device!r}")
        steps = channel.steps if channel.steps is not None else family.steps
        if not isinstance(steps, int) or steps < 1:
            raise ConfigError(f"{where}.steps must be a whole number of at least 1, not {steps!r}")
        guidance = channel.guidance if channel.guidance is not None else family.guidance
        if not isinstance(guidance, int | float) or guidance < 0:
            raise ConfigError(f"{where}.guidance must be a number of at least 0, not {guidance!r}")
        return cls(
            channel=channel.name,
            model_dir=Path(channel.model_dir).expanduser(),
            family=family,
            sizes=_sizes(channel.sizes, family, where) if channel.sizes else dict(family.sizes),
            dtype=channel.dtype,
            device=channel.device,
            cpu_offload=bool(channel.cpu_offload),
            steps=steps,
            guidance=float(guidance),
            negative_prompt=channel.negative_prompt,
        )


def _sizes(table: dict, family: Family, where: str) -> dict[str, Size]:
    """The channel's own table, which replaces the family's whole (a test's tiny model renders
    128x64); each size a multiple of the family's step."""
    sizes = {}
    for ratio, text in table.items():
        found = _SIZE.match(str(text))
        if not found:
            raise ConfigError(f'{where}.sizes.{ratio} must be "WIDTHxHEIGHT", not {text!r}')
        width, height = int(found[1]), int(found[2])
        if width % family.size_step or height % family.size_step or not width or not height:
            raise ConfigError(
                f"{where}.sizes.{ratio}: {family.name} takes sizes in multiples of {family.size_step}, not {text}"
            )
        sizes[str(ratio)] = (width, height)
    return sizes
