"""CMS-1500 (02/12) forms as a PDF, with reportlab.

Two modes:
- ``"data"``: the values only, at the form's box positions, for printing onto the red
  pre-printed form that scanning payers want; no lines, no labels.
- ``"form"``: the form drawn too (box outlines, numbers and labels in the form's red, the
  shaded supplemental strips of box 24), for viewing and faxing.

Positions come from :mod:`openrcm.core.claims.cms1500` (10 characters per inch, 6 lines per
inch on an 8.5 x 11 inch sheet).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final, Literal

from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from openrcm.core.claims.cms1500 import (
    CHECKBOXES,
    FORM_BOXES,
    LINE_RULES,
    POSITIONS,
    Cms1500Data,
    cms1500_fields,
)

__all__ = ["Mode", "render_cms1500"]

Mode = Literal["data", "form"]

PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0  # US letter, 8.5 x 11 in
CHAR: Final = 72 / 10  # points per column (10 per inch)
LINE: Final = 72 / 6  # points per row (6 per inch)
DATA_FONT: Final = "Courier"
DATA_SIZE: Final = 10
FORM_RED: Final = Color(0.78, 0.1, 0.15)
SHADE: Final = Color(0.98, 0.88, 0.88)


def _x(col: float) -> float:
    return col * CHAR


def _top(row: float) -> float:
    """The y of the top edge of `row` (PDF y grows upward)."""
    return PAGE_HEIGHT - row * LINE


def _baseline(row: int) -> float:
    return _top(row + 1) + 2.5


def _draw_form(c: Canvas) -> None:
    c.saveState()
    c.setStrokeColor(FORM_RED)
    c.setFillColor(FORM_RED)
    c.setFont("Helvetica-Bold", 13)
    c.drawString(_x(1), _baseline(5), "HEALTH INSURANCE CLAIM FORM")
    c.setFont("Helvetica", 6)
    c.drawString(_x(1), _baseline(6), "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12")
    c.drawString(_x(1), _baseline(1), "1500")
    c.drawString(_x(44), _baseline(1), "CARRIER")
    c.drawRightString(_x(84.5), _baseline(6), "PICA")
    c.setLineWidth(0.6)
    for box in FORM_BOXES:
        x0, x1 = _x(box.col0), _x(box.col1)
        y0, y1 = _top(box.row1), _top(box.row0)
        if box.shaded:
            c.setFillColor(SHADE)
            c.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=1)
            c.setFillColor(FORM_RED)
            c.setFont("Helvetica-Bold", 7)
            c.drawString(x0 - 6, y0 - 6, box.number)
            continue
        c.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
        label = f"{box.number}. {box.label}" if box.number else box.label
        if label:
            c.setFont("Helvetica", 4.8)
            c.drawString(x0 + 1.5, y1 - 5.5, label)
    # the column rules of box 24's six lines
    c.setLineWidth(0.4)
    for col in LINE_RULES:
        c.line(_x(col), _top(44), _x(col), _top(56))
    # the checkboxes (a value "X" prints in them)
    for key in CHECKBOXES:
        pos = POSITIONS[key]
        c.rect(_x(pos.col) - 1.5, _baseline(pos.row) - 2, CHAR + 3, LINE - 2, stroke=1, fill=0)
    c.setFont("Helvetica-Bold", 6)
    c.drawString(_x(1), _baseline(63), "NUCC Instruction Manual available at: www.nucc.org")
    c.drawRightString(_x(84.5), _baseline(63), "FORM APPROVED OMB-0938-1197 FORM 1500 (02-12)")
    c.restoreState()


def _draw_data(c: Canvas, data: Cms1500Data) -> None:
    c.saveState()
    c.setFillColor(black)
    c.setFont(DATA_FONT, DATA_SIZE)
    for placed in cms1500_fields(data):
        c.drawString(_x(placed.col), _baseline(placed.row), placed.text)
    if data.pages > 1:
        c.drawRightString(_x(84), _baseline(64), f"PAGE {data.page} OF {data.pages}")
    c.restoreState()


def render_cms1500(
    forms: Sequence[Cms1500Data], *, mode: Mode = "form", compress: bool = True
) -> bytes:
    """One PDF page per form. `compress=False` leaves the page streams readable (tests)."""
    if mode not in ("data", "form"):
        raise ValueError(f"mode must be 'data' or 'form', not {mode!r}")
    buffer = io.BytesIO()
    c = Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1 if compress else 0,
        invariant=1,
    )
    c.setTitle("CMS-1500 (02/12)")
    c.setCreator("OpenRCM")
    for data in forms:
        if mode == "form":
            _draw_form(c)
        _draw_data(c, data)
        c.showPage()
    c.save()
    return buffer.getvalue()
