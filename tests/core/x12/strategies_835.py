"""Hypothesis strategies for valid, balanced 835 remittances (005010X221A1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from openrcm.core.x12 import era
from openrcm.core.x12.era import (
    Address,
    Adjustment,
    AmountRef,
    ClaimHeader,
    ClaimPayment,
    Contact,
    DateRef,
    EntityName,
    Party,
    Payment,
    PlbItem,
    ProviderAdjustment,
    QuantityRef,
    Reference,
    Remark,
    Remittance,
    ServiceLine,
    Trace,
)

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
# X12 basic and extended characters, without our delimiters (* ^ : ~) and line breaks.
TEXT = UPPER + DIGITS + " .-&,'/#()+=?!@%" + "abcxyzÉÑü"

ids = st.text(UPPER + DIGITS, min_size=1, max_size=15)
digits = st.text(DIGITS, min_size=1, max_size=9)
_word = st.text(TEXT.replace(" ", ""), min_size=1, max_size=10)
names = st.builds(lambda a, b: f"{a} {b}" if b else a, _word, st.one_of(st.just(""), _word))
texts = st.text(TEXT, min_size=1, max_size=20)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
cents = st.integers(min_value=-10_000_000, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
positive = st.integers(min_value=0, max_value=5_000_000).map(lambda c: Decimal(c) / 100)
quantities = st.integers(min_value=0, max_value=99_999).map(lambda q: Decimal(q) / 10)


def _sorted(codes: frozenset[str]) -> list[str]:
    return sorted(codes)


@st.composite
def contacts(draw: st.DrawFn, function: str) -> Contact:
    quals = ["TE", "EM", "FX", "EX"]
    pairs = draw(st.lists(st.tuples(st.sampled_from(quals), ids), min_size=1, max_size=3))
    if function == "IC":
        return Contact("IC", "", [("UR", draw(ids))])
    return Contact(function, draw(st.one_of(st.just(""), names)), pairs)


@st.composite
def addresses(draw: st.DrawFn) -> Address:
    return Address(
        line1=draw(names),
        line2=draw(st.one_of(st.just(""), names)),
        city=draw(names),
        state=draw(st.one_of(st.just(""), st.text(UPPER, min_size=2, max_size=2))),
        postal_code=draw(st.one_of(st.just(""), st.text(DIGITS, min_size=5, max_size=9))),
        country=draw(st.one_of(st.just(""), st.just("CA"))),
        subdivision=draw(st.one_of(st.just(""), st.just("ON"))),
    )


@st.composite
def payers(draw: st.DrawFn) -> Party:
    funcs = ["BL", *draw(st.lists(st.sampled_from(["CX", "IC"]), unique=True, max_size=2))]
    funcs = draw(st.permutations(funcs))
    has_id = draw(st.booleans())
    return Party(
        "PR",
        draw(names),
        "XV" if has_id else "",
        draw(ids) if has_id else "",
        address=draw(addresses()),
        references=draw(
            st.lists(
                st.builds(Reference, st.sampled_from(_sorted(era.PAYER_REFS)), ids), max_size=4
            )
        ),
        contacts=[draw(contacts(f)) for f in funcs],
    )


@st.composite
def payees(draw: st.DrawFn) -> Party:
    return Party(
        "PE",
        draw(names),
        draw(st.sampled_from(["FI", "XV", "XX"])),
        draw(ids),
        address=draw(st.one_of(st.none(), addresses())),
        references=draw(
            st.lists(
                st.builds(Reference, st.sampled_from(_sorted(era.PAYEE_REFS)), ids), max_size=3
            )
        ),
        delivery=draw(
            st.one_of(
                st.none(), st.builds(lambda c, n: [c, n], st.sampled_from(["BM", "EM"]), names)
            )
        ),
    )


@st.composite
def adjustment_lists(draw: st.DrawFn, max_size: int = 4) -> list[Adjustment]:
    return draw(
        st.lists(
            st.builds(
                Adjustment,
                st.sampled_from(_sorted(era.CAS_GROUPS)),
                st.text(UPPER + DIGITS, min_size=1, max_size=5),
                cents,
                st.one_of(st.none(), quantities),
            ),
            max_size=max_size,
        )
    )


@st.composite
def service_lines(draw: st.DrawFn) -> ServiceLine:
    adjustments = draw(adjustment_lists())
    charge = draw(cents)
    paid = charge - sum((a.amount for a in adjustments), Decimal(0))
    refs = draw(
        st.lists(
            st.builds(Reference, st.sampled_from(_sorted(era.LINE_REFS - {"6R"})), ids), max_size=2
        )
    )
    if draw(st.booleans()):
        refs.insert(draw(st.integers(0, len(refs))), Reference("6R", draw(ids)))
    original = draw(st.one_of(st.none(), st.builds(lambda q, c: [q, c], st.just("HC"), ids)))
    return ServiceLine(
        procedure_qualifier=draw(st.sampled_from(_sorted(era.PROCEDURE_QUALIFIERS))),
        procedure_code=draw(ids),
        charge=charge,
        paid=paid,
        modifiers=draw(st.lists(st.text(UPPER + DIGITS, min_size=2, max_size=2), max_size=4)),
        revenue_code=draw(st.one_of(st.just(""), st.text(DIGITS, min_size=4, max_size=4))),
        units=draw(st.one_of(st.none(), quantities)),
        original_procedure=original,
        original_units=draw(st.one_of(st.none(), quantities)),
        dates=draw(st.lists(st.builds(DateRef, st.sampled_from(["150", "151", "472"]), dates),
                            max_size=2)),
        adjustments=adjustments,
        references=refs,
        amounts=draw(st.lists(st.builds(AmountRef, st.sampled_from(_sorted(era.LINE_AMOUNTS)),
                                        cents), max_size=3)),
        quantities=draw(st.lists(st.builds(QuantityRef,
                                           st.sampled_from(_sorted(era.LINE_QUANTITIES)),
                                           quantities), max_size=2)),
        remarks=draw(st.lists(st.builds(Remark, st.sampled_from(["HE", "RX"]), ids),
                              max_size=3)),
    )  # fmt: skip


@st.composite
def entity_names(draw: st.DrawFn, entity: str) -> EntityName:
    person = draw(st.booleans()) if entity != "QC" else True
    needs_id = entity in ("IL", "82")
    qual = draw(st.sampled_from(["MI", "HN", "34"])) if entity != "82" else "XX"
    has_id = needs_id or draw(st.booleans())
    return EntityName(
        entity=entity,
        entity_type="1" if person else "2",
        last=draw(names),
        first=draw(st.one_of(st.just(""), names)) if person else "",
        middle=draw(st.one_of(st.just(""), st.text(UPPER, min_size=1, max_size=1))),
        suffix=draw(st.one_of(st.just(""), st.just("JR"))),
        id_qualifier=qual if has_id else "",
        id=draw(ids) if has_id else "",
    )


def _raw(values: list[str]) -> list[str]:
    while values and not values[-1]:
        values.pop()
    return values


@st.composite
def claims(draw: st.DrawFn, header: ClaimHeader) -> ClaimPayment:
    lines = draw(st.lists(service_lines(), max_size=3))
    adjustments = draw(adjustment_lists(max_size=3))
    charge = draw(cents)
    total_adj = sum((a.amount for a in adjustments), Decimal(0)) + sum(
        (ln.adjustment_total for ln in lines), Decimal(0)
    )
    others = draw(st.lists(st.sampled_from(["IL", "82", "74", "GB"]), unique=True, max_size=3))
    entity_order = draw(st.permutations(["QC", *others]))
    moa = None
    if draw(st.booleans()):
        moa = _raw(["", draw(st.one_of(st.just(""), st.just("12.5"))), draw(ids)])
    mia = None
    if draw(st.booleans()):
        mia = _raw([str(draw(st.integers(0, 99))), "", "", "", draw(ids)])
    return ClaimPayment(
        patient_control_number=draw(ids),
        status=draw(st.sampled_from(_sorted(era.CLAIM_STATUSES))),
        charge=charge,
        paid=charge - total_adj,
        filing_indicator=draw(st.sampled_from(_sorted(era.FILING_INDICATORS))),
        payer_claim_number=draw(ids),
        patient_responsibility=draw(st.one_of(st.none(), positive)),
        facility_type=draw(st.one_of(st.just(""), st.just("11"))),
        frequency=draw(st.one_of(st.just(""), st.just("1"), st.just("7"))),
        drg_code=draw(st.one_of(st.just(""), st.text(DIGITS, min_size=3, max_size=3))),
        drg_weight=draw(st.one_of(st.none(), quantities)),
        discharge_fraction=draw(st.one_of(st.none(), quantities)),
        adjustments=adjustments,
        names=[draw(entity_names(e)) for e in entity_order],
        inpatient=mia,
        outpatient=moa,
        references=draw(st.lists(st.builds(Reference, st.sampled_from(_sorted(era.CLAIM_REFS)),
                                           ids), max_size=3)),
        dates=draw(st.lists(st.builds(DateRef, st.sampled_from(_sorted(era.CLAIM_DATES)), dates),
                            max_size=3)),
        contacts=draw(st.lists(contacts("CX"), max_size=2)),
        amounts=draw(st.lists(st.builds(AmountRef, st.sampled_from(_sorted(era.CLAIM_AMOUNTS)),
                                        cents), max_size=3)),
        quantities=draw(st.lists(st.builds(QuantityRef,
                                           st.sampled_from(_sorted(era.CLAIM_QUANTITIES)),
                                           quantities), max_size=2)),
        lines=lines,
        header=header,
    )  # fmt: skip


@st.composite
def headers(draw: st.DrawFn, number: int) -> ClaimHeader:
    ts3 = None
    if draw(st.booleans()):
        ts3 = [draw(ids), "11", f"{draw(dates):%Y%m%d}", str(draw(st.integers(1, 99))), "100.5"]
    ts2 = ["1", "2.5"] if draw(st.booleans()) else None
    return ClaimHeader(str(number), ts3, ts2)


@st.composite
def plbs(draw: st.DrawFn) -> ProviderAdjustment:
    items = draw(
        st.lists(
            st.builds(
                PlbItem,
                st.sampled_from(["L6", "WO", "FB", "72", "CS", "J1", "50", "90", "WU"]),
                cents,
                st.one_of(st.just(""), ids),
            ),
            min_size=1,
            max_size=6,
        )
    )
    return ProviderAdjustment(draw(ids), draw(dates), items)


@st.composite
def remittances(draw: st.DrawFn, max_claims: int = 6) -> Remittance:
    groups = draw(st.integers(0, 3))
    all_claims: list[ClaimPayment] = []
    for n in range(1, groups + 1):
        header = draw(headers(n))
        all_claims += draw(st.lists(claims(header), min_size=1, max_size=max(1, max_claims // 3)))
    adjustments = draw(st.lists(plbs(), max_size=2))
    total = sum((c.paid for c in all_claims), Decimal(0)) - sum(
        (p.total for p in adjustments), Decimal(0)
    )
    method = draw(st.sampled_from(["ACH", "CHK", "NON", "BOP", "FWT"]))
    refs = draw(st.lists(st.sampled_from(["EV", "F2"]), unique=True, max_size=2))
    return Remittance(
        control_number=draw(st.text(DIGITS, min_size=4, max_size=9)),
        payment=Payment(
            handling=draw(st.sampled_from(["C", "D", "H", "I", "P", "U", "X"])),
            amount=total,
            credit_debit=draw(st.sampled_from(["C", "D"])),
            method=method,
            date=draw(dates),
            format="CCP" if method == "ACH" else draw(st.sampled_from(["", "CTX"])),
            sender_dfi_qualifier="01" if method == "ACH" else "",
            sender_dfi=draw(digits) if method == "ACH" else "",
            originator_id=draw(st.one_of(st.just(""), digits)),
        ),
        trace=Trace(
            draw(ids),
            draw(st.text(DIGITS, min_size=10, max_size=10)),
            supplemental=draw(st.one_of(st.just(""), ids)),
        ),
        payer=draw(payers()),
        payee=draw(payees()),
        claims=all_claims,
        provider_adjustments=adjustments,
        references=[Reference(q, draw(ids)) for q in refs],
        production_date=draw(st.one_of(st.none(), dates)),
        currency=draw(st.sampled_from(["", "USD", "CAD"])),
    )
