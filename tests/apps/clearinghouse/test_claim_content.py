"""What the 837P of a batch says about each claim, from the database: the service facility
(2310C) only when it is not the billing provider's address, the payer's address (2010BB), the
referring provider (2310A) and the prior authorization (REF*G1)."""

from __future__ import annotations

import datetime as dt

import pytest

from openrcm.claims.models import Claim
from openrcm.clearinghouse.services import batch_build, partner_for
from openrcm.encounters.models import ChargeLine, Encounter
from openrcm.files.services import file_read
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location, Practice
from tests.core.sandbox.factory import pyx12_errors

pytestmark = pytest.mark.django_db


def _claims(text: str) -> dict[str, list[list[str]]]:
    """Each claim's segments from its CLM to the next CLM or HL, by patient control number."""
    out: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for raw in text.strip().split("~"):
        seg = raw.split("*")
        if seg[0] == "CLM":
            current = out.setdefault(seg[1], [])
        elif seg[0] in ("HL", "SE"):
            current = None
        if current is not None:
            current.append(seg)
    return out


def _after(segments: list[list[str]], head: list[str], count: int) -> list[list[str]]:
    at = next(i for i, s in enumerate(segments) if s[: len(head)] == head)
    return segments[at + 1 : at + 1 + count]


def test_facility_payer_address_referring_and_prior_authorization(practice: Practice) -> None:
    ready = list(Claim.objects.filter(practice=practice, status="ready").order_by("id"))
    assert len(ready) >= 3
    at_home, referred = ready[0], ready[1]
    # One visit at a location at the billing address: no 2310C for it.
    home = Location.objects.create(
        practice=practice,
        name="Main office",
        address_line1=practice.address_line1.lower(),
        address_line2=practice.address_line2,
        city=practice.city,
        state=practice.state,
        zip_code=practice.zip_code,
    )
    Encounter.objects.filter(pk=at_home.encounter_id).update(location=home)
    referrer = (
        Provider.objects.filter(practice=practice)
        .exclude(pk=referred.encounter.provider_id)
        .first()
    )
    assert referrer is not None
    Encounter.objects.filter(pk=referred.encounter_id).update(
        referring_provider=referrer, prior_authorization="PA2026-00417"
    )
    built = batch_build(practice=practice, partner=partner_for(practice=practice))
    text = file_read(stored=built.files[0].stored).decode("ascii")
    assert pyx12_errors(text) == []
    claims = _claims(text)
    assert not [s for s in claims[at_home.patient_control_number] if s[:2] == ["NM1", "77"]]
    for claim in ready[1:]:
        location = claim.encounter.location
        nm1 = next(s for s in claims[claim.patient_control_number] if s[:2] == ["NM1", "77"])
        assert nm1[3] == location.name
        n3, n4 = _after(claims[claim.patient_control_number], nm1, 2)
        assert n3 == ["N3", location.address_line1]
        assert n4[:4] == ["N4", location.city, location.state, location.zip_code]
    segments = claims[referred.patient_control_number]
    assert ["REF", "G1", "PA2026-00417"] in segments
    dn = next(s for s in segments if s[:2] == ["NM1", "DN"])
    assert dn[3:5] == [referrer.last_name, referrer.first_name] and dn[-1] == referrer.npi
    # The payer with its address (2010BB N3/N4), as on file.
    payer = referred.coverage.payer
    assert payer.address_line1
    lines = text.strip().split("~")
    at = lines.index(f"NM1*PR*2*{payer.name}*****PI*{payer.payer_id}")
    assert lines[at + 1] == f"N3*{payer.address_line1}"
    assert lines[at + 2].startswith(f"N4*{payer.city}*{payer.state}*{payer.zip_code}")


def test_each_line_carries_its_own_date_of_service(practice: Practice) -> None:
    claim = next(
        c
        for c in Claim.objects.filter(practice=practice, status="ready").order_by("id")
        if c.lines.count() >= 2
    )
    day = claim.encounter.date_of_service
    first, second = list(claim.lines.order_by("line_number"))[:2]
    ChargeLine.objects.filter(pk=second.charge_line_id).update(
        service_date=day + dt.timedelta(days=2), service_end_date=day + dt.timedelta(days=4)
    )
    built = batch_build(practice=practice, partner=partner_for(practice=practice))
    text = file_read(stored=built.files[0].stored).decode("ascii")
    assert pyx12_errors(text) == []
    dates = [s for s in _claims(text)[claim.patient_control_number] if s[:2] == ["DTP", "472"]]
    assert dates[0] == ["DTP", "472", "D8", f"{day:%Y%m%d}"]  # the encounter's date
    assert dates[1] == [
        "DTP",
        "472",
        "RD8",
        f"{day + dt.timedelta(days=2):%Y%m%d}-{day + dt.timedelta(days=4):%Y%m%d}",
    ]
    assert first.charge_line.service_date is None
