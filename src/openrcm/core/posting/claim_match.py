"""Choose our claim for an 835 claim payment (CLP, loop 2100) when its CLP01 names several.

Claims OpenRCM makes have patient control numbers of their own, but claims imported from
another billing system (``openrcm claims import-837``) keep the CLM01 that system sent, and
many legacy systems send the patient's account number, or one fixed number, for every claim:
several of our claims can then share a patient control number, and the payer echoes it in
CLP01 for each of them. :func:`choose_claim` picks the one the payment is about, narrowing the
claims that carry CLP01 step by step (:class:`ClaimCriterion`), and records which steps did it:

1. ``member_id`` / ``patient_name``: the patient. The payment's member ids (NM1*QC, NM1*IL;
   NM1*74 corrected) against the coverage's member id, and the patient's name (NM1*QC last and
   first) against ours. When the 835 names the patient and none of the claims is that
   patient's, nothing is chosen: another patient's claim is never paid by elimination.
2. ``charge``: the total charge (CLP03; a reversal's negated amount is compared as positive).
3. ``lines``: every SVC finds its line (:func:`~openrcm.core.posting.match.match_lines`:
   procedure, modifiers and the line's date of service); a payment without SVCs compares its
   statement dates (DTM*232-233) with the dates of the claim's lines.

A step that no claim passes (the payer changed the charge, or a line) narrows nothing and is
noted; the patient step is the exception above. When one claim is left it is chosen; when
several are left they are alike in everything the 835 says, and the payment goes to the
exceptions queue naming them (a person chooses; we never guess).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from openrcm.core.money import cents_to_decimal, decimal_to_cents
from openrcm.core.posting.match import match_lines
from openrcm.core.posting.plan import OurClaim
from openrcm.core.x12.era import ClaimPayment

__all__ = [
    "ClaimCandidate",
    "ClaimChoice",
    "ClaimCriterion",
    "choose_claim",
    "describe_candidate",
    "narrow_by_patient",
    "narrow_by_steps",
]


class ClaimCriterion(StrEnum):
    """A step that narrowed the claims sharing a patient control number."""

    MEMBER_ID = "member_id"
    PATIENT_NAME = "patient_name"
    CHARGE = "charge"
    LINES = "lines"
    # A 277CA's further steps (openrcm.core.claims.ack_match).
    PAYER_CLAIM_NUMBER = "payer_claim_number"
    SERVICE_DATES = "service_dates"
    AWAITING_ACKNOWLEDGMENT = "awaiting_acknowledgment"


@dataclass(frozen=True, slots=True)
class ClaimCandidate:
    """One of our claims with the payment's CLP01: what the 835 can be compared with.

    ``claim`` carries the lines (each with its own date of service); ``member_id`` is the
    coverage's; ``last_name`` and ``first_name`` the patient's.
    """

    claim: OurClaim
    member_id: str
    last_name: str
    first_name: str

    @property
    def claim_id(self) -> int:
        return self.claim.claim_id


@dataclass(frozen=True, slots=True)
class ClaimChoice:
    """The outcome: ``chosen`` (or ``None``), the ``criteria`` that singled it out (empty when
    the patient control number alone did), each attempt in words (``tried``), and, when nothing
    was chosen, the claims a person should choose among (``candidates``) and why (``kind``)."""

    chosen: ClaimCandidate | None
    criteria: tuple[ClaimCriterion, ...]
    tried: tuple[str, ...]
    candidates: tuple[ClaimCandidate, ...] = ()
    kind: str = ""  # when nothing was chosen: "ambiguous" (several fit) or "unmatched" (none)

    @property
    def method(self) -> str:
        """How the claim was found, for the record: ``patient_control_number``, or e.g.
        ``patient_control_number+member_id+charge``."""
        return "+".join(["patient_control_number", *self.criteria])

    @property
    def message(self) -> str:
        """One line for people: what was chosen and how, or why nothing was."""
        if self.chosen is not None:
            return (
                f"chose {describe_candidate(self.chosen)} by "
                f"{self.method.replace('+', ', ').replace('_', ' ')}; tried: "
                + "; ".join(self.tried)
            )
        head = "several claims fit" if self.kind == "ambiguous" else "no claim fits"
        named = "; ".join(describe_candidate(c) for c in self.candidates)
        return f"{head}; tried: {'; '.join(self.tried)}" + (
            f"; candidates: {named}" if named else ""
        )


def describe_candidate(candidate: ClaimCandidate) -> str:
    """``claim 12 (member SJD11112, DOE, SANDY, $226.00, 2014-03-24)``."""
    days = sorted({line.service_date for line in candidate.claim.lines})
    when = (
        days[0].isoformat()
        if len(days) == 1
        else f"{days[0].isoformat()} to {days[-1].isoformat()}"
        if days
        else "no lines"
    )
    return (
        f"claim {candidate.claim_id} (member {candidate.member_id or '-'}, "
        f"{candidate.last_name}, {candidate.first_name}, "
        f"${cents_to_decimal(candidate.claim.charge_cents):,.2f}, {when})"
    )


def _norm(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _member_ids(payment: ClaimPayment) -> set[str]:
    return {
        _norm(n.id)
        for n in payment.names
        if n.entity in {"QC", "IL", "74"} and n.id_qualifier != "XX" and _norm(n.id)
    }


def _patient_name(payment: ClaimPayment) -> tuple[str, str] | None:
    for entity in ("74", "QC"):  # a corrected name (NM1*74) is the payer's better knowledge
        found = payment.name(entity)
        if found is not None and _norm(found.last) and _norm(found.first):
            return _norm(found.last), _norm(found.first)
    return None


def _statement_window(payment: ClaimPayment) -> tuple[date, date] | None:
    start = payment.date_of("232")
    if start is None:
        return None
    return start, payment.date_of("233") or start


def _fits_lines(candidate: ClaimCandidate, payment: ClaimPayment) -> bool:
    if payment.lines:
        return match_lines(candidate.claim.lines, payment).complete
    window = _statement_window(payment)
    if window is None:
        return True
    return any(window[0] <= line.service_date <= window[1] for line in candidate.claim.lines)


def narrow_by_patient[T](
    left: list[T],
    *,
    ids: set[str],
    name: tuple[str, str] | None,
    candidate: Callable[[T], ClaimCandidate],
    criteria: list[ClaimCriterion],
    tried: list[str],
) -> list[T] | None:
    """Step 1 of both choosers (an 835's here, a 277CA's in ``core.claims.ack_match``): the
    claims of ``left`` that are the document's patient, by member id (``ids``, normalized) and
    by name (``name``: normalized last and first). Appends the steps that narrowed to
    ``criteria`` and each attempt in words to ``tried``. ``None`` when the document names a
    patient and no claim is theirs: then nothing may be chosen (never another patient's claim
    by elimination). ``candidate`` gives the :class:`ClaimCandidate` of an item of ``left``."""
    by_id = [c for c in left if _norm(candidate(c).member_id) in ids] if ids else []
    by_name = (
        [c for c in left if (_norm(candidate(c).last_name), _norm(candidate(c).first_name)) == name]
        if name
        else []
    )
    if ids:
        tried.append(
            f"member id {' or '.join(sorted(ids))}: {len(by_id)} of {len(left)} claims fit"
        )
    if name:
        tried.append(f"patient {name[0]}, {name[1]}: {len(by_name)} of {len(left)} claims fit")
    if (ids or name) and not by_id and not by_name:
        tried.append("none is this patient's claim")
        return None
    if by_id:
        if len(by_id) < len(left):
            criteria.append(ClaimCriterion.MEMBER_ID)
        left = by_id
    if by_name:
        # Dependents may share the subscriber's member id: the name tells them apart.
        named = [c for c in left if c in by_name]
        if named and len(named) < len(left):
            criteria.append(ClaimCriterion.PATIENT_NAME)
            left = named
        elif not by_id:
            left = by_name
    return left


def narrow_by_steps[T](
    left: list[T],
    steps: Sequence[tuple[ClaimCriterion, str, Callable[[T], bool]]],
    *,
    criteria: list[ClaimCriterion],
    tried: list[str],
) -> list[T]:
    """The later steps of both choosers: each ``(criterion, what, fits)`` keeps the claims of
    ``left`` that fit, when some do (a step no claim passes narrows nothing and is noted), until
    one claim is left. Appends the steps that narrowed to ``criteria`` and each attempt in
    words to ``tried``; returns the claims left."""
    for criterion, what, fits in steps:
        if len(left) == 1:
            break
        fitting = [c for c in left if fits(c)]
        tried.append(f"{what}: {len(fitting)} of {len(left)} claims fit")
        if fitting:
            if len(fitting) < len(left):
                criteria.append(criterion)
            left = fitting
    return left


def choose_claim(candidates: Sequence[ClaimCandidate], payment: ClaimPayment) -> ClaimChoice:
    """Choose the claim ``payment`` is about among ``candidates`` (our claims whose patient
    control number is its CLP01); see the module docstring. No candidates: nothing chosen."""
    if not candidates:
        return ClaimChoice(None, (), ("no claim has this patient control number",), (), "unmatched")
    if len(candidates) == 1:
        return ClaimChoice(candidates[0], (), ())
    left = list(candidates)
    criteria: list[ClaimCriterion] = []
    tried: list[str] = [
        f"{len(left)} claims have patient control number {payment.patient_control_number!r}"
    ]

    # 1. The patient: a payment is never posted to another patient's claim.
    ids = _member_ids(payment)
    name = _patient_name(payment)
    patients = narrow_by_patient(
        left, ids=ids, name=name, candidate=lambda c: c, criteria=criteria, tried=tried
    )
    if patients is None:
        return ClaimChoice(None, (), tuple(tried), tuple(left), "unmatched")
    left = patients

    # 2 and 3. The charge, then the lines and their dates: each narrows when some claim fits.
    charge = abs(decimal_to_cents(payment.charge))
    steps: list[tuple[ClaimCriterion, str, Callable[[ClaimCandidate], bool]]] = [
        (
            ClaimCriterion.CHARGE,
            f"total charge ${cents_to_decimal(charge):,.2f} (CLP03)",
            lambda c: c.claim.charge_cents == charge,
        ),
        (
            ClaimCriterion.LINES,
            "every service line by procedure, modifiers and date"
            if payment.lines
            else "a line within the statement dates (DTM*232-233)",
            lambda c: _fits_lines(c, payment),
        ),
    ]
    left = narrow_by_steps(left, steps, criteria=criteria, tried=tried)
    if len(left) == 1:
        return ClaimChoice(left[0], tuple(criteria), tuple(tried))
    return ClaimChoice(None, tuple(criteria), tuple(tried), tuple(left), "ambiguous")
