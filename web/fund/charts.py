"""The disclosure's bar charts as server-side SVG geometry: the template draws the rectangles, no JavaScript."""
from __future__ import annotations

from dataclasses import dataclass

from domain.fund.model import CATEGORIES
from domain.kernel.money import format_fen


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in SVG user units."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    kind: str


@dataclass(frozen=True)
class Chart:
    """A bar chart ready to draw: bars, axis labels and the scale's maximum."""

    width: int
    height: int
    baseline: float
    bars: list[Bar]
    labels: list[tuple[float, str]]
    maximum: str


def monthly_chart(months: list[dict]) -> Chart:
    """Twelve bars of money paid per month (refunds can make a month negative: drawn as zero)."""
    width, height, top, bottom, left = 640, 220, 20, 30, 10
    peak = max([m["paid"] for m in months] + [1])
    slot = (width - 2 * left) / len(months)
    bars, labels = [], []
    for i, m in enumerate(months):
        value = max(m["paid"], 0)
        h = (height - top - bottom) * value / peak
        x = left + i * slot + slot * 0.15
        bars.append(Bar(round(x, 1), round(height - bottom - h, 1), round(slot * 0.7, 1), round(h, 1),
                        m["month"], format_fen(m["paid"]), "paid"))
        labels.append((round(x + slot * 0.35, 1), str(int(m["month"][5:]))))
    return Chart(width, height, height - bottom, bars, labels, format_fen(peak))


def category_chart(rows: list[dict]) -> Chart:
    """Budget (allocated) against actual (paid) per category, two bars each."""
    width, height, top, bottom, left = 640, 220, 20, 30, 10
    peak = max([r["allocated"] for r in rows] + [r["paid"] for r in rows] + [1])
    slot = (width - 2 * left) / max(len(rows), 1)
    bars, labels = [], []
    for i, r in enumerate(rows):
        for j, kind in enumerate(("allocated", "paid")):
            value = max(r[kind], 0)
            h = (height - top - bottom) * value / peak
            x = left + i * slot + slot * (0.1 + 0.4 * j)
            bars.append(Bar(round(x, 1), round(height - bottom - h, 1), round(slot * 0.38, 1), round(h, 1),
                            CATEGORIES.get(r["category"], r["category"]), format_fen(r[kind]), kind))
        labels.append((round(left + i * slot + slot / 2, 1), CATEGORIES.get(r["category"], r["category"])))
    return Chart(width, height, height - bottom, bars, labels, format_fen(peak))
