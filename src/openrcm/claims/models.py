"""Claims built from encounters, their lines, and the history of their status (PHI)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openrcm.core.claims.status import ClaimFrequency, ClaimSequence, ClaimStatus
from openrcm.core.money import Money
from openrcm.encounters.models import ChargeLine, Encounter
from openrcm.patients.models import Coverage
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet

STATUS_CHOICES = [(s.value, s.label) for s in ClaimStatus]
SEQUENCE_CHOICES = [("P", "Primary"), ("S", "Secondary"), ("T", "Tertiary")]
FREQUENCY_CHOICES = [("1", "Original"), ("7", "Replacement"), ("8", "Void")]


class Claim(models.Model):
    """A bill to one payer (through one coverage) for an encounter's charge lines.

    The status changes only through `claims.services.claim_transition`, which asks the core
    state machine; the field is never assigned elsewhere.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="claims")
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="claims")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="claims")
    sequence = models.CharField(
        max_length=1, choices=SEQUENCE_CHOICES, default=ClaimSequence.PRIMARY.value
    )
    frequency_code = models.CharField(
        max_length=1, choices=FREQUENCY_CHOICES, default=ClaimFrequency.ORIGINAL.value
    )
    patient_control_number = models.CharField(max_length=20)
    external_pcn = models.BooleanField(
        "patient control number from another system",
        default=False,
        help_text=(
            "The CLM01 an imported 837P carried: other imported claims of the practice may share "
            "it (legacy systems send an account number). Numbers OpenRCM draws are unique."
        ),
    )
    payer_claim_number = models.CharField(
        max_length=50,
        blank=True,
        help_text="The payer's claim control number (REF*F8 for 7 and 8).",
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    total_charge_cents = models.BigIntegerField()
    status = models.CharField(
        max_length=20, choices=STATUS_CHOICES, default=ClaimStatus.DRAFT.value, db_index=True
    )
    status_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Unique for the numbers we draw; an 835 choosing among claims that share an
            # imported number is openrcm.core.posting.claim_match's work.
            models.UniqueConstraint(
                fields=["practice", "patient_control_number"],
                condition=models.Q(external_pcn=False),
                name="pcn_unique_in_practice",
            ),
            models.CheckConstraint(
                condition=models.Q(total_charge_cents__gte=0), name="claim_total_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "status"]),
            models.Index(fields=["practice", "patient_control_number"], name="claim_pcn"),
        ]

    def __str__(self) -> str:
        return f"Claim {self.patient_control_number}"

    @property
    def total_charge(self) -> Money:
        return Money.from_cents(self.total_charge_cents)

    @property
    def status_enum(self) -> ClaimStatus:
        return ClaimStatus(self.status)


class ClaimLine(models.Model):
    """A charge line as billed on one claim (a secondary claim carries the same charge lines)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="claim_lines")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    charge_line = models.ForeignKey(
        ChargeLine, on_delete=models.PROTECT, related_name="claim_lines"
    )
    line_number = models.PositiveSmallIntegerField()
    charge_cents = models.BigIntegerField()

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "line_number"], name="claim_line_number_once"),
            models.UniqueConstraint(
                fields=["claim", "charge_line"], name="charge_line_once_per_claim"
            ),
        ]

    @property
    def charge(self) -> Money:
        return Money.from_cents(self.charge_cents)


class ClaimStatusChange(models.Model):
    """One step of a claim's history; written by the state-machine service only."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=STATUS_CHOICES, blank=True)
    to_status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "at", "id"]


class ImportedClaimFile(models.Model):
    """An 837P file imported into a practice (`openrcm claims import-837`), known by its SHA-256:
    the same file imported again creates nothing. Holds counts only, never PHI."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255, help_text="The file's name as given to the import.")
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    as_submitted = models.BooleanField(
        default=False, help_text="Its claims were recorded as already submitted (onboarding)."
    )
    counts = models.JSONField(default=dict, help_text="What the import created and skipped.")
    claims = models.ManyToManyField(Claim, related_name="imported_from", blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "sha256"], name="claim_file_imported_once_per_practice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"
