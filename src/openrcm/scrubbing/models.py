"""What the scrubber found on the database's claims, the overrides of its warnings, the payer
rules a billing team writes as data, and the clean claim rate (HFMA CL-1) per practice and month.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.core.scrub.conditions import ConditionError, rule_from_data
from openrcm.core.scrub.engine import Rule
from openrcm.payers.models import Payer
from openrcm.tenancy.models import Practice
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import PracticeScopedQuerySet, practice_ids_for


class Severity(models.TextChoices):
    ERROR = "error", "Error"
    WARNING = "warning", "Warning"


class ScrubRun(models.Model):
    """One scrub of one claim or of a practice's batch: who ran it and what came of it."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="scrub_runs")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claim_count = models.PositiveIntegerField(default=0)
    clean_count = models.PositiveIntegerField(default=0, help_text="Claims with no finding.")
    held_count = models.PositiveIntegerField(default=0, help_text="Claims with an error.")
    ready_count = models.PositiveIntegerField(default=0, help_text="Claims ready after the run.")

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]


class ClaimScrub(models.Model):
    """A claim's latest scrub, and whether its first scrub was clean (for the clean claim rate)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="scrub")
    run = models.ForeignKey(ScrubRun, on_delete=models.CASCADE, related_name="claim_scrubs")
    first_scrubbed_at = models.DateTimeField()
    first_clean = models.BooleanField()
    scrubbed_at = models.DateTimeField()
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    open_warning_count = models.PositiveIntegerField(
        default=0, help_text="Warnings without an override."
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["practice", "error_count"])]


class ClaimFinding(models.Model):
    """One finding of the claim's latest scrub (the previous scrub's are replaced)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="findings")
    run = models.ForeignKey(ScrubRun, on_delete=models.CASCADE, related_name="findings")
    rule_id = models.CharField(max_length=40)
    rule_version = models.PositiveIntegerField(default=1)
    severity = models.CharField(max_length=7, choices=Severity.choices)
    message = models.TextField()
    line = models.PositiveSmallIntegerField(null=True, blank=True)
    field = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "id"]
        indexes = [models.Index(fields=["claim", "severity"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.severity}"

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


class WarningOverride(models.Model):
    """A person's decision to send a claim despite a warning, with the reason (audited)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="warning_overrides")
    rule_id = models.CharField(max_length=40)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "-at", "-id"]
        indexes = [models.Index(fields=["claim", "rule_id"])]

    def __str__(self) -> str:
        return f"{self.rule_id} overridden"


class PayerRuleQuerySet(models.QuerySet["PayerRule"]):
    def for_user(self, user: Any, action: Action = Action.VIEW) -> PayerRuleQuerySet:
        """Rules of the payers of the organizations where the user may perform `action`."""
        return self.filter(
            payer__organization__practices__in=practice_ids_for(user, action)
        ).distinct()


class PayerRule(models.Model):
    """A payer's rule as data (the condition language of `openrcm.core.scrub.conditions`).

    Versioned: an edit saves a new version and retires the one it replaces, so the findings of
    old scrubs still name the version that made them. Saving validates the data with
    `rule_from_data`; a mistake raises ValidationError naming the path of the bad key.
    """

    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="scrub_rules")
    rule_id = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    data = models.JSONField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PayerRuleQuerySet.as_manager()

    class Meta:
        ordering = ["payer", "rule_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["payer", "rule_id", "version"], name="payer_rule_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"

    def rule(self) -> Rule:
        """The core rule; raises ValidationError({"data": "<path>: <message>"}) when invalid."""
        try:
            return rule_from_data(self.data)
        except ConditionError as error:
            raise ValidationError({"data": str(error)}, code=error.path) from error

    def clean(self) -> None:
        rule = self.rule()
        if rule.id != self.rule_id:
            raise ValidationError({"data": f"id: the rule id is {self.rule_id}"})
        if rule.version != self.version:
            raise ValidationError({"data": f"version: this is version {self.version}"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.clean()
        super().save(*args, **kwargs)

    @property
    def severity(self) -> str:
        return str(self.data.get("severity", "")) if isinstance(self.data, dict) else ""

    @property
    def title(self) -> str:
        return str(self.data.get("title", "")) if isinstance(self.data, dict) else ""


class CleanClaimStat(models.Model):
    """HFMA CL-1 per practice and month: claims scrubbed for the first time, and those of them
    that passed every edit with nothing to fix or override."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="clean_claim_stats"
    )
    month = models.DateField(help_text="The first day of the month of the first scrubs.")
    claims_scrubbed = models.PositiveIntegerField(default=0)
    clean_first_time = models.PositiveIntegerField(default=0)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "month"], name="one_stat_per_month")
        ]

    @property
    def rate(self) -> float | None:
        """The clean claim rate (0 to 1), None before any claim was scrubbed."""
        if not self.claims_scrubbed:
            return None
        return self.clean_first_time / self.claims_scrubbed
