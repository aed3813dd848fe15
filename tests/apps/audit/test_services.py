"""audit_record's arguments, what it derives from a target and a request, what it refuses;
the selectors' filters; the service users background jobs act as."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from openrcm.audit.context import audit_context
from openrcm.audit.models import AuditAction, AuditEvent, AuditOutcome
from openrcm.audit.selectors import audit_events, audit_verify
from openrcm.audit.services import audit_record, audit_service_actor, is_service_actor

pytestmark = pytest.mark.django_db


def test_target_fills_type_id_practice_and_patient(member: Any, practice_a: Any) -> None:
    w = practice_a
    for target, object_type in [
        (w.patient, "patients.patient"),
        (w.coverage, "patients.coverage"),
        (w.encounter, "encounters.encounter"),
        (w.claim, "claims.claim"),
    ]:
        event = audit_record(action=AuditAction.READ, actor=member, target=target)
        assert event.object_type == object_type
        assert event.object_id == str(target.pk)
        assert event.practice_id == w.practice.pk
        assert event.patient_id == w.patient.pk, object_type
    practice_event = audit_record(action=AuditAction.UPDATE, actor=member, target=w.practice)
    assert practice_event.practice_id == w.practice.pk
    assert practice_event.patient_id is None
    provider_event = audit_record(action=AuditAction.READ, actor=member, target=w.provider)
    assert provider_event.patient_id is None


def test_explicit_arguments_win_over_the_target(member: Any, practice_a: Any) -> None:
    event = audit_record(
        action=AuditAction.EXPORT,
        actor=member,
        target=practice_a.claim,
        object_type="claims.claim_pdf",
        patient_id=12345,
        practice=practice_a.practice.pk,
    )
    assert (event.object_type, event.patient_id) == ("claims.claim_pdf", 12345)
    assert event.object_id == str(practice_a.claim.pk)


def test_request_gives_actor_request_id_ip_and_practice(member: Any, practice_a: Any) -> None:
    request = RequestFactory().get("/patients/", REMOTE_ADDR="192.0.2.44")
    request.user = member
    request.request_id = "req-abcdef12"  # type: ignore[attr-defined]
    request.practice = practice_a.practice  # type: ignore[attr-defined]
    event = audit_record(action=AuditAction.LIST, object_type="patients.patient", request=request)
    assert (event.actor_id, event.actor_name) == (member.pk, "alice")
    assert event.request_id == "req-abcdef12"
    assert event.client_ip == "192.0.2.44"
    assert event.practice_id == practice_a.practice.pk


def test_anonymous_request_has_no_actor(db: Any) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    event = audit_record(
        action=AuditAction.PERMISSION_DENIED, outcome=AuditOutcome.DENIED, request=request
    )
    assert event.actor_id is None and event.actor_name == ""
    assert event.outcome == "denied"


def test_without_a_request_the_current_context_is_used(member: Any) -> None:
    with audit_context(request_id="job-0000-0001", client_ip="::1") as ctx:
        event = audit_record(action=AuditAction.EXPORT, actor=member)
    assert (event.request_id, event.client_ip) == (ctx.request_id, "::1")
    outside = audit_record(action=AuditAction.EXPORT, actor=member)
    assert (outside.request_id, outside.client_ip) == ("", "")


def test_unknown_action_or_outcome_is_refused(db: Any) -> None:
    with pytest.raises(ValueError, match="not one of"):
        audit_record(action="peek")
    with pytest.raises(ValueError, match="not one of"):
        audit_record(action=AuditAction.READ, outcome="maybe")
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    "detail",
    [
        {"last_name": "Smith"},
        {"DOB": "1958-03-04"},
        {"changes": {"member_id": "M1"}},
        {"q": "smith"},
        {"password": "x"},
    ],
)
def test_phi_and_secret_keys_in_detail_are_refused(db: Any, detail: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="PHI"):
        audit_record(action=AuditAction.UPDATE, detail=detail)


@pytest.mark.parametrize(
    "detail",
    [{"amount": 1.5}, {"when": dt.date(2026, 1, 1)}, {1: "x"}, {"deep": {"er": {"est": {"x": 1}}}}],
)
def test_detail_is_plain_short_json(db: Any, detail: dict[Any, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        audit_record(action=AuditAction.UPDATE, detail=detail)


def test_detail_is_bounded_and_cleaned(db: Any) -> None:
    with pytest.raises(ValueError, match="longer than"):
        audit_record(action=AuditAction.EXPORT, detail={"ids": list(range(1000))})
    event = audit_record(
        action=AuditAction.LOGIN_FAILED,
        detail={"username": "nul\x00byte\ud800" + "y" * 500, "fields": ("a", "b"), "n": 3},
    )
    event.refresh_from_db()
    assert event.detail["username"].startswith("nul\ufffdbyte?")
    assert len(event.detail["username"]) == 200
    assert event.detail["fields"] == ["a", "b"] and event.detail["n"] == 3
    assert audit_verify().ok


def test_selectors_filter_by_user_practice_patient_action_and_date(
    member: Any, outsider: Any, practice_a: Any, practice_b: Any, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC))
    audit_record(action=AuditAction.READ, actor=member, target=practice_a.patient)
    time_machine.move_to(dt.datetime(2026, 3, 2, 0, 1, tzinfo=dt.UTC))
    audit_record(action=AuditAction.UPDATE, actor=member, target=practice_a.claim)
    audit_record(action=AuditAction.READ, actor=outsider, target=practice_b.patient)

    assert audit_events(user=member).count() == 2
    assert audit_events(user=outsider.pk).count() == 1
    assert audit_events(practice=practice_b.practice).count() == 1
    assert audit_events(patient_id=practice_a.patient.pk).count() == 2
    assert audit_events(action="update").get().object_type == "claims.claim"
    assert audit_events(date_to=dt.date(2026, 3, 1)).count() == 1
    assert audit_events(date_from=dt.date(2026, 3, 2)).count() == 2
    assert audit_events(date_from=dt.date(2026, 3, 2), user=member).count() == 1
    since = dt.datetime(2026, 3, 1, 23, 0, tzinfo=dt.UTC)
    assert audit_events(date_from=since, date_to=since + dt.timedelta(minutes=59)).count() == 1
    seqs = list(audit_events().values_list("seq", flat=True))
    assert seqs == sorted(seqs, reverse=True)
    assert audit_verify().ok


def test_service_actor_is_an_inactive_user_without_a_usable_password(db: Any) -> None:
    worker = audit_service_actor("worker")
    assert worker.username == "system:worker"
    assert not worker.is_active and not worker.has_usable_password()
    assert audit_service_actor("worker").pk == worker.pk
    assert is_service_actor(worker)
    event = audit_record(action=AuditAction.IMPORT, actor=worker, detail={"file": "x12:17"})
    assert event.actor_name == "system:worker"
    for bad in ("", "Worker", "a b", "x" * 70, "../etc"):
        with pytest.raises(ValueError):
            audit_service_actor(bad)


def test_deleting_a_user_keeps_their_events(db: Any) -> None:
    from openrcm.accounts.services import user_create

    temp = user_create(username="temp-user", password="a-long-enough-password-1")
    audit_record(action=AuditAction.LOGIN, actor=temp)
    temp_pk = temp.pk
    temp.delete()  # no cascade, no SET NULL: either would rewrite history
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_name) == (temp_pk, "temp-user")
    assert audit_verify().ok
