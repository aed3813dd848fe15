"""Trading partners, their control numbers, the batches of claims sent to them, the files
taken in from them and the acknowledgments those files carry."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openrcm.claims.models import Claim
from openrcm.files.models import StoredFile
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class TransportKind(models.TextChoices):
    FOLDER = "folder", "Local folder"
    SANDBOX = "sandbox", "Sandbox clearinghouse"
    SFTP = "sftp", "SFTP"


class TradingPartner(models.Model):
    """A practice's clearinghouse: how files travel and the envelope ids they carry.

    ``settings`` holds the transport's options (``out_dir``/``in_dir`` for a folder; the
    sandbox ``seed``) and ``sandbox_state`` the sandbox's memory (JSON) between calls.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=60)
    transport = models.CharField(max_length=10, choices=TransportKind.choices)
    settings = models.JSONField(default=dict, blank=True)
    sender_qualifier = models.CharField(max_length=2, default="ZZ")
    sender_id = models.CharField("ISA06", max_length=15)
    receiver_qualifier = models.CharField(max_length=2, default="ZZ")
    receiver_id = models.CharField("ISA08", max_length=15)
    gs_sender = models.CharField("GS02", max_length=15, blank=True)
    gs_receiver = models.CharField("GS03", max_length=15, blank=True)
    receiver_name = models.CharField(max_length=60, default="CLEARINGHOUSE")
    usage = models.CharField(
        max_length=1, choices=[("P", "Production"), ("T", "Test")], default="T"
    )
    is_default = models.BooleanField(default=True)
    sandbox_state = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="partner_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ControlNumber(models.Model):
    """The last ISA13, GS06 or ST02 used with a partner (taken under a row lock)."""

    partner = models.ForeignKey(TradingPartner, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=3)  # ISA, GS, ST
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "kind"], name="control_number_once"),
        ]


class BatchStatus(models.TextChoices):
    BUILT = "built", "Built"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted (999)"
    PARTIAL = "partial", "Partly accepted (999)"
    REJECTED = "rejected", "Rejected"


class Batch(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="batches")
    partner = models.ForeignKey(TradingPartner, on_delete=models.PROTECT, related_name="batches")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.BUILT, db_index=True
    )
    claim_count = models.PositiveIntegerField(default=0)
    total_cents = models.BigIntegerField(default=0)
    ack_999_at = models.DateTimeField(null=True, blank=True)
    # The missing-999 alert: raised once when no 999 came within OPENRCM_ACK_ALERT_HOURS of
    # submission, cleared (kept, with its time) when the partner answers the batch at last.
    alert = models.CharField(max_length=200, blank=True)
    alert_raised_at = models.DateTimeField(null=True, blank=True, db_index=True)
    alert_cleared_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Batch {self.pk}"

    @property
    def alert_open(self) -> bool:
        """Whether the missing-999 alert is raised and not yet cleared."""
        return self.alert_raised_at is not None and self.alert_cleared_at is None


class BatchFile(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="files")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64, db_index=True)
    isa13 = models.CharField(max_length=9, db_index=True)
    gs06 = models.CharField(max_length=9)
    st02 = models.JSONField(default=list)
    direction = models.CharField(max_length=3, default="out")

    class Meta:
        ordering = ["batch", "id"]


class BatchClaim(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="claims")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="batch_links")
    file = models.ForeignKey(BatchFile, on_delete=models.CASCADE, related_name="claims")
    st02 = models.CharField(max_length=9)
    status = models.CharField(max_length=10, choices=BatchStatus.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "claim"], name="claim_once_per_batch"),
        ]


class InboundFile(models.Model):
    """A file taken in from a partner: once by name and hash."""

    partner = models.ForeignKey(TradingPartner, on_delete=models.CASCADE, related_name="inbound")
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, blank=True)  # TA1, 999, 277CA, 835, unknown
    received_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name", "sha256"], name="inbound_file_once"),
        ]


class Acknowledgment(models.Model):
    """A TA1 (per interchange), a 999 set response (per ST) or a 277CA claim status."""

    inbound = models.ForeignKey(InboundFile, on_delete=models.CASCADE, related_name="acks")
    kind = models.CharField(max_length=6)  # TA1, 999, 277CA
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="acks"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="acks"
    )
    control_number = models.CharField(max_length=9, blank=True)  # ISA13 / ST02 acknowledged
    status = models.CharField(max_length=4)  # A/E/R, IK5 A/E/R/..., STC category
    codes = models.JSONField(default=list)  # ["A3:33:IL", ...] or IK5/AK9 codes
    reason = models.CharField(max_length=500, blank=True)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
