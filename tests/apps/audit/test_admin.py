"""The admin page: read-only, filters by user, practice, action and date, search by patient id."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse

from openrcm.audit.models import AuditAction, AuditEvent
from openrcm.audit.services import audit_record

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:audit_auditevent_changelist"


@pytest.fixture
def auditor(db: Any) -> Any:
    from openrcm.accounts.services import user_create

    user = user_create(username="auditor", password="auditor-password-123")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def admin_client(client: Client, auditor: Any) -> Client:
    client.force_login(auditor)
    return client


@pytest.fixture
def events(member: Any, outsider: Any, practice_a: Any, practice_b: Any) -> None:
    audit_record(action=AuditAction.READ, actor=member, target=practice_a.patient)
    audit_record(action=AuditAction.UPDATE, actor=member, target=practice_a.claim)
    audit_record(action=AuditAction.READ, actor=outsider, target=practice_b.patient)


def _seqs(response: Any) -> list[int]:
    return sorted(e.seq for e in response.context["cl"].result_list)


def test_changelist_filters_and_search(
    admin_client: Client, events: None, member: Any, practice_a: Any, practice_b: Any
) -> None:
    url = reverse(CHANGELIST)
    everything = admin_client.get(url)
    assert everything.status_code == 200
    assert len(_seqs(everything)) >= 3
    by_user = admin_client.get(url, {"actor__id__exact": member.pk})
    assert len(_seqs(by_user)) == 2
    by_practice = admin_client.get(url, {"practice__id__exact": practice_b.practice.pk})
    assert len(_seqs(by_practice)) == 1
    by_action = admin_client.get(url, {"action": "update"})
    assert len(_seqs(by_action)) == 1
    by_patient = admin_client.get(url, {"q": str(practice_a.patient.pk)})
    assert {e.patient_id for e in by_patient.context["cl"].result_list} == {practice_a.patient.pk}
    assert len(_seqs(admin_client.get(url, {"q": "not-a-number"}))) == 0
    event = AuditEvent.objects.get(action="update")
    by_date = admin_client.get(
        url, {"at__year": event.at.year, "at__month": event.at.month, "at__day": event.at.day}
    )
    assert event.seq in _seqs(by_date)
    # Names of patients never appear: only ids.
    assert practice_a.patient.last_name.encode() not in everything.content


def test_detail_page_is_read_only_and_viewing_is_audited(
    admin_client: Client, events: None
) -> None:
    event = AuditEvent.objects.get(action="update")
    url = reverse("admin:audit_auditevent_change", args=[event.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert admin_client.post(url, {"action": "delete"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "update"
    read = AuditEvent.objects.filter(action="read", object_type="audit.auditevent").get()
    assert read.object_id == str(event.pk) and read.actor_name == "auditor"
    admin_client.get(reverse(CHANGELIST))
    assert AuditEvent.objects.filter(action="list", object_type="audit.auditevent").exists()


def test_no_add_change_or_delete(admin_client: Client, events: None, auditor: Any) -> None:
    model_admin = site._registry[AuditEvent]
    request = type("R", (), {"user": auditor})()
    assert not model_admin.has_add_permission(request)  # type: ignore[arg-type]
    assert not model_admin.has_change_permission(request)  # type: ignore[arg-type]
    assert not model_admin.has_delete_permission(request)  # type: ignore[arg-type]
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    event = AuditEvent.objects.first()
    assert event is not None
    delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse(CHANGELIST))
    assert b"delete_selected" not in changelist.content


def test_staff_without_the_view_permission_is_refused(client: Client, member: Any) -> None:
    member.is_staff = True
    member.save()
    client.force_login(member)
    assert client.get(reverse(CHANGELIST)).status_code == 403
