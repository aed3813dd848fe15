"""The monthly practice report as a PDF (reportlab), from :class:`MonthlyContent`.

US letter, portrait. Every page carries the practice's name, the month, the generation time,
the as-of date and "page n of N". Black, greys and white only (a dark and an outlined white
bar), so it reads the same printed in black and white. Sections: the month's KPIs with their
published formulas (:data:`openrcm.core.reporting.FORMULAS`), the 12-month trends (two bar
charts, every value also in the table below them), the A/R aging at the month's last day
(total and by payer), the month's denials by category with what was recovered, and the
largest open insurance balances.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from openrcm.core.money import cents_to_decimal
from openrcm.core.reporting import BUCKETS, FORMULAS, AgingRow, KpiReport, LagStats
from openrcm.reporting.monthly_content import MonthlyContent

__all__ = ["money_text", "monthly_pdf", "rate_text"]

PAGE_WIDTH, PAGE_HEIGHT = letter
MARGIN: Final = 0.6 * inch
PAD: Final = 6  # the frame's own padding, each side
BODY_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN - 2 * PAD
LEFT: Final = MARGIN + PAD
RIGHT: Final = PAGE_WIDTH - MARGIN - PAD
DARK: Final = colors.Color(0.2, 0.2, 0.2)
MID: Final = colors.Color(0.55, 0.55, 0.55)
LIGHT: Final = colors.Color(0.92, 0.92, 0.92)
DASH: Final = "\N{EN DASH}"

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("title", parent=_styles["Title"], fontSize=18, leading=22, spaceAfter=2)
SUBTITLE = ParagraphStyle(
    "subtitle", parent=_styles["Normal"], fontSize=10, leading=13, textColor=DARK, alignment=1
)
HEADING = ParagraphStyle(
    "heading", parent=_styles["Heading2"], fontSize=12.5, leading=15, spaceBefore=12, spaceAfter=5
)
BODY = ParagraphStyle("body", parent=_styles["Normal"], fontSize=8.5, leading=11)
NOTE = ParagraphStyle("note", parent=BODY, fontSize=7.5, leading=9.5, textColor=DARK)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
FORMULA = ParagraphStyle("formula", parent=BODY, fontSize=7, leading=8.6, textColor=DARK)
CELL_SUB = ParagraphStyle("cell_sub", parent=CELL, leftIndent=10, textColor=DARK)


def money_text(cents: int) -> str:
    """``$1,234.56`` (``-$12.00`` for a credit)."""
    amount = cents_to_decimal(cents)
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def rate_text(value: Decimal | None) -> str:
    """A 4-place fraction as an exact percentage with 2 decimals (``0.2698`` is ``26.98%``);
    an en dash when there was nothing to divide by."""
    return DASH if value is None else f"{value * 100:.2f}%"


def _count(numerator: int, denominator: int) -> str:
    return f" ({numerator} of {denominator})" if denominator else ""


def _lag(stats: LagStats) -> str:
    if not stats.count:
        return DASH
    return f"{stats.median_days} / {stats.p90_days} d ({stats.count} claims)"


def _p(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def _kpi_rows(r: KpiReport) -> list[tuple[str, str, str]]:
    """(label, value, formula key) of each KPI the report prints, in reading order."""
    days = DASH if r.days_in_ar is None else f"{r.days_in_ar} days"
    return [
        ("Charges", money_text(r.charges_cents), "charges"),
        ("Payments", money_text(r.payments_cents), "payments"),
        ("  Insurance payments", money_text(r.insurance_payments_cents), "insurance_payments"),
        ("  Patient payments", money_text(r.patient_payments_cents), "patient_payments"),
        ("  Refunds", money_text(r.refunds_cents), "refunds"),
        (
            "Contractual adjustments",
            money_text(r.contractual_adjustments_cents),
            "contractual_adjustments",
        ),
        ("Net charges", money_text(r.net_charges_cents), "net_charges"),
        ("Gross collection rate", rate_text(r.gross_collection_rate), "gross_collection_rate"),
        ("Net collection rate", rate_text(r.net_collection_rate), "net_collection_rate"),
        ("A/R at month end", money_text(r.ar_end_cents), "ar_end"),
        ("Days in A/R", days, "days_in_ar"),
        (
            "Denial rate",
            rate_text(r.denial_rate) + _count(r.claims_denied, r.claims_adjudicated),
            "denial_rate",
        ),
        ("Denial rate (dollars)", rate_text(r.denial_rate_dollars), "denial_rate_dollars"),
        (
            "Clean claim rate",
            rate_text(r.clean_claim_rate) + _count(r.claims_clean, r.claims_scrubbed),
            "clean_claim_rate",
        ),
        (
            "First-pass acceptance",
            rate_text(r.first_pass_acceptance)
            + _count(r.claims_accepted_first_pass, r.claims_answered),
            "first_pass_acceptance",
        ),
        (
            "First-pass resolution",
            rate_text(r.first_pass_resolution)
            + _count(r.claims_resolved_first_pass, r.claims_first_adjudicated),
            "first_pass_resolution",
        ),
        ("Insurance A/R", money_text(r.insurance_ar_cents), "insurance_ar"),
        ("Insurance A/R over 90 days", rate_text(r.ar_over_90), "ar_over_90"),
        ("Insurance A/R over 120 days", rate_text(r.ar_over_120), "ar_over_120"),
        ("Charge lag (median / p90)", _lag(r.charge_lag), "charge_lag"),
        ("Submission lag (median / p90)", _lag(r.submission_lag), "submission_lag"),
        ("Payer lag (median / p90)", _lag(r.payer_lag), "payer_lag"),
    ]


def _grid(
    data: list[list[Any]],
    widths: list[float],
    *,
    right_from: int = 1,
    total_row: bool = False,
    zebra: bool = True,
) -> Table:
    """A table with a dark header row, light zebra rows and right-aligned number columns."""
    table = Table(data, colWidths=widths, repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
        ("BACKGROUND", (0, 0), (-1, 0), DARK),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, DARK),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if zebra:
        style += [("BACKGROUND", (0, i), (-1, i), LIGHT) for i in range(2, len(data), 2)]
    if total_row:
        style += [
            ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
            ("LINEABOVE", (0, -1), (-1, -1), 0.6, DARK),
            ("BACKGROUND", (0, -1), (-1, -1), colors.white),
        ]
    table.setStyle(TableStyle(style))
    return table


def _kpi_table(report: KpiReport) -> Table:
    data: list[list[Any]] = [["Indicator", "Value", "Formula"]]
    for label, value, key in _kpi_rows(report):
        formula = FORMULAS.get(key, "")
        if key == "days_in_ar":
            formula += (
                f" (window {report.ar_window_start:%d %b %Y} to {report.period_end:%d %b %Y}, "
                f"{report.ar_window_days} days, net charges "
                f"{money_text(report.ar_window_net_charges_cents)})"
            )
        label_style = CELL_SUB if label.startswith(" ") else CELL  # a part of the row above
        data.append([_p(label.strip(), label_style), value, _p(formula, FORMULA)])
    table = _grid(data, [1.75 * inch, 1.35 * inch, BODY_WIDTH - 3.1 * inch], right_from=1)
    table.setStyle(TableStyle([("ALIGN", (2, 0), (2, -1), "LEFT")]))
    return table


def _month_label(report: KpiReport) -> str:
    return report.period_start.strftime("%b\n%y")


def _bar_chart(
    title: str,
    trend: list[KpiReport],
    series: list[tuple[str, Callable[[KpiReport], float]]],
    width: float,
    value_format: str,
) -> Drawing:
    """A vertical bar chart of the 12 months: the first series dark, the second white with a
    black outline (legible in black and white), the values printed above the bars."""
    height = 2.1 * inch
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName="Helvetica-Bold", fontSize=9))
    chart = VerticalBarChart()
    chart.x, chart.y = 38, 24
    chart.width, chart.height = width - 48, height - 64
    chart.data = [[max(fn(r), 0.0) for r in trend] for _label, fn in series]
    chart.categoryAxis.categoryNames = [_month_label(r) for r in trend]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 0
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    top = max((v for row in chart.data for v in row), default=0.0)
    chart.valueAxis.valueMax = top * 1.15 if top > 0 else 1
    chart.valueAxis.labelTextFormat = value_format
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = LIGHT
    chart.barSpacing = 0.5
    chart.groupSpacing = 4
    fills = [DARK, colors.white]
    for index in range(len(series)):
        chart.bars[index].fillColor = fills[index % 2]
        chart.bars[index].strokeColor = colors.black
        chart.bars[index].strokeWidth = 0.4
    drawing.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = 40, height - 20
        legend.alignment = "right"
        legend.fontName = "Helvetica"
        legend.fontSize = 7
        legend.columnMaximum = 1
        legend.deltax = 70
        legend.dx = legend.dy = 7
        legend.strokeColor = colors.black
        legend.strokeWidth = 0.4
        legend.colorNamePairs = [(fills[i % 2], label) for i, (label, _fn) in enumerate(series)]
        drawing.add(legend)
    return drawing


def _trend_table(trend: list[KpiReport]) -> Table:
    data: list[list[Any]] = [
        ["Month", "Charges", "Payments", "Net coll.", "Days in A/R", "Denial rate", "A/R end"]
    ]
    for r in trend:
        data.append(
            [
                r.period_start.strftime("%b %Y"),
                money_text(r.charges_cents),
                money_text(r.payments_cents),
                rate_text(r.net_collection_rate),
                DASH if r.days_in_ar is None else str(r.days_in_ar),
                rate_text(r.denial_rate),
                money_text(r.ar_end_cents),
            ]
        )
    w = BODY_WIDTH / 7
    return _grid(data, [w] * 7)


def _aging_cells(cells: tuple[Any, ...]) -> list[str]:
    return [money_text(c.cents) for c in cells] + [money_text(sum(c.cents for c in cells))]


def _aging_total(row: AgingRow) -> Table:
    data: list[list[Any]] = [["", *BUCKETS, "Total"]]
    data.append(["Insurance", *_aging_cells(row.insurance)])
    data.append(["Patient", *_aging_cells(row.patient)])
    both = [money_text(i.cents + p.cents) for i, p in zip(row.insurance, row.patient, strict=True)]
    data.append(["Total", *both, money_text(row.insurance_cents + row.patient_cents)])
    w = (BODY_WIDTH - 1.3 * inch) / 6
    return _grid(data, [1.3 * inch] + [w] * 6, total_row=True)


def _aging_by_payer(content: MonthlyContent) -> Table:
    data: list[list[Any]] = [["Payer", "Side", *BUCKETS, "Total"]]
    for payer in content.aging_by_payer:
        for side, cells in (("Insurance", payer.row.insurance), ("Patient", payer.row.patient)):
            if any(c.cents for c in cells):
                data.append([_p(payer.payer), side, *_aging_cells(cells)])
    w = (BODY_WIDTH - 2.2 * inch) / 6
    return _grid(data, [1.6 * inch, 0.6 * inch] + [w] * 6, right_from=2)


def _denials_table(content: MonthlyContent) -> Table:
    data: list[list[Any]] = [
        [
            "Category",
            "Denials",
            "Claims",
            "Denied",
            "Recovered",
            "Still open",
            "Recovered in month\n(earlier denials)",
        ]
    ]
    rows = content.denials
    for row in rows:
        data.append(
            [
                _p(row.category.replace("_", " ")),
                str(row.denials),
                str(row.claims),
                money_text(row.denied_cents),
                money_text(row.recovered_cents),
                str(row.still_open),
                money_text(row.earlier_recovered_cents),
            ]
        )
    data.append(
        [
            "Total",
            str(sum(r.denials for r in rows)),
            str(sum(r.claims for r in rows)),
            money_text(sum(r.denied_cents for r in rows)),
            money_text(sum(r.recovered_cents for r in rows)),
            str(sum(r.still_open for r in rows)),
            money_text(sum(r.earlier_recovered_cents for r in rows)),
        ]
    )
    last = 1.25 * inch
    w = (BODY_WIDTH - 1.9 * inch - last) / 5
    return _grid(data, [1.9 * inch] + [w] * 5 + [last], total_row=True)


def _open_items_table(content: MonthlyContent) -> Table:
    data: list[list[Any]] = [
        ["#", "Claim (PCN)", "Patient", "Date of service", "Payer", "Age", "Balance"]
    ]
    for number, item in enumerate(content.open_items, start=1):
        data.append(
            [
                str(number),
                item.patient_control_number,
                item.patient_initials,
                item.service_date.strftime("%m/%d/%Y"),
                _p(item.payer),
                f"{item.age_days} d",
                money_text(item.balance_cents),
            ]
        )
    shares = [0.3, 1.3, 0.65, 1.05, 2.15, 0.6, 1.25]  # inches, scaled to the body's width
    widths = [BODY_WIDTH * share / sum(shares) for share in shares]
    table = _grid(data, widths, right_from=5)
    table.setStyle(TableStyle([("ALIGN", (0, 0), (0, -1), "RIGHT")]))
    return table


def _story(content: MonthlyContent) -> list[Any]:
    r = content.report
    story: list[Any] = [
        Paragraph("Monthly practice report", TITLE),
        Paragraph(
            f"{escape(content.practice_name)} \N{EM DASH} {content.month_label} "
            f"({r.period_start:%d %B} to {r.period_end:%d %B %Y}); A/R as of "
            f"{content.as_of:%d %B %Y}",
            SUBTITLE,
        ),
        Spacer(1, 8),
        Paragraph(
            "Every number follows the formula printed beside it (HFMA/MGMA definitions). Money "
            "counts on its effective date: the 835's payment date, or the day of a manual "
            "posting. Rates are exact fractions rounded half up; a dash means there was nothing "
            "to divide by.",
            NOTE,
        ),
        Paragraph("Key performance indicators", HEADING),
        _kpi_table(r),
    ]
    half = (BODY_WIDTH - 16) / 2
    charts = Table(
        [
            [
                _bar_chart(
                    "Charges and payments by month ($)",
                    content.trend,
                    [
                        ("Charges", lambda k: float(cents_to_decimal(k.charges_cents))),
                        ("Payments", lambda k: float(cents_to_decimal(k.payments_cents))),
                    ],
                    half,
                    "%.0f",
                ),
                _bar_chart(
                    "Days in A/R by month",
                    content.trend,
                    [("Days in A/R", lambda k: float(k.days_in_ar or 0))],
                    half,
                    "%.0f",
                ),
            ]
        ],
        colWidths=[half + 8, half + 8],
    )
    charts.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [
        KeepTogether(
            [
                Paragraph("Trends: the last 12 months", HEADING),
                charts,
                Spacer(1, 6),
                _trend_table(content.trend),
            ]
        ),
        KeepTogether(
            [
                Paragraph(f"A/R aging as of {content.as_of:%d %B %Y}", HEADING),
                Paragraph(
                    "Balances by the age of their date of service at the as-of date, in days "
                    "(120+ is 121 days and more); credits included.",
                    NOTE,
                ),
                Spacer(1, 4),
                _aging_total(content.aging_total),
            ]
        ),
    ]
    if content.aging_by_payer:
        story += [
            Paragraph("A/R aging by payer", HEADING),
            _aging_by_payer(content),
        ]
    story += [
        KeepTogether(
            [
                Paragraph(f"Denials received in {content.month_label}, by category", HEADING),
                Paragraph(
                    "Denials on 835s paid in the month (not reversed since). <b>Recovered</b>: "
                    "insurance payments later posted on the denied lines (a claim-level "
                    "denial: on any line of the claim), after the denial's 835 and by the "
                    "month's last day, net of reversals, at most the amount denied. <b>Still "
                    "open</b>: denials not resubmitted or written off when this report was "
                    "made. The last column is what denials of earlier months recovered in "
                    "this month.",
                    NOTE,
                ),
                Spacer(1, 4),
                _denials_table(content)
                if content.denials
                else Paragraph("No denials this month, nothing recovered on earlier ones.", BODY),
            ]
        ),
        Paragraph("Largest open insurance balances", HEADING),
        Paragraph(
            f"The {len(content.open_items) or 'no'} largest insurance balances open on "
            f"{content.as_of:%d %B %Y}, by the claim now responsible (largest first, then "
            "oldest); the age is in days since the date of service. Patients are shown by "
            "initials only.",
            NOTE,
        ),
        Spacer(1, 4),
    ]
    if content.open_items:
        story.append(_open_items_table(content))
    return story


def _canvas_maker(content: MonthlyContent) -> type[Canvas]:
    generated = content.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip()
    header_right = f"Monthly practice report \N{EM DASH} {content.month_label}"
    footer_left = f"Generated {generated}  \N{MIDDLE DOT}  A/R as of {content.as_of:%Y-%m-%d}"

    class _PagedCanvas(Canvas):  # type: ignore[misc]
        """Draws the header and footer once the page count is known ("page n of N")."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._frame(number, total)
                super().showPage()
            super().save()

        def _frame(self, number: int, total: int) -> None:
            self.saveState()
            top = PAGE_HEIGHT - 0.42 * inch
            self.setFont("Helvetica-Bold", 9)
            self.drawString(LEFT, top, content.practice_name[:70])
            self.setFont("Helvetica", 9)
            self.drawRightString(RIGHT, top, header_right)
            self.setLineWidth(0.6)
            self.line(LEFT, top - 5, RIGHT, top - 5)
            bottom = 0.38 * inch
            self.line(LEFT, bottom + 11, RIGHT, bottom + 11)
            self.setFont("Helvetica", 7.5)
            self.drawString(LEFT, bottom, footer_left)
            self.drawRightString(RIGHT, bottom, f"Page {number} of {total}")
            self.restoreState()

    return _PagedCanvas


def monthly_pdf(content: MonthlyContent) -> bytes:
    """The monthly report of ``content`` as PDF bytes."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
        title=f"Monthly practice report {content.month:%Y-%m} - {content.practice_name}",
        author="OpenRCM",
        subject="Monthly practice report",
        invariant=1,
    )
    doc.build(_story(content), canvasmaker=_canvas_maker(content))
    return out.getvalue()
