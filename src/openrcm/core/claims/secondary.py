"""The claim to the next payer: a secondary (or tertiary) 837P claim carrying the prior payer's
adjudication from its 835.

After the primary's remittance is posted and a balance remains, the same services are billed to
the patient's next coverage. That payer adjudicates from what the prior payer did, so the claim
carries it (ASC X12 837P 005010X222A1):

* loop 2000B is the new coverage, SBR01 the next responsibility (P -> S -> T -> A ...);
* loop 2320 (SBR of the prior payer, SBR01 its responsibility, SBR02 the patient's relationship
  to its subscriber; CAS = the 835's claim-level CLP adjustments; AMT*D = CLP04, what it paid;
  AMT*EAF = CLP05, the remaining patient liability, unless the prior payer is Medicare; OI),
  2330A (the prior payer's subscriber) and 2330B (the prior payer, REF*F8 = CLP07, its claim
  control number; DTP*573 only when the 835 reported no service lines);
* loop 2430 on every line (SVD: the prior payer's id, what it paid on the line, the procedure
  as adjudicated, the units paid; CAS: the 835 line's adjustments with their group codes;
  DTP*573: the adjudication or payment date; AMT*EAF: the line's PR amounts, unless Medicare).

The payers check the balance of what we send (:func:`cob_balance_problems`): for each prior
payer, every line's charge equals its SVD02 paid amounts plus its CAS amounts, and the claim's
total charge equals AMT*D plus every CAS amount of that payer (2320 and 2430).

835 service lines are matched to our lines by the line control number (REF*6R, which our 837P
writer puts on every line and payers echo), else by procedure (SVC06 when the payer changed
the code), modifiers and date of service. Several 835 lines may adjudicate one of ours (the
payer unbundled it); each of our lines must be adjudicated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Final

from openrcm.core.x12 import era
from openrcm.core.x12.claim837p import (
    Adjustment,
    LineAdjudication,
    OtherPayer,
    Patient,
    ProfessionalClaim,
    ServiceLine,
    Subscriber,
)

__all__ = [
    "SecondaryClaimError",
    "cob_balance_problems",
    "next_responsibility",
    "secondary_claim_from",
]

ZERO: Final = Decimal(0)
# SBR01 in payment order: primary, secondary, tertiary, then payers four to eleven.
_ORDER: Final = "PSTABCDEFGH"
# Medicare: the 2320 and 2430 AMT*EAF (remaining patient liability) is not sent for it.
_MEDICARE: Final = frozenset({"MA", "MB"})
# SVD03-1 takes fewer qualifiers than the 835's SVC01-1.
_SVD_QUALIFIERS: Final = frozenset({"HC", "ER", "IV", "WK"})
# CLP02 of a remittance that cannot stand for the prior payer's adjudication.
_NOT_ADJUDICATED: Final = {
    "22": "a reversal of an earlier payment",
    "23": "not the payer's claim (forwarded)",
    "25": "a predetermination (pricing only)",
}
MAX_LINE_ADJUDICATIONS: Final = 15


class SecondaryClaimError(ValueError):
    """The prior payer's 835 claim payment cannot be carried on the next payer's claim."""


def next_responsibility(responsibility: str) -> str:
    """The SBR01 of the payer after ``responsibility`` (P -> S, S -> T, T -> A, ...)."""
    i = _ORDER.find(responsibility)
    if i < 0 or i + 1 >= len(_ORDER) or len(responsibility) != 1:
        raise SecondaryClaimError(
            f"no payer follows responsibility {responsibility!r} (SBR01 P, S, T, A-G)"
        )
    return _ORDER[i + 1]


def _rank(responsibility: str) -> int:
    i = _ORDER.find(responsibility) if len(responsibility) == 1 else -1
    return i if i >= 0 else len(_ORDER)


def _merged(adjustments: Iterable[era.Adjustment]) -> list[Adjustment]:
    """The 835 adjustments as 837P ones, one per group and reason (amounts and quantities
    added up), in order of first appearance."""
    out: dict[tuple[str, str], Adjustment] = {}
    for a in adjustments:
        key = (a.group, a.reason)
        have = out.get(key)
        if have is None:
            out[key] = Adjustment(
                group=a.group, reason=a.reason, amount=a.amount, quantity=a.quantity
            )
            continue
        have.amount += a.amount
        if a.quantity is not None:
            have.quantity = a.quantity + (have.quantity or ZERO)
    return list(out.values())


def _check_groups(adjustments: list[Adjustment], where: str) -> None:
    counts: dict[str, int] = {}
    for a in adjustments:
        counts[a.group] = counts.get(a.group, 0) + 1
    if len(counts) > 5:
        raise SecondaryClaimError(f"{where}: more than 5 adjustment groups (837P CAS)")
    for group, n in counts.items():
        if n > 6:
            raise SecondaryClaimError(
                f"{where}: {n} adjustment reasons of group {group}; an 837P CAS holds 6"
            )


def _patient_responsibility(adjustments: Iterable[Adjustment]) -> Decimal:
    return sum((a.amount for a in adjustments if a.group == "PR"), ZERO)


def _modifiers(components: list[str]) -> list[str] | None:
    """The modifiers among procedure components 3-6 (the 7th is a description), or None when
    one is not a 2-character modifier."""
    mods = [m for m in components[:4] if m]
    return mods if all(len(m) == 2 for m in mods) else None


def _svc_where(svc: era.ServiceLine, n: int) -> str:
    control = svc.line_control_number
    ref = f" (REF*6R {control})" if control else ""
    return f"835 service line {n} {svc.procedure_code}{ref}"


def _match_lines(
    lines: list[ServiceLine], svcs: list[era.ServiceLine], pcn: str
) -> list[list[era.ServiceLine]]:
    """The 835 lines adjudicating each of our lines (index-aligned with ``lines``)."""
    matched: list[list[era.ServiceLine]] = [[] for _ in lines]
    by_control: dict[str, int] = {}
    for i, ln in enumerate(lines):
        if ln.control_number in by_control:
            raise SecondaryClaimError(
                f"claim {pcn!r}: lines {by_control[ln.control_number] + 1} and {i + 1} have the"
                f" same line control number {ln.control_number!r}"
            )
        by_control[ln.control_number] = i
    for n, svc in enumerate(svcs, start=1):
        control = svc.line_control_number
        if control:
            i = by_control.get(control, -1)
            if i < 0:
                raise SecondaryClaimError(
                    f"claim {pcn!r}: {_svc_where(svc, n)} names line control number"
                    f" {control!r}, which none of the claim's lines has"
                )
            matched[i].append(svc)
            continue
        if svc.original_procedure:
            code = svc.original_procedure[1] if len(svc.original_procedure) > 1 else ""
            mods = _modifiers(svc.original_procedure[2:]) or []
        else:
            code, mods = svc.procedure_code, _modifiers(svc.modifiers) or []
        day = svc.service_date
        candidates = [
            i
            for i, ln in enumerate(lines)
            if ln.procedure_code == code
            and list(ln.modifiers) == mods
            and (day is None or ln.service_date == day)
        ]
        free = [i for i in candidates if not matched[i]]
        if not candidates:
            raise SecondaryClaimError(
                f"claim {pcn!r}: {_svc_where(svc, n)} has no line control number and matches"
                f" none of the claim's lines by procedure {code}"
                f"{''.join(':' + m for m in mods)} and date {day}"
            )
        if len(free) > 1 or (not free and len(candidates) > 1):
            raise SecondaryClaimError(
                f"claim {pcn!r}: {_svc_where(svc, n)} has no line control number and matches"
                f" lines {', '.join(str(i + 1) for i in candidates)} alike"
            )
        matched[(free or candidates)[0]].append(svc)
    for i, found in enumerate(matched):
        if not found:
            ln = lines[i]
            raise SecondaryClaimError(
                f"claim {pcn!r}: line {i + 1} ({ln.procedure_code}, REF*6R"
                f" {ln.control_number}) has no service line in the 835"
            )
    return matched


def _line_adjudication(
    svc: era.ServiceLine,
    n: int,
    ln: ServiceLine,
    *,
    payer_id: str,
    adjudication_date: date,
    send_liability: bool,
    pcn: str,
) -> LineAdjudication:
    adjustments = _merged(svc.adjustments)
    _check_groups(adjustments, f"claim {pcn!r}, {_svc_where(svc, n)}")
    svc_mods = _modifiers(svc.modifiers)
    if svc.procedure_qualifier in _SVD_QUALIFIERS and svc_mods is not None:
        qualifier, code, mods = svc.procedure_qualifier, svc.procedure_code, svc_mods
    else:  # an 835 code set the 837P's SVD cannot carry: our line's procedure stands for it
        qualifier, code, mods = ln.procedure_qualifier, ln.procedure_code, list(ln.modifiers)
    return LineAdjudication(
        payer_id=payer_id,
        paid=svc.paid,
        procedure_code=code,
        procedure_qualifier=qualifier,
        modifiers=mods,
        units=svc.units if svc.units is not None else Decimal(1),
        adjudication_date=adjudication_date,
        adjustments=adjustments,
        remaining_patient_liability=(
            _patient_responsibility(adjustments) if send_liability else None
        ),
    )


def cob_balance_problems(claim: ProfessionalClaim) -> list[str]:
    """What does not balance in the prior payers' adjudication the claim carries ([] when all
    does): per payer with 2430 loops, each line's charge = its SVD02 + its CAS amounts; per
    payer with a paid amount (AMT*D), the total charge = AMT*D + its 2320 CAS + its 2430 CAS."""
    problems: list[str] = []
    pcn = claim.patient_control_number
    for op in claim.other_payers:
        line_cas = ZERO
        lines_seen = False
        for n, ln in enumerate(claim.lines, start=1):
            mine = [a for a in ln.adjudications if a.payer_id == op.payer_id]
            if not mine:
                continue
            lines_seen = True
            paid = sum((a.paid for a in mine), ZERO)
            cas = sum((x.amount for a in mine for x in a.adjustments), ZERO)
            line_cas += cas
            if paid + cas != ln.charge:
                problems.append(
                    f"claim {pcn!r}, line {n}: payer {op.payer_id} paid {paid} and adjusted"
                    f" {cas}, not the line charge {ln.charge}"
                )
        if op.paid_amount is None:
            if lines_seen:
                problems.append(
                    f"claim {pcn!r}: payer {op.payer_id} adjudicated lines but has no paid"
                    " amount (2320 AMT*D)"
                )
            continue
        claim_cas = sum((a.amount for a in op.adjustments), ZERO)
        if op.paid_amount + claim_cas + line_cas != claim.total_charge:
            problems.append(
                f"claim {pcn!r}: payer {op.payer_id} paid {op.paid_amount} and adjusted"
                f" {claim_cas + line_cas} (claim {claim_cas}, lines {line_cas}), not the total"
                f" charge {claim.total_charge}"
            )
    return problems


def _check_payment(prior: ProfessionalClaim, payment: era.ClaimPayment) -> None:
    pcn = prior.patient_control_number
    got = payment.patient_control_number
    # Some payers truncate CLP01 (Medicare keeps 20 characters): a prefix is the same claim.
    if not got or not pcn.startswith(got):
        raise SecondaryClaimError(
            f"the 835 claim payment is for patient control number {got!r}, not {pcn!r}"
        )
    where = f"claim {pcn!r}, 835 claim {payment.payer_claim_number!r}"
    why = _NOT_ADJUDICATED.get(payment.status)
    if why is not None:
        raise SecondaryClaimError(
            f"{where}: status (CLP02) {payment.status} is {why}, not an adjudication to pass on"
        )
    if payment.charge != prior.total_charge:
        raise SecondaryClaimError(
            f"{where}: the 835 charge (CLP03) {payment.charge} is not the claim's total charge"
            f" {prior.total_charge}"
        )
    if payment.charge - payment.adjustment_total != payment.paid:
        raise SecondaryClaimError(
            f"{where}: the 835 does not balance (charge {payment.charge} - adjustments"
            f" {payment.adjustment_total} is not the paid amount {payment.paid})"
        )


def secondary_claim_from(
    *,
    prior: ProfessionalClaim,
    payment: era.ClaimPayment,
    subscriber: Subscriber,
    patient: Patient | None,
    pcn: str,
    adjudication_date: date,
) -> ProfessionalClaim:
    """The claim to the next payer (``subscriber``: its coverage and payer) after ``prior``
    (the claim the prior payer adjudicated) was paid or denied as ``payment`` (its 835 claim
    payment, CLP loop) on ``adjudication_date`` (the 835's payment date, BPR16).

    ``prior`` is a primary claim for a secondary, or a secondary claim (carrying the primary's
    adjudication) for a tertiary. The result has ``pcn`` as its patient control number,
    SBR01 the responsibility after the prior claim's (the subscriber's own is replaced),
    ``patient`` (None when the patient is the new subscriber) and frequency 1; the prior
    payer becomes an other payer (2320/2330A/2330B) with its 2430 line adjudication, after the
    payers already there (another listing of the new payer is dropped). Raises
    :class:`SecondaryClaimError` when the payment is not the prior claim's, does not balance,
    or its lines cannot be matched to the claim's.
    """
    _check_payment(prior, payment)
    if not pcn or len(pcn) > 38:
        raise SecondaryClaimError(f"patient control number {pcn!r} must be 1 to 38 characters")
    prior_sub = prior.subscriber
    responsibility = next_responsibility(prior_sub.responsibility)
    where = f"claim {prior.patient_control_number!r}"
    if subscriber.payer.payer_id == prior_sub.payer.payer_id:
        raise SecondaryClaimError(
            f"{where}: the next payer {subscriber.payer.payer_id} is the payer that adjudicated"
            " the claim"
        )
    new_payer = subscriber.payer.payer_id
    payer_id = prior_sub.payer.payer_id
    send_liability = prior_sub.claim_filing not in _MEDICARE
    claim_adjustments = _merged(payment.adjustments)
    _check_groups(claim_adjustments, f"{where}, 835 claim-level adjustments")
    lines: list[ServiceLine] = []
    svcs = payment.lines
    if svcs:
        matched = _match_lines(prior.lines, svcs, prior.patient_control_number)
        numbers = {id(svc): n for n, svc in enumerate(svcs, start=1)}
        for i, (ln, found) in enumerate(zip(prior.lines, matched, strict=True), start=1):
            adjudications = [
                _line_adjudication(
                    svc,
                    numbers[id(svc)],
                    ln,
                    payer_id=payer_id,
                    adjudication_date=adjudication_date,
                    send_liability=send_liability,
                    pcn=prior.patient_control_number,
                )
                for svc in found
            ]
            kept = [a for a in ln.adjudications if a.payer_id != new_payer]
            if len(kept) + len(adjudications) > MAX_LINE_ADJUDICATIONS:
                raise SecondaryClaimError(
                    f"{where}, line {i}: more than {MAX_LINE_ADJUDICATIONS} line adjudications"
                    " (2430)"
                )
            lines.append(replace(ln, adjudications=[*kept, *adjudications]))
    else:
        lines = [
            replace(ln, adjudications=[a for a in ln.adjudications if a.payer_id != new_payer])
            for ln in prior.lines
        ]
    if payment.patient_responsibility is not None:
        liability = payment.patient_responsibility
    else:
        liability = _patient_responsibility(claim_adjustments)
        for ln in lines:
            for a in ln.adjudications:
                if a.payer_id == payer_id:
                    liability += _patient_responsibility(a.adjustments)
    prior_payer = OtherPayer(
        responsibility=prior_sub.responsibility,
        relationship="18" if prior.patient is None else prior.patient.relationship,
        subscriber_name=prior_sub.name,
        subscriber_id=prior_sub.member_id,
        subscriber_id_qualifier=prior_sub.member_id_qualifier,
        subscriber_address=prior_sub.address,
        payer_name=prior_sub.payer.name,
        payer_id=payer_id,
        payer_id_qualifier=prior_sub.payer.id_qualifier,
        payer_address=prior_sub.payer.address,
        claim_filing=prior_sub.claim_filing,
        group_number=prior_sub.group_number,
        group_name=prior_sub.group_name,
        insurance_type=prior_sub.insurance_type,
        adjustments=claim_adjustments,
        paid_amount=payment.paid,
        remaining_patient_liability=liability if send_liability else None,
        benefits_assigned=prior.benefits_assigned,
        patient_signature_source=prior.patient_signature_source,
        release_of_information=prior.release_of_information,
        # 2330B DTP*573 is for a claim adjudicated without line detail (else 2430 DTP*573).
        adjudication_date=None if svcs else adjudication_date,
        claim_control_number=payment.payer_claim_number,
    )
    others = [
        op
        for op in prior.other_payers
        if op.payer_id not in (new_payer, payer_id) and op.responsibility != responsibility
    ]
    others.append(prior_payer)
    others.sort(key=lambda op: _rank(op.responsibility))
    claim = replace(
        prior,
        subscriber=replace(subscriber, responsibility=responsibility),
        patient=patient,
        patient_control_number=pcn,
        frequency="1",
        payer_claim_number="",
        lines=lines,
        other_payers=others,
    )
    problems = cob_balance_problems(claim)
    if problems:
        raise SecondaryClaimError("; ".join(problems))
    return claim
