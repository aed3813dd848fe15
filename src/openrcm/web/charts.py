"""Server-side SVG charts for the dashboard: bar charts (grouped or stacked, vertical or
horizontal) and sparklines, drawn as plain markup (no JavaScript, no chart library).

Readable without colour and under the CSP (no inline ``style``, no script):

* every chart has a ``<title>`` and a ``<desc>`` (``role="img"``, ``aria-labelledby``);
* every bar carries its value as a text label and a ``<title>`` tooltip, and each series has
  its own fill **pattern** (solid, hatched, dotted, cross-hatched) shown in the legend, so
  two series stay apart in greyscale;
* each bar is an ``<a>`` to the drill-down listing the claims behind it;
* colours come from classes in ``static/web/app.css`` (``chart-s0``...) and presentation
  attributes, never ``style``.

Every value passed in is escaped here; the functions return ``SafeString`` markup for
templates.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

__all__ = ["Bar", "Series", "bar_chart", "sparkline"]

# Each id prefix makes the patterns of two charts on one page distinct.
_ids = itertools.count(1)

# (pattern name, SVG body drawn in an 8x8 tile over the series' base fill). Solid first.
_HATCH = "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4"
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("solid", ""),
    (
        "hatch",
        f'<path d="{_HATCH}" class="chart-ink" stroke-width="1.5"/>',
    ),
    ("dots", '<circle cx="4" cy="4" r="1.6" class="chart-ink-fill"/>'),
    ("cross", '<path d="M0,4 h8 M4,0 v8" class="chart-ink" stroke-width="1.2"/>'),
    ("back", '<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" class="chart-ink" stroke-width="1.5"/>'),
)


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its value (the bar's length), the text printed on it, and where it links."""

    value: float
    text: str
    href: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    """A named series: one bar per category, in the chart's category order."""

    name: str
    bars: Sequence[Bar]


def _attr(value: object) -> str:
    return quoteattr(str(value))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _defs(uid: str, count: int) -> str:
    parts = []
    for index in range(count):
        _name, body = _PATTERNS[index % len(_PATTERNS)]
        parts.append(
            f'<pattern id="{uid}-p{index}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" class="chart-s{index % len(_PATTERNS)}"/>{body}'
            f"</pattern>"
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _head(uid: str, width: int, height: int, title: str, desc: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class={_attr(css)} '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )


def _legend(uid: str, series: Sequence[Series], x: float, y: float) -> str:
    if len(series) < 2:
        return ""
    parts = ['<g class="chart-legend">']
    for index, one in enumerate(series):
        left = x + index * 150
        parts.append(
            f'<rect x="{_num(left)}" y="{_num(y)}" width="14" height="14" '
            f'fill="url(#{uid}-p{index})" class="chart-edge"/>'
            f'<text x="{_num(left + 20)}" y="{_num(y + 11)}">{escape(one.name)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _bar(uid: str, index: int, x: float, y: float, w: float, h: float, label: str, bar: Bar) -> str:
    rect = (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(max(h, 0))}" '
        f'fill="url(#{uid}-p{index})" class="chart-bar chart-edge">'
        f"<title>{escape(label)}: {escape(bar.text)}</title></rect>"
    )
    if bar.href:
        return f"<a href={_attr(bar.href)} aria-label={_attr(f'{label}: {bar.text}')}>{rect}</a>"
    return rect


def _check(categories: Sequence[str], series: Sequence[Series]) -> None:
    if not series:
        raise ValueError("a bar chart needs at least one series")
    for one in series:
        if len(one.bars) != len(categories):
            raise ValueError(
                f"series {one.name!r} has {len(one.bars)} bars for {len(categories)} categories"
            )


def bar_chart(
    *,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    horizontal: bool = False,
) -> SafeString:
    """A bar chart of ``series`` over ``categories``: grouped side by side, or ``stacked``;
    vertical columns, or ``horizontal`` bars (for long category names such as payers).

    Each bar prints its ``text`` beside it and links to its ``href``. Negative values draw
    below (or left of) the zero line.

    Raises:
        ValueError: no series, or a series whose bar count differs from the categories'.
    """
    _check(categories, series)
    if horizontal:
        return _horizontal(title, desc, categories, series, stacked)
    return _vertical(title, desc, categories, series, stacked)


def _extent(
    categories: Sequence[str], series: Sequence[Series], stacked: bool
) -> tuple[float, float]:
    if stacked:
        highs = [sum(max(s.bars[i].value, 0) for s in series) for i in range(len(categories))]
        lows = [sum(min(s.bars[i].value, 0) for s in series) for i in range(len(categories))]
    else:
        highs = [bar.value for s in series for bar in s.bars]
        lows = highs
    high = max([0.0, *highs])
    low = min([0.0, *lows])
    if high == low:
        high = low + 1
    return low, high


def _vertical(
    title: str, desc: str, categories: Sequence[str], series: Sequence[Series], stacked: bool
) -> SafeString:
    uid = f"ch{next(_ids)}"
    slot = 64 if stacked or len(series) == 1 else 34 * len(series) + 18
    left, top, plot_h = 8, 30 if len(series) > 1 else 8, 180
    width = max(320, left * 2 + slot * len(categories))
    height = top + plot_h + 44
    low, high = _extent(categories, series, stacked)
    scale = (plot_h - 16) / (high - low)
    zero = top + 16 + high * scale
    out = [_head(uid, width, height, title, desc, "chart chart-bars"), _defs(uid, len(series))]
    out.append(_legend(uid, series, left, 6))
    out.append(
        f'<line x1="{left}" x2="{width - left}" y1="{_num(zero)}" y2="{_num(zero)}" '
        'class="chart-axis"/>'
    )
    bar_w = slot - 18 if stacked or len(series) == 1 else 30
    for ci, category in enumerate(categories):
        x0 = left + ci * slot + 9
        up, down = zero, zero
        for si, one in enumerate(series):
            bar = one.bars[ci]
            h = abs(bar.value) * scale
            x = x0 if stacked else x0 + si * 34
            if stacked:
                if bar.value >= 0:
                    up -= h
                    y = up
                else:
                    y = down
                    down += h
            else:
                y = zero - h if bar.value >= 0 else zero
            out.append(_bar(uid, si, x, y, bar_w, h, f"{category}, {one.name}", bar))
            if stacked:
                if h >= 14:
                    out.append(
                        f'<text x="{_num(x + bar_w / 2)}" y="{_num(y + h / 2 + 4)}" '
                        f'class="chart-value chart-on-bar" text-anchor="middle">'
                        f"{escape(bar.text)}</text>"
                    )
            else:
                ty = y - 3 if bar.value >= 0 else y + h + 11
                out.append(
                    f'<text x="{_num(x + bar_w / 2)}" y="{_num(ty)}" class="chart-value" '
                    f'text-anchor="middle">{escape(bar.text)}</text>'
                )
        if stacked:
            total = sum(one.bars[ci].value for one in series)
            out.append(
                f'<text x="{_num(x0 + bar_w / 2)}" y="{_num(up - 3)}" class="chart-value" '
                f'text-anchor="middle">{escape(_total_text(series, ci, total))}</text>'
            )
        center = x0 + (bar_w if stacked or len(series) == 1 else 34 * len(series) - 4) / 2
        out.append(
            f'<text x="{_num(center)}" y="{top + plot_h + 20}" class="chart-label" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every value above went through escape()


def _total_text(series: Sequence[Series], index: int, total: float) -> str:
    # A stacked column's total, formatted like its parts when they are whole numbers.
    if all(float(one.bars[index].value).is_integer() for one in series):
        return f"{int(total):,}"
    return f"{total:,.2f}"


def _horizontal(
    title: str, desc: str, categories: Sequence[str], series: Sequence[Series], stacked: bool
) -> SafeString:
    uid = f"ch{next(_ids)}"
    row = 26 if stacked or len(series) == 1 else 20 * len(series) + 8
    label_w, plot_w, top = 170, 300, 30 if len(series) > 1 else 6
    width = label_w + plot_w + 110
    height = top + row * max(len(categories), 1) + 8
    low, high = _extent(categories, series, stacked)
    scale = plot_w / (high - low)
    zero = label_w + (-low) * scale
    out = [_head(uid, width, height, title, desc, "chart chart-hbars"), _defs(uid, len(series))]
    out.append(_legend(uid, series, 8, 6))
    out.append(
        f'<line x1="{_num(zero)}" x2="{_num(zero)}" y1="{top}" y2="{height - 4}" '
        'class="chart-axis"/>'
    )
    bar_h = 18
    for ci, category in enumerate(categories):
        y0 = top + ci * row + 4
        right, left = zero, zero
        for si, one in enumerate(series):
            bar = one.bars[ci]
            w = abs(bar.value) * scale
            y = y0 if stacked else y0 + si * 20
            if stacked:
                if bar.value >= 0:
                    x = right
                    right += w
                else:
                    left -= w
                    x = left
            else:
                x = zero if bar.value >= 0 else zero - w
            out.append(_bar(uid, si, x, y, w, bar_h, f"{category}, {one.name}", bar))
            if not stacked:
                out.append(
                    f'<text x="{_num(x + w + 4 if bar.value >= 0 else zero + 4)}" '
                    f'y="{_num(y + 13)}" class="chart-value">{escape(bar.text)}</text>'
                )
        if stacked:
            total = sum(one.bars[ci].value for one in series)
            out.append(
                f'<text x="{_num(right + 4)}" y="{_num(y0 + 13)}" class="chart-value">'
                f"{escape(_total_text(series, ci, total))}</text>"
            )
        out.append(
            f'<text x="{label_w - 6}" y="{_num(y0 + 13)}" class="chart-label" '
            f'text-anchor="end">{escape(_clip(category, 26))}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every value above went through escape()


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def sparkline(
    *,
    title: str,
    values: Sequence[float | None],
    labels: Sequence[str],
    texts: Sequence[str] | None = None,
) -> SafeString:
    """A small line of ``values`` (oldest first; ``None`` leaves a gap) with a dot and a
    ``<title>`` per point (``labels[i]: texts[i]``), the last point marked larger.

    Raises:
        ValueError: ``labels`` (or ``texts``) does not match ``values`` in length.
    """
    if len(labels) != len(values) or (texts is not None and len(texts) != len(values)):
        raise ValueError(f"{len(values)} values need as many labels and texts")
    uid = f"sp{next(_ids)}"
    width, height, pad = 120, 30, 3
    shown = [v for v in values if v is not None]
    low, high = (min(shown), max(shown)) if shown else (0.0, 1.0)
    if high == low:
        high = low + 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (v - low) * (height - 2 * pad) / (high - low)

    texts = texts or [("\N{EN DASH}" if v is None else _num(v)) for v in values]
    first = next((labels[i] for i, v in enumerate(values) if v is not None), "")
    desc = f"{len(shown)} of {len(values)} months measured" + (f" from {first}" if first else "")
    out = [_head(uid, width, height, title, desc, "sparkline")]
    path: list[str] = []
    pen_down = False
    for i, v in enumerate(values):
        if v is None:
            pen_down = False
            continue
        x, y = point(i, v)
        path.append(f"{'L' if pen_down else 'M'}{_num(x)},{_num(y)}")
        pen_down = True
    if path:
        out.append(f'<path d="{" ".join(path)}" class="spark-line" fill="none"/>')
    for i, v in enumerate(values):
        if v is None:
            continue
        x, y = point(i, v)
        radius = 3 if i == len(values) - 1 else 1.6
        out.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{radius}" class="spark-dot">'
            f"<title>{escape(labels[i])}: {escape(texts[i])}</title></circle>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every value above went through escape()
