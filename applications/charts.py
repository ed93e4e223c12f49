"""Charts drawn on the server as SVG, for the HR reports.

Each chart is an image with a name and a description (role="img", its <title> named by
aria-labelledby, its <desc> by aria-describedby), in the GC Design System's colours, and carries
nothing the Content-Security-Policy forbids: presentation attributes only (fill=, font-size=), no
style attribute, no script.
The page puts the chart's figures beside it as a table, which is what screen readers read.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# GC Design System tokens (static/vendor/gcds/components/gcds.css); each bar colour has at least
# 3:1 contrast with the white background (WCAG 1.4.11), and the two series with each other.
TEXT = "#333333"  # --gcds-color-grayscale-800, the text colour of GC pages
BLUE_MUTED = "#26374a"  # --gcds-color-blue-muted, the Canada.ca theme blue
BLUE = "#4788d1"  # --gcds-color-blue-450
GRID = "#cccccc"  # --gcds-color-grayscale-200, decorative lines
BACKGROUND = "#ffffff"
SERIES_COLOURS = [BLUE_MUTED, BLUE]

FONT = "'Noto Sans', 'Lato', sans-serif"
FONT_SIZE = 13
CHAR_WIDTH = 7.2  # an average character at FONT_SIZE, to leave room for labels
LABEL_MAX_CHARS = 36
WIDTH = 640


@dataclass(frozen=True)
class Series:
    """One set of values of a chart, with its name (the legend) and how its values read."""

    name: str
    values: Sequence[float | int | None]
    text: Callable[[float | int], str]


def shorten(label: str, limit: int = LABEL_MAX_CHARS) -> str:
    """A label cut to fit beside the bars (the table beside the chart has it whole)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def svg(chart_id: str, title: str, description: str, height: float, body: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{id}-title" '
        'aria-describedby="{id}-desc" '
        'font-family="{font}" font-size="{size}" fill="{text}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        '<rect width="{w}" height="{h}" fill="{background}"/>{body}</svg>',
        w=WIDTH,
        h=round(height),
        id=chart_id,
        font=FONT,
        size=FONT_SIZE,
        text=TEXT,
        title=title,
        description=description,
        background=BACKGROUND,
        body=mark_safe(body),  # the parts, each made by format_html
    )


def legend(series: Sequence[Series], y: float) -> str:
    items, x = [], 0.0
    for index, one in enumerate(series):
        items.append(
            format_html(
                '<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
                '<text x="{tx}" y="{ty}">{name}</text>',
                x=round(x),
                y=round(y),
                colour=SERIES_COLOURS[index % len(SERIES_COLOURS)],
                tx=round(x + 18),
                ty=round(y + 11),
                name=one.name,
            )
        )
        x += 18 + len(one.name) * CHAR_WIDTH + 24
    return "".join(items)


def horizontal_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: list[Series],
    at_least: float = 0,
) -> SafeString:
    """A bar chart with one row per label and one bar per series in each (the longest bar spans
    the width left by the labels, or a value of `at_least` does), each bar's value written at its
    end."""
    label_width = min(LABEL_MAX_CHARS, max((len(label) for label in labels), default=0))
    left = 12 + label_width * CHAR_WIDTH
    value_room = (
        12
        + max((len(one.text(v)) for one in series for v in one.values if v is not None), default=0)
        * CHAR_WIDTH
    )
    span = max(WIDTH - left - value_room, 40)
    top = 30 if len(series) > 1 else 4
    bar, gap = 18, 10
    row = bar * len(series) + gap
    largest = max((v for one in series for v in one.values if v), default=0)
    largest = max(largest, at_least) or 1
    parts = [legend(series, 6)] if len(series) > 1 else []
    for index, label in enumerate(labels):
        y = top + index * row
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="end">{label}</text>',
                x=round(left - 8),
                y=round(y + bar * len(series) / 2 + 4),
                label=shorten(label),
            )
        )
        for number, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            length = span * value / largest
            bar_y = y + number * bar
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{colour}"/>'
                    '<text x="{tx}" y="{ty}">{text}</text>',
                    x=round(left),
                    y=round(bar_y + 1),
                    w=f"{max(length, 1):.1f}",
                    h=bar - 2,
                    colour=SERIES_COLOURS[number % len(SERIES_COLOURS)],
                    tx=f"{left + length + 6:.1f}",
                    ty=round(bar_y + bar / 2 + 4),
                    text=one.text(value),
                )
            )
    height = top + len(labels) * row + 4
    return svg(chart_id, title, description, height, "".join(parts))


def nice_step(largest: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) dividing 0…largest in about `ticks`."""
    if largest <= 0:
        return 1
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def columns(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[int],
    text: Callable[[float | int], str],
) -> SafeString:
    """A column chart over time: a column per period, a value axis with round steps, and some
    period labels under the columns (the first, the last and evenly spaced ones between)."""
    height, top, bottom, left = 260, 12, 40, 12 + 7 * CHAR_WIDTH
    plot_height = height - top - bottom
    largest = max(values, default=0)
    step = nice_step(largest)
    scale_top = max(step * math.ceil(largest / step), step)
    parts = []
    tick = 0.0
    while tick <= scale_top + step / 2:
        y = top + plot_height * (1 - tick / scale_top)
        parts.append(
            format_html(
                '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{grid}" stroke-width="1"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end">{text}</text>',
                x1=round(left),
                x2=WIDTH - 4,
                y=f"{y:.1f}",
                grid=GRID,
                tx=round(left - 6),
                ty=f"{y + 4:.1f}",
                text=text(tick),
            )
        )
        tick += step
    count = max(len(values), 1)
    slot = (WIDTH - 4 - left) / count
    width = max(slot * 0.8, 1)
    every = max(1, math.ceil(count / 6))
    for index, value in enumerate(values):
        x = left + index * slot + (slot - width) / 2
        bar_height = plot_height * value / scale_top
        if value:
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{colour}"/>',
                    x=f"{x:.1f}",
                    y=f"{top + plot_height - bar_height:.1f}",
                    w=f"{width:.1f}",
                    h=f"{bar_height:.1f}",
                    colour=BLUE_MUTED,
                )
            )
        if index % every == 0 or (index == count - 1 and index % every >= every / 2):
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="middle">{label}</text>',
                    x=f"{x + width / 2:.1f}",
                    y=height - bottom + 18,
                    label=labels[index],
                )
            )
    parts.append(
        format_html(
            '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{text}" stroke-width="1"/>',
            x1=round(left),
            x2=WIDTH - 4,
            y=top + plot_height,
            text=TEXT,
        )
    )
    return svg(chart_id, title, description, height, "".join(parts))


def describe(labels: Sequence[str], texts: Sequence[str]) -> str:
    """A chart's description: each label with its value, as the table beside it gives them."""
    return "; ".join(f"{label}: {text}" for label, text in zip(labels, texts, strict=True))
