"""The ledger of a practice's money per charge line, and the 835s that move it.

**Ledger.** A `LedgerEntry` is one money movement on one charge line, in integer cents:
a charge, an insurance payment, an adjustment (with its CAS group, CARC and RARCs), a transfer to
patient responsibility (deductible, coinsurance and copay kept apart by `patient_reason`) or to
the next payer, a reversal, a refund, a write-off, a patient payment. The kinds and how each
moves the insurance and patient balances are the core's (`openrcm.core.posting.entries`).
Entries are never changed or removed: the ORM refuses (save of a stored row, delete, QuerySet
update/delete) and a database trigger refuses UPDATE and DELETE (migration 0002); a correction
is a new entry whose `reverses` names the one it cancels.

**Balances.** `ChargeBalance` holds, per charge line, what the ledger sums to: the insurance
balance (owed by payers) and the patient balance. The key is the charge line, not the claim
line: a secondary claim bills the same charge lines as the primary, and a charge counts once.
Each entry also names the claim (the payer's claim) it belongs to, so what one payer paid or
still owes is the sum of that claim's entries; a transfer to the next payer is two entries (out
of the primary's claim, into the secondary's) that leave the charge line's insurance balance
as it was. Balances are written only by `openrcm.posting.services` in the transaction that
writes the entries, under a row lock; `openrcm ledger check` recomputes them from the entries.

**835s.** An `EraFile` is one received file (stored encrypted, by hash); each of its
transaction sets is a `Remittance` (posted, or refused with the reason); each CLP a
`RemittanceClaim`; each PLB item a `ProviderAdjustment`. What could not be matched is a
`PostingException`; a payer's denial a `Denial`, worked by a person.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from openrcm.claims.models import Claim, ClaimLine
from openrcm.clearinghouse.models import InboundFile
from openrcm.encounters.models import ChargeLine
from openrcm.files.models import StoredFile
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class LedgerImmutableError(RuntimeError):
    """Raised on any attempt to change or remove a ledger entry."""


def _refuse(what: str) -> NoReturn:
    raise LedgerImmutableError(
        f"ledger entries are immutable: {what} refused (post a reversing entry instead)"
    )


class LedgerEntryQuerySet(PracticeScopedQuerySet["LedgerEntry"]):
    """Reads as usual (scoped per practice); every update and delete is refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def _update(self, values: Any) -> NoReturn:  # what Model.save() uses to UPDATE a row
        _refuse("update")

    def bulk_update(self, objs: Any, fields: Any, batch_size: Any = None) -> NoReturn:
        _refuse("bulk_update")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update_or_create")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def _raw_delete(self, using: Any) -> NoReturn:
        _refuse("delete")


class EntrySource(models.TextChoices):
    CLAIM = "claim", "Claim (charge)"
    REMITTANCE = "remittance", "835 remittance"
    MANUAL = "manual", "Manual entry"


class LedgerEntry(models.Model):
    """One immutable money movement on a charge line (see the module docstring).

    Database constraints: the charge line (the balance's key), the claim payment it came from
    and the entry it reverses are foreign keys in the database too. The practice, claim, claim
    line and user are not (``db_constraint=False``, migration 0005): they follow from the
    charge line and claim payment the single writer (`ledger.entries_write`) takes them from in
    the same transaction, the ORM still refuses to delete a row they name (PROTECT), and
    ``openrcm ledger check`` verifies each of them exists and agrees with the others
    (`ledger.ledger_references_check`). A 20,000-claim 835 writes about 140,000 entries:
    their four checks more were 2 to 3 s of PostgreSQL's COMMIT (docs/posting.md, "Speed").
    """

    practice = models.ForeignKey(
        Practice,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the index ledger_practice_line starts with the practice
    )
    charge_line = models.ForeignKey(
        ChargeLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="None for an entry on a whole claim (a claim-level 835 amount).",
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        help_text="The payer's claim the movement belongs to (none for a patient payment).",
        db_constraint=False,
        db_index=False,  # the index ledger_claim_kind starts with the claim
    )
    claim_line = models.ForeignKey(
        ClaimLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # Indexed: a draft's lines are deleted when it is rebuilt, and PROTECT looks here.
        db_constraint=False,
    )
    # An EntryKind value of the core; validated by the posting services (no choices here, so
    # a new kind needs no migration).
    kind = models.CharField(max_length=32)
    cents = models.BigIntegerField(help_text="Amount in cents, signed as the core's kind says.")
    bucket = models.CharField(max_length=9, default="insurance", help_text="insurance or patient.")
    group_code = models.CharField(max_length=2, blank=True)
    carc = models.CharField(max_length=5, blank=True)
    rarcs = models.JSONField(default=list, blank=True)
    patient_reason = models.CharField(
        max_length=16, blank=True, help_text="deductible, coinsurance, copay or other."
    )
    effective_date = models.DateField(
        help_text="The 835's payment date (BPR16), or the day a manual entry was made."
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,  # no read looks entries up by user
    )
    source = models.CharField(max_length=12, choices=EntrySource.choices)
    remittance_claim = models.ForeignKey(
        "RemittanceClaim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text="The entry this one cancels (each entry is reversed at most once).",
    )
    note = models.CharField(max_length=200, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            # One charge per charge line, however many payers bill it.
            models.UniqueConstraint(
                fields=["charge_line"],
                condition=models.Q(kind="charge"),
                name="ledger_one_charge_per_line",
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "charge_line"], name="ledger_practice_line"),
            models.Index(fields=["claim", "kind"], name="ledger_claim_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.cents / 100:.2f} on line {self.charge_line_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.pk is not None:
            _refuse("update")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")


class ChargeBalance(models.Model):
    """What a charge line's entries sum to: insurance A/R and patient balance (cents).

    One row per charge line; entries on a whole claim (no charge line) sum into one row per
    claim with `charge_line` empty. Written only alongside the entries that change it, under
    `select_for_update`. On PostgreSQL the table keeps half of each page free (migration 0007),
    so a balance moves by a HOT update that touches none of its indexes.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    charge_line = models.OneToOneField(
        ChargeLine, on_delete=models.PROTECT, null=True, blank=True, related_name="balance"
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only for the row of a claim's claim-level entries.",
    )
    insurance_cents = models.BigIntegerField(default=0)
    patient_cents = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()
    # What the A/R aging groups by, kept on the row (posting.balance_keys) so the aging's
    # totals are one GROUP BY on this table, no joins (docs/reporting.md, "Speed").
    service_date = models.DateField(
        null=True,
        blank=True,
        help_text="The date of service of the line's encounter (claim level: the claim's).",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="The encounter's rendering provider.",
    )
    payer = models.ForeignKey(
        "payers.Payer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text=(
            "The responsible payer: that of the latest claim not void carrying the line "
            "(claim level: the claim's); empty when no claim carries it."
        ),
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(charge_line__isnull=True),
                name="balance_claim_level_once",
            ),
            models.CheckConstraint(
                condition=models.Q(charge_line__isnull=False) | models.Q(claim__isnull=False),
                name="balance_has_a_key",
            ),
        ]
        indexes = [
            # The aging as of a past date: the balances of the dates of service the day sums
            # show entries for after that date (reporting.aging_selectors).
            models.Index(fields=["practice", "service_date"], name="balance_practice_served"),
        ]

    def __str__(self) -> str:
        return (
            f"line {self.charge_line_id}: insurance {self.insurance_cents / 100:.2f}, "
            f"patient {self.patient_cents / 100:.2f}"
        )


class LedgerDaySum(models.Model):
    """The ledger's money summed per practice, effective date, date of service, kind and bucket.

    Kept in step with the entries: :func:`openrcm.posting.ledger.entries_write` adds each
    entry's cents here in the transaction that stores it (``INSERT ... ON CONFLICT DO UPDATE``,
    the sum done by the database, so concurrent postings add up). Reports read these few
    thousand rows instead of every entry (docs/reporting.md, "Speed");
    ``openrcm ledger check`` compares them with the entries. The date of service is that of the
    entry's charge line's encounter (a claim-level entry: its claim's encounter).
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    effective_date = models.DateField()
    service_date = models.DateField()
    kind = models.CharField(max_length=32)
    bucket = models.CharField(max_length=9)
    cents = models.BigIntegerField(default=0)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "effective_date", "service_date", "kind", "bucket"],
                name="ledger_day_sum_once",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.bucket} {self.cents / 100:.2f} effective {self.effective_date}, "
            f"served {self.service_date}"
        )


class EraFile(models.Model):
    """One received 835 file: its bytes in the encrypted store, once per practice and hash."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    inbound = models.OneToOneField(
        InboundFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="era_file",
        help_text="The clearinghouse file it came in as (none for an upload or the CLI).",
    )
    error = models.TextField(blank=True, help_text="Why the file could not be read at all.")

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "sha256"], name="era_file_once"),
        ]

    def __str__(self) -> str:
        return self.name or f"835 {self.sha256[:12]}"


class RemittanceStatus(models.TextChoices):
    POSTED = "posted", "Posted"
    REFUSED = "refused", "Refused"


class Remittance(models.Model):
    """One 835 transaction set (ST-SE): a payment (or notice) and the claims it explains."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="remittances")
    era_file = models.ForeignKey(EraFile, on_delete=models.PROTECT, related_name="remittances")
    control_number = models.CharField("ST02", max_length=9)
    payer_name = models.CharField(max_length=60, blank=True)
    payer_id = models.CharField(
        max_length=80, blank=True, help_text="N1*PR id (or REF*2U), else TRN03."
    )
    trace_number = models.CharField("TRN02", max_length=50, blank=True)
    trace_originator = models.CharField("TRN03", max_length=10, blank=True)
    payment_cents = models.BigIntegerField(default=0)
    credit_debit = models.CharField(max_length=1, blank=True)
    method = models.CharField(max_length=3, blank=True, help_text="ACH, CHK, NON, BOP, FWT.")
    payment_date = models.DateField(null=True, blank=True)
    payee_npi = models.CharField(max_length=80, blank=True)
    sha256 = models.CharField(max_length=64, help_text="The file's SHA-256.")
    status = models.CharField(max_length=8, choices=RemittanceStatus.choices)
    error = models.TextField(blank=True)
    claim_count = models.PositiveIntegerField(default=0)
    posted_at = models.DateTimeField()

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            # The idempotency key: a payment is posted once.
            models.UniqueConstraint(
                fields=["practice", "payer_id", "trace_number", "trace_originator"],
                condition=models.Q(status="posted"),
                name="remittance_posted_once",
            ),
        ]
        indexes = [models.Index(fields=["practice", "trace_number"], name="remit_trace")]

    def __str__(self) -> str:
        return f"835 {self.trace_number or self.control_number} ({self.status})"

    @property
    def payment_amount(self) -> str:
        return f"{self.payment_cents / 100:.2f}"


class RemittanceClaim(models.Model):
    """One CLP of a posted remittance: the payer's adjudication of a claim, and what we did."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="claims")
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="remittance_claims"
    )
    patient_control_number = models.CharField("CLP01", max_length=38)
    status_code = models.CharField("CLP02", max_length=2)
    charge_cents = models.BigIntegerField(default=0)
    paid_cents = models.BigIntegerField(default=0)
    patient_responsibility_cents = models.BigIntegerField(null=True, blank=True)
    payer_claim_number = models.CharField("CLP07", max_length=50, blank=True)
    outcome = models.CharField(max_length=20, blank=True, help_text="The claim status it led to.")
    content_key = models.CharField(
        max_length=64, help_text="The core's SHA-256 of the CLP's content: posted once per claim."
    )
    warnings = models.JSONField(default=list, blank=True)
    reversed_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reverses"
    )
    matching = models.JSONField(
        default=list, blank=True, help_text="Per SVC: the line it matched and how."
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["remittance", "id"]
        indexes = [
            models.Index(fields=["claim", "payer_claim_number"], name="remit_claim_icn"),
            models.Index(fields=["claim", "content_key"], name="remit_claim_content"),
        ]

    def __str__(self) -> str:
        return f"CLP {self.patient_control_number} ({self.status_code})"


class ProviderAdjustment(models.Model):
    """One PLB item: interest (L6), recoupment (WO), forwarding balance (FB) and the others.

    Positive amounts reduce the payment, negative ones increase it (as in the 835).
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    remittance = models.ForeignKey(
        Remittance, on_delete=models.PROTECT, related_name="provider_adjustments"
    )
    provider_id = models.CharField(max_length=50)
    fiscal_period_date = models.DateField()
    reason = models.CharField(max_length=2)
    reference = models.CharField(max_length=50, blank=True)
    cents = models.BigIntegerField()

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["remittance", "id"]

    def __str__(self) -> str:
        return f"PLB {self.reason} {self.cents / 100:.2f}"


class ExceptionKind(models.TextChoices):
    UNKNOWN_CLAIM = "unknown_claim", "Claim not found"
    UNMATCHED_LINE = "unmatched_line", "Service line not matched"
    NOT_REVERSIBLE = "not_reversible", "Reversal without a posting to reverse"


class PostingException(models.Model):
    """Something in an 835 that could not be posted by itself: waits for manual matching."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="exceptions")
    remittance_claim = models.ForeignKey(
        RemittanceClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="exceptions"
    )
    kind = models.CharField(max_length=20, choices=ExceptionKind.choices)
    patient_control_number = models.CharField(max_length=38, blank=True)
    tried = models.TextField(help_text="What matching tried, in words.")
    detail = models.JSONField(default=dict, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.patient_control_number}"


class DenialStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPEALED = "appealed", "Appealed"
    RESUBMITTED = "resubmitted", "Corrected and resubmitted"
    WRITTEN_OFF = "written_off", "Written off"


class Denial(models.Model):
    """A payer's denial of a claim or line: insurance A/R kept open until a person works it."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="denials")
    claim_line = models.ForeignKey(
        ClaimLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    remittance_claim = models.ForeignKey(
        RemittanceClaim, on_delete=models.PROTECT, related_name="denials"
    )
    group_code = models.CharField(max_length=2)
    carc = models.CharField(max_length=5)
    rarcs = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=40)
    next_action = models.CharField(max_length=200)
    cents = models.BigIntegerField(help_text="The amount denied.")
    status = models.CharField(max_length=12, choices=DenialStatus.choices, default="open")
    worked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    worked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "id"]
        indexes = [models.Index(fields=["practice", "status"], name="denial_practice_status")]

    def __str__(self) -> str:
        return f"{self.group_code}-{self.carc} on {self.claim}"


class NextPayerClaim(models.Model):
    """A claim to the next payer (secondary, tertiary) made after a prior payer's 835.

    It links the new claim to the prior claim and to the 835 claim payment (CLP) whose
    adjudication it carries: the 837P (loops 2320/2430) and the scrubber read that CLP again
    from the stored 835 (`openrcm.posting.secondary`). One per prior claim payment, so posting
    the same 835 twice never makes a second claim.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="prior_adjudication")
    prior_claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="next_payer_claims"
    )
    remittance_claim = models.OneToOneField(
        RemittanceClaim, on_delete=models.PROTECT, related_name="next_payer_claim"
    )
    created_at = models.DateTimeField()

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"next payer claim {self.claim_id} after claim {self.prior_claim_id}"
