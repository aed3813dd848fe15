"""What each kind of job does, through the apps' services only: the daily batch of a practice
(build and send its ready claims), the inbound polling of one clearinghouse and the monthly
report of a practice (generated, stored, e-mailed to its owners)."""

from __future__ import annotations

from typing import Any

from openrcm.audit.services import audit_service_actor
from openrcm.clearinghouse.models import Batch, BatchStatus, TradingPartner
from openrcm.clearinghouse.services import batch_build, batch_send, inbound_poll
from openrcm.posting.services import eras_post_pending
from openrcm.reporting.models import MonthlyReport
from openrcm.reporting.services import monthly_report_email, monthly_report_generate
from openrcm.schedules.jobs import Runner
from openrcm.schedules.models import Job, JobKind
from openrcm.tenancy.models import Practice

SERVICE_NAME = "worker"  # jobs act as the service user "system:worker"


def default_partner(practice: Practice | int) -> TradingPartner | None:
    """The clearinghouse the daily batch goes to: the practice's default partner (else its
    first one); None when the practice has none set up."""
    partners = TradingPartner.objects.filter(practice=practice).order_by("-is_default", "id")
    return partners.first()


def run_daily_batch(job: Job) -> dict[str, Any]:
    """Send what an earlier attempt built but could not send, then batch the practice's ready
    claims and send them. Re-running never sends a claim twice (``batch_build`` takes only
    claims not already sent; ``batch_send`` refuses a sent batch)."""
    partner = job.partner or default_partner(job.practice_id)
    if partner is None:
        return {"batches": [], "claims": 0, "note": "no clearinghouse set up: nothing sent"}
    actor = audit_service_actor(SERVICE_NAME)
    sent: list[int] = []
    claims = 0
    # A batch left built (its send failed on an earlier attempt, or one built by hand) goes now.
    for batch in Batch.objects.filter(
        practice_id=job.practice_id, partner=partner, status=BatchStatus.BUILT
    ).order_by("id"):
        batch_send(batch=batch, actor=actor)
        sent.append(batch.pk)
        claims += batch.claim_count
    built = batch_build(practice=job.practice, partner=partner, actor=actor)
    if built.batch is not None:
        batch_send(batch=built.batch, actor=actor)
        sent.append(built.batch.pk)
        claims += built.batch.claim_count
    return {"batches": sent, "claims": claims, "partner": partner.name}


def post_pending_835s(actor: Any) -> dict[str, Any]:
    """Post the 835s polls stored and nobody imported yet (the posting app's service; a file
    it cannot read is recorded there with its error, not retried)."""
    results = eras_post_pending(actor=actor)
    return {
        "eras_posted": sum(1 for r in results if not r.errors),
        "era_errors": [e for r in results for e in r.errors][:20],
    }


def run_inbound_poll(job: Job) -> dict[str, Any]:
    """Take in the clearinghouse's new files (acknowledgments applied to batches and claims),
    then post the 835s among them (``openrcm.posting``)."""
    partner = job.partner
    if partner is None:
        return {"taken": 0, "note": "the clearinghouse was removed"}
    actor = audit_service_actor(SERVICE_NAME)
    result = inbound_poll(partner=partner, actor=actor)
    summary: dict[str, Any] = {
        "taken": len(result.taken),
        "skipped": result.skipped,
        "accepted": result.accepted,
        "acknowledged": result.acknowledged,
        "rejected": result.rejected,
        "errors": result.errors[:20],
    }
    summary.update(post_pending_835s(actor))
    return summary


def run_monthly_report(job: Job) -> dict[str, Any]:
    """Generate and store the report of the job's month (``run_date``), unless an earlier
    attempt already did, then e-mail it to the practice owners who have not received it. A
    failed send raises (the job retries it) and keeps the stored report."""
    actor = audit_service_actor(SERVICE_NAME)
    month = job.run_date
    if month is None:
        raise ValueError(f"job {job.key}: no month (run_date) to report")
    report = MonthlyReport.objects.filter(practice_id=job.practice_id, month=month).first()
    generated = report is None
    if report is None:
        report = monthly_report_generate(practice=job.practice, month=month, actor=actor)
    sent = monthly_report_email(report=report, actor=actor)
    return {
        "report": report.pk,
        "month": f"{month:%Y-%m}",
        "generated": generated,
        "emailed": len(sent.sent_to),
        "already_emailed": len(sent.already),
    }


RUNNERS: dict[str, Runner] = {
    JobKind.DAILY_BATCH: run_daily_batch,
    JobKind.INBOUND_POLL: run_inbound_poll,
    JobKind.MONTHLY_REPORT: run_monthly_report,
}
