"""Charts drawn on the server as SVG: readable without JavaScript, a chart library or a CDN.

Three shapes, all the dashboards need (``web.dashboard_kpi``, ``web.dashboard_progress``):

* ``bar_chart``: a horizontal bar per item (an LAO, a province) on a percent axis, with a
  dashed target line (the KPI's 90%, Section 35's 40% cap); a bar that misses the target is
  striped as well as coloured, and its value is written at its end, so colour is never the only
  sign;
* ``stacked_chart``: a bar per group (a province) split into segments (certification states),
  each segment with its count written in it when it fits, a pattern for the states that need
  attention, and a legend naming every state with its count;
* ``column_chart``: a column per fiscal year (retirements), its value above it.

Each answer is an ``<svg role="img" aria-labelledby="<id>-title <id>-desc">`` whose title
names the figure and whose description sums up its data in words, so a screen reader hears
the point of the picture; the page puts the data table under it. Text takes the page's font
(``web/static/dashboards.css``); every text is dark on white or white on a dark fill
(contrast above 4.5:1). The numbers are the caller's: nothing here rounds or computes a KPI.
Test hooks: ``.axis`` (``data-max``: the value at its right end), ``.target-line``
(``data-value``), ``.bar``/``.segment``/``.column`` (``data-label``, ``data-value``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 760
LABEL_WIDTH = 250
VALUE_WIDTH = 120
ROW_HEIGHT = 34
BAR_HEIGHT = 20
TOP = 34
TEXT = "#1a1a1a"
MUTED = "#4a4a4a"
GRID = "#c4cdd8"
MET = "#1b5e20"
MISSED = "#a4161a"
COLUMN = "#0b4f9c"
MAX_LABEL = 34


@dataclass(frozen=True, slots=True)
class Bar:
    """One horizontal bar: its label, its value (percent), and the text written at its end;
    ``value`` None draws no bar, only the text (an LAO with no budget has no ratio)."""

    label: str
    value: float | None
    text: str


@dataclass(frozen=True, slots=True)
class Segment:
    """A kind of segment in stacked bars: its key, its legend label, its fill, and whether it is
    striped (states that need attention)."""

    key: str
    label: str
    fill: str
    striped: bool = False


@dataclass(frozen=True, slots=True)
class Stack:
    """One stacked bar: its label and the count of each segment's key."""

    label: str
    counts: dict[str, int]


def _x(text: object) -> str:
    return escape(str(text), quote=True)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _number(value: float) -> str:
    return f"{value:g}"


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_x(chart_id)}" '
        f'role="img" aria-labelledby="{_x(chart_id)}-title {_x(chart_id)}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{_x(chart_id)}-title">{_x(title)}</title>',
        f'<desc id="{_x(chart_id)}-desc">{_x(desc)}</desc>',
    ]


def _close(out: list[str]) -> Markup:
    """The finished drawing as markup: every text and attribute in it went through ``_x``."""
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (built here, each value escaped by _x)


def _stripes(pattern_id: str, fill: str) -> str:
    """A fill striped with white, so a missed target or a late state differs from the others in
    shape as well as colour."""
    return (
        f'<pattern id="{_x(pattern_id)}" patternUnits="userSpaceOnUse" width="8" height="8" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="{fill}"/>'
        f'<rect width="3" height="8" fill="#ffffff"/></pattern>'
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", cls: str = "", halo: bool = False
) -> str:
    """Dark text; with ``halo`` a white outline under it, so a line it crosses (the target)
    never runs through the digits."""
    klass = f' class="{cls}"' if cls else ""
    outline = ' stroke="#ffffff" stroke-width="5" paint-order="stroke"' if halo else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{TEXT}" '
        f'font-size="14"{outline}{klass}>{_x(text)}</text>'
    )


def axis_max(values: Sequence[float | None], at_least: float, step: float = 10.0) -> float:
    """The axis's right end: ``at_least`` (100%, or past the target), raised to the next
    ``step`` above the largest value so no bar runs off the chart."""
    top = max([at_least, *(v for v in values if v is not None)])
    steps = -(-top // step)
    return float(steps * step)


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    *,
    target: float,
    target_label: str,
    legend: tuple[str, str],
    maximum: float = 100.0,
    over_is_bad: bool = False,
) -> Markup:
    """Horizontal bars on a percent axis from 0 to ``maximum`` with the target line at
    ``target``. A bar below the target misses it (the KPI); with ``over_is_bad`` a bar above it
    does (the Section 35 cap). ``legend`` names the solid and the striped bars."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW_HEIGHT * len(bars) + 64
    bottom = TOP + ROW_HEIGHT * len(bars)
    scale = plot / maximum
    out = _open(chart_id, title, desc, height)
    out.append(f"<defs>{_stripes(f'{chart_id}-missed', MISSED)}</defs>")
    for tick in range(0, int(maximum) + 1, 20 if maximum > 60 else 10):
        x = LABEL_WIDTH + tick * scale
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}" '
            f'stroke-width="1"/>'
        )
        out.append(_text(x, bottom + 18, f"{tick}%", anchor="middle", cls="tick"))
    labels: list[str] = []  # drawn last, over the target line, each on a white halo
    for index, bar in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        middle = y + BAR_HEIGHT / 2 + 5
        out.append(_text(LABEL_WIDTH - 8, middle, _short(bar.label), anchor="end", cls="label"))
        end: float = LABEL_WIDTH
        if bar.value is not None:
            missed = bar.value > target if over_is_bad else bar.value < target
            fill = f"url(#{chart_id}-missed)" if missed else MET
            width = max(bar.value, 0.0) * scale
            end = LABEL_WIDTH + width
            out.append(
                f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{fill}" stroke="{MISSED if missed else MET}" '
                f'data-label="{_x(bar.label)}" data-value="{_number(bar.value)}" '
                f'data-missed="{str(missed).lower()}"/>'
            )
        labels.append(_text(end + 6, middle, bar.text, cls="value", halo=True))
    out.append(
        f'<line class="axis" x1="{LABEL_WIDTH}" y1="{bottom}" x2="{LABEL_WIDTH + plot}" '
        f'y2="{bottom}" stroke="{TEXT}" stroke-width="1.5" data-max="{_number(maximum)}"/>'
    )
    target_x = LABEL_WIDTH + target * scale
    out.append(
        f'<line class="target-line" x1="{target_x:.1f}" y1="{TOP - 14}" x2="{target_x:.1f}" '
        f'y2="{bottom}" stroke="{TEXT}" stroke-width="2.5" stroke-dasharray="6 4" '
        f'data-value="{_number(target)}"/>'
    )
    out.append(_text(target_x, TOP - 18, target_label, anchor="middle", cls="target-label"))
    out.extend(labels)
    out.extend(_bar_legend(chart_id, legend, bottom + 36))
    return _close(out)


def _bar_legend(chart_id: str, legend: tuple[str, str], y: float) -> list[str]:
    solid, striped = legend
    x = LABEL_WIDTH
    return [
        f'<rect x="{x}" y="{y}" width="18" height="14" fill="{MET}"/>',
        _text(x + 24, y + 12, solid, cls="legend"),
        f'<rect x="{x + 250}" y="{y}" width="18" height="14" fill="url(#{chart_id}-missed)" '
        f'stroke="{MISSED}"/>',
        _text(x + 274, y + 12, striped, cls="legend"),
    ]


def stacked_chart(
    chart_id: str, title: str, desc: str, stacks: Sequence[Stack], segments: Sequence[Segment]
) -> Markup:
    """A 100%-wide bar per stack, split by its segments' counts in ``segments``' order; the
    legend below names each segment with its total."""
    plot = WIDTH - LABEL_WIDTH - 20
    legend_rows = -(-len(segments) // 2)
    height = TOP + ROW_HEIGHT * len(stacks) + 16 + legend_rows * 26
    out = _open(chart_id, title, desc, height)
    out.append(
        "<defs>"
        + "".join(_stripes(f"{chart_id}-{s.key}", s.fill) for s in segments if s.striped)
        + "</defs>"
    )
    for index, stack in enumerate(stacks):
        y = TOP - 20 + index * ROW_HEIGHT
        middle = y + BAR_HEIGHT / 2 + 5
        out.append(_text(LABEL_WIDTH - 8, middle, _short(stack.label), anchor="end", cls="label"))
        total = sum(stack.counts.get(s.key, 0) for s in segments)
        x = float(LABEL_WIDTH)
        for segment in segments:
            count = stack.counts.get(segment.key, 0)
            if not count or not total:
                continue
            width = plot * count / total
            out.append(
                f'<rect class="segment" x="{x:.1f}" y="{y}" width="{width:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{_fill(chart_id, segment)}" stroke="#ffffff" '
                f'stroke-width="2" data-label="{_x(segment.label)}" data-value="{count}"/>'
            )
            if width >= 28:
                out.append(_count_label(x + width / 2, middle, count, segment.striped))
            x += width
    y = TOP + ROW_HEIGHT * len(stacks) - 4
    for index, segment in enumerate(segments):
        column, row = index % 2, index // 2
        lx, ly = 20 + column * 370, y + row * 26
        total = sum(stack.counts.get(segment.key, 0) for stack in stacks)
        out.append(
            f'<rect x="{lx}" y="{ly}" width="18" height="16" fill="{_fill(chart_id, segment)}" '
            f'stroke="{segment.fill}"/>'
        )
        out.append(_text(lx + 26, ly + 13, f"{segment.label}: {total}", cls="legend"))
    return _close(out)


def _fill(chart_id: str, segment: Segment) -> str:
    return f"url(#{chart_id}-{segment.key})" if segment.striped else segment.fill


def _count_label(x: float, y: float, count: int, boxed: bool) -> str:
    """A segment's count in white; on a striped fill it sits on a dark chip, so the stripes
    never run under the digits."""
    chip = (
        f'<rect x="{x - 13:.1f}" y="{y - 15:.1f}" width="26" height="20" rx="3" fill="{TEXT}"/>'
        if boxed
        else ""
    )
    return (
        f'{chip}<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" fill="#ffffff" '
        f'font-size="14" font-weight="bold" class="count">{count}</text>'
    )


def column_chart(
    chart_id: str, title: str, desc: str, columns: Sequence[Bar], *, unit: str
) -> Markup:
    """A column per item (a fiscal year) from 0 to the largest value, the value above it."""
    height = 300
    bottom, top, left = height - 40, 30, 60
    top_value = max([1.0, *(c.value or 0.0 for c in columns)])
    step = max(1, int(-(-top_value // 5)))
    maximum = float(step * 5)
    scale = (bottom - top) / maximum
    slot = (WIDTH - left - 20) / max(len(columns), 1)
    out = _open(chart_id, title, desc, height)
    for tick in range(0, int(maximum) + 1, step):
        y = bottom - tick * scale
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 20}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(_text(left - 8, y + 5, str(tick), anchor="end", cls="tick"))
    out.append(_text(left - 8, top - 12, unit, anchor="end", cls="unit"))
    for index, column in enumerate(columns):
        value = column.value or 0.0
        width = min(70.0, slot * 0.6)
        x = left + slot * index + (slot - width) / 2
        y = bottom - value * scale
        out.append(
            f'<rect class="column" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{value * scale:.1f}" fill="{COLUMN}" data-label="{_x(column.label)}" '
            f'data-value="{_number(value)}"/>'
        )
        out.append(_text(x + width / 2, y - 6, column.text, anchor="middle", cls="value"))
        out.append(_text(x + width / 2, bottom + 20, column.label, anchor="middle", cls="label"))
    out.append(
        f'<line class="axis" x1="{left}" y1="{bottom}" x2="{WIDTH - 20}" y2="{bottom}" '
        f'stroke="{TEXT}" stroke-width="1.5" data-max="{_number(maximum)}"/>'
    )
    return _close(out)


__all__ = [
    "Bar",
    "Segment",
    "Stack",
    "axis_max",
    "bar_chart",
    "column_chart",
    "stacked_chart",
]
