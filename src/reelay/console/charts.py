"""Stacked bar charts as plain numbers for an inline SVG: one bar a day, one colour a series.

Server-side geometry, so the page needs no chart library and no script; the template draws the
rectangles and gives the chart a <title>, a <desc> and a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Distinguishable on white and to most colour-blind readers (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP = 48, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # what a tooltip (<title>) says: "2026-12-06, gen4_turbo: 3"


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass
class Chart:
    id: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    day_labels: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, series)
    total: int = 0


def _nice_max(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least the tallest bar."""
    magnitude = 1
    while True:
        for mantissa in (1, 2, 5):
            if mantissa * magnitude >= value:
                return mantissa * magnitude
        magnitude *= 10


def stacked(chart_id: str, title: str, unit: str, days: list[date], series: dict[str, dict[date, int]]) -> Chart:
    """`series`: name → value by day. Bars stack the series in name order."""
    names = sorted(series)
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    totals = {day: sum(max(series[name].get(day, 0), 0) for name in names) for day in days}
    top = _nice_max(max(totals.values(), default=0))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(days), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    grand = sum(totals.values())
    peak = max(totals, key=lambda d: totals[d], default=None)
    description = f"{grand} {unit} over {len(days)} days"
    if peak is not None and totals[peak]:
        description += f"; the most on {peak.isoformat()} ({totals[peak]})"
    chart = Chart(chart_id, title, description + ".", total=grand)
    chart.legend = [(colours[name], name) for name in names]
    for step in range(5):
        value = round(top * step / 4)
        chart.ticks.append(Tick(TOP + plot_h - plot_h * value / top, value))
    every = max(1, round(len(days) / 8))  # at most about eight date labels under the axis
    for index, day in enumerate(days):
        x = LEFT + slot * index + (slot - bar_w) / 2
        if index % every == 0:
            chart.day_labels.append((x + bar_w / 2, day.strftime("%m-%d")))
        base = float(TOP + plot_h)
        for name in names:
            value = max(series[name].get(day, 0), 0)
            if not value:
                continue
            height = plot_h * value / top
            base -= height
            chart.bars.append(Bar(x, base, bar_w, height, colours[name], f"{day.isoformat()}, {name}: {value} {unit}"))
    return chart
