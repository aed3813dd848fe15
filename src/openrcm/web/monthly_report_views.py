"""The monthly practice reports (openrcm.reporting): the list of a practice's stored reports and
the download of one (audited as an export). Read-only: every role that may VIEW the practice,
practice owners included."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.files.services import StoredFileError, file_read
from openrcm.reporting.monthly_selectors import monthly_report_get, monthly_reports_of
from openrcm.tenancy.models import Practice
from openrcm.tenancy.selectors import practice_list
from openrcm.web.views import page


def _practice(request: HttpRequest) -> Practice | None:
    """The practice of ``?practice=`` (id or slug; 404 unless it is one of the user's), else
    the switcher's, else the user's first."""
    mine = practice_list(user=request.user)
    chosen = request.GET.get("practice")
    if chosen:
        found = (mine.filter(pk=chosen) if chosen.isdigit() else mine.filter(slug=chosen)).first()
        if found is None:
            raise Http404("No such practice.")
        return found
    current: Practice | None = getattr(request, "practice", None)
    return current if current is not None else mine.first()


@page
@require_GET
def monthly_report_list(request: HttpRequest) -> HttpResponse:
    """A practice's monthly reports, newest first, each with its download link."""
    practice = _practice(request)
    reports = list(monthly_reports_of(user=request.user, practice=practice)) if practice else []
    return render(
        request,
        "web/dashboard/monthly_reports.html",
        {"practice": practice, "reports": reports, "nav": "dashboard"},
    )


@page
@require_GET
def monthly_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF of one monthly report (audited as an export)."""
    report = monthly_report_get(user=request.user, pk=pk)
    try:
        data = file_read(stored=report.stored)
    except StoredFileError as exc:
        raise Http404(f"The file cannot be opened: {exc.reason}.") from None
    audit_record(
        action=AuditAction.EXPORT,
        target=report,
        request=request,
        detail={"format": "pdf", "month": f"{report.month:%Y-%m}"},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
