"""The claim page's "Print CMS-1500" download."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from openrcm.audit.models import AuditEvent
from tests.apps.conftest import PracticeWorld


def test_member_downloads_the_pdf(member_client: Client, practice_a: PracticeWorld) -> None:
    page = member_client.get(reverse("claim_detail", args=[practice_a.claim.pk]))
    url = reverse("claim_cms1500", args=[practice_a.claim.pk])
    assert url.encode() in page.content and b"Print CMS-1500" in page.content
    response = member_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    [event] = AuditEvent.objects.filter(action="export")
    assert event.object_type == "claims.claim"
    assert event.object_id == str(practice_a.claim.pk)
    assert event.detail == {"format": "cms1500", "mode": "form"}
    data = member_client.get(url + "?mode=data")
    assert data.status_code == 200 and data.content.startswith(b"%PDF")


def test_outsider_gets_404(outsider_client: Client, practice_a: PracticeWorld, db: Any) -> None:
    url = reverse("claim_cms1500", args=[practice_a.claim.pk])
    assert outsider_client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()
