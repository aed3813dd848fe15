"""Plan the posting of one 835 claim payment (CLP, loop 2100) against our claim: pure.

:func:`plan_claim_payment` returns a :class:`ClaimPostingPlan`: the ledger entries to add (in
cents, each on one of our lines), the denials to record, the claim's adjudicated status, the
warnings for people, and a content key. The app stores the entries in one transaction, or
sends the claim to the exceptions queue when the plan is not ``postable``.

How a claim payment becomes entries:

* **Matched lines.** Each SVC is matched to one of our lines (:mod:`.match`). The line gets an
  ``insurance_payment`` of SVC03 and one entry per CAS adjustment, of the kind
  :func:`.classify.classify` gives (LQ remark codes go with it). A denied amount is a ``denial``
  entry (no money moves: it stays insurance A/R) and a :class:`.DenialFinding` (only for a
  positive amount: a denial CARC on $0.00 leaves nothing to work). A CAS of $0.00 makes no
  entry (the ledger refuses zero entries).
* **Claim-level CAS with service lines.** By the 835's balancing (SVC02 - line CAS = SVC03, and
  CLP03 - all CAS = CLP04), claim-level adjustments come out of the lines' payments:
  sum(SVC03) = CLP04 + claim CAS. Each claim-level amount is therefore allocated across the
  matched lines in proportion to their SVC03 (their SVC02 when nothing was paid), largest
  remainder first, and the line's ``insurance_payment`` is SVC03 less what was allocated to it.
  The payments so add up to CLP04, the money the payer actually sent.
* **No service lines.** CLP04 and every claim-level CAS are allocated across our lines in
  proportion to their charges. When our charges add up to CLP03, the largest amount absorbs the
  rounding so each line closes to the cent.
* **Reversal (CLP02 = 22).** The 835 repeats the original adjudication with negated amounts. The
  plan reverses, entry by entry, what is still in effect of the earlier posting of that payer
  claim number (``earlier``: the entries the app posted for it; entries already reversed, and
  reversals themselves, are skipped). A corrected payment that follows in the 835 is an
  ordinary claim payment and posts anew. A reversal with nothing earlier to reverse is a
  problem for the exceptions queue.
* **Predetermination (CLP02 = 25).** Pricing only: nothing posts.

Status (:class:`~openrcm.core.claims.status.ClaimStatus`): ``denied`` when CLP02 is 4, or when a
denial was found and the payer paid nothing; ``partially_paid`` when a denial was found and the
payer paid something; else ``paid`` (a claim paid zero because everything went to the
deductible is paid, not denied). A reversal or a predetermination has no status (``None``):
the corrected payment that follows decides it.

Content key: SHA-256 over a canonical form of the CLP and everything in it (not its LX
position), so the same claim payment read from any file has the same key; the app uses it to
refuse posting a claim payment twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from openrcm.core.claims.status import ClaimStatus
from openrcm.core.money import cents_to_decimal, decimal_to_cents
from openrcm.core.posting.classify import DenialFinding, classify, denial_finding
from openrcm.core.posting.entries import Balances, Entry, EntryKind, PostedEntry, balances
from openrcm.core.posting.match import (
    LineMatch,
    LineMatching,
    OurLine,
    match_lines,
)
from openrcm.core.x12.era import Adjustment, ClaimPayment, ServiceLine

__all__ = [
    "KEY_FIELDS",
    "ClaimPostingPlan",
    "OurClaim",
    "allocate",
    "content_key",
    "plan_claim_payment",
]

REVERSAL: Final = "22"
DENIED: Final = "4"
PREDETERMINATION: Final = "25"
FORWARDED_NOT_OURS: Final = "23"

# Kinds a posting plan produces, and so the only kinds a reversal undoes (a charge, a patient
# payment, a person's write-off or refund are not the payer's to reverse).
_POSTED_KINDS: Final = frozenset(
    {
        EntryKind.INSURANCE_PAYMENT,
        EntryKind.CONTRACTUAL_ADJUSTMENT,
        EntryKind.OTHER_ADJUSTMENT,
        EntryKind.DENIAL,
        EntryKind.PRIOR_PAYER,
        EntryKind.TRANSFER_TO_PATIENT,
        EntryKind.TRANSFER_TO_NEXT_PAYER,
    }
)


@dataclass(frozen=True, slots=True)
class OurClaim:
    """Our claim as the app knows it: its id, patient control number (CLP01) and lines."""

    claim_id: int
    patient_control_number: str
    lines: tuple[OurLine, ...]

    @property
    def charge_cents(self) -> int:
        return sum(line.charge_cents for line in self.lines)


@dataclass(frozen=True, slots=True)
class ClaimPostingPlan:
    """What posting one claim payment does; nothing is stored until the app stores it.

    ``entries`` are in posting order, each with its ``line_id``; ``matching`` says how each SVC
    found its line (``matching.problems`` non-empty means nothing may post: see ``postable``
    and ``problems``); ``denials`` are the findings for the denial worklist; ``status`` the
    claim's adjudicated status (``None`` for a reversal or a predetermination);
    ``reversed_ids`` the posted entries a reversal undoes; ``warnings`` are for people and do
    not stop the posting.
    """

    content_key: str
    patient_control_number: str
    payer_claim_number: str
    claim_status_code: str
    paid_cents: int
    entries: tuple[Entry, ...]
    denials: tuple[DenialFinding, ...]
    status: ClaimStatus | None
    matching: LineMatching
    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    reversed_ids: tuple[int, ...] = ()

    @property
    def postable(self) -> bool:
        """Whether the app may post this plan (else: exceptions queue, with ``problems``)."""
        return not self.problems

    @property
    def is_reversal(self) -> bool:
        return self.claim_status_code == REVERSAL

    @property
    def denied(self) -> bool:
        return bool(self.denials)

    def line_balances(self) -> dict[int | None, Balances]:
        """The change each line's balances undergo (sum of the entries' effects per line)."""
        per_line: dict[int | None, list[Entry]] = {}
        for entry in self.entries:
            per_line.setdefault(entry.line_id, []).append(entry)
        return {line_id: balances(entries) for line_id, entries in per_line.items()}


# -- allocation -----------------------------------------------------------------------------


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` cents in proportion to ``weights``: the parts add up to ``total``
    exactly; leftover cents go to the largest remainders, ties to the earlier weight.

    Negative totals split like positive ones, negated. Weights must not be negative; when they
    are all zero the split is even.

    >>> allocate(100, [1, 1, 1])
    [34, 33, 33]
    """
    if not weights:
        raise ValueError("cannot allocate an amount across no lines")
    if any(w < 0 for w in weights):
        raise ValueError(f"allocation weights must not be negative: {list(weights)}")
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    if not any(weights):
        weights = [1] * len(weights)
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    remainders = [(total * w % whole, -i) for i, w in enumerate(weights)]
    for _, negative_index in sorted(remainders, reverse=True)[: total - sum(parts)]:
        parts[-negative_index] += 1
    return parts


# -- content key ----------------------------------------------------------------------------


# The key is computed for every claim of an 835 (tens of thousands per file), so it reads the
# fields explicitly into a tuple and hashes its repr. KEY_FIELDS names what it covers; a test
# fails when the 835 dataclasses gain a field the key does not read.
KEY_FIELDS: Final = {
    "ClaimPayment": frozenset(
        {"patient_control_number", "status", "charge", "paid", "filing_indicator",
         "payer_claim_number", "patient_responsibility", "facility_type", "frequency",
         "drg_code", "drg_weight", "discharge_fraction", "adjustments", "names", "inpatient",
         "outpatient", "references", "dates", "contacts", "amounts", "quantities", "lines"}
    ),
    "ServiceLine": frozenset(
        {"procedure_qualifier", "procedure_code", "charge", "paid", "modifiers",
         "revenue_code", "units", "original_procedure", "original_units", "dates",
         "adjustments", "references", "amounts", "quantities", "remarks"}
    ),
}  # fmt: skip


def _n(value: Decimal | None) -> int | str | None:
    """A number in one canonical form (``80``, ``80.0`` and ``80.00`` are the same amount):
    whole cents as an ``int``, anything finer as normalized text."""
    if value is None:
        return None
    scaled = value * 100
    cents = int(scaled)
    if cents == scaled:
        return cents
    return format(value.normalize(), "f")


def _adjustments(items: Sequence[Adjustment]) -> tuple[object, ...]:
    return tuple((a.group, a.reason, _n(a.amount), _n(a.quantity)) for a in items)


def _line_key(line: ServiceLine) -> tuple[object, ...]:
    return (
        line.procedure_qualifier,
        line.procedure_code,
        _n(line.charge),
        _n(line.paid),
        tuple(line.modifiers),
        line.revenue_code,
        _n(line.units),
        tuple(line.original_procedure) if line.original_procedure is not None else None,
        _n(line.original_units),
        tuple((d.qualifier, d.date.isoformat()) for d in line.dates),
        _adjustments(line.adjustments),
        tuple((r.qualifier, r.value) for r in line.references),
        tuple((a.qualifier, _n(a.amount)) for a in line.amounts),
        tuple((q.qualifier, _n(q.quantity)) for q in line.quantities),
        tuple((r.qualifier, r.code) for r in line.remarks),
    )


def content_key(payment: ClaimPayment) -> str:
    """A deterministic SHA-256 (hex) of the claim payment's content: CLP, CAS, names, dates,
    references, amounts, and every SVC with its own; not the LX header it sat under. Numbers
    are compared by value (``80`` and ``80.00`` are the same)."""
    p = payment
    data = (
        p.patient_control_number,
        p.status,
        _n(p.charge),
        _n(p.paid),
        p.filing_indicator,
        p.payer_claim_number,
        _n(p.patient_responsibility),
        p.facility_type,
        p.frequency,
        p.drg_code,
        _n(p.drg_weight),
        _n(p.discharge_fraction),
        _adjustments(p.adjustments),
        tuple(
            (n.entity, n.entity_type, n.last, n.first, n.middle, n.suffix, n.id_qualifier, n.id)
            for n in p.names
        ),
        tuple(p.inpatient) if p.inpatient is not None else None,
        tuple(p.outpatient) if p.outpatient is not None else None,
        tuple((r.qualifier, r.value) for r in p.references),
        tuple((d.qualifier, d.date.isoformat()) for d in p.dates),
        tuple((c.function, c.name, tuple(map(tuple, c.numbers))) for c in p.contacts),
        tuple((a.qualifier, _n(a.amount)) for a in p.amounts),
        tuple((q.qualifier, _n(q.quantity)) for q in p.quantities),
        tuple(_line_key(line) for line in p.lines),
    )
    return hashlib.sha256(repr(data).encode()).hexdigest()


# -- planning -------------------------------------------------------------------------------


def _cents(value: Decimal) -> int:
    """Exact cents of an 835 amount (the reader's Decimals); sub-cents raise, naming it."""
    scaled = value * 100
    cents = int(scaled)
    if cents != scaled:
        return decimal_to_cents(value)  # raises ValueError naming the amount
    return cents


def _money(cents: int) -> str:
    amount = cents_to_decimal(cents)
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


@dataclass(slots=True)
class _Builder:
    has_next_payer: bool
    entries: list[Entry]
    denials: list[DenialFinding]
    warnings: list[str]

    def adjustment(
        self,
        adjustment: Adjustment,
        cents: int,
        *,
        line_id: int | None,
        rarcs: tuple[str, ...],
        note: str = "",
        finding: bool = True,
    ) -> None:
        """Add the entry for one CAS amount (``cents``, on ``line_id``) and, for a denial
        when ``finding``, its finding on that line (claim-level findings are added apart)."""
        group, code = adjustment.group.strip().upper(), adjustment.reason.strip().upper()
        effect = classify(group, code, has_next_payer=self.has_next_payer)
        if effect.is_denial and finding and cents > 0:
            self.denials.append(
                denial_finding(
                    group=group, reason_code=code, rarcs=rarcs, line_id=line_id, amount_cents=cents
                )
            )
        if effect.review and cents:
            self.warnings.append(
                f"{group}-{code} {_money(cents)} on "
                + (f"line {line_id}" if line_id is not None else "the claim")
                + ": a payer-initiated reduction no contract supports; review it"
            )
        if cents:
            self.entries.append(
                Entry(
                    effect.kind,
                    cents,
                    line_id=line_id,
                    group=group,
                    carc=code,
                    rarcs=rarcs,
                    reason=effect.reason,
                    note=note,
                )
            )

    def payment(self, cents: int, *, line_id: int | None, note: str = "") -> None:
        if cents:
            self.entries.append(
                Entry(EntryKind.INSURANCE_PAYMENT, cents, line_id=line_id, note=note)
            )


def plan_claim_payment(
    *,
    claim: OurClaim,
    payment: ClaimPayment,
    has_next_payer: bool,
    earlier: Sequence[PostedEntry] | None = None,
    manual: Mapping[int, int] | None = None,
) -> ClaimPostingPlan:
    """Plan the posting of ``payment`` (one CLP of an 835) against ``claim``.

    Args:
        claim: our claim, matched by the app on CLP01 (patient control number).
        payment: the claim payment as :mod:`openrcm.core.x12.era` read it (balanced).
        has_next_payer: the patient has a coverage after this payer: patient responsibility
            stays insurance A/R for it (``transfer_to_next_payer``).
        earlier: the entries already posted for this payer claim number (CLP07), with their
            ids: what a reversal undoes.
        manual: SVC position -> line id pairs a person chose in the exceptions queue.

    The module docstring gives the rules. Never raises for what an 835 may say: what cannot be
    posted is in ``problems``.
    """
    key = content_key(payment)
    warnings: list[str] = []
    problems: list[str] = []
    builder = _Builder(has_next_payer, [], [], warnings)
    paid = _cents(payment.paid)
    pcn = payment.patient_control_number
    if pcn.strip() != claim.patient_control_number.strip():
        problems.append(
            f"CLP01 {pcn!r} is not our claim's patient control number "
            f"{claim.patient_control_number!r}"
        )
    matching = match_lines(claim.lines, payment, manual=manual)
    if payment.status not in (PREDETERMINATION, REVERSAL):
        # A reversal undoes the earlier posting entry by entry: its SVCs need no match.
        problems += [p.message for p in matching.problems]
    reversed_ids: tuple[int, ...] = ()
    status: ClaimStatus | None = None

    if payment.status == PREDETERMINATION:
        warnings.append("predetermination (CLP02 25): pricing only, nothing posts")
    elif payment.status == REVERSAL:
        reversed_ids = _plan_reversal(payment, earlier or [], builder, problems)
    elif not claim.lines:
        problems.append(f"our claim {claim.patient_control_number} has no lines to post to")
    elif not payment.lines:
        _plan_claim_level(claim, payment, builder)
    elif not problems:
        _plan_lines(payment, matching.matches, builder)
    if payment.status not in (PREDETERMINATION, REVERSAL):
        status = _status(payment.status, paid, builder.denials)
        _check_charges(claim, payment, matching, warnings)
        _check_earlier(earlier or [], payment, warnings)
        if payment.status == FORWARDED_NOT_OURS:
            warnings.append(
                "CLP02 23: the payer says the claim is not theirs and forwarded it elsewhere"
            )
        if payment.status == DENIED and not builder.denials:
            warnings.append(
                "CLP02 4 (denied) without a denial reason code: the amounts post as the "
                "adjustments say"
            )
    entries = tuple(builder.entries) if not problems else ()
    denials = tuple(builder.denials) if not problems else ()
    return ClaimPostingPlan(
        content_key=key,
        patient_control_number=pcn,
        payer_claim_number=payment.payer_claim_number,
        claim_status_code=payment.status,
        paid_cents=paid,
        entries=entries,
        denials=denials,
        status=status if not problems else None,
        matching=matching,
        problems=tuple(problems),
        warnings=tuple(warnings),
        reversed_ids=reversed_ids if not problems else (),
    )


def _status(code: str, paid: int, denials: list[DenialFinding]) -> ClaimStatus:
    denied_amount = any(d.amount_cents > 0 for d in denials)
    if code == DENIED or (denied_amount and paid <= 0):
        return ClaimStatus.DENIED
    if denied_amount:
        return ClaimStatus.PARTIALLY_PAID
    return ClaimStatus.PAID


def _claim_rarcs(payment: ClaimPayment) -> tuple[str, ...]:
    return tuple(payment.remark_codes)


def _plan_lines(payment: ClaimPayment, matches: Sequence[LineMatch], builder: _Builder) -> None:
    svc_paid = [_cents(m.svc.paid) for m in matches]
    weights = svc_paid if all(p >= 0 for p in svc_paid) and any(svc_paid) else []
    if not weights:
        charges = [_cents(m.svc.charge) for m in matches]
        weights = charges if all(c >= 0 for c in charges) else [1] * len(matches)
    claim_shares = [(adj, allocate(_cents(adj.amount), weights)) for adj in payment.adjustments]
    rarcs = _claim_rarcs(payment)
    for adj in payment.adjustments:
        effect = classify(adj.group, adj.reason, has_next_payer=builder.has_next_payer)
        if effect.is_denial and _cents(adj.amount) > 0:
            builder.denials.append(
                denial_finding(
                    group=adj.group,
                    reason_code=adj.reason,
                    rarcs=rarcs,
                    line_id=None,
                    amount_cents=_cents(adj.amount),
                )
            )
    for position, match in enumerate(matches):
        line_id = match.line.line_id
        taken = sum(shares[position] for _, shares in claim_shares)
        note = f"matched by {match.method.label.lower()}" + (
            f" ({match.detail})" if match.detail else ""
        )
        builder.payment(svc_paid[position] - taken, line_id=line_id, note=note)
        line_rarcs = tuple(match.svc.remark_codes)
        for adj in match.svc.adjustments:
            builder.adjustment(adj, _cents(adj.amount), line_id=line_id, rarcs=line_rarcs)
        for adj, shares in claim_shares:
            builder.adjustment(
                adj,
                shares[position],
                line_id=line_id,
                rarcs=rarcs,
                note="claim-level adjustment, allocated by line payment",
                finding=False,
            )


def _plan_claim_level(claim: OurClaim, payment: ClaimPayment, builder: _Builder) -> None:
    """No SVC lines: allocate CLP04 and the claim's CAS across our lines by charge."""
    weights = [max(line.charge_cents, 0) for line in claim.lines]
    components: list[tuple[Adjustment | None, int]] = [(None, _cents(payment.paid))]
    components += [(adj, _cents(adj.amount)) for adj in payment.adjustments]
    splits = [allocate(total, weights) for _, total in components]
    if sum(total for _, total in components) == claim.charge_cents and len(components) > 1:
        # Let the largest component absorb the rounding so every line closes to the cent.
        absorb = max(range(len(components)), key=lambda i: abs(components[i][1]))
        for position, line in enumerate(claim.lines):
            others = sum(split[position] for i, split in enumerate(splits) if i != absorb)
            splits[absorb][position] = line.charge_cents - others
    rarcs = _claim_rarcs(payment)
    note = "claim paid without service lines: allocated by line charge"
    for adj, total in components:
        if adj is not None:
            effect = classify(adj.group, adj.reason, has_next_payer=builder.has_next_payer)
            if effect.is_denial and total > 0:
                builder.denials.append(
                    denial_finding(
                        group=adj.group,
                        reason_code=adj.reason,
                        rarcs=rarcs,
                        line_id=None,
                        amount_cents=total,
                    )
                )
    for position, line in enumerate(claim.lines):
        for (adj, _), split in zip(components, splits, strict=True):
            if adj is None:
                builder.payment(split[position], line_id=line.line_id, note=note)
            else:
                builder.adjustment(
                    adj,
                    split[position],
                    line_id=line.line_id,
                    rarcs=rarcs,
                    note=note,
                    finding=False,
                )


def _in_effect(earlier: Sequence[PostedEntry]) -> list[PostedEntry]:
    undone = {p.entry.reverses for p in earlier if p.entry.reverses is not None}
    return [
        p
        for p in earlier
        if p.entry.reverses is None and p.id not in undone and p.entry.kind in _POSTED_KINDS
    ]


def _plan_reversal(
    payment: ClaimPayment,
    earlier: Sequence[PostedEntry],
    builder: _Builder,
    problems: list[str],
) -> tuple[int, ...]:
    live = _in_effect(earlier)
    if not live:
        problems.append(
            f"reversal (CLP02 22) of payer claim {payment.payer_claim_number!r}: "
            "nothing posted for it is in effect to reverse"
        )
        return ()
    note = f"reversal of payer claim {payment.payer_claim_number} (CLP02 22)"
    for posted in live:
        builder.entries.append(posted.entry.reversal(posted.id, note=note))
    was_paid = sum(p.entry.cents for p in live if p.entry.kind is EntryKind.INSURANCE_PAYMENT)
    reversed_paid = _cents(payment.paid)
    if was_paid != -reversed_paid:
        builder.warnings.append(
            f"the reversal takes back {_money(-reversed_paid)}, but the posting it reverses "
            f"paid {_money(was_paid)}; the earlier posting is reversed in full"
        )
    return tuple(p.id for p in live)


def _check_charges(
    claim: OurClaim, payment: ClaimPayment, matching: LineMatching, warnings: list[str]
) -> None:
    clp_charge = _cents(payment.charge)
    if payment.lines and len(matching.matches) == len(payment.lines):
        # Compare per line: a line the payer split is charged across several SVCs.
        theirs: dict[int, int] = {}
        for match in matching.matches:
            line_id = match.line.line_id
            theirs[line_id] = theirs.get(line_id, 0) + _cents(match.svc.charge)
        for line in claim.lines:
            if line.line_id in theirs and theirs[line.line_id] != line.charge_cents:
                warnings.append(
                    f"the 835 charges {_money(theirs[line.line_id])} for our line "
                    f"{line.line_id} ({line.procedure}), which charges "
                    f"{_money(line.charge_cents)}: the difference of "
                    f"{_money(line.charge_cents - theirs[line.line_id])} stays open"
                )
        if matching.unmentioned:
            warnings.append(
                "the 835 does not mention our line(s) "
                + ", ".join(str(line.line_id) for line in matching.unmentioned)
                + ": their balance stays open"
            )
    elif clp_charge != claim.charge_cents and payment.status in ("1", "2", "3", "19", "20", "21"):
        warnings.append(
            f"CLP03 {_money(clp_charge)} differs from our claim charge {_money(claim.charge_cents)}"
        )


def _check_earlier(
    earlier: Sequence[PostedEntry], payment: ClaimPayment, warnings: list[str]
) -> None:
    if _in_effect(earlier):
        warnings.append(
            f"payer claim {payment.payer_claim_number!r} already has a posting in effect and "
            "this payment is not a reversal: it posts in addition"
        )
