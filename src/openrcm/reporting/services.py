"""Writes of the reporting app: the monthly practice report generated, stored and e-mailed.

* :func:`monthly_report_generate` builds the PDF (:mod:`openrcm.reporting.monthly_pdf` over
  :func:`openrcm.reporting.monthly_content.monthly_content`), seals it in the encrypted file
  store and records it: one :class:`MonthlyReport` per practice and month; generating again
  replaces the file (the earlier one stays in the store, unlisted).
* :func:`monthly_report_email` sends it to the practice's owners (users with the
  practice-owner role there and an e-mail address) through Django's mailer
  (``MAILERS["default"]``: SMTP, set from the ``OPENRCM_EMAIL_*`` variables), one message
  each, the PDF attached, no PHI in the subject or body. Who received it is recorded as each
  message goes, so a retry after a failure sends only to those still waiting; the failure is
  recorded on the report and raised (the scheduler's job retries it); the report is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.files.models import StoredFile
from openrcm.files.services import file_read, file_store
from openrcm.reporting.models import MonthlyReport
from openrcm.reporting.monthly_content import monthly_content
from openrcm.reporting.monthly_pdf import monthly_pdf
from openrcm.tenancy.models import Membership, Practice, Role

__all__ = [
    "MonthlyReportEmailError",
    "monthly_report_email",
    "monthly_report_generate",
    "monthly_report_recipients",
]


class MonthlyReportEmailError(RuntimeError):
    """Sending the monthly report failed for some owners (named by count, not address)."""


def monthly_report_generate(
    *, practice: Practice, month: date, actor: Any = None, now: dt.datetime | None = None
) -> MonthlyReport:
    """Generate the report of ``practice`` for ``month``'s month and store it (replacing the
    month's earlier file). ``now`` (default: the clock) is printed as the generation time, in
    the practice's time zone. Audited: ``create`` of the report, and the file store's own event.
    """
    first = month.replace(day=1)
    moment = now or timezone.now()
    local = timezone.localtime(moment, ZoneInfo(practice.time_zone))
    data = monthly_pdf(monthly_content(practice=practice, month=first, generated_at=local))
    with transaction.atomic():
        stored = file_store(
            data=data,
            kind=StoredFile.Kind.PDF,
            practice=practice,
            original_name=f"openrcm-monthly-{practice.slug}-{first:%Y-%m}.pdf",
            actor=actor,
        )
        report, created = MonthlyReport.objects.select_for_update().get_or_create(
            practice=practice,
            month=first,
            defaults={
                "stored": stored,
                "sha256": stored.sha256,
                "generated_at": moment,
                "generated_by": actor,
            },
        )
        if not created:
            report.stored = stored
            report.sha256 = stored.sha256
            report.generated_at = moment
            report.generated_by = actor
            report.save(update_fields=["stored", "sha256", "generated_at", "generated_by"])
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            actor=actor,
            target=report,
            detail={"month": f"{first:%Y-%m}", "file": stored.pk, "bytes": stored.size},
        )
    return report


def monthly_report_recipients(*, practice: Practice) -> list[str]:
    """The e-mail addresses of the practice's owners (active users with the practice-owner
    role on it and an address), sorted, each once."""
    emails = (
        Membership.objects.filter(practice=practice, role=Role.PRACTICE_OWNER, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted({email.strip().lower() for email in emails if email and email.strip()})


@dataclass(frozen=True, slots=True)
class EmailOutcome:
    """What one call of :func:`monthly_report_email` sent."""

    sent_to: list[str]
    already: list[str]


def _message(report: MonthlyReport, data: bytes, to: str) -> EmailMessage:
    practice = report.practice
    label = report.month.strftime("%B %Y")
    body = (
        f"The monthly practice report of {practice.name} for {label} is attached (PDF).\n\n"
        "It holds the month's KPIs with their formulas, the 12-month trends, the A/R aging, "
        "the denials by category and the largest open balances. It is also listed for "
        "download on the dashboard's Monthly reports page.\n\n"
        "The attachment contains patient information (claim numbers and initials): keep it "
        "confidential.\n\n-- OpenRCM\n"
    )
    message = EmailMessage(
        subject=f"OpenRCM monthly report: {practice.name}, {label}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach(report.filename, data, "application/pdf")
    return message


def monthly_report_email(*, report: MonthlyReport, actor: Any = None) -> EmailOutcome:
    """E-mail ``report`` to each practice owner who has not received it yet.

    Raises:
        MonthlyReportEmailError: a message could not be sent (the owners it did reach are
            recorded; the error is kept on the report and audited as a failure).
    """
    wanted = monthly_report_recipients(practice=report.practice)
    already = [email for email in wanted if email in report.recipients]
    waiting = [email for email in wanted if email not in report.recipients]
    if not waiting:
        return EmailOutcome([], already)
    data = file_read(stored=report.stored)
    sent: list[str] = []
    error = ""
    try:
        with mailers.default as connection:
            for email in waiting:
                connection.send_messages([_message(report, data, email)])
                sent.append(email)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        report.recipients = [*report.recipients, *sent]
        if sent and not error:
            report.emailed_at = timezone.now()
        report.email_error = error
        report.save(update_fields=["recipients", "emailed_at", "email_error"])
        audit_record(
            action=AuditAction.EXPORT,
            actor=actor,
            target=report,
            outcome="failure" if error else "success",
            detail={
                "via": "email",
                "month": f"{report.month:%Y-%m}",
                "sent": len(sent),
                "waiting": len(waiting) - len(sent),
            },
        )
    if error:
        raise MonthlyReportEmailError(
            f"monthly report {report.month:%Y-%m} of {report.practice.slug}: sent to "
            f"{len(sent)} of {len(waiting)} owners; {error}"
        )
    return EmailOutcome(sent, already)
