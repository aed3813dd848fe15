"""Sandbox payers: adjudication, denials, reversals, PLB, and 835s that always balance."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrcm.core.sandbox import (
    PayerProfile,
    Sandbox,
    SandboxConfig,
    SandboxState,
    adjudicate,
)
from openrcm.core.sandbox.config import (
    COMMERCIAL_BENEFITS,
    MEDICAID_BENEFITS,
    MEDICARE_BENEFITS,
    PayerKind,
)
from openrcm.core.x12.era import ClaimPayment, Remittance, balance_problems, read_835

from .factory import (
    NOW,
    PAYERS,
    SECONDARY,
    batch,
    claim,
    claims,
    file_837,
    pyx12_errors,
    secondary_claim,
    texts,
)

D = Decimal
CALM = SandboxConfig(
    seed=1,
    denial_rate=D(0),
    reversal_rate=D(0),
    interest_rate=D(0),
    recoupment_rate=D(0),
    unknown_member_rate=D(0),
)
FEES = {"99213": D("100.00"), "99214": D("300.00"), "85025": D("20.00"), "36415": D("10.00")}


def with_fees(config: SandboxConfig) -> SandboxConfig:
    mc, mcd, ci = PAYERS["MB"], PAYERS["MC"], PAYERS["CI"]
    return replace(
        config,
        payers={
            mc.payer_id: PayerProfile(mc.payer_id, mc.name, PayerKind.MEDICARE, (14, 14),
                                      MEDICARE_BENEFITS, FEES, crossover=True,
                                      sequestration=D("0.02"), timely_filing_days=365),
            mcd.payer_id: PayerProfile(mcd.payer_id, mcd.name, PayerKind.MEDICAID, (20, 20),
                                       MEDICAID_BENEFITS, FEES),
            ci.payer_id: PayerProfile(ci.payer_id, ci.name, PayerKind.COMMERCIAL, (10, 10),
                                      COMMERCIAL_BENEFITS, FEES),
        },
    )  # fmt: skip


def remittances(files: list) -> list[Remittance]:  # type: ignore[type-arg]
    return [r for t in texts(files, "835") for r in read_835(t)]


def payments(files: list) -> dict[str, list[ClaimPayment]]:  # type: ignore[type-arg]
    out: dict[str, list[ClaimPayment]] = {}
    for r in remittances(files):
        for c in r.claims:
            out.setdefault(c.patient_control_number, []).append(c)
    return out


def cycle(config: SandboxConfig, cl: list, days: int = 120) -> tuple[Sandbox, list]:  # type: ignore[type-arg]
    sb = Sandbox(config)
    sb.receive_837(file_837([batch(cl)]), received_at=NOW)
    files = sb.poll(as_of=NOW + dt.timedelta(days=days))
    return sb, files


def cas(line_or_claim: object) -> dict[tuple[str, str], Decimal]:
    return {(a.group, a.reason): a.amount for a in line_or_claim.adjustments}  # type: ignore[attr-defined]


def one(code: str, charge: str, filing: str, n: int = 1, **kw: object) -> object:
    c = claim(random.Random(n), n, filing=filing, lines=1, **kw)  # type: ignore[arg-type]
    line = replace(c.lines[0], procedure_code=code, charge=D(charge), units=D(1))
    return replace(c, lines=[line], total_charge=D(charge))


def test_medicare_deductible_then_coinsurance_and_sequestration() -> None:
    first = one("99213", "150", "MB", 1, secondary=False)
    second = one("99214", "400", "MB", 2, secondary=False)
    second = replace(second, subscriber=first.subscriber)  # type: ignore[attr-defined]
    sb = Sandbox(with_fees(CALM))
    sb.receive_837(file_837([batch([first])]), received_at=NOW)
    sb.receive_837(file_837([batch([second])], isa=102), received_at=NOW + dt.timedelta(days=1))
    got = payments(sb.poll(as_of=NOW + dt.timedelta(days=40)))
    [p1] = got["PCN0000001"]
    # allowed 100 all to the deductible: paid zero, not a denial
    assert (p1.status, p1.paid, p1.patient_responsibility) == ("1", D(0), D(100))
    assert cas(p1.lines[0]) == {("CO", "45"): D(50), ("PR", "1"): D(100)}
    assert p1.lines[0].allowed == D(100)
    [p2] = got["PCN0000002"]
    # allowed 300: deductible 157 left, 20 % of 143 = 28.60, 2 % sequestration of 114.40
    line = p2.lines[0]
    assert cas(line) == {("CO", "45"): D(100), ("CO", "253"): D("2.29"),
                         ("PR", "1"): D(157), ("PR", "2"): D("28.60")}  # fmt: skip
    assert line.paid == D("112.11") and p2.paid == D("112.11")


def test_commercial_copay_deductible_and_medicaid_without_patient_share() -> None:
    ci = one("99213", "150", "CI", 1)
    lab = one("85025", "45", "CI", 2)
    mcd = one("99213", "150", "MC", 3)
    _, files = cycle(with_fees(CALM), [ci, lab, mcd])
    got = payments(files)
    [a] = got["PCN0000001"]
    assert cas(a.lines[0]) == {("CO", "45"): D(50), ("PR", "3"): D(25)} and a.paid == D(75)
    [b] = got["PCN0000002"]
    assert cas(b.lines[0]) == {("CO", "45"): D(25), ("PR", "1"): D(20)} and b.paid == D(0)
    [c] = got["PCN0000003"]
    assert cas(c.lines[0]) == {("CO", "45"): D(50)} and c.paid == D(100)
    assert c.patient_responsibility is None
    assert {a.filing_indicator, c.filing_indicator} == {"12", "MC"}


def test_medicare_crossover_is_status_19_with_the_secondary_payer_named() -> None:
    c = one("99214", "400", "MB", 1, secondary=True)
    _, files = cycle(with_fees(CALM), [c])
    [p] = payments(files)["PCN0000001"]
    assert p.status == "19"
    tt = p.name("TT")
    assert tt is not None and tt.id == SECONDARY.payer_id and tt.last == SECONDARY.name


def test_a_secondary_claim_pays_the_prior_patient_share() -> None:
    primary = one("99214", "400", "MB", 1, secondary=True)
    sec = secondary_claim(primary, [D("150.00")], [D("50.00")])  # type: ignore[arg-type]
    _, files = cycle(CALM, [sec])
    [p] = payments(files)["PCN0000001S"]
    assert p.status == "2"
    line = p.lines[0]
    assert cas(line)[("OA", "23")] == D(350)
    assert line.paid + cas(line).get(("PR", "2"), D(0)) == D(50)
    no_info = replace(sec, patient_control_number="PCNX", lines=[
        replace(ln, adjudications=[]) for ln in sec.lines],
        other_payers=[replace(op, paid_amount=None) for op in sec.other_payers])  # fmt: skip
    _, files = cycle(CALM, [no_info])
    [p] = payments(files)["PCNX"]
    assert p.status == "4" and cas(p.lines[0]) == {("CO", "16"): D(400)}
    assert p.remark_codes == ["MA04"]


def test_an_old_claim_is_denied_for_timely_filing() -> None:
    old = one("99213", "150", "CI", 1, service=NOW.date() - dt.timedelta(days=400))
    _, files = cycle(with_fees(CALM), [old])
    [p] = payments(files)["PCN0000001"]
    assert p.status == "4" and p.paid == 0
    assert cas(p.lines[0]) == {("CO", "29"): D(150)}


def test_nothing_is_paid_before_the_lag_and_polling_again_gives_nothing_new() -> None:
    sb = Sandbox(SandboxConfig(seed=4))
    sb.receive_837(file_837([batch(claims(30, seed=2))]), received_at=NOW)
    early = sb.poll(as_of=NOW + dt.timedelta(days=6))
    assert [f.kind for f in early] == ["999", "277CA"]
    files = sb.poll(as_of=NOW + dt.timedelta(days=60))
    assert files and all(f.kind == "835" for f in files)
    assert sb.poll(as_of=NOW + dt.timedelta(days=60)) == []
    assert sb.poll(as_of=NOW + dt.timedelta(days=61)) == []
    for r in remittances(files):
        assert r.payment.date.weekday() < 5
        assert (
            NOW.date() + dt.timedelta(days=7)
            <= r.payment.date
            <= NOW.date() + dt.timedelta(days=47)
        )
        assert r.payment.date == r.production_date


def test_denial_rate_and_mix_over_2000_claims() -> None:
    config = SandboxConfig(seed=20, unknown_member_rate=D(0))
    cl = claims(2000, seed=31)
    _sb, files = cycle(config, cl, days=90)
    got = payments(files)
    not_denials = {"45", "253", "1", "2", "3", "23"}
    first = [ps[0] for ps in got.values()]
    assert len(first) == 2000
    denied = [
        p for p in first
        if any(a.reason not in not_denials for ln in p.lines for a in ln.adjustments)
    ]  # fmt: skip
    rate = len(denied) / len(first)
    assert 0.05 <= rate <= 0.09, rate
    reasons = Counter(
        (a.group, a.reason) for p in denied for ln in p.lines for a in ln.adjustments
        if a.reason not in not_denials
    )  # fmt: skip
    assert {("CO", "16"), ("CO", "50"), ("CO", "97"), ("CO", "197"), ("PR", "204")} <= set(reasons)
    statuses = Counter(p.status for p in denied)
    assert statuses["4"] > 0 and statuses["1"] + statuses["19"] > 0  # claim and line denials
    remarks = Counter(r for p in denied for r in p.remark_codes) + Counter(
        r for p in denied for ln in p.lines for r in ln.remark_codes
    )
    assert {"MA130", "N290", "N115", "M15"} <= set(remarks)
    for p in denied:
        if p.status == "4":
            assert p.paid == 0 and all(ln.paid == 0 for ln in p.lines)


def test_reversal_negates_the_earlier_payment_then_a_corrected_payment_follows() -> None:
    config = replace(with_fees(CALM), reversal_rate=D(1))
    cl = [one("99214", "400", "CI", i) for i in range(1, 4)]
    _, files = cycle(config, cl, days=120)
    got = payments(files)
    for pcn in ("PCN0000001", "PCN0000002", "PCN0000003"):
        original, reversal, corrected = got[pcn]
        assert reversal.status == "22"
        assert reversal.payer_claim_number == original.payer_claim_number
        assert reversal.paid == -original.paid and reversal.charge == -original.charge
        assert [
            (a.group, a.reason, -a.amount) for ln in reversal.lines for a in ln.adjustments
        ] == [(a.group, a.reason, a.amount) for ln in original.lines for a in ln.adjustments]
        assert corrected.status == "1"
        assert corrected.payer_claim_number != original.payer_claim_number
        assert corrected.paid > original.paid
    # the reversal and its correction come in one later 835
    rems = remittances(files)
    later = [r for r in rems if any(c.status == "22" for c in r.claims)]
    assert later and all(r.payment.amount > 0 for r in later)


def test_plb_interest_is_negative_and_names_the_claim() -> None:
    config = replace(with_fees(CALM), interest_rate=D(1))
    _, files = cycle(config, [one("99214", "400", "CI", i) for i in range(1, 3)])
    for r in remittances(files):
        paid = {c.payer_claim_number for c in r.claims}
        items = r.plb_items
        assert items and all(i.reason == "L6" and i.amount < 0 for i in items)
        assert {i.reference for i in items} == paid
        assert r.payment.amount == sum(c.paid for c in r.claims) - r.plb_total
        assert r.payment.amount > sum(c.paid for c in r.claims)


def test_plb_recoupment_takes_back_part_of_an_earlier_payment() -> None:
    config = replace(with_fees(CALM), recoupment_rate=D(1))
    sb = Sandbox(config)
    sb.receive_837(file_837([batch([one("99214", "400", "CI", 1)])]), received_at=NOW)
    first = sb.poll(as_of=NOW + dt.timedelta(days=30))
    [original] = payments(first)["PCN0000001"]
    later_claims = [one("99214", "400", "CI", i) for i in range(2, 6)]
    sb.receive_837(
        file_837([batch(later_claims)], isa=102), received_at=NOW + dt.timedelta(days=60)
    )
    files = sb.poll(as_of=NOW + dt.timedelta(days=120))
    wo = [(r, i) for r in remittances(files) for i in r.plb_items if i.reason == "WO"]
    assert wo
    r, item = next((r, i) for r, i in wo if i.reference == original.payer_claim_number)
    assert 0 < item.amount <= original.paid
    assert r.payment.amount == sum(c.paid for c in r.claims) - r.plb_total >= 0


def test_replacement_reverses_the_paid_original_and_void_only_reverses() -> None:
    sb = Sandbox(with_fees(CALM))
    a = one("99214", "400", "CI", 1)
    b = one("99214", "400", "CI", 2)
    sb.receive_837(file_837([batch([a, b])]), received_at=NOW)
    got = payments(sb.poll(as_of=NOW + dt.timedelta(days=20)))
    [pa], [pb] = got["PCN0000001"], got["PCN0000002"]
    line = replace(a.lines[0], charge=D(500))  # type: ignore[attr-defined]
    fix = replace(a, frequency="7", payer_claim_number=pa.payer_claim_number, lines=[line],
                  total_charge=D(500))  # fmt: skip
    void = replace(b, frequency="8", payer_claim_number=pb.payer_claim_number)
    response = sb.receive_837(file_837([batch([fix, void])], isa=102),
                              received_at=NOW + dt.timedelta(days=25))  # fmt: skip
    assert response.rejected == []
    got = payments(sb.poll(as_of=NOW + dt.timedelta(days=60)))
    rev, new = got["PCN0000001"]
    assert (
        rev.status == "22"
        and rev.paid == -pa.paid
        and rev.payer_claim_number == pa.payer_claim_number
    )
    assert new.status == "1" and new.charge == D(500) and new.frequency == "7"
    [vrev] = got["PCN0000002"]
    assert vrev.status == "22" and vrev.paid == -pb.paid


def test_a_remittance_that_nets_below_zero_forwards_the_balance() -> None:
    sb = Sandbox(with_fees(CALM))
    a = one("99214", "400", "CI", 1)
    sb.receive_837(file_837([batch([a])]), received_at=NOW)
    [pa] = payments(sb.poll(as_of=NOW + dt.timedelta(days=20)))["PCN0000001"]
    void = replace(a, frequency="8", payer_claim_number=pa.payer_claim_number)
    sb.receive_837(file_837([batch([void])], isa=102), received_at=NOW + dt.timedelta(days=25))
    [text] = texts(sb.poll(as_of=NOW + dt.timedelta(days=40)), "835")
    [r] = read_835(text)
    [fb] = r.plb_items
    assert (fb.reason, fb.amount, fb.reference) == ("FB", -pa.paid, r.trace.number)
    assert (r.payment.handling, r.payment.amount) == ("H", 0)
    # the next remittance to the payee takes the forwarded balance back
    sb.receive_837(file_837([batch([one("99214", "400", "CI", n) for n in (7, 8)])], isa=103),
                   received_at=NOW + dt.timedelta(days=45))  # fmt: skip
    [later] = remittances(sb.poll(as_of=NOW + dt.timedelta(days=70)))
    [back] = later.plb_items
    assert (back.reason, back.amount, back.reference) == ("FB", pa.paid, r.trace.number)
    assert later.payment.amount == sum(c.paid for c in later.claims) - pa.paid
    if _pyx12():
        assert pyx12_errors(text) == []


def _pyx12() -> bool:
    try:
        import pyx12  # noqa: F401
    except ImportError:  # pragma: no cover
        return False
    return True


def test_adjudicate_is_usable_alone() -> None:
    sb = Sandbox(CALM)
    sb.receive_837(file_837([batch(claims(5, seed=3))]), received_at=NOW)
    held = list(sb.state.claims.values())
    assert adjudicate(held, as_of=NOW, config=CALM, state=SandboxState()) == []
    rems = adjudicate(held, as_of=NOW + dt.timedelta(days=60), config=CALM)
    assert sum(len(r.remittance.claims) for r in rems) == 5
    assert all(balance_problems(r.remittance) == [] for r in rems)
    assert adjudicate(held, as_of=NOW + dt.timedelta(days=90), config=CALM) == []


def test_a_zero_payment_835_is_a_notification_and_passes_pyx12() -> None:
    pytest.importorskip("pyx12")
    config = replace(CALM, denial_rate=D(1))
    _, files = cycle(config, [one("99213", "150", "CI", 1)])
    [text] = texts(files, "835")
    [r] = read_835(text)
    assert (r.payment.handling, r.payment.method, r.payment.amount) == ("H", "NON", 0)
    assert pyx12_errors(text) == []


def test_835s_with_every_feature_pass_pyx12() -> None:
    pytest.importorskip("pyx12")
    config = SandboxConfig(seed=5, denial_rate=D("0.3"), reversal_rate=D("0.3"),
                           interest_rate=D("0.3"), recoupment_rate=D("0.3"),
                           unknown_member_rate=D(0))  # fmt: skip
    sb = Sandbox(config)
    rng = random.Random(3)
    first = [claim(rng, i) for i in range(25)]
    primary = one("99214", "400", "MB", 90, secondary=True)
    first.append(secondary_claim(primary, [D(150)], [D(50)]))  # type: ignore[arg-type]
    sb.receive_837(file_837([batch(first)]), received_at=NOW)
    sb.receive_837(file_837([batch([claim(rng, 100 + i) for i in range(15)])], isa=102),
                   received_at=NOW + dt.timedelta(days=40))  # fmt: skip
    files = sb.poll(as_of=NOW + dt.timedelta(days=150))
    statuses = Counter(c.status for r in remittances(files) for c in r.claims)
    assert {"1", "2", "4", "19", "22"} <= set(statuses)
    reasons = {i.reason for r in remittances(files) for i in r.plb_items}
    assert {"L6", "WO"} <= reasons
    merged = texts(files, "835")
    assert len(merged) <= 40
    for text in merged:
        assert pyx12_errors(text) == []


# -- balancing, always ------------------------------------------------------------------------

RATES = st.sampled_from([D(0), D("0.07"), D("0.5"), D(1)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(1, 12),
    denial=RATES,
    reversal=RATES,
    interest=RATES,
    recoup=RATES,
    step=st.sampled_from([1, 7, 200]),
    secondaries=st.booleans(),
)
def test_every_835_balances(
    seed: int,
    count: int,
    denial: Decimal,
    reversal: Decimal,
    interest: Decimal,
    recoup: Decimal,
    step: int,
    secondaries: bool,
) -> None:
    config = SandboxConfig(seed=seed, denial_rate=denial, reversal_rate=reversal,
                           interest_rate=interest, recoupment_rate=recoup)  # fmt: skip
    rng = random.Random(seed)
    cl = [claim(rng, i, service=NOW.date() - dt.timedelta(days=rng.randint(0, 500)))
          for i in range(count)]  # fmt: skip
    if secondaries:
        p = one("99214", "400", "MB", 900, secondary=True)
        cl.append(secondary_claim(p, [D(rng.randint(0, 300))], [D(rng.randint(0, 100))]))  # type: ignore[arg-type]
    sb = Sandbox(config)
    sb.receive_837(file_837([batch(cl[: count // 2 + 1])]), received_at=NOW)
    sb.receive_837(file_837([batch(cl[count // 2 + 1 :] or cl[:1])], isa=102),
                   received_at=NOW + dt.timedelta(days=20))  # fmt: skip
    files = []
    for day in range(0, 201, step):
        files += sb.poll(as_of=NOW + dt.timedelta(days=day))
    for r in remittances(files):  # read_835 checks the balancing rules on reading
        assert balance_problems(r) == []
        assert r.payment.amount >= 0
        for c in r.claims:
            for ln in c.lines:
                assert ln.charge - ln.adjustment_total == ln.paid
            assert c.charge - c.adjustment_total == c.paid
