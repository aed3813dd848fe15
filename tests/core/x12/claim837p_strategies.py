"""Hypothesis strategies for 837P batches: valid, varied claims whose written X12 reads back
equal (and that pyx12 4.0.0 accepts), plus helpers to write interchanges and run pyx12."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from openrcm.core.x12.claim837p import (
    Address,
    Adjustment,
    BillingProvider,
    ClaimDate,
    Contact,
    Drug,
    LineAdjudication,
    Name,
    OtherPayer,
    Patient,
    Payer,
    PayTo,
    ProfessionalClaim,
    ProfessionalClaimBatch,
    Provider,
    Receiver,
    RenderingProvider,
    ServiceFacility,
    ServiceLine,
    Submitter,
    Subscriber,
    write_837p_interchange,
)

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "x12"
"""``../shared/samples/x12`` beside the repository (CI puts a copy of shared/ there)."""


def sample_dir(kind: str) -> Path:
    folder = SAMPLES / kind
    if not folder.is_dir():
        pytest.skip(f"X12 samples not found at {folder} (a copy of shared/ beside the clone)")
    return folder


def interchange(batches: list[ProfessionalClaimBatch], **kw: Any) -> str:
    """The batches as one interchange with fixed envelope values."""
    return write_837p_interchange(
        batches,
        set_control_numbers=kw.pop(
            "set_control_numbers", [f"{i + 1:04d}" for i in range(len(batches))]
        ),
        sender_id=kw.pop("sender_id", "SUBMITTER01"),
        receiver_id=kw.pop("receiver_id", "RECEIVER01"),
        isa_control=kw.pop("isa_control", 17),
        gs_control=kw.pop("gs_control", 23),
        usage=kw.pop("usage", "T"),
        now=kw.pop("now", dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC)),
        **kw,
    )


# --------------------------------------------------------------------------------------------
# pyx12
# --------------------------------------------------------------------------------------------


def pyx12_validate(text: str) -> tuple[bool, str]:
    """Validate X12 text with pyx12 4.0.0: (valid, JSON error tree). pyx12 writes files beside
    its input, so it reads a copy in a temporary folder."""
    import pyx12.params
    import pyx12.x12n_document

    folder = tempfile.mkdtemp(prefix="pyx12-")
    try:
        path = Path(folder) / "claims.837"
        path.write_text(text, encoding="ascii")
        fd_json = io.StringIO()
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=str(path),
            fd_997=io.StringIO(),
            fd_html=None,
            fd_json=fd_json,
        )
        return bool(ok), fd_json.getvalue()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pyx12_errors(report: str) -> list[str]:
    """The error messages of a pyx12 JSON report (best effort, for assertion messages)."""
    out: list[str] = []
    try:
        data = json.loads(report)
    except ValueError:
        return [report[:2000]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("errors", "err_str", "msg") and isinstance(v, str):
                    out.append(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return out or [report[:2000]]


# --------------------------------------------------------------------------------------------
# Scalars
# --------------------------------------------------------------------------------------------

DIGITS = "0123456789"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_STATES_TEXT = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ"
    " NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
)
US_STATES = tuple(_STATES_TEXT.split())
PLACES_OF_SERVICE = ("11", "12", "19", "21", "22", "23", "24", "31", "32", "49", "81", "99")


def luhn_npi(first9: str) -> str:
    """The NPI for nine digits: Luhn check digit over "80840" + the nine digits."""
    total = 0
    for i, ch in enumerate(reversed("80840" + first9)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return first9 + str((10 - total % 10) % 10)


SAFE = ALNUM + " .,&'-"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@functools.cache
def pick(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


@functools.cache
def maybe(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), s)


ints = functools.cache(st.integers)
lists = functools.cache(st.lists)


@functools.cache
def sampled(values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


@functools.cache
def text(max_size: int = 20) -> st.SearchStrategy[str]:
    """Non-empty X12-safe text: letters, digits and inner spaces or punctuation."""
    if max_size < 2:
        return sampled(ALNUM)
    return st.one_of(
        sampled(ALNUM),
        st.builds(
            lambda a, mid, b: a + mid + b,
            sampled(ALNUM),
            st.text(SAFE, max_size=max_size - 2),
            sampled(ALNUM),
        ),
    )


def _cat(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


@functools.cache
def ident(min_size: int = 1, max_size: int = 12, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size)


@functools.cache
def opt(s: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), s)


npis = st.builds(
    lambda a, b: luhn_npi(a + b), sampled("12"), st.text(DIGITS, min_size=8, max_size=8)
)
dates = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))
birth_dates = st.dates(dt.date(1920, 1, 1), dt.date(2024, 12, 31))
times = st.times().map(lambda t: t.replace(microsecond=0))
cents = ints(min_value=1, max_value=999_999).map(lambda c: Decimal(c).scaleb(-2))
small_cents = ints(min_value=0, max_value=50_000).map(lambda c: Decimal(c).scaleb(-2))
units = st.one_of(
    ints(min_value=1, max_value=99).map(Decimal),
    ints(min_value=1, max_value=9999).map(lambda n: Decimal(n).scaleb(-1)),
)
phones = st.text(DIGITS, min_size=10, max_size=10)
taxonomies = pick("207Q00000X", "208D00000X", "363LF0000X", "207R00000X", "1223G0001X")
icd10 = _cat(
    sampled("ABCDEFGHIJKLMNOPQRSTVWXYZ"),
    sampled(DIGITS),
    sampled(ALNUM),
    st.text(ALNUM, max_size=4),
)
procedures = st.one_of(
    _cat(st.text(DIGITS, min_size=4, max_size=4), sampled("0123456789FMTU")),
    _cat(sampled("ABCDEGHJKLMPQRSTV"), st.text(DIGITS, min_size=4, max_size=4)),
)
modifiers = st.text(ALNUM, min_size=2, max_size=2)
cas_reasons = pick("1", "2", "3", "45", "23", "96", "197", "253", "A1", "B7")


@functools.cache
@st.composite
def names(draw: st.DrawFn, *, person: bool | None = None) -> Name:
    is_person = draw(st.booleans()) if person is None else person
    if not is_person:
        return Name.organization(draw(text(40)))
    return Name(
        last=draw(text(30)),
        first=draw(opt(text(20))),
        middle=draw(opt(text(1))),
        suffix=draw(opt(pick("JR", "SR", "III"))),
    )


@functools.cache
@st.composite
def addresses(draw: st.DrawFn, *, zip9: bool = False) -> Address:
    return Address(
        line1=draw(text(40)),
        line2=draw(opt(text(20))),
        city=draw(
            _cat(
                sampled(LETTERS),
                st.text(LETTERS + " .'-", max_size=18),
                sampled(LETTERS),
            )
        ),
        state=draw(sampled(US_STATES)),
        postal_code=draw(
            st.text(DIGITS, min_size=9, max_size=9)
            if zip9
            else st.one_of(
                st.text(DIGITS, min_size=5, max_size=5), st.text(DIGITS, min_size=9, max_size=9)
            )
        ),
    )


@functools.cache
@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    kind = draw(ints(0, 3))
    c = Contact(name=draw(opt(text(30))))
    if kind == 0:
        c.phone = draw(phones)
    elif kind == 1:
        c.phone = draw(phones)
        c.phone_extension = draw(ident(1, 4, DIGITS))
    elif kind == 2:
        c.email = draw(
            _cat(ident(1, 8, LETTERS), st.just("@"), ident(1, 8, LETTERS), st.just(".COM"))
        )
    else:
        c.phone = draw(phones)
        c.fax = draw(phones)
        c.email = draw(
            _cat(ident(1, 8, LETTERS), st.just("@"), ident(1, 8, LETTERS), st.just(".ORG"))
        )
    return c


@functools.cache
@st.composite
def billing_providers(draw: st.DrawFn) -> BillingProvider:
    return BillingProvider(
        name=draw(names()),
        npi=draw(npis),
        address=draw(addresses(zip9=True)),
        tax_id=draw(ident(9, 9, DIGITS)),
        tax_id_qualifier=draw(pick("EI", "SY")),
        taxonomy=draw(opt(taxonomies)),
        contacts=draw(lists(contacts(), max_size=2)),
        pay_to=draw(maybe(st.builds(PayTo, address=addresses(), person=st.booleans()))),
    )


@functools.cache
@st.composite
def payers(draw: st.DrawFn) -> Payer:
    return Payer(
        name=draw(text(40)),
        payer_id=draw(ident(2, 10)),
        id_qualifier=draw(pick("PI", "XV")),
        address=draw(maybe(addresses())),
    )


@functools.cache
@st.composite
def subscribers(draw: st.DrawFn) -> Subscriber:
    responsibility = draw(pick("P", "P", "S", "T"))
    filing = draw(pick("CI", "MB", "MC", "BL", "12", "HM", "16"))
    return Subscriber(
        name=draw(names(person=True)),
        member_id=draw(ident(2, 20)),
        member_id_qualifier="MI",
        payer=draw(payers()),
        responsibility=responsibility,
        claim_filing=filing,
        group_number=draw(opt(ident(1, 15))),
        group_name=draw(opt(text(20))),
        insurance_type="12" if responsibility != "P" and filing == "MB" else "",
        address=draw(addresses()),
        birth_date=draw(birth_dates),
        sex=draw(sampled("FMU")),
    )


@functools.cache
@st.composite
def patients(draw: st.DrawFn) -> Patient:
    return Patient(
        name=draw(names(person=True)),
        relationship=draw(pick("01", "19", "20", "21", "39", "40", "53", "G8")),
        address=draw(addresses()),
        birth_date=draw(birth_dates),
        sex=draw(sampled("FMU")),
    )


@functools.cache
@st.composite
def adjustment_lists(draw: st.DrawFn, max_groups: int = 3) -> list[Adjustment]:
    """Adjustments already grouped by group code (the order the writer and reader keep)."""
    groups = draw(lists(pick("CO", "PR", "OA", "PI"), unique=True, max_size=max_groups))
    out: list[Adjustment] = []
    for g in groups:
        for reason in draw(lists(cas_reasons, min_size=1, max_size=3, unique=True)):
            out.append(
                Adjustment(
                    group=g,
                    reason=reason,
                    amount=draw(small_cents),
                    quantity=draw(maybe(units)),
                )
            )
    return out


def _drug_canonical(d: Drug) -> Drug:
    if not d.prescription_number:
        d.prescription_qualifier = "XZ"
    return d


@functools.cache
@st.composite
def service_lines(draw: st.DrawFn, ndx: int, number: int) -> ServiceLine:
    start = draw(dates)
    end = draw(maybe(ints(0, 5).map(lambda d: start + dt.timedelta(days=d))))
    return ServiceLine(
        procedure_code=draw(procedures),
        modifiers=draw(
            st.one_of(lists(modifiers, max_size=3), lists(modifiers, min_size=4, max_size=4))
        ),
        description=draw(opt(text(30))),
        charge=draw(cents),
        unit_basis=draw(pick("UN", "UN", "MJ")),
        units=draw(units),
        place_of_service=draw(opt(sampled(PLACES_OF_SERVICE))),
        diagnosis_pointers=draw(lists(ints(1, ndx), min_size=1, max_size=min(4, ndx), unique=True)),
        emergency=draw(st.booleans()),
        epsdt=draw(st.booleans()),
        family_planning=draw(st.booleans()),
        service_date=start,
        service_end_date=end,
        control_number=f"L{number:03d}{draw(ident(1, 8))}",
        note=draw(opt(text(40))),
        drug=draw(
            st.one_of(
                st.none(),
                st.builds(
                    Drug,
                    ndc=ident(11, 11, DIGITS),
                    quantity=units,
                    unit=pick("UN", "ML", "GR", "F2", "ME"),
                    prescription_number=opt(ident(1, 20)),
                    prescription_qualifier=pick("XZ", "VY"),
                ).map(_drug_canonical),
            )
        ),
    )


@functools.cache
@st.composite
def other_payers(draw: st.DrawFn, responsibility: str, line_level: bool) -> OtherPayer:
    return OtherPayer(
        responsibility=responsibility,
        relationship=draw(pick("18", "01", "19", "20", "G8")),
        subscriber_name=draw(names()),
        subscriber_id=draw(ident(2, 20)),
        subscriber_id_qualifier=draw(pick("MI", "II")),
        subscriber_address=draw(maybe(addresses())),
        payer_name=draw(text(40)),
        payer_id=draw(ident(2, 10)),
        payer_id_qualifier=draw(pick("PI", "XV")),
        payer_address=draw(maybe(addresses())),
        claim_filing=draw(pick("CI", "MB", "MC", "BL", "12")),
        group_number=draw(opt(ident(1, 15))),
        group_name=draw(opt(text(20))),
        insurance_type="",
        adjustments=draw(adjustment_lists()),
        paid_amount=draw(maybe(small_cents)),
        non_covered_amount=draw(maybe(small_cents)),
        remaining_patient_liability=draw(maybe(small_cents)),
        benefits_assigned=draw(pick("Y", "N", "W")),
        patient_signature_source=draw(pick("", "P")),
        release_of_information=draw(pick("I", "Y")),
        adjudication_date=None if line_level else draw(maybe(dates)),
        claim_control_number=draw(opt(ident(5, 20))),
    )


@st.composite
def claims(
    draw: st.DrawFn,
    billing: st.SearchStrategy[BillingProvider] | None = None,
    subs: st.SearchStrategy[Subscriber] | None = None,
    pats: st.SearchStrategy[Patient | None] | None = None,
    max_lines: int = 6,
) -> ProfessionalClaim:
    subscriber = draw(subs if subs is not None else subscribers())
    patient = draw(pats if pats is not None else maybe(patients()))
    dx = draw(
        st.one_of(lists(icd10, min_size=1, max_size=11), lists(icd10, min_size=12, max_size=12))
    )
    n_lines = draw(ints(1, max_lines))
    lines = [draw(service_lines(len(dx), i + 1)) for i in range(n_lines)]
    frequency = draw(pick("1", "1", "7", "8"))
    causes = list(draw(sampled(((), (), ("AA",), ("EM",), ("OA",), ("EM", "AA"), ("OA", "EM")))))
    # Other payers: a secondary claim carries the primary, a tertiary the primary and secondary.
    resp = subscriber.responsibility
    prior = {"P": [], "S": ["P"], "T": ["P", "S"]}[resp]
    line_level = draw(st.booleans())
    others: list[OtherPayer] = []
    for r in prior:
        op = draw(other_payers(r, line_level))
        while any(o.payer_id == op.payer_id for o in others):
            op.payer_id += "X"
        others.append(op)
    if others and line_level:
        for ln in lines:
            for op in others:
                if draw(st.booleans()):
                    continue
                ln.adjudications.append(
                    LineAdjudication(
                        payer_id=op.payer_id,
                        paid=draw(small_cents),
                        procedure_code=ln.procedure_code,
                        procedure_qualifier="HC",
                        modifiers=list(ln.modifiers),
                        description=draw(opt(text(20))),
                        units=ln.units,
                        bundled_line=draw(maybe(ints(1, 50))),
                        adjudication_date=draw(dates),
                        adjustments=draw(adjustment_lists()),
                        remaining_patient_liability=draw(maybe(small_cents)),
                    )
                )
    claim_dates: list[ClaimDate] = []
    for q in draw(lists(pick("431", "454", "304", "484", "439", "435"), unique=True, max_size=3)):
        claim_dates.append(ClaimDate(qualifier=q, start=draw(dates)))
    if draw(st.booleans()):
        start = draw(dates)
        claim_dates.append(
            ClaimDate(qualifier="314", start=start, end=start + dt.timedelta(days=9))
        )
    return ProfessionalClaim(
        billing_provider=draw(billing if billing is not None else billing_providers()),
        subscriber=subscriber,
        patient=patient,
        patient_control_number=draw(ident(1, 38)),
        total_charge=sum((ln.charge for ln in lines), Decimal(0)),
        place_of_service=draw(sampled(PLACES_OF_SERVICE)),
        diagnoses=dx,
        lines=lines,
        frequency=frequency,
        payer_claim_number=draw(ident(5, 20)) if frequency != "1" else draw(opt(ident(5, 20))),
        provider_signature=draw(st.booleans()),
        assignment=draw(pick("A", "B", "C")),
        benefits_assigned=draw(pick("Y", "N", "W")),
        release_of_information=draw(pick("I", "Y")),
        patient_signature_source=draw(pick("", "P")),
        related_causes=causes,
        accident_state=draw(sampled(US_STATES)) if "AA" in causes else "",
        delay_reason=draw(pick("", "", "1", "7", "11")),
        dates=claim_dates,
        patient_paid=draw(maybe(small_cents)),
        referral_number=draw(opt(ident(1, 20))),
        prior_authorization=draw(opt(ident(1, 20))),
        medical_record_number=draw(opt(ident(1, 20))),
        note=draw(opt(text(60))),
        referring=draw(maybe(st.builds(Provider, name=names(person=True), npi=opt(npis)))),
        primary_care=draw(maybe(st.builds(Provider, name=names(person=True), npi=opt(npis)))),
        rendering=draw(
            st.one_of(
                st.none(),
                st.builds(RenderingProvider, name=names(), npi=opt(npis), taxonomy=opt(taxonomies)),
            )
        ),
        service_facility=draw(
            st.one_of(
                st.none(),
                st.builds(
                    ServiceFacility, name=text(40), address=addresses(zip9=True), npi=opt(npis)
                ),
            )
        ),
        supervising=draw(maybe(st.builds(Provider, name=names(person=True), npi=opt(npis)))),
        other_payers=others,
    )


def _no_suffix(n: Name) -> Name:
    n.suffix = ""
    return n


@st.composite
def batches(
    draw: st.DrawFn, min_claims: int = 1, max_claims: int = 6, max_lines: int = 6
) -> ProfessionalClaimBatch:
    """A batch whose claims draw billing providers, subscribers and patients from small pools,
    so consecutive claims share HL levels and others do not."""
    bp_pool = draw(lists(billing_providers(), min_size=1, max_size=2))
    sub_pool = draw(lists(subscribers(), min_size=1, max_size=3))
    pat_pool = draw(lists(patients(), min_size=1, max_size=2))
    items = draw(
        lists(
            claims(
                billing=st.sampled_from(bp_pool),
                subs=st.sampled_from(sub_pool),
                pats=st.one_of(st.none(), st.sampled_from(pat_pool)),
                max_lines=max_lines,
            ),
            min_size=min_claims,
            max_size=max_claims,
        )
    )
    return ProfessionalClaimBatch(
        submitter=Submitter(
            name=draw(names().map(_no_suffix)),
            id=draw(ident(2, 15)),
            contacts=draw(lists(contacts(), min_size=1, max_size=2)),
        ),
        receiver=Receiver(name=draw(text(40)), id=draw(ident(2, 15))),
        reference=draw(ident(1, 30)),
        created_date=draw(dates),
        created_time=draw(times),
        claims=items,
        purpose=draw(pick("00", "18")),
        claim_type=draw(pick("CH", "RP")),
    )
