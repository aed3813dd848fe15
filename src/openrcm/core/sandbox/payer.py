"""Sandbox payers: adjudicate accepted claims on the simulated clock and answer with 835s.

A claim the clearinghouse accepted becomes a :class:`~openrcm.core.sandbox.state.PayerClaim`
(:func:`payer_claim_from_837`) with a payment date: its receipt date plus the payer's lag, moved
to the next weekday. :func:`adjudicate` takes the claims (and the reversals and recoupments)
due by ``as_of`` and returns one :class:`Remittance835` per payer, payee and payment date;
:func:`write_remittances` writes them as 835 interchanges.

Adjudication of a primary claim, line by line (amounts in cents, percentages rounded half up):

* allowed = the fee schedule's amount per unit times the units, or a share of the charge
  (fixed per payer and code by the seed), never above the charge; CO-45 = charge - allowed;
* patient responsibility from the plan (:class:`~openrcm.core.sandbox.config.Benefits`): PR-3
  copay on the first office E/M line; PR-1 deductible (per member, payer and year, consumed in
  payment order); PR-2 coinsurance of the rest; Medicare withholds CO-253 sequestration (2 %);
* denials at ``denial_rate`` with the mix of :data:`~openrcm.core.sandbox.config.DEFAULT_DENIALS`,
  on the whole claim (every line zero-paid, its charge in CAS, RARCs in MOA) or on one line
  (RARCs in LQ); CO-29 when the claim came after the payer's timely filing limit; CO-18 when the
  payer already has a different claim with the same patient control number;
* CLP02: 1 primary, 19 primary forwarded to the secondary payer the claim names (payers with
  ``crossover``: Medicare), 2/3 secondary/tertiary, 4 denied, 22 reversal.

Secondary and tertiary claims carry the prior payers' adjudication (2320/2430): the payer pays
the patient responsibility the last prior payer left (per line: its 2430 AMT*EAF or PR amounts,
plus its claim-level 2320 PR spread by charge) up to its own allowed amount less what all prior
payers paid; OA-23 holds the prior payers' impact (charge - patient share), PR-2 (CO-45 for
Medicaid) the unpaid share. Without the prior payer's amounts the claim is denied CO-16 with
MA04.

Later events: a paid claim is reversed at ``reversal_rate`` 14-45 days later (CLP02 22 with
the original amounts negated, then the claim paid again with a 5 % higher allowed amount under
a new payer claim number); a paid claim carries prompt-pay interest at ``interest_rate`` (PLB
L6, negative, PLB03-2 = its payer claim number); a paid claim is partly recouped at
``recoupment_rate`` 20-60 days later (PLB WO, positive, PLB03-2 = the original payer claim
number), in the payer's first 835 to the payee whose payments cover it. A replacement claim
(frequency 7) reverses the paid original before its own payment; a void (8) only reverses it.

Every remittance balances: SVC02 - line CAS = SVC03; CLP03 - all CAS = CLP04; sum CLP04 - sum
PLB = BPR02 (never negative).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from openrcm.core.sandbox.clock import at, next_business_day
from openrcm.core.sandbox.config import (
    DenialReason,
    PayerKind,
    PayerProfile,
    SandboxConfig,
    is_office_em,
    is_preventive,
)
from openrcm.core.sandbox.determinism import (
    digits,
    pick_weighted,
    rate_cents,
    uniform,
    unit,
)
from openrcm.core.sandbox.state import (
    ClaimLine,
    ControlNumbers,
    OutboundFile,
    PayerClaim,
    PendingAdjustment,
    SandboxState,
    StateControls,
)
from openrcm.core.x12 import era
from openrcm.core.x12.claim837p import LineAdjudication, ProfessionalClaim
from openrcm.core.x12.era import (
    Adjustment,
    AmountRef,
    ClaimPayment,
    Contact,
    DateRef,
    EntityName,
    Party,
    Payment,
    PlbItem,
    ProviderAdjustment,
    Reference,
    Remark,
    Remittance,
    ServiceLine,
    Trace,
)

__all__ = [
    "Remittance835",
    "adjudicate",
    "claim_content_hash",
    "clp06",
    "payer_claim_from_837",
    "payment_date",
    "write_remittances",
]

ZERO: Final = Decimal(0)
CORRECTION_UPLIFT: Final = Decimal("0.05")
_GROUP_ORDER: Final = {"CO": 0, "PI": 1, "OA": 2, "PR": 3}
_RANKS: Final = "PSTABCDEFGH"  # SBR01 in payment order
# CLP06 takes the 835's code list, which has no CI, BL or 11: commercial plans are reported
# as PPO (12), Blue Cross as PPO, other non-federal as mutually defined.
_CLP06: Final = {"CI": "12", "BL": "12", "11": "ZZ", "10": "ZZ", "09": "ZZ"}


def clp06(filing_indicator: str) -> str:
    """The 835 CLP06 code for an 837 claim filing indicator (SBR09)."""
    if filing_indicator in era.FILING_INDICATORS:
        return filing_indicator
    return _CLP06.get(filing_indicator, "ZZ")


def _cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def _dec(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


# -- intake ------------------------------------------------------------------------------------


def claim_content_hash(claim: ProfessionalClaim) -> str:
    """SHA-256 of the claim's data (its dataclass repr: every field, in a fixed order; as read
    from X12, equal claims have equal reprs)."""
    return hashlib.sha256(repr(claim).encode("utf-8")).hexdigest()


def payment_date(config: SandboxConfig, profile: PayerProfile, icn: str, received_on: date) -> date:
    """Receipt date plus the payer's lag for this claim, moved to the next weekday."""
    low, high = profile.lag_days
    lag = uniform(config.seed, max(low, 1), max(high, low, 1), "lag", profile.payer_id, icn)
    return next_business_day(received_on + timedelta(days=lag))


@dataclass(slots=True)
class _Prior:
    """What the payers before this one did with the claim: ``paid`` by all of them (2320
    AMT*D), ``patient`` left to the patient by the last of them (its 2320 AMT*EAF, else its PR
    amounts), and both per line (None for a line without 2430 loops: prorated later)."""

    paid: Decimal | None
    patient: Decimal | None
    line_paid: list[Decimal | None]
    line_patient: list[Decimal | None]


def _after_primary(responsibility: str) -> bool:
    """Whether SBR01 names a payer after the primary (S, T, A-H)."""
    return _RANKS.find(responsibility) > 0 and len(responsibility) == 1


def _line_patient(adj: LineAdjudication) -> Decimal:
    if adj.remaining_patient_liability is not None:
        return adj.remaining_patient_liability
    return sum((x.amount for x in adj.adjustments if x.group == "PR"), ZERO)


def _prior_adjudication(claim: ProfessionalClaim) -> _Prior | None:
    """The prior payers' adjudication a secondary or tertiary claim carries (2320, 2430), or
    None when it carries none. Claim-level amounts (2320 CAS, the gap between AMT*D and the
    SVD02 paid amounts) are spread over the lines in proportion to their charges."""
    rank = _RANKS.find(claim.subscriber.responsibility)
    before = [
        op
        for op in claim.other_payers
        if 0 <= _RANKS.find(op.responsibility) < rank
        and (
            op.paid_amount is not None
            or any(a.payer_id == op.payer_id for ln in claim.lines for a in ln.adjudications)
        )
    ]
    if not before:
        return None
    last = max(before, key=lambda op: _RANKS.find(op.responsibility))
    ids = {op.payer_id for op in before}
    charges = [_cents(ln.charge) for ln in claim.lines]
    line_paid: list[Decimal | None] = []
    line_patient: list[Decimal | None] = []
    svd_total = ZERO
    for ln in claim.lines:
        mine = [a for a in ln.adjudications if a.payer_id in ids]
        line_paid.append(sum((a.paid for a in mine), ZERO) if mine else None)
        svd_total += sum((a.paid for a in mine), ZERO)
        theirs = [a for a in mine if a.payer_id == last.payer_id]
        line_patient.append(sum((_line_patient(a) for a in theirs), ZERO) if theirs else None)
    paid: Decimal | None = None
    if any(op.paid_amount is not None for op in before):
        paid = sum((op.paid_amount or ZERO for op in before), ZERO)
    claim_pr = sum((a.amount for a in last.adjustments if a.group == "PR"), ZERO)
    if all(p is not None for p in line_patient):
        # Line detail: claim-level PR and claim-level reductions of the payments are spread.
        extra_pr = _prorate(_cents(claim_pr), charges)
        gap = _prorate(_cents(svd_total - paid) if paid is not None else 0, charges)
        line_paid = [_dec(_cents(p or ZERO) - g) for p, g in zip(line_paid, gap, strict=True)]
        line_patient = [
            _dec(_cents(p or ZERO) + x) for p, x in zip(line_patient, extra_pr, strict=True)
        ]
        patient: Decimal | None = sum((p or ZERO for p in line_patient), ZERO)
        if last.remaining_patient_liability is not None:
            patient = last.remaining_patient_liability
    else:
        patient = last.remaining_patient_liability
        if patient is None and any(a.group == "PR" for a in last.adjustments):
            patient = claim_pr
    return _Prior(paid, patient, line_paid, line_patient)


def payer_claim_from_837(
    claim: ProfessionalClaim,
    *,
    icn: str,
    file_sha256: str,
    submitter_id: str,
    received_on: date,
    config: SandboxConfig,
    content_hash: str | None = None,
    duplicate_of: str = "",
) -> PayerClaim:
    """The payer's record of an accepted 837P claim."""
    sub = claim.subscriber
    profile = config.profile(sub.payer.payer_id, sub.payer.name, sub.claim_filing)
    patient = claim.patient.name if claim.patient is not None else sub.name
    prior = _prior_adjudication(claim) if _after_primary(sub.responsibility) else None
    lines: list[ClaimLine] = []
    for i, ln in enumerate(claim.lines, start=1):
        lines.append(
            ClaimLine(
                number=i,
                procedure_code=ln.procedure_code,
                modifiers=list(ln.modifiers),
                charge=ln.charge,
                units=ln.units,
                service_date=ln.service_date,
                service_end_date=ln.service_end_date,
                control_number=ln.control_number,
                prior_paid=prior.line_paid[i - 1] if prior is not None else None,
                prior_patient=prior.line_patient[i - 1] if prior is not None else None,
            )
        )
    crossover_name = crossover_id = ""
    if sub.responsibility == "P" and profile.crossover:
        nxt = next((o for o in claim.other_payers if o.responsibility == "S"), None)
        if nxt is not None:
            crossover_name, crossover_id = nxt.payer_name, nxt.payer_id
    prior_paid_total = prior.paid if prior is not None else None
    prior_patient_total = prior.patient if prior is not None else None
    rendering = claim.rendering
    return PayerClaim(
        icn=icn,
        pcn=claim.patient_control_number,
        content_hash=content_hash or claim_content_hash(claim),
        file_sha256=file_sha256,
        submitter_id=submitter_id,
        payer_id=sub.payer.payer_id,
        payer_name=sub.payer.name,
        filing_indicator=sub.claim_filing,
        responsibility=sub.responsibility,
        billing_npi=claim.billing_provider.npi,
        billing_name=claim.billing_provider.name.last,
        billing_tax_id=claim.billing_provider.tax_id,
        member_id=sub.member_id,
        insured_last=sub.name.last,
        insured_first=sub.name.first,
        patient_last=patient.last,
        patient_first=patient.first,
        patient_is_subscriber=claim.patient is None,
        place_of_service=claim.place_of_service,
        frequency=str(claim.frequency),
        total_charge=claim.total_charge,
        lines=lines,
        received_on=received_on,
        payment_date=payment_date(config, profile, icn, received_on),
        original_icn=claim.payer_claim_number,
        rendering_npi=rendering.npi if rendering is not None else "",
        rendering_last=rendering.name.last if rendering is not None else "",
        rendering_first=rendering.name.first if rendering is not None else "",
        crossover_name=crossover_name,
        crossover_id=crossover_id,
        prior_paid=prior_paid_total,
        prior_patient=prior_patient_total,
        duplicate_of=duplicate_of,
    )


# -- adjudication of one claim ----------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)
    paid: int = 0
    allowed: int | None = None
    remarks: list[str] = field(default_factory=list)
    denied: bool = False
    deductible: int = 0


@dataclass(slots=True)
class _Ctx:
    config: SandboxConfig
    state: SandboxState
    claims: dict[str, PayerClaim]


def _profile(config: SandboxConfig, c: PayerClaim) -> PayerProfile:
    return config.profile(c.payer_id, c.payer_name, c.filing_indicator)


def _allowed(config: SandboxConfig, profile: PayerProfile, line: ClaimLine, uplift: Decimal) -> int:
    charge = _cents(line.charge)
    per_unit = profile.allowed_per_unit(line.procedure_code, line.modifiers)
    if per_unit is not None:
        allowed = rate_cents(_cents(per_unit), line.units)
    else:
        allowed = rate_cents(charge, config.default_share(profile, line.procedure_code))
    if uplift:
        allowed += rate_cents(allowed, uplift)
    return max(0, min(allowed, charge))


def _denial(config: SandboxConfig, profile: PayerProfile, c: PayerClaim) -> DenialReason | None:
    first = min(ln.service_date for ln in c.lines)
    if (c.received_on - first).days > profile.timely_filing_days:
        return DenialReason("timely-filing", "CO", "29")
    if c.duplicate_of:
        return DenialReason("duplicate", "CO", "18")
    if (
        _after_primary(c.responsibility)
        and c.prior_patient is None
        and any(ln.prior_patient is None for ln in c.lines)
    ):
        return DenialReason("prior-payer-missing", "CO", "16", ("MA04",))
    if unit(config.seed, "deny", c.icn) >= config.denial_rate:
        return None
    choices = [(d, d.weight) for d in config.denials if d.min_lines <= len(c.lines)]
    if not choices:
        return None
    return pick_weighted(config.seed, choices, "reason", c.icn)


def _prorate(total: int, shares: list[int]) -> list[int]:
    """``total`` split in proportion to ``shares`` (the last takes the rounding remainder)."""
    whole = sum(shares)
    if whole == 0:
        return [0] * len(shares)
    out = [total * s // whole for s in shares[:-1]]
    out.append(total - sum(out))
    return out


def _adjudicate_lines(
    ctx: _Ctx,
    c: PayerClaim,
    profile: PayerProfile,
    denial: DenialReason | None,
    *,
    uplift: Decimal = ZERO,
    fixed_deductible: list[int] | None = None,
) -> list[_Line]:
    config = ctx.config
    out: list[_Line] = []
    denied_line = -1
    if denial is not None and denial.level == "line":
        denied_line = uniform(config.seed, 0, len(c.lines) - 1, "denied-line", c.icn)
    benefits = profile.benefits
    year = min(ln.service_date for ln in c.lines).year
    key = f"{c.payer_id}|{c.member_id}|{year}"
    met = _cents(ctx.state.accumulators.get(key, ZERO))
    copay_used = False
    secondary = _after_primary(c.responsibility)
    charges = [_cents(ln.charge) for ln in c.lines]
    prior_pr = _prorate(_cents(c.prior_patient or ZERO), charges)
    prior_paid = _prorate(_cents(c.prior_paid or ZERO), charges)
    for i, ln in enumerate(c.lines):
        charge = charges[i]
        r = _Line()
        out.append(r)
        if denial is not None and (denial.level == "claim" or i == denied_line):
            r.denied = True
            r.adjustments.append((denial.group, denial.carc, charge))
            if denial.level == "line":
                r.remarks = list(denial.rarcs)
            continue
        allowed = _allowed(config, profile, ln, uplift)
        if secondary:
            pr = _cents(ln.prior_patient) if ln.prior_patient is not None else prior_pr[i]
            paid_before = _cents(ln.prior_paid) if ln.prior_paid is not None else prior_paid[i]
            pr = max(0, min(pr, charge))
            pay = max(0, min(pr, allowed - paid_before))
            r.allowed = allowed
            if charge - pr:
                r.adjustments.append(("OA", "23", charge - pr))
            if pr - pay:
                group = "CO" if profile.kind is PayerKind.MEDICAID else "PR"
                r.adjustments.append((group, "45" if group == "CO" else "2", pr - pay))
            r.paid = pay
            continue
        r.allowed = allowed
        if charge > allowed:
            r.adjustments.append(("CO", "45", charge - allowed))
        ded = coins = copay = 0
        code = ln.procedure_code
        if benefits.preventive_free and is_preventive(code):
            pass
        elif is_office_em(code) and not benefits.deductible_on_em:
            if benefits.copay and not copay_used:
                copay = min(benefits.copay, allowed)
                copay_used = True
        else:
            if fixed_deductible is not None:
                ded = min(fixed_deductible[i], allowed)
            else:
                ded = min(max(benefits.deductible - met, 0), allowed)
                met += ded
            coins = rate_cents(allowed - ded, benefits.coinsurance)
        pay = allowed - ded - coins - copay
        seq = rate_cents(pay, profile.sequestration) if profile.sequestration else 0
        pay -= seq
        if seq:
            r.adjustments.append(("CO", "253", seq))
        for reason, amount in (("1", ded), ("2", coins), ("3", copay)):
            if amount:
                r.adjustments.append(("PR", reason, amount))
        r.paid = pay
        r.deductible = ded
    if fixed_deductible is None:
        ctx.state.accumulators[key] = _dec(met)
    return out


def _names(c: PayerClaim) -> list[EntityName]:
    names: list[EntityName] = []
    if c.patient_is_subscriber:
        names.append(
            EntityName(
                "QC", "1", c.patient_last, c.patient_first, id_qualifier="MI", id=c.member_id
            )
        )
    else:
        names.append(EntityName("QC", "1", c.patient_last, c.patient_first))
        names.append(
            EntityName(
                "IL", "1", c.insured_last, c.insured_first, id_qualifier="MI", id=c.member_id
            )
        )
    if c.rendering_npi:
        names.append(
            EntityName(
                "82",
                "1",
                c.rendering_last,
                c.rendering_first,
                id_qualifier="XX",
                id=c.rendering_npi,
            )
        )
    if c.crossover_name and c.crossover_id:
        names.append(EntityName("TT", "2", c.crossover_name, id_qualifier="PI", id=c.crossover_id))
    return names


def _claim_payment(
    c: PayerClaim,
    results: list[_Line],
    denial: DenialReason | None,
    icn: str,
) -> ClaimPayment:
    lines: list[ServiceLine] = []
    for ln, r in zip(c.lines, results, strict=True):
        if ln.service_end_date is not None and ln.service_end_date != ln.service_date:
            dates = [DateRef("150", ln.service_date), DateRef("151", ln.service_end_date)]
        else:
            dates = [DateRef("472", ln.service_date)]
        adjustments = sorted(r.adjustments, key=lambda a: _GROUP_ORDER.get(a[0], 9))
        lines.append(
            ServiceLine(
                procedure_qualifier="HC",
                procedure_code=ln.procedure_code,
                charge=ln.charge,
                paid=_dec(r.paid),
                modifiers=list(ln.modifiers),
                units=ln.units if ln.units != 1 else None,
                dates=dates,
                adjustments=[Adjustment(g, reason, _dec(a)) for g, reason, a in adjustments],
                references=[Reference("6R", ln.control_number)] if ln.control_number else [],
                amounts=[AmountRef("B6", _dec(r.allowed))] if r.allowed is not None else [],
                remarks=[Remark("HE", code) for code in r.remarks],
            )
        )
    paid = sum(r.paid for r in results)
    patient = sum(a for r in results for g, _, a in r.adjustments if g == "PR")
    all_denied = all(r.denied for r in results)
    any_denied = any(r.denied for r in results)
    if denial is not None and (denial.level == "claim" or (all_denied and paid == 0)):
        status = "4"
    elif c.responsibility == "S":
        status = "2"
    elif _after_primary(c.responsibility):
        status = "3"  # tertiary; CLP02 has no code for a fourth payer and beyond
    elif c.crossover_name and c.crossover_id and not (any_denied and paid == 0):
        status = "19"
    else:
        status = "1"
    claim_remarks = list(denial.rarcs) if denial is not None and denial.level == "claim" else []
    names = _names(c)
    if status != "19":
        names = [n for n in names if n.entity != "TT"]
    return ClaimPayment(
        patient_control_number=c.pcn,
        status=status,
        charge=c.total_charge,
        paid=_dec(paid),
        filing_indicator=clp06(c.filing_indicator),
        payer_claim_number=icn,
        patient_responsibility=_dec(patient) if patient else None,
        facility_type=c.place_of_service,
        frequency=c.frequency,
        names=names,
        outpatient=["", "", *claim_remarks] if claim_remarks else None,
        dates=[DateRef("050", c.received_on)],
        lines=lines,
    )


def _negated(p: ClaimPayment) -> ClaimPayment:
    """The reversal (CLP02 22) of a payment: the same claim with every amount negated."""

    def neg_adj(items: list[Adjustment]) -> list[Adjustment]:
        return [replace(a, amount=-a.amount) for a in items]

    return replace(
        p,
        status="22",
        charge=-p.charge,
        paid=-p.paid,
        patient_responsibility=(
            -p.patient_responsibility if p.patient_responsibility is not None else None
        ),
        adjustments=neg_adj(p.adjustments),
        names=list(p.names),
        dates=list(p.dates),
        lines=[
            replace(
                ln,
                charge=-ln.charge,
                paid=-ln.paid,
                adjustments=neg_adj(ln.adjustments),
                amounts=[replace(a, amount=-a.amount) for a in ln.amounts],
                dates=list(ln.dates),
                references=list(ln.references),
                remarks=list(ln.remarks),
                modifiers=list(ln.modifiers),
            )
            for ln in p.lines
        ],
    )


def _new_icn(ctx: _Ctx, base: str, *labels: object) -> str:
    n = 0
    while True:
        icn = base[:5] + digits(ctx.config.seed, 8, "icn", *labels, n)
        if icn not in ctx.claims and all(
            c.payment is None or c.payment.payer_claim_number != icn for c in ctx.claims.values()
        ):
            return icn
        n += 1


# -- remittances ------------------------------------------------------------------------------


@dataclass(slots=True)
class Remittance835:
    """One 835 transaction set to write: to ``submitter_id`` (the 837's ISA sender), from
    ``payer_id``, for one payee, paid on ``payment_date``."""

    submitter_id: str
    payer_id: str
    payment_date: date
    remittance: Remittance


@dataclass(slots=True)
class _Batch:
    submitter_id: str
    payer_id: str
    payer_name: str
    profile: PayerProfile
    payee_npi: str
    payee_name: str
    payee_tax_id: str
    day: date
    claims: list[ClaimPayment] = field(default_factory=list)
    plb: list[PlbItem] = field(default_factory=list)
    owners: list[PayerClaim] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, date]:
        return (self.payer_id, self.submitter_id, self.payee_npi, self.day)


def _batch_for(
    ctx: _Ctx, batches: dict[tuple[str, str, str, date], _Batch], c: PayerClaim, day: date
) -> _Batch:
    key = (c.payer_id, c.submitter_id, c.billing_npi, day)
    b = batches.get(key)
    if b is None:
        b = batches[key] = _Batch(
            c.submitter_id,
            c.payer_id,
            c.payer_name,
            _profile(ctx.config, c),
            c.billing_npi,
            c.billing_name,
            c.billing_tax_id,
            day,
        )
    return b


def _find_original(ctx: _Ctx, payer_id: str, number: str) -> PayerClaim | None:
    """The claim of ``payer_id`` whose payer claim number is ``number`` (its own, or the one
    of its latest payment)."""
    for c in ctx.claims.values():
        if c.payer_id != payer_id:
            continue
        if c.icn == number or (c.payment is not None and c.payment.payer_claim_number == number):
            return c
    return None


def _interest(config: SandboxConfig, c: PayerClaim, p: ClaimPayment) -> PlbItem | None:
    if p.paid <= 0 or unit(config.seed, "interest", c.icn) >= config.interest_rate:
        return None
    days = max((c.payment_date - c.received_on).days, 30)
    amount = rate_cents(_cents(p.paid), config.annual_interest * days / 365)
    return PlbItem("L6", -_dec(max(amount, 1)), p.payer_claim_number)


def _schedule_later(ctx: _Ctx, c: PayerClaim, p: ClaimPayment) -> None:
    config = ctx.config
    if p.paid <= 0 or p.status == "4":
        return
    if unit(config.seed, "reverse", c.icn) < config.reversal_rate:
        low, high = config.reversal_delay_days
        due = c.payment_date + timedelta(days=uniform(config.seed, low, high, "rev-at", c.icn))
        ctx.state.pending.append(PendingAdjustment("reversal", c.icn, due))
    elif unit(config.seed, "recoup", c.icn) < config.recoupment_rate:
        low, high = config.recoupment_delay_days
        due = c.payment_date + timedelta(days=uniform(config.seed, low, high, "wo-at", c.icn))
        share = Decimal(uniform(config.seed, 10, 50, "wo-share", c.icn)) / 100
        amount = max(rate_cents(_cents(p.paid), share), 1)
        ctx.state.pending.append(PendingAdjustment("recoupment", c.icn, due, _dec(amount)))


def _adjudicate_claim(
    ctx: _Ctx, c: PayerClaim, batches: dict[tuple[str, str, str, date], _Batch]
) -> None:
    config = ctx.config
    profile = _profile(config, c)
    b = _batch_for(ctx, batches, c, c.payment_date)
    if c.frequency in ("7", "8") and c.original_icn:
        original = _find_original(ctx, c.payer_id, c.original_icn)
        if original is not None and original.icn != c.icn:
            if original.status == "paid" and original.payment is not None:
                b.claims.append(_negated(original.payment))
            if original.status in ("paid", "pending"):
                original.status = "voided" if c.frequency == "8" else "replaced"
        if c.frequency == "8":
            c.status = "voided"
            c.trace_number = ""
            return
    denial = _denial(config, profile, c)
    results = _adjudicate_lines(ctx, c, profile, denial)
    p = _claim_payment(c, results, denial, c.icn)
    b.claims.append(p)
    b.owners.append(c)
    interest = _interest(config, c, p)
    if interest is not None:
        b.plb.append(interest)
    c.payment = p
    c.status = "paid"
    _schedule_later(ctx, c, p)


def _reverse(
    ctx: _Ctx,
    adj: PendingAdjustment,
    day: date,
    batches: dict[tuple[str, str, str, date], _Batch],
) -> None:
    c = ctx.claims.get(adj.icn)
    adj.done = True
    if c is None or c.payment is None or c.status != "paid":
        return
    profile = _profile(ctx.config, c)
    b = _batch_for(ctx, batches, c, day)
    b.claims.append(_negated(c.payment))
    fixed = [
        sum(_cents(a.amount) for a in ln.adjustments if a.group == "PR" and a.reason == "1")
        for ln in c.payment.lines
    ]
    results = _adjudicate_lines(
        ctx, c, profile, None, uplift=CORRECTION_UPLIFT, fixed_deductible=fixed
    )
    icn = _new_icn(ctx, c.icn, "corrected", c.icn)
    p = _claim_payment(c, results, None, icn)
    b.claims.append(p)
    b.owners.append(c)
    c.payment = p


def _apply_recoupments(ctx: _Ctx, batches: Iterable[_Batch], as_of_day: date) -> None:
    for b in batches:
        total = sum((p.paid for p in b.claims), ZERO) - sum((i.amount for i in b.plb), ZERO)
        for adj in ctx.state.pending:
            if adj.done or adj.kind != "recoupment" or adj.due > b.day:
                continue
            c = ctx.claims.get(adj.icn)
            if c is None or c.payer_id != b.payer_id or c.billing_npi != b.payee_npi:
                continue
            if c.submitter_id != b.submitter_id or c.payment is None:
                continue
            if total - adj.amount < 0:
                continue
            original = c.payment.payer_claim_number
            b.plb.append(PlbItem("WO", adj.amount, original))
            total -= adj.amount
            adj.done = True


def _trace_number(config: SandboxConfig, b: _Batch, number: int) -> str:
    """TRN02: the EFT trace number, unique per payer, submitter, payee, day and issue."""
    return f"{b.day:%Y%m%d}" + digits(
        config.seed, 7, "trn", b.payer_id, b.submitter_id, b.payee_npi, b.day, number
    )


def _remittance(ctx: _Ctx, b: _Batch, trace: str) -> Remittance:
    config = ctx.config
    profile = b.profile
    paid = sum((p.paid for p in b.claims), ZERO)
    plb_total = sum((i.amount for i in b.plb), ZERO)
    amount = paid - plb_total
    tin = profile.tax_id or ("9" + digits(config.seed, 8, "payer-tin", b.payer_id))
    if amount > 0:
        payment = Payment(
            handling="I",
            amount=amount,
            credit_debit="C",
            method="ACH",
            date=b.day,
            format="CCP",
            sender_dfi_qualifier="01",
            sender_dfi=config.payer_bank[0],
            sender_account_qualifier="DA",
            sender_account=config.payer_bank[1],
            originator_id="1" + tin,
            receiver_dfi_qualifier="01",
            receiver_dfi=config.payee_bank[0],
            receiver_account_qualifier="DA",
            receiver_account=config.payee_bank[1],
        )
    else:
        payment = Payment("H", ZERO, "C", "NON", b.day)
    line1, city, state_code, postal = profile.address
    payer = Party(
        "PR",
        b.payer_name,
        address=era.Address(line1=line1, city=city, state=state_code, postal_code=postal),
        contacts=[
            Contact("CX", "CLAIMS", [("TE", profile.contact_phone)]),
            Contact("BL", "PROVIDER SERVICES", [("TE", profile.contact_phone)]),
        ],
    )
    payee = Party(
        "PE",
        b.payee_name,
        "XX",
        b.payee_npi,
        references=[Reference("TJ", b.payee_tax_id)] if b.payee_tax_id else [],
    )
    plbs: list[ProviderAdjustment] = []
    for i in range(0, len(b.plb), 6):
        plbs.append(
            ProviderAdjustment(b.payee_npi, date(b.day.year, 12, 31), list(b.plb[i : i + 6]))
        )
    return Remittance(
        control_number="0001",  # set when written
        payment=payment,
        trace=Trace(trace, "1" + tin),
        payer=payer,
        payee=payee,
        claims=list(b.claims),
        provider_adjustments=plbs,
        production_date=b.day,
    )


def adjudicate(
    claims: Sequence[PayerClaim],
    *,
    as_of: datetime,
    config: SandboxConfig,
    state: SandboxState | None = None,
) -> list[Remittance835]:
    """Adjudicate the ``claims`` (and the state's pending reversals and recoupments) whose
    payment date has come by ``as_of`` (an aware datetime: the 835 of a day is released at
    ``config.remittance_time``); returns their 835s, one per payer, submitter, payee and
    payment date, in a stable order.

    ``claims`` are updated (status, payment); ``state`` keeps the deductibles met and the
    pending later events (a fresh one is used when not given). Claims already adjudicated are
    skipped, so calling again with a later ``as_of`` only adds what became due.
    """
    st = state if state is not None else SandboxState()
    known = dict(st.claims)
    for c in claims:
        known.setdefault(c.icn, c)
    ctx = _Ctx(config, st, known)

    def due(day: date) -> bool:
        return at(day, config.remittance_time) <= as_of

    batches: dict[tuple[str, str, str, date], _Batch] = {}
    pending = sorted(
        (c for c in claims if c.status == "pending" and due(c.payment_date)),
        key=lambda c: (c.payment_date, c.received_on, c.payer_id, c.icn),
    )
    # Claims and reversals in payment-date order (deductibles are consumed in that order; a
    # reversal scheduled by a payment of this call is made in this call when it is due).
    i = 0
    while True:
        reversals = [
            (next_business_day(a.due), a.icn, a)
            for a in st.pending
            if not a.done and a.kind == "reversal" and due(next_business_day(a.due))
        ]
        rev = min(reversals, key=lambda x: (x[0], x[1]), default=None)
        nxt: PayerClaim | None = pending[i] if i < len(pending) else None
        if nxt is None and rev is None:
            break
        if rev is not None and (nxt is None or rev[0] <= nxt.payment_date):
            _reverse(ctx, rev[2], rev[0], batches)
            continue
        assert nxt is not None
        _adjudicate_claim(ctx, nxt, batches)
        i += 1
    ordered = sorted(
        batches.values(), key=lambda b: (b.day, b.payer_id, b.submitter_id, b.payee_npi)
    )
    _apply_recoupments(ctx, ordered, as_of.date())
    out: list[Remittance835] = []
    for b in ordered:
        if not b.claims:
            continue
        key = "|".join((b.payer_id, b.submitter_id, b.payee_npi, b.day.isoformat()))
        number = st.remittances_issued.get(key, 0) + 1
        st.remittances_issued[key] = number
        trace = _trace_number(config, b, number)
        _forward_balance(st, b, trace)
        rem = _remittance(ctx, b, trace)
        for owner in b.owners:
            owner.trace_number = rem.trace.number
        out.append(Remittance835(b.submitter_id, b.payer_id, b.day, rem))
    st.pending = [a for a in st.pending if not a.done]
    return out


def _forward_balance(st: SandboxState, b: _Batch, trace: str) -> None:
    """Balances carried between remittances (PLB FB): a balance forwarded by an earlier 835
    to this payee is taken back (positive); a remittance whose claims net below zero (a
    reversal or void larger than the payments) pays zero and forwards the rest (negative)."""
    key = "|".join((b.payer_id, b.submitter_id, b.payee_npi))
    for adj in st.pending:
        if not adj.done and adj.kind == "forward" and adj.key == key and adj.due <= b.day:
            b.plb.append(PlbItem("FB", adj.amount, adj.reference))
            adj.done = True
    total = sum((p.paid for p in b.claims), ZERO) - sum((i.amount for i in b.plb), ZERO)
    if total < 0:
        b.plb.append(PlbItem("FB", total, trace))
        st.pending.append(
            PendingAdjustment("forward", "", b.day + timedelta(days=1), -total, key=key,
                              reference=trace)
        )  # fmt: skip


def write_remittances(
    remittances: Sequence[Remittance835],
    *,
    config: SandboxConfig,
    controls: ControlNumbers,
    usage: str = "T",
) -> list[OutboundFile]:
    """The 835 files: one interchange per submitter, payer and payment date, one 835 set per
    payee, available from the payment date at ``config.remittance_time``."""
    groups: dict[tuple[str, str, date], list[Remittance835]] = {}
    for r in remittances:
        groups.setdefault((r.submitter_id, r.payer_id, r.payment_date), []).append(r)
    files: list[OutboundFile] = []
    for (submitter, payer_id, day), items in groups.items():
        isa = controls.next("ISA")
        gs = controls.next("GS")
        rems: list[Remittance] = []
        for r in items:
            r.remittance.control_number = f"{controls.next('ST'):04d}"
            rems.append(r.remittance)
        moment = at(day, config.remittance_time)
        gs_sender = payer_id if 2 <= len(payer_id) <= 15 else config.clearinghouse_id
        text = era.write_835(
            rems,
            sender_id=config.clearinghouse_id[:15],
            receiver_id=submitter[:15],
            isa_control=isa,
            gs_control=gs,
            now=moment,
            usage=usage,
            gs_sender=gs_sender,
        )
        safe = "".join(ch for ch in payer_id if ch.isalnum()) or "PAYER"
        files.append(
            OutboundFile(
                file_id=f"835-{isa:09d}",
                kind="835",
                name=f"835_{safe}_{day:%Y%m%d}_{isa:09d}.x12",
                text=text,
                available_at=moment,
            )
        )
    return files


def remittance_files(
    state: SandboxState,
    *,
    as_of: datetime,
    config: SandboxConfig,
    controls: ControlNumbers | None = None,
) -> list[OutboundFile]:
    """Adjudicate what is due in ``state`` by ``as_of``, write the 835 files and keep them in
    the state (handed out by :meth:`SandboxState.take_due`)."""
    ctl = controls if controls is not None else StateControls(state)
    rems = adjudicate(list(state.claims.values()), as_of=as_of, config=config, state=state)
    usage_of: dict[str, str] = {}
    files: list[OutboundFile] = []
    by_usage: dict[str, list[Remittance835]] = {}
    for r in rems:
        usage = usage_of.get(r.submitter_id) or _usage(state, r.submitter_id)
        usage_of[r.submitter_id] = usage
        by_usage.setdefault(usage, []).append(r)
    for usage, items in by_usage.items():
        files += write_remittances(items, config=config, controls=ctl, usage=usage)
    state.files.extend(files)
    return files


def _usage(state: SandboxState, submitter_id: str) -> str:
    for f in state.received.values():
        if f.submitter_id == submitter_id:
            return f.usage
    return "T"
