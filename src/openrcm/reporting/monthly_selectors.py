"""Reads of the stored monthly reports, scoped to the user's practices (another practice's
report is a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openrcm.reporting.models import MonthlyReport
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import get_for_user_or_404

__all__ = ["monthly_report_get", "monthly_reports_of"]


def monthly_reports_of(*, user: Any, practice: Practice) -> QuerySet[MonthlyReport]:
    """The stored monthly reports of ``practice``, newest month first (none unless the user
    may view the practice)."""
    return (
        MonthlyReport.objects.for_user(user)
        .filter(practice=practice)
        .select_related("practice", "stored")
        .order_by("-month")
    )


def monthly_report_get(*, user: Any, pk: Any) -> MonthlyReport:
    """One report of the user's practices, or Http404. Read its PDF with
    ``openrcm.files.services.file_read`` and audit the export."""
    return get_for_user_or_404(
        MonthlyReport.objects.select_related("practice", "stored"), user, pk=pk
    )
