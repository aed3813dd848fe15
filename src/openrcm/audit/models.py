"""Audit events: append-only, hash-chained; and the single chain-head row that serializes appends.

The ORM refuses to change or remove an event (save of a stored row, delete, QuerySet
update/delete/bulk writes); a database trigger refuses UPDATE, DELETE and TRUNCATE as well
(migration 0002). New rows are appended only by `openrcm.audit.services.audit_record`.

`actor` and `practice` are foreign keys without a database constraint and with DO_NOTHING:
the trail outlives the users and practices it names, and their ids are part of each row's
hash, so deleting a user or practice must neither cascade to nor null out its events.
`actor_name` keeps the username as it was.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AuditImmutableError(RuntimeError):
    """Raised on any attempt to change or remove an audit event, or to append around the chain."""


class AuditAction(models.TextChoices):
    # PHI access and changes
    READ = "read", "Read"
    LIST = "list", "List"
    EXPORT = "export", "Export / download / print"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    IMPORT = "import", "Import (upload)"
    SUBMIT = "submit", "Submit (sent outside)"
    # Authentication and access control
    LOGIN = "login", "Login"
    LOGOUT = "logout", "Logout"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKOUT = "lockout", "Lockout"
    MFA_ENROLL = "mfa_enroll", "MFA enrolled"
    MFA_VERIFY = "mfa_verify", "MFA verified"
    MFA_FAILED = "mfa_failed", "MFA failed"
    MFA_RECOVERY = "mfa_recovery", "MFA recovery code used"
    PASSWORD_CHANGE = "password_change", "Password changed"
    SESSION_EXPIRED = "session_expired", "Session expired"
    TOKEN_CREATE = "token_create", "API token created"
    TOKEN_REVOKE = "token_revoke", "API token revoked"
    PERMISSION_DENIED = "permission_denied", "Permission denied"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"


def _refuse(what: str) -> NoReturn:
    raise AuditImmutableError(f"audit events are append-only: {what} refused")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads as usual; every bulk write is refused."""

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

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("bulk_create (append through openrcm.audit.services.audit_record)")


AuditEventManager = models.Manager.from_queryset(AuditEventQuerySet)


class AuditEvent(models.Model):
    """One audited action. Never holds PHI values: ids, types and short non-PHI details only."""

    seq = models.BigIntegerField(unique=True, editable=False, help_text="Position in the chain.")
    at = models.DateTimeField(db_index=True, editable=False, help_text="When (UTC).")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    actor_name = models.CharField(max_length=150, blank=True, editable=False)
    practice = models.ForeignKey(
        "tenancy.Practice",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Validated against AuditAction by audit_record; no choices here, so adding an action needs
    # no migration.
    action = models.CharField(max_length=32, editable=False)
    object_type = models.CharField(max_length=100, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    patient_id = models.BigIntegerField(null=True, blank=True, editable=False)
    request_id = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    client_ip = models.CharField(max_length=45, blank=True, editable=False)
    outcome = models.CharField(
        max_length=10,
        choices=AuditOutcome.choices,
        default=AuditOutcome.SUCCESS,
        editable=False,
    )
    detail = models.JSONField(default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventManager()

    # Set by audit_record just before the one INSERT it performs.
    _chained: bool = False

    class Meta:
        base_manager_name = "objects"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["practice", "at"], name="audit_practice_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["patient_id", "at"], name="audit_patient_at"),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        target = f" {self.object_type}:{self.object_id}" if self.object_type else ""
        return f"#{self.seq} {self.actor_name or '-'} {self.action}{target} ({self.outcome})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.pk is not None:
            _refuse("update")
        if not self._chained:
            _refuse("a write outside openrcm.audit.services.audit_record")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")


class AuditChainHead(models.Model):
    """The single row (id 1) every append locks first: the last seq and hash of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"audit chain head: seq {self.last_seq}"
