"""Writes for the audit trail: append one event to the chain; the service users jobs act as.

    audit_record(action=AuditAction.READ, target=patient, request=request)

`target` (any model instance) fills object_type ("patients.patient"), object_id (its pk), the
practice (its `practice_id`) and the patient id (the patient itself, or the patient its foreign
keys lead to: a claim's encounter's patient). Explicit arguments win over what `target` gives.
`request` gives the actor (request.user when authenticated), the request id and the client IP;
without a request they come from the current `audit_context` (set by the middleware or a job).

Appends are serialized by locking the single chain-head row (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE, settings' transaction_mode).
Inside a caller's transaction the event commits or rolls back with it, and the head stays
locked until then: record at the end of the transaction. A failed write is recorded (outcome
"failure") outside the transaction that rolled back, or it is rolled back too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from openrcm.audit.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, chain_hash
from openrcm.audit.context import client_ip_for, current_context, normalize_ip, sane_request_id
from openrcm.audit.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome

SERVICE_USER_PREFIX = "system:"
SERVICE_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,60}")

MAX_DETAIL_CHARS = 2000
MAX_DETAIL_STRING = 200
MAX_DETAIL_DEPTH = 3
# Detail keys that would carry PHI, secrets or free-text searches (which hold names): refused.
# The detail says what happened ("fields": ["phone"], "count": 25), never the values.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {
        "first_name",
        "last_name",
        "middle_name",
        "name",
        "full_name",
        "patient_name",
        "subscriber_name",
        "dob",
        "date_of_birth",
        "birth_date",
        "ssn",
        "member_id",
        "subscriber_id",
        "mrn",
        "address",
        "address_line1",
        "address_line2",
        "street",
        "phone",
        "email",
        "diagnosis",
        "diagnoses",
        "search",
        "query",
        "q",
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "otp",
    }
)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
PATIENT_MODEL = "patients.patient"
PRACTICE_MODEL = "tenancy.practice"


def _text(value: Any, max_length: int) -> str:
    """A string safe for every backend: valid UTF-8, no control characters, bounded length."""
    text = str(value if value is not None else "")
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    return _CONTROL_RE.sub("\ufffd", text)[:max_length]


def _clean_detail(value: Any, depth: int = 0) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        return _text(value, MAX_DETAIL_STRING)
    if depth >= MAX_DETAIL_DEPTH:
        raise ValueError("audit detail is nested too deeply (keep it short and flat)")
    if isinstance(value, Mapping):
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit detail keys are strings, not {type(key).__name__}")
            if key.lower() in FORBIDDEN_DETAIL_KEYS:
                raise ValueError(
                    f"audit detail key {key!r} would hold PHI, a secret or search text; "
                    "record ids, field names and counts instead"
                )
            cleaned[_text(key, 64)] = _clean_detail(item, depth + 1)
        return cleaned
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_clean_detail(item, depth + 1) for item in items]
    raise TypeError(
        f"audit detail values are str, int, bool, None, lists or dicts, not {type(value).__name__}"
        " (format dates and amounts as strings; never PHI)"
    )


def normalize_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """The detail as stored and hashed: plain JSON types, no PHI keys, at most 2000 characters."""
    if detail is None:
        return {}
    if not isinstance(detail, Mapping):
        raise TypeError("audit detail is a mapping (a dict)")
    cleaned: dict[str, Any] = _clean_detail(detail)
    if len(canonical_json(cleaned)) > MAX_DETAIL_CHARS:
        raise ValueError(f"audit detail is longer than {MAX_DETAIL_CHARS} characters")
    return cleaned


@lru_cache(maxsize=256)
def _patient_path(model: type[models.Model]) -> tuple[str, ...] | None:
    """The forward foreign keys from `model` to the patient (e.g. ("encounter",)), or None.

    Breadth-first over at most three hops, in field order, so the shortest path wins.
    """
    queue: list[tuple[type[models.Model], tuple[str, ...]]] = [(model, ())]
    seen = {model}
    while queue:
        current, path = queue.pop(0)
        for field in current._meta.concrete_fields:
            related = field.related_model
            if not field.many_to_one or not isinstance(related, type):
                continue
            if related._meta.label_lower == PATIENT_MODEL:
                return (*path, field.name)
            if related not in seen and len(path) < 2:
                seen.add(related)
                queue.append((related, (*path, field.name)))
    return None


def _patient_id_of(target: models.Model) -> int | None:
    if target._meta.label_lower == PATIENT_MODEL:
        return int(target.pk)
    path = _patient_path(type(target))
    if path is None:
        return None
    obj: Any = target
    for name in path[:-1]:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    value = getattr(obj, f"{path[-1]}_id", None)
    return int(value) if value is not None else None


def _practice_id_of(target: models.Model) -> int | None:
    if target._meta.label_lower == PRACTICE_MODEL:
        return int(target.pk)
    value = getattr(target, "practice_id", None)
    return int(value) if isinstance(value, int) else None


def _pk(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, models.Model):
        return int(value.pk) if value.pk is not None else None
    return int(value)


def _hashed_values(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def _append(event: AuditEvent) -> AuditEvent:
    """Give `event` the next seq and the chain's last hash, hash it and insert it: serialized."""
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # first event ever, or after a flush
            last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
            AuditChainHead.objects.bulk_create(
                [
                    AuditChainHead(
                        pk=1,
                        last_seq=last["seq"] if last else 0,
                        last_hash=last["hash"] if last else GENESIS_HASH,
                    )
                ],
                ignore_conflicts=True,
            )
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.at = timezone.now()
        event.hash = chain_hash(_hashed_values(event))
        event._chained = True
        try:
            event.save(force_insert=True)
        finally:
            event._chained = False
        AuditChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


def audit_record(
    *,
    action: str,
    actor: Any = None,
    practice: Any = None,
    object_type: str = "",
    object_id: Any = "",
    patient_id: Any = None,
    outcome: str = AuditOutcome.SUCCESS,
    detail: Mapping[str, Any] | None = None,
    request: Any = None,
    target: models.Model | None = None,
) -> AuditEvent:
    """Append one event to the audit chain and return it.

    action: an AuditAction value ("read", "list", "export", "create", "update", "delete",
        "login", "permission_denied", ...). outcome: "success", "failure" or "denied".
    actor: the user acting; default request.user when authenticated; a job passes
        audit_service_actor("its-name"). practice: a Practice or its id.
    object_type / object_id: what was acted on ("patients.patient", its pk), or `target`.
    patient_id: the patient concerned (for "everything done to patient 42"), or from `target`.
    detail: a short dict of non-PHI facts (field names changed, a count, an export format).
    request: the Django request (actor, request id, client IP, and practice when none is given).
    """
    if action not in AuditAction.values:
        raise ValueError(f"audit action {action!r} is not one of: {', '.join(AuditAction.values)}")
    if outcome not in AuditOutcome.values:
        raise ValueError(
            f"audit outcome {outcome!r} is not one of: {', '.join(AuditOutcome.values)}"
        )

    if target is not None:
        object_type = object_type or target._meta.label_lower
        if object_id in ("", None) and target.pk is not None:
            object_id = target.pk
        if practice is None:
            practice = _practice_id_of(target)
        if patient_id is None:
            patient_id = _patient_id_of(target)

    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser
    if practice is None and request is not None:
        practice = getattr(request, "practice", None)

    ctx = current_context()
    if request is not None:
        request_id = sane_request_id(getattr(request, "request_id", "")) or (
            ctx.request_id if ctx else ""
        )
        client_ip = client_ip_for(request)
    else:
        request_id = ctx.request_id if ctx else ""
        client_ip = ctx.client_ip if ctx else ""

    event = AuditEvent(
        actor_id=_pk(actor),
        actor_name=_text(actor.get_username(), 150) if actor is not None else "",
        practice_id=_pk(practice),
        action=action,
        object_type=_text(object_type, 100),
        object_id=_text(object_id, 64),
        patient_id=_pk(patient_id),
        request_id=_text(request_id, 64),
        client_ip=normalize_ip(client_ip),
        outcome=outcome,
        detail=normalize_detail(detail),
    )
    return _append(event)


def audit_service_actor(name: str) -> Any:
    """The service user "system:<name>" a background job acts as (created inactive, no usable
    password, no memberships: it can never log in or see PHI through the scoped querysets)."""
    if not SERVICE_NAME_RE.fullmatch(name):
        raise ValueError(
            f"service name {name!r}: use lowercase letters, digits, '.', '_' or '-' (e.g. 'worker')"
        )
    User = get_user_model()
    username = f"{SERVICE_USER_PREFIX}{name}"
    lookup = {User.USERNAME_FIELD: username}
    user = User._default_manager.filter(**lookup).first()
    if user is not None:
        return user
    user = User(**lookup, is_active=False)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # created concurrently
        return User._default_manager.get(**lookup)
    return user


def is_service_actor(user: Any) -> bool:
    """Whether `user` is one of the service users jobs act as."""
    return bool(user is not None and str(user.get_username()).startswith(SERVICE_USER_PREFIX))
