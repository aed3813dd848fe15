"""The KPI dashboard: a practice's KPI tiles (formula, 12-month sparkline), the aging, collections
and denials charts, the row-per-practice view across practices, and the drill-down listing the
claims behind any number. Read-only: every role that may VIEW sees it (practice owners too).

Reads through :mod:`openrcm.reporting.dashboard`; the practices are the one chosen (the
``practice`` query parameter, else the switcher's) or, with none, all of the user's.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from openrcm.core.money import cents_to_decimal
from openrcm.core.reporting import BUCKETS, CLAIM_METRICS, FORMULAS, SIDES, KpiReport
from openrcm.core.reporting.periods import month_start
from openrcm.reporting.dashboard import (
    METRICS,
    DrillRequest,
    dashboard_for,
    drill_claim_ids,
    drill_claims,
)
from openrcm.reporting.selectors import kpi_by_practice
from openrcm.tenancy.models import Practice
from openrcm.tenancy.selectors import practice_list
from openrcm.web.charts import Bar, Series, bar_chart, sparkline
from openrcm.web.views import page


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _period(request: HttpRequest) -> tuple[date, date, date]:
    """start, end, as_of from the query; default: the last full month, A/R as of today."""
    today = timezone.localdate()
    last_month_end = month_start(today) - timedelta(days=1)
    start = _date(request.GET.get("start"), month_start(last_month_end))
    end = _date(request.GET.get("end"), last_month_end)
    if end < start:
        start, end = month_start(end), end
    return start, end, _date(request.GET.get("as_of"), today)


def _practices(request: HttpRequest) -> list[Practice]:
    """The practice named by ``?practice=`` (404 unless it is one of the user's), else the
    switcher's, else all of the user's practices."""
    mine = practice_list(user=request.user)
    chosen = request.GET.get("practice")
    if chosen:
        found = list(mine.filter(pk=chosen) if chosen.isdigit() else mine.filter(slug=chosen))
        if not found:
            raise Http404("No such practice.")
        return found
    current = getattr(request, "practice", None)
    return [current] if current is not None else list(mine)


def _money(cents: int) -> str:
    return f"${cents_to_decimal(cents):,.2f}"


def _pct(value: Decimal | None) -> str:
    return "\N{EN DASH}" if value is None else f"{value * 100:.1f}%"


def _days(value: Decimal | int | None) -> str:
    return "\N{EN DASH}" if value is None else f"{value} d"


def _lag(report: KpiReport, name: str) -> int | None:
    stats = getattr(report, name)
    return stats.median_days  # type: ignore[no-any-return]


# (key, label, value of a report as text, value as a number for the sparkline, drill metric)
_TILES: list[tuple[str, str, Any, Any]] = [
    ("charges", "Charges", lambda r: _money(r.charges_cents), lambda r: r.charges_cents / 100),
    ("payments", "Payments", lambda r: _money(r.payments_cents), lambda r: r.payments_cents / 100),
    (
        "net_collection_rate",
        "Net collection rate",
        lambda r: _pct(r.net_collection_rate),
        lambda r: r.net_collection_rate,
    ),
    ("days_in_ar", "Days in A/R", lambda r: _days(r.days_in_ar), lambda r: r.days_in_ar),
    ("denial_rate", "Denial rate", lambda r: _pct(r.denial_rate), lambda r: r.denial_rate),
    (
        "clean_claim_rate",
        "Clean claim rate",
        lambda r: _pct(r.clean_claim_rate),
        lambda r: r.clean_claim_rate,
    ),
    (
        "first_pass_acceptance",
        "First-pass acceptance",
        lambda r: _pct(r.first_pass_acceptance),
        lambda r: r.first_pass_acceptance,
    ),
    (
        "first_pass_resolution",
        "First-pass resolution",
        lambda r: _pct(r.first_pass_resolution),
        lambda r: r.first_pass_resolution,
    ),
    ("ar_over_90", "Insurance A/R > 90 days", lambda r: _pct(r.ar_over_90), lambda r: r.ar_over_90),
    (
        "ar_over_120",
        "Insurance A/R > 120 days",
        lambda r: _pct(r.ar_over_120),
        lambda r: r.ar_over_120,
    ),
    (
        "charge_lag",
        "Charge lag (median)",
        lambda r: _days(_lag(r, "charge_lag")),
        lambda r: _lag(r, "charge_lag"),
    ),
    (
        "submission_lag",
        "Submission lag (median)",
        lambda r: _days(_lag(r, "submission_lag")),
        lambda r: _lag(r, "submission_lag"),
    ),
    (
        "payer_lag",
        "Payer lag (median)",
        lambda r: _days(_lag(r, "payer_lag")),
        lambda r: _lag(r, "payer_lag"),
    ),
]


def _drill_url(base: dict[str, str], **params: Any) -> str:
    query = {**base, **{k: str(v) for k, v in params.items() if v is not None}}
    return f"{reverse('dashboard_drill')}?{urlencode(query)}"


def _month_label(day: date) -> str:
    return day.strftime("%b %y")


@page
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The KPI dashboard of the chosen practice (or all of the user's)."""
    practices = _practices(request)
    start, end, as_of = _period(request)
    data = dashboard_for(practices, start=start, end=end, as_of=as_of)
    base = {"start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat()}
    if request.GET.get("practice"):
        base["practice"] = request.GET["practice"]
    months = [_month_label(r.period_start) for r in data.trend]
    tiles = []
    for key, label, text, number in _TILES:
        values = [number(r) for r in data.trend]
        tiles.append(
            {
                "key": key,
                "label": label,
                "value": text(data.report),
                "formula": FORMULAS[key],
                "href": _drill_url(base, metric=key),
                "spark": sparkline(
                    title=f"{label}, last 12 months",
                    values=[None if v is None else float(v) for v in values],
                    labels=months,
                    texts=[text(r) for r in data.trend],
                ),
            }
        )
    aging_chart = bar_chart(
        title=f"A/R aging as of {as_of.isoformat()}",
        desc="Insurance and patient balances by days since the date of service",
        categories=[f"{b} days" for b in BUCKETS],
        series=[
            Series(
                side.capitalize(),
                [
                    Bar(
                        cell.cents / 100,
                        _money(cell.cents),
                        _drill_url(base, metric="aging", side=side, bucket=bucket),
                    )
                    for bucket, cell in zip(BUCKETS, getattr(data.aging.total, side), strict=True)
                ],
            )
            for side in SIDES
        ],
    )
    month_base = {k: v for k, v in base.items() if k not in ("start", "end")}
    collections_chart = bar_chart(
        title="Collections by month",
        desc="Payments (insurance + patient - refunds) by effective month, last 12 months",
        categories=months,
        series=[
            Series(
                "Payments",
                [
                    Bar(
                        r.payments_cents / 100,
                        _money(r.payments_cents),
                        _drill_url(
                            month_base,
                            metric="payments",
                            start=r.period_start.isoformat(),
                            end=r.period_end.isoformat(),
                        ),
                    )
                    for r in data.trend
                ],
            )
        ],
    )
    denials_chart = bar_chart(
        title="Denied claims by month",
        desc="Claims adjudicated with a denial, by month of the 835, last 12 months",
        categories=months,
        series=[
            Series(
                "Denied claims",
                [
                    Bar(
                        r.claims_denied,
                        f"{r.claims_denied}",
                        _drill_url(
                            month_base,
                            metric="denials",
                            start=r.period_start.isoformat(),
                            end=r.period_end.isoformat(),
                        ),
                    )
                    for r in data.trend
                ],
            )
        ],
    )
    category_chart = (
        bar_chart(
            title="Denied claims by category",
            desc="Claims denied in the period, by denial category (a claim once per category)",
            categories=[c for c, _ in data.denials_by_category],
            series=[
                Series(
                    "Denied claims",
                    [
                        Bar(n, str(n), _drill_url(base, metric="denials", category=c))
                        for c, n in data.denials_by_category
                    ],
                )
            ],
            horizontal=True,
        )
        if data.denials_by_category
        else None
    )
    payer_chart = (
        bar_chart(
            title="Denied claims by payer",
            desc="Claims denied in the period, by payer",
            categories=[name for _, name, _ in data.denials_by_payer],
            series=[
                Series(
                    "Denied claims",
                    [
                        Bar(
                            n,
                            str(n),
                            _drill_url(
                                base, metric="denials", by_payer=1, payer="" if p is None else p
                            ),
                        )
                        for p, _, n in data.denials_by_payer
                    ],
                )
            ],
            horizontal=True,
        )
        if data.denials_by_payer
        else None
    )
    return render(
        request,
        "web/dashboard/practice.html",
        {
            "practices": practices,
            "data": data,
            "tiles": tiles,
            "aging_chart": aging_chart,
            "collections_chart": collections_chart,
            "denials_chart": denials_chart,
            "category_chart": category_chart,
            "payer_chart": payer_chart,
            "practice_param": request.GET.get("practice", ""),
            "many": len(practice_list(user=request.user)) > 1,
            "nav": "kpis",
        },
    )


@page
@require_GET
def dashboard_practices(request: HttpRequest) -> HttpResponse:
    """One row of the main KPIs per practice the user serves, each linking to its dashboard."""
    start, end, as_of = _period(request)
    query = {"start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat()}
    rows = []
    practices = list(practice_list(user=request.user).order_by("name"))
    reports = kpi_by_practice(practices, start=start, end=end, as_of=as_of)
    for practice in practices:
        report = reports[practice.pk]
        rows.append(
            {
                "practice": practice,
                "href": f"{reverse('dashboard')}?{urlencode({**query, 'practice': practice.pk})}",
                "charges": _money(report.charges_cents),
                "payments": _money(report.payments_cents),
                "net_collection_rate": _pct(report.net_collection_rate),
                "days_in_ar": _days(report.days_in_ar),
                "denial_rate": _pct(report.denial_rate),
                "ar_over_90": _pct(report.ar_over_90),
            }
        )
    return render(
        request,
        "web/dashboard/practices.html",
        {"rows": rows, "start": start, "end": end, "as_of": as_of, "nav": "kpis"},
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@page
@require_GET
def dashboard_drill(request: HttpRequest) -> HttpResponse:
    """The claims behind one dashboard number (a tile, a bar, an aging cell)."""
    practices = _practices(request)
    start, end, as_of = _period(request)
    metric = request.GET.get("metric", "")
    side, bucket = request.GET.get("side"), request.GET.get("bucket")
    if metric not in METRICS or (
        metric == "aging" and (side not in SIDES or bucket not in BUCKETS)
    ):
        return render(
            request,
            "web/dashboard/drill.html",
            {"error": f"Unknown dashboard number {metric!r}.", "nav": "kpis"},
            status=400,
        )
    want = DrillRequest(
        metric=metric,
        start=start,
        end=end,
        as_of=as_of,
        side=side,
        bucket=bucket,
        payer=_int(request.GET.get("payer")),
        category=request.GET.get("category"),
        by_payer=request.GET.get("by_payer") == "1",
        everything_counted=request.GET.get("all") == "1",
    )
    claims = list(drill_claims(practices, drill_claim_ids(practices, want)))
    back = {k: v for k, v in request.GET.items() if k in ("practice", "as_of")}
    if metric not in ("payments", "denials") or "category" in request.GET:
        back.update(start=start.isoformat(), end=end.isoformat())
    return render(
        request,
        "web/dashboard/drill.html",
        {
            "claims": claims,
            "title": _drill_title(want),
            "formula": FORMULAS.get(metric, ""),
            "want": want,
            "back": f"{reverse('dashboard')}?{urlencode(back)}",
            "total_cents": sum(c.total_charge_cents for c in claims),
            "parts": _parts(request, want),
            "nav": "kpis",
        },
    )


def _parts(request: HttpRequest, want: DrillRequest) -> list[tuple[str, str, bool]]:
    """For a rate: links to its numerator's claims and to every claim it counted."""
    if want.metric not in CLAIM_METRICS:
        return []
    query = {k: v for k, v in request.GET.items() if k != "all"}
    here = reverse("dashboard_drill")
    return [
        ("Claims in the numerator", f"{here}?{urlencode(query)}", not want.everything_counted),
        (
            "Every claim counted",
            f"{here}?{urlencode({**query, 'all': '1'})}",
            want.everything_counted,
        ),
    ]


def _drill_title(want: DrillRequest) -> str:
    if want.metric == "aging":
        return f"{(want.side or '').capitalize()} A/R, {want.bucket} days, as of {want.as_of}"
    label = next((t[1] for t in _TILES if t[0] == want.metric), want.metric.replace("_", " "))
    if want.metric == "denials":
        label = "Denied claims"
        if want.category:
            label += f", category {want.category}"
        if want.by_payer:
            label += ", one payer"
    if want.metric in ("ar_over_90", "ar_over_120", "insurance_ar", "ar_end", "days_in_ar"):
        return f"{label}: claims with A/R as of {want.as_of}"
    if want.metric in CLAIM_METRICS:
        part = "every claim counted" if want.everything_counted else "claims in the numerator"
        return f"{label}: {part}, {want.start} to {want.end}"
    return f"{label}: claims, {want.start} to {want.end}"
