"""Scrubbing services: a clean claim goes ready, an error holds it, a warning needs an override
with a reason (audited), payer rules as data fire and bad ones are refused naming the path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.claims.services import claim_transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.scrub.conditions import ConditionError
from openrcm.scrubbing.models import (
    ClaimFinding,
    ClaimScrub,
    CleanClaimStat,
    PayerRule,
    ScrubRun,
    WarningOverride,
)
from openrcm.scrubbing.selectors import claim_findings, held_claim_list
from openrcm.scrubbing.services import (
    claim_override_warning,
    claim_scrub,
    payer_rule_create,
    payer_rule_update,
    practice_scrub,
)
from openrcm.scrubbing.snapshots import claim_snapshot, claim_snapshots
from tests.apps.conftest import PracticeWorld
from tests.apps.scrubbing.conftest import ERROR_RULE, LATER, TODAY, line, make_claim


def _status(claim: Claim) -> str:
    claim.refresh_from_db()
    return claim.status


def _this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def test_the_snapshot_says_what_the_837p_would(
    clean_claim: Claim, practice_a: PracticeWorld
) -> None:
    snapshot = claim_snapshot(claim=clean_claim)
    assert snapshot.patient_control_number == clean_claim.patient_control_number
    assert snapshot.claim_id == clean_claim.patient_control_number
    assert snapshot.billing.npi == "1234567893" and snapshot.billing.tin == "123456789"
    assert snapshot.billing.zip == "627041234"
    assert snapshot.rendering_npi == practice_a.provider.npi
    assert snapshot.payer.id == "00435" and snapshot.payer.filing_indicator == "MB"
    assert snapshot.payer.responsibility == "P" and snapshot.payer.timely_filing_days == 180
    assert snapshot.subscriber.member_id == "MA0001" and snapshot.subscriber.relationship == "18"
    assert snapshot.diagnoses == ("E119", "I10")
    assert [(ln.procedure, ln.pointers, str(ln.charge)) for ln in snapshot.lines] == [
        ("99213", (1, 2), "$125.00"),
        ("36415", (1,), "$15.00"),
    ]
    assert snapshot.first_date == dt.date(2026, 6, 1)
    assert snapshot.coverage is not None and snapshot.coverage.active_from == dt.date(2020, 1, 1)


def test_a_clean_claim_goes_ready(clean_claim: Claim, member: Any) -> None:
    result = claim_scrub(claim=clean_claim, actor=member, today=TODAY)
    assert result.findings == [] and result.moved_to == "ready"
    assert _status(clean_claim) == ClaimStatus.READY.value
    step = clean_claim.history.order_by("-id").first()
    assert step is not None and step.from_status == "draft" and step.to_status == "ready"
    assert step.actor == member
    state = ClaimScrub.objects.get(claim=clean_claim)
    assert state.first_clean and state.error_count == 0
    stat = CleanClaimStat.objects.get(practice=clean_claim.practice, month=_this_month())
    assert (stat.claims_scrubbed, stat.clean_first_time, stat.rate) == (1, 1, 1.0)
    # a second scrub is not a first scrub: the rate counts each claim once
    claim_scrub(claim=clean_claim, today=TODAY)
    stat.refresh_from_db()
    assert stat.claims_scrubbed == 1
    assert _status(clean_claim) == ClaimStatus.READY.value


def test_a_claim_with_an_error_is_held(error_claim: Claim, member: Any) -> None:
    result = claim_scrub(claim=error_claim, actor=member, today=TODAY)
    assert [f.rule_id for f in result.findings] == ["ICD-003"]
    assert result.held and result.moved_to == ""
    assert _status(error_claim) == ClaimStatus.DRAFT.value
    assert list(held_claim_list(user=member)) == [error_claim]
    held = held_claim_list(user=member).get()
    assert [f.rule_id for f in held.errors] == ["ICD-003"]  # type: ignore[attr-defined]
    # a second scrub replaces the findings, it does not add to them
    claim_scrub(claim=error_claim, today=TODAY)
    assert ClaimFinding.objects.filter(claim=error_claim).count() == 1
    stat = CleanClaimStat.objects.get(practice=error_claim.practice)
    assert (stat.claims_scrubbed, stat.clean_first_time) == (1, 0)


def test_the_outsider_does_not_see_the_held_claim(error_claim: Claim, outsider: Any) -> None:
    claim_scrub(claim=error_claim, today=TODAY)
    assert not held_claim_list(user=outsider).exists()


def test_a_ready_claim_with_a_new_error_goes_back_to_draft(
    clean_claim: Claim, practice_a: PracticeWorld, member: Any
) -> None:
    claim_scrub(claim=clean_claim, today=TODAY)
    assert _status(clean_claim) == ClaimStatus.READY.value
    payer_rule_create(payer=practice_a.payer, data=ERROR_RULE, actor=member)
    result = claim_scrub(claim=clean_claim, today=TODAY)
    assert result.moved_to == "draft"
    assert _status(clean_claim) == ClaimStatus.DRAFT.value


def test_a_warning_needs_an_override_with_a_reason(warning_claim: Claim, member: Any) -> None:
    result = claim_scrub(claim=warning_claim, today=LATER)
    assert [(f.rule_id, str(f.severity)) for f in result.findings] == [("ICD-007", "warning")]
    assert result.open_warnings == 1 and not result.held
    assert _status(warning_claim) == ClaimStatus.DRAFT.value  # waits for the override
    assert not held_claim_list(user=member).exists()  # a warning does not hold a claim

    with pytest.raises(ValidationError) as caught:
        claim_override_warning(claim=warning_claim, rule_id="ICD-007", reason="  ", actor=member)
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        claim_override_warning(claim=warning_claim, rule_id="DUP-002", reason="x", actor=member)
    assert "rule_id" in caught.value.message_dict
    assert not WarningOverride.objects.exists()

    override = claim_override_warning(
        claim=warning_claim,
        rule_id="icd-007",
        reason="FY2027 codes checked by hand against the October update",
        actor=member,
    )
    assert override.rule_id == "ICD-007" and override.actor == member
    assert _status(warning_claim) == ClaimStatus.READY.value
    event = AuditEvent.objects.get(object_type="scrubbing.warningoverride")
    assert event.action == "update" and event.actor_id == member.pk
    assert event.detail == {
        "event": "warning_override",
        "rule": "ICD-007",
        "claim": warning_claim.pk,
    }
    assert event.patient_id == warning_claim.encounter.patient_id
    # the override holds across scrubs: the claim stays ready, the finding shows its override
    claim_scrub(claim=warning_claim, today=LATER)
    assert _status(warning_claim) == ClaimStatus.READY.value
    view = claim_findings(claim=warning_claim)
    assert view.items[0].override == override and not view.open_warnings
    # overridden is not clean: a person intervened
    assert not ClaimScrub.objects.get(claim=warning_claim).first_clean


def test_an_error_cannot_be_overridden(error_claim: Claim, member: Any) -> None:
    claim_scrub(claim=error_claim, today=TODAY)
    with pytest.raises(ValidationError, match="only warnings are overridden"):
        claim_override_warning(claim=error_claim, rule_id="ICD-003", reason="no", actor=member)


def test_a_payer_rule_as_data_fires(
    clean_claim: Claim, practice_a: PracticeWorld, member: Any
) -> None:
    rule = payer_rule_create(payer=practice_a.payer, data=ERROR_RULE, actor=member)
    assert (rule.rule_id, rule.version, rule.active) == ("PAYER-MCR-001", 1, True)
    result = claim_scrub(claim=clean_claim, today=TODAY)
    [finding] = result.findings
    assert finding.rule_id == "PAYER-MCR-001" and finding.line == 2
    assert finding.message == "Line 2: Medicare Part B wants the lab order number for 36415."
    assert _status(clean_claim) == ClaimStatus.DRAFT.value

    # an edit is a new version; the old one is retired and findings name the new one
    changed = dict(ERROR_RULE, severity="warning")
    second = payer_rule_update(rule=rule, data=changed, actor=member)
    assert second.version == 2 and second.data["version"] == 2
    rule.refresh_from_db()
    assert not rule.active
    claim_scrub(claim=clean_claim, today=TODAY)
    stored = ClaimFinding.objects.get(claim=clean_claim)
    assert (stored.rule_id, stored.rule_version, stored.severity) == ("PAYER-MCR-001", 2, "warning")
    assert AuditEvent.objects.filter(object_type="scrubbing.payerrule").count() == 2


def test_a_payer_rule_of_another_payer_is_silent(
    clean_claim: Claim, practice_a: PracticeWorld, member: Any
) -> None:
    from openrcm.payers.models import Payer

    other = Payer.objects.create(
        organization=practice_a.practice.organization, name="Acme Health", payer_id="ACME1"
    )
    payer_rule_create(payer=other, data=ERROR_RULE, actor=member)
    assert claim_scrub(claim=clean_claim, today=TODAY).findings == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"when": {"all": [
            {"field": "line.procedure", "eq": "36415"}, {"field": "line.nope", "eq": "x"},
        ]}}, "when.all[1].field"),
        ({"when": {"field": "line.units", "gt": "many"}}, "when.gt"),
        ({"severity": "fatal"}, "severity"),
        ({"citation": " "}, "citation"),
        ({"colour": "red"}, "colour"),
    ],
)  # fmt: skip
def test_a_bad_payer_rule_is_refused_naming_the_path(
    change: dict[str, Any], path: str, practice_a: PracticeWorld, member: Any
) -> None:
    with pytest.raises(ConditionError) as caught:
        payer_rule_create(payer=practice_a.payer, data={**ERROR_RULE, **change}, actor=member)
    assert caught.value.path == path
    assert not PayerRule.objects.exists()


def test_the_model_refuses_bad_rule_data_too(practice_a: PracticeWorld) -> None:
    bad = {**ERROR_RULE, "when": {"any": []}}
    with pytest.raises(ValidationError) as caught:
        PayerRule(payer=practice_a.payer, rule_id="PAYER-MCR-001", data=bad).save()
    assert caught.value.message_dict["data"][0].startswith("when.any")


def test_a_second_active_rule_with_the_same_id_is_refused(
    practice_a: PracticeWorld, member: Any
) -> None:
    payer_rule_create(payer=practice_a.payer, data=ERROR_RULE, actor=member)
    with pytest.raises(ConditionError) as caught:
        payer_rule_create(payer=practice_a.payer, data=ERROR_RULE, actor=member)
    assert caught.value.path == "id"


def test_duplicates_across_claims_and_voids(practice_a: PracticeWorld, clean_claim: Claim) -> None:
    twin = make_claim(practice_a)
    result = claim_scrub(claim=twin, today=TODAY)
    assert {f.rule_id for f in result.findings} == {"DUP-001"}
    assert clean_claim.patient_control_number in result.findings[0].message
    claim_transition(claim=clean_claim, to=ClaimStatus.VOID)
    assert claim_scrub(claim=twin, today=TODAY).findings == []


def test_practice_scrub_is_one_batch(
    practice_a: PracticeWorld, clean_claim: Claim, error_claim: Claim, member: Any,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    for day in range(2, 12):
        make_claim(practice_a, day=dt.date(2026, 5, day))
    warning_claim = practice_a.claim  # 2026-10-01: in the future on TODAY, so held too
    # A fixed number whatever the claims: the scrub's own, and the claim timelines' refresh
    # (reports) once for the batch.
    with django_assert_max_num_queries(45):
        batch = practice_scrub(practice=practice_a.practice, actor=member, today=TODAY)
    run = batch.run
    assert ScrubRun.objects.count() == 1
    assert (run.claim_count, run.ready_count, run.held_count, run.clean_count) == (13, 11, 2, 11)
    assert _status(error_claim) == "draft" and _status(warning_claim) == "draft"
    assert Claim.objects.filter(status="ready").count() == 11
    assert batch.rule_counts["ICD-003"] == 1 and batch.rule_counts["PROC-005"] == 2  # per line
    stat = CleanClaimStat.objects.get(practice=practice_a.practice)
    assert (stat.claims_scrubbed, stat.clean_first_time) == (13, 11)
    # again: nothing moves, nothing is counted twice, the findings are replaced
    findings = ClaimFinding.objects.count()
    again = practice_scrub(practice=practice_a.practice, today=TODAY)
    assert again.run.ready_count == 11 and ClaimFinding.objects.count() == findings
    stat.refresh_from_db()
    assert stat.claims_scrubbed == 13


def test_imported_ncci_edits_reach_the_scrubber(clean_claim: Claim) -> None:
    from pathlib import Path

    from openrcm.codes import loaders
    from openrcm.codes.services import codes_import

    data = Path(__file__).resolve().parents[1] / "codes" / "data"
    loaders.invalidate()
    assert claim_scrub(claim=clean_claim, today=TODAY).findings == []  # no NCCI file yet
    codes_import(kind="ncci-ptp", files=[data / "ptp_f2.txt"])  # 99213 / 36415, modifier 1
    findings = claim_scrub(claim=clean_claim, today=TODAY).findings
    assert [(f.rule_id, f.line) for f in findings] == [("NCCI-002", 2)]
    codes_import(kind="ncci-ptp", files=[data / "ptp_f1.txt"])  # the next quarter drops it
    assert claim_scrub(claim=clean_claim, today=TODAY).findings == []
    loaders.invalidate()


def test_the_snapshot_gives_each_line_its_own_date(practice_a: PracticeWorld) -> None:
    # A series: the visit on the encounter's date, two injections before it in the same series.
    claim = make_claim(
        practice_a,
        lines=[
            line("99213", [1, 2], "125.00"),
            line("96372", [1], "30.00", service_date=dt.date(2026, 5, 20)),
            line(
                "96372",
                [1],
                "30.00",
                service_date=dt.date(2026, 5, 25),
                service_end_date=dt.date(2026, 5, 27),
            ),
        ],
    )
    stored = claim_snapshot(claim=claim)
    [(_, batched)] = [
        (row.claim.pk, row.snapshot)
        for row in claim_snapshots(
            practice=practice_a.practice, claims=Claim.objects.filter(pk=claim.pk)
        )
    ]
    for snapshot in (stored, batched):
        assert [(ln.service_date, ln.service_date_end) for ln in snapshot.lines] == [
            (dt.date(2026, 6, 1), None),
            (dt.date(2026, 5, 20), None),
            (dt.date(2026, 5, 25), dt.date(2026, 5, 27)),
        ]
        assert snapshot.first_service_date() == dt.date(2026, 5, 20)  # timely filing counts it
