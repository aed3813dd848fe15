"""The monthly practice report: one stored PDF per practice and month, and whom it was e-mailed to.

Regenerating a month **replaces** its file: the row points to the newest PDF (its SHA-256 and
generation time with it); the earlier PDF stays in the encrypted file store, unlisted. The
e-mail fields are kept across a regeneration: they record who has received that month's report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openrcm.files.models import StoredFile
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class MonthlyReport(models.Model):
    """A practice's monthly report (KPIs, trends, aging, denials, top open items) as a PDF."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month reported.")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the PDF.")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last owner still waiting received it."
    )
    recipients = models.JSONField(
        default=list, blank=True, help_text="The addresses the report was e-mailed to."
    )
    email_error = models.TextField(blank=True, help_text="Why the last e-mail attempt failed.")

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "month"], name="monthly_report_once"),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="monthly_report_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"monthly report {self.month:%Y-%m} of practice {self.practice_id}"

    @property
    def filename(self) -> str:
        """The download name: no patient data, the practice's slug and the month."""
        return f"openrcm-monthly-{self.practice.slug}-{self.month:%Y-%m}.pdf"


class ClaimTimeline(models.Model):
    """One claim's life as the KPI engine reads it (``core.reporting.ClaimFact``), kept by the
    writers: the claim's creation, every status change, its first scrub and every 835 claim
    payment posted call :func:`openrcm.reporting.timelines.claim_timelines_refresh` for the
    claims they touched, in their transaction, which recomputes these rows from the source
    tables. A void claim has no row. Dates are the practice's own days.

    Why a copy: the dashboard's claim KPIs over a year of a large practice are a ``GROUP BY``
    on this one table (a few thousand groups), where reading them from the claims, their
    encounters, history, scrubs and claim payments meant joins and one row per claim
    (docs/reporting.md, "Speed"). ``openrcm report check`` compares every row with the
    source tables.
    """

    claim = models.OneToOneField(
        "claims.Claim", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    # Copies for drill-down facts (report keys, not relations: no constraint to check on write).
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    payer = models.ForeignKey(
        "payers.Payer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    sequence = models.CharField(max_length=1)
    is_replacement = models.BooleanField()
    service_date = models.DateField()
    charge_cents = models.BigIntegerField()
    created_on = models.DateField()
    charge_lag_days = models.IntegerField(
        null=True, help_text="created - date of service, for primary originals only."
    )
    submitted_on = models.DateField(null=True)
    submission_lag_days = models.IntegerField(null=True)
    first_submission_accepted = models.BooleanField(null=True)
    first_scrubbed_on = models.DateField(null=True)
    first_scrub_clean = models.BooleanField(null=True)
    first_paid_on = models.DateField(null=True)
    payer_lag_days = models.IntegerField(
        null=True, help_text="first paid - first submitted, for submitted claims only."
    )
    adjudication_count = models.PositiveIntegerField(default=0)
    adjudicated_on = models.DateField(
        null=True, help_text="The only adjudication's day, or the last one's."
    )
    outcome = models.CharField(
        max_length=24, blank=True, help_text="The only adjudication's outcome."
    )
    denied_cents = models.BigIntegerField(default=0, help_text="The only adjudication's.")
    adjudications = models.JSONField(
        default=list, help_text="Every adjudication: [day, outcome, denied cents]."
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        # The counts read a year of a practice (most rows: a scan); the indexes serve the
        # narrow reads: a month's adjudications (denials by category) and the few claims
        # adjudicated more than once, read one by one.
        indexes = [
            models.Index(fields=["practice", "adjudicated_on"], name="timeline_adjudicated"),
            models.Index(
                fields=["practice", "adjudicated_on"],
                condition=models.Q(adjudication_count__gt=1),
                name="timeline_readjudicated",
            ),
        ]

    def __str__(self) -> str:
        return f"timeline of claim {self.claim_id}"


class ClaimDayCount(models.Model):
    """The claim timelines counted by measure and day (``core.reporting.ClaimCount``), kept
    with them: every refresh of a timeline adds the difference its new counts make
    (``claims = claims + excluded.claims``, like the ledger's day sums), in the same
    transaction. The dashboard reads these few thousand rows instead of grouping a year of
    claims. Claims adjudicated more than once are not counted here: they count once per period,
    which depends on the periods asked for, and are read from their timelines.

    The key holds no NULL (a unique key with NULLs never conflicts): ``lag_days`` is 0 for
    the measures without a lag, ``passed`` is "" (none), "y" or "n", ``outcome`` "" for none.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    measure = models.CharField(max_length=16)
    day = models.DateField()
    lag_days = models.IntegerField(default=0)
    passed = models.CharField(max_length=1, blank=True, default="")
    outcome = models.CharField(max_length=24, blank=True, default="")
    claims = models.IntegerField(default=0)
    charge_cents = models.BigIntegerField(default=0)
    denied_cents = models.BigIntegerField(default=0)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "measure", "day", "lag_days", "passed", "outcome"],
                name="claim_day_count_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claims} claims {self.measure} on {self.day}"
