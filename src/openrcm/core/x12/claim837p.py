"""837P professional claims (005010X222A1): typed dataclasses, a fast writer and a strict reader.

The model is flat where billing software thinks in claims: a :class:`ProfessionalClaimBatch` is
one ST-SE transaction set (BHT, submitter 1000A, receiver 1000B) holding a list of
:class:`ProfessionalClaim`. Each claim names its billing provider (2000A/2010AA/2010AB), its
subscriber with the payer (2000B/2010BA/2010BB) and, when the patient is not the subscriber, its
patient (2000C/2010CA). The writer builds the HL hierarchy from consecutive claims that share
equal billing providers, subscribers and patients; the reader gives every claim of an HL level
the same (equal) objects back, so ``read(write(batch)) == batch``.

Writer (:func:`write_837p`): only the segments between ST and SE, into a base
:class:`~openrcm.core.x12.writer.SegmentWriter`; at most 5,000 claims per transaction set (a
``ValueError`` beyond); control numbers come from the caller. :func:`write_837p_interchange`
wraps batches in ISA/GS/ST envelopes with the base :func:`write_interchange`. Data the guide
does not allow (a missing required value, a delimiter inside a value, a total charge that is not
the sum of the lines, ...) raises ``ValueError`` naming the claim and the field.

Reader (:func:`read_837p`, :func:`iter_837p`): envelope checks from the base, then the loop
grammar of the guide (HL hierarchy parent/child numbering, loop starts, segment order, required
segments and loops, maximum uses and repeats), then typed values. Any input gives batches or an
:class:`~openrcm.core.x12.errors.X12Error` naming the segment number, segment id, element and
loop. Segments and loops the guide allows but this model does not keep (ambulance, DME, repricing,
line-level providers, attachments, ...) are checked for their place and otherwise skipped.

Version: 005010X222A1 (the HIPAA-adopted guide). 005010X222A2 (a later errata of the same guide,
with the same loops and segments for everything this model keeps) is read as a compatible
version; any other version is refused with VERSION_UNSUPPORTED. The writer always writes A1.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any, Final, NoReturn

from openrcm.core.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from openrcm.core.x12.envelope import (
    GroupHeader,
    InterchangeHeader,
    TransactionSetResult,
    iter_transaction_sets,
)
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment, parse_date
from openrcm.core.x12.tokenizer import Source
from openrcm.core.x12.writer import (
    OutgoingSet,
    SegmentWriter,
    fmt_decimal,
    fmt_time,
    write_interchange,
)

__all__ = [
    "ERRATA_VERSION",
    "MAX_CLAIMS_PER_SET",
    "VERSION",
    "Address",
    "Adjustment",
    "BillingProvider",
    "ClaimDate",
    "ClaimFrequency",
    "Contact",
    "Drug",
    "LineAdjudication",
    "Name",
    "OtherPayer",
    "Patient",
    "PayTo",
    "Payer",
    "ProfessionalClaim",
    "ProfessionalClaimBatch",
    "Provider",
    "Read837PSet",
    "Receiver",
    "RenderingProvider",
    "ServiceFacility",
    "ServiceLine",
    "Submitter",
    "Subscriber",
    "claim837p_summary",
    "claim837p_to_json",
    "iter_837p",
    "read_837p",
    "split_claims",
    "write_837p",
    "write_837p_interchange",
]

C = X12ErrorCode

VERSION: Final = "005010X222A1"
ERRATA_VERSION: Final = "005010X222A2"
ACCEPTED_VERSIONS: Final = frozenset({VERSION, ERRATA_VERSION})
MAX_CLAIMS_PER_SET: Final = 5000
MAX_CLAIMS_PER_HL: Final = 100
MAX_LINES: Final = 50
MAX_DIAGNOSES: Final = 12
MAX_OTHER_PAYERS: Final = 10


class ClaimFrequency(StrEnum):
    """CLM05-3 claim frequency type code (the values a professional claim uses)."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


# ---------------------------------------------------------------------------------------------
# Dataclasses
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class Name:
    """An NM1 name: a person (last, first, middle, suffix) or an organization (``last`` is the
    organization name, ``person`` False)."""

    last: str
    first: str = ""
    middle: str = ""
    suffix: str = ""
    person: bool = True

    @classmethod
    def organization(cls, name: str) -> Name:
        return cls(last=name, person=False)


@dataclass(slots=True, kw_only=True)
class Address:
    """N3/N4. ``postal_code`` is 5 or 9 digits for US addresses (ZIP+4 without the dash)."""

    line1: str
    city: str
    state: str = ""
    postal_code: str = ""
    line2: str = ""
    country: str = ""
    country_subdivision: str = ""


@dataclass(slots=True, kw_only=True)
class Contact:
    """PER*IC: a contact name and up to three numbers (phone with extension, fax, email)."""

    name: str = ""
    phone: str = ""
    phone_extension: str = ""
    fax: str = ""
    email: str = ""


@dataclass(slots=True, kw_only=True)
class Submitter:
    """Loop 1000A: NM1*41 with the submitter's id (NM109, qualifier 46) and PER (1 or 2)."""

    name: Name
    id: str
    contacts: list[Contact]


@dataclass(slots=True, kw_only=True)
class Receiver:
    """Loop 1000B: NM1*40 (the clearinghouse or payer receiving the file)."""

    name: str
    id: str


@dataclass(slots=True, kw_only=True)
class PayTo:
    """Loop 2010AB: the pay-to address when it differs from the billing provider's."""

    address: Address
    person: bool = False


@dataclass(slots=True, kw_only=True)
class BillingProvider:
    """Loops 2000A/2010AA/2010AB: PRV*BI taxonomy, NM1*85 with NPI, address (ZIP+4), REF*EI
    (or SY) tax id, contacts (PER, up to 2) and an optional pay-to address."""

    name: Name
    npi: str
    address: Address
    tax_id: str
    tax_id_qualifier: str = "EI"
    taxonomy: str = ""
    contacts: list[Contact] = field(default_factory=list)
    pay_to: PayTo | None = None


@dataclass(slots=True, kw_only=True)
class Payer:
    """Loop 2010BB: NM1*PR with the payer id (PI, or XV for a CMS plan id)."""

    name: str
    payer_id: str
    id_qualifier: str = "PI"
    address: Address | None = None


@dataclass(slots=True, kw_only=True)
class Subscriber:
    """Loops 2000B/2010BA/2010BB: SBR (payer responsibility P/S/T..., group number and name,
    insurance type, claim filing indicator SBR09), the subscriber's name, member id, address and
    demographics (required when the subscriber is the patient), and the payer."""

    name: Name
    member_id: str
    payer: Payer
    responsibility: str = "P"
    claim_filing: str = "CI"
    group_number: str = ""
    group_name: str = ""
    insurance_type: str = ""
    member_id_qualifier: str = "MI"
    address: Address | None = None
    birth_date: date | None = None
    sex: str = ""


@dataclass(slots=True, kw_only=True)
class Patient:
    """Loops 2000C/2010CA, for a patient who is not the subscriber: PAT01 relationship to the
    subscriber (01 spouse, 19 child, 20 employee, 21 unknown, 39 organ donor, 40 cadaver donor,
    53 life partner, G8 other), name, address, birth date and sex."""

    name: Name
    relationship: str
    address: Address
    birth_date: date
    sex: str


@dataclass(slots=True, kw_only=True)
class Provider:
    """A referring (2310A NM1*DN), primary care (2310A NM1*P3) or supervising (2310D NM1*DQ)
    provider: a person with an optional NPI."""

    name: Name
    npi: str = ""


@dataclass(slots=True, kw_only=True)
class RenderingProvider:
    """Loop 2310B: NM1*82 with NPI and PRV*PE taxonomy."""

    name: Name
    npi: str = ""
    taxonomy: str = ""


@dataclass(slots=True, kw_only=True)
class ServiceFacility:
    """Loop 2310C: NM1*77, address (ZIP+4) and optional NPI."""

    name: str
    address: Address
    npi: str = ""


@dataclass(slots=True, kw_only=True)
class ClaimDate:
    """A claim-level DTP of loop 2300: ``qualifier`` (431 onset, 439 accident, 484 last
    menstrual period, 454 initial treatment, 304 last seen, 435 admission, 096 discharge,
    360/361 disability, 297 last worked, 296 return to work, ...), a date or a range."""

    qualifier: str
    start: date
    end: date | None = None


@dataclass(slots=True, kw_only=True)
class Adjustment:
    """One adjustment of a CAS segment: group (CO, PR, OA, PI, CR), reason (CARC), amount and
    optional quantity. The writer groups a list of them into CAS segments by group code, in order
    of first appearance (at most 6 reasons per group, 5 groups)."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(slots=True, kw_only=True)
class OtherPayer:
    """Loops 2320/2330A/2330B: another payer of the claim (the primary on a secondary claim,
    the primary and secondary on a tertiary one) and what it did with the claim."""

    responsibility: str
    relationship: str
    subscriber_name: Name
    subscriber_id: str
    payer_name: str
    payer_id: str
    claim_filing: str = ""
    group_number: str = ""
    group_name: str = ""
    insurance_type: str = ""
    adjustments: list[Adjustment] = field(default_factory=list)
    paid_amount: Decimal | None = None
    non_covered_amount: Decimal | None = None
    remaining_patient_liability: Decimal | None = None
    benefits_assigned: str = "Y"
    patient_signature_source: str = ""
    release_of_information: str = "Y"
    subscriber_id_qualifier: str = "MI"
    subscriber_address: Address | None = None
    payer_id_qualifier: str = "PI"
    payer_address: Address | None = None
    adjudication_date: date | None = None
    claim_control_number: str = ""


@dataclass(slots=True, kw_only=True)
class Drug:
    """Loop 2410: the NDC (LIN*N4, 11 digits), quantity and unit (CTP04/CTP05: F2, GR, ME, ML,
    UN) and an optional prescription number (REF*XZ) or link sequence number (REF*VY)."""

    ndc: str
    quantity: Decimal
    unit: str = "UN"
    qualifier: str = "N4"
    prescription_number: str = ""
    prescription_qualifier: str = "XZ"


@dataclass(slots=True, kw_only=True)
class LineAdjudication:
    """Loop 2430: how a prior payer (``payer_id`` = its 2330B NM109) adjudicated this line."""

    payer_id: str
    paid: Decimal
    procedure_code: str
    units: Decimal
    adjudication_date: date
    procedure_qualifier: str = "HC"
    modifiers: list[str] = field(default_factory=list)
    description: str = ""
    bundled_line: int | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remaining_patient_liability: Decimal | None = None


@dataclass(slots=True, kw_only=True)
class ServiceLine:
    """Loop 2400: SV1 (procedure with up to 4 modifiers, charge, unit basis UN/MJ, units, place
    of service when it differs from the claim's, up to 4 diagnosis pointers 1-12), DTP*472,
    REF*6R line control number, an optional NDC (2410) and prior payers' adjudication (2430)."""

    procedure_code: str
    charge: Decimal
    units: Decimal
    service_date: date
    diagnosis_pointers: list[int]
    control_number: str = ""
    procedure_qualifier: str = "HC"
    modifiers: list[str] = field(default_factory=list)
    description: str = ""
    unit_basis: str = "UN"
    place_of_service: str = ""
    service_end_date: date | None = None
    emergency: bool = False
    epsdt: bool = False
    family_planning: bool = False
    note: str = ""
    drug: Drug | None = None
    adjudications: list[LineAdjudication] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class ProfessionalClaim:
    """Loop 2300 with its context. ``patient`` is None when the patient is the subscriber.

    CLM: patient control number, total charge (the sum of the lines), place of service, facility
    code qualifier B and frequency (1 original, 7 replacement, 8 void: both need
    ``payer_claim_number``, REF*F8), provider signature (CLM06), assignment (CLM07 A/B/C),
    benefits assigned (CLM08 Y/N/W), release of information (CLM09 I/Y), related causes (CLM11:
    AA auto accident with ``accident_state``, EM employment, OA other accident), delay reason
    (CLM20). HI: 1-12 ICD-10-CM codes without the dot (ABK then ABF; BK/BF when ``icd9``)."""

    billing_provider: BillingProvider
    subscriber: Subscriber
    patient: Patient | None = None
    patient_control_number: str
    total_charge: Decimal
    place_of_service: str
    diagnoses: list[str]
    lines: list[ServiceLine]
    frequency: str = ClaimFrequency.ORIGINAL
    provider_signature: bool = True
    assignment: str = "A"
    benefits_assigned: str = "Y"
    release_of_information: str = "Y"
    patient_signature_source: str = ""
    related_causes: list[str] = field(default_factory=list)
    accident_state: str = ""
    accident_country: str = ""
    delay_reason: str = ""
    dates: list[ClaimDate] = field(default_factory=list)
    patient_paid: Decimal | None = None
    referral_number: str = ""
    prior_authorization: str = ""
    payer_claim_number: str = ""
    medical_record_number: str = ""
    note: str = ""
    icd9: bool = False
    referring: Provider | None = None
    primary_care: Provider | None = None
    rendering: RenderingProvider | None = None
    service_facility: ServiceFacility | None = None
    supervising: Provider | None = None
    other_payers: list[OtherPayer] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class ProfessionalClaimBatch:
    """One 837P transaction set: BHT (``reference`` BHT03, creation date and time, purpose 00
    original / 18 reissue, type CH chargeable / RP reporting), submitter, receiver, claims."""

    submitter: Submitter
    receiver: Receiver
    reference: str
    created_date: date
    created_time: time
    claims: list[ProfessionalClaim]
    purpose: str = "00"
    claim_type: str = "CH"


# ---------------------------------------------------------------------------------------------
# Code lists (values the guide allows)
# ---------------------------------------------------------------------------------------------


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ENTITY_TYPES: Final = _codes("1 2")
_RESPONSIBILITY: Final = _codes("A B C D E F G H P S T U")
_FILING: Final = _codes("11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ")
_INSURANCE_TYPES: Final = _codes("12 13 14 15 16 41 42 43 47")
_PATIENT_RELATIONSHIPS: Final = _codes("01 19 20 21 39 40 53 G8")
_OTHER_RELATIONSHIPS: Final = _codes("01 18 19 20 21 39 40 53 G8")
_SEXES: Final = _codes("F M U")
_FREQUENCIES: Final = frozenset(f.value for f in ClaimFrequency)
_ASSIGNMENT: Final = _codes("A B C")
_YNW: Final = _codes("Y N W")
_RELEASE: Final = _codes("I Y")
_SIGNATURE_SOURCE: Final = _codes("P")
_RELATED_CAUSES: Final = _codes("AA EM OA")
_DELAY_REASONS: Final = _codes("1 2 3 4 5 6 7 8 9 10 11 15")
_UNIT_BASIS: Final = _codes("UN MJ")
_PROCEDURE_QUALIFIERS: Final = _codes("HC ER IV WK")
_CAS_GROUPS: Final = _codes("CO CR OA PI PR")
_DRUG_UNITS: Final = _codes("F2 GR ME ML UN")
_DRUG_QUALIFIERS: Final = _codes("EN EO HI N4 ON UK UP")
_RX_QUALIFIERS: Final = _codes("XZ VY")
_TAX_QUALIFIERS: Final = _codes("EI SY")
_PAYER_ID_QUALIFIERS: Final = _codes("PI XV")
_MEMBER_ID_QUALIFIERS: Final = _codes("MI II")
_PURPOSES: Final = _codes("00 18")
_CLAIM_TYPES: Final = _codes("CH RP")
_CLAIM_DATE_QUALIFIERS: Final = _codes(
    "431 454 304 453 439 484 455 471 314 360 361 297 296 435 096 090 091 444 050"
)
_RANGE_DATE_QUALIFIERS: Final = _codes("314")  # disability: RD8 only
_YN: Final = _codes("Y N")
_Y: Final = _codes("Y")
_FREQUENCY_OF: Final = {f.value: f for f in ClaimFrequency}
_BLANK: Final = [""] * 32
_ONE_DIGIT_POINTERS: Final = {str(i): i for i in range(1, MAX_DIAGNOSES + 1)}


# ---------------------------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------------------------


def _bad_chars(d: Delimiters) -> re.Pattern[str]:
    chars = {d.element, d.component, d.repetition, d.segment, "\r", "\n"}
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]")


_BAD_CACHE: dict[Delimiters, re.Pattern[str]] = {}
_TEXT_FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _text_fields(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(str fields, fields that may hold dataclasses or lists) of a dataclass type."""
    found = _TEXT_FIELDS.get(cls)
    if found is None:
        texts: list[str] = []
        nested: list[str] = []
        for f in fields(cls):
            t = str(f.type)
            if t == "str":
                texts.append(f.name)
            elif t == "list[int]" or t.startswith("Decimal"):
                continue
            elif t[:1].isupper() or t.startswith("list["):
                nested.append(f.name)
        found = (tuple(texts), tuple(nested))
        _TEXT_FIELDS[cls] = found
    return found


class _Checker:
    """Finds values that contain a delimiter or a line break (they would not read back)."""

    __slots__ = ("bad", "seen")

    def __init__(self, d: Delimiters) -> None:
        bad = _BAD_CACHE.get(d)
        if bad is None:
            bad = _BAD_CACHE[d] = _bad_chars(d)
        self.bad = bad
        self.seen: set[int] = set()

    def check(self, obj: object, where: str) -> None:
        if id(obj) in self.seen:
            return
        texts, nested = _text_fields(type(obj))
        values = [getattr(obj, n) for n in texts]
        for v in values:
            if not isinstance(v, str):
                raise ValueError(f"{where}: {type(obj).__name__} has a non-text value {v!r}")
        if self.bad.search("".join(values)) is not None:
            for n, v in zip(texts, values, strict=True):
                if self.bad.search(v):
                    raise ValueError(
                        f"{where}: {type(obj).__name__}.{n} = {v!r} contains a delimiter or a"
                        " line break"
                    )
        for n in nested:
            v = getattr(obj, n)
            if v is None:
                continue
            if isinstance(v, list):
                for item in v:
                    if isinstance(item, str):
                        if self.bad.search(item):
                            raise ValueError(
                                f"{where}: {type(obj).__name__}.{n} item {item!r} contains a"
                                " delimiter or a line break"
                            )
                    elif is_dataclass(item):
                        self.check(item, where)
            elif is_dataclass(v):
                self.check(v, where)
        self.seen.add(id(obj))


class _Fmt:
    """Formatting caches for one write (amounts and dates repeat a lot in a batch)."""

    __slots__ = ("amounts", "dates")

    def __init__(self) -> None:
        self.amounts: dict[Decimal, str] = {}
        self.dates: dict[date, str] = {}

    def amt(self, value: Decimal) -> str:
        s = self.amounts.get(value)
        if s is None:
            if not isinstance(value, Decimal | int) or isinstance(value, bool):
                raise ValueError(f"amount {value!r} must be a Decimal")
            s = self.amounts[value] = fmt_decimal(value)
        return s

    def dt(self, value: date) -> str:
        s = self.dates.get(value)
        if s is None:
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ValueError(f"date {value!r} must be a datetime.date")
            s = self.dates[value] = f"{value.year:04d}{value.month:02d}{value.day:02d}"
        return s


def _join(e: str, parts: list[str]) -> str:
    while parts and not parts[-1]:
        parts.pop()
    return e.join(parts)


def _need(value: str, what: str, where: str, max_len: int | None = None) -> None:
    if not value:
        raise ValueError(f"{where}: {what} is required")
    if max_len is not None and len(value) > max_len:
        raise ValueError(f"{where}: {what} {value!r} is longer than {max_len} characters")


def _code(value: str, allowed: frozenset[str], what: str, where: str, *, required: bool) -> None:
    if not value:
        if required:
            raise ValueError(f"{where}: {what} is required")
        return
    if value not in allowed:
        raise ValueError(f"{where}: {what} {value!r} is not one of {', '.join(sorted(allowed))}")


def _zip_ok(address: Address, where: str, what: str, *, nine: bool) -> None:
    if address.country and address.country != "US":
        return
    z = address.postal_code
    if nine:
        if len(z) != 9 or not z.isdigit():
            raise ValueError(f"{where}: {what} ZIP code {z!r} must be 9 digits (ZIP+4)")
    elif z and (len(z) not in (5, 9) or not z.isdigit()):
        raise ValueError(f"{where}: {what} ZIP code {z!r} must be 5 or 9 digits")


def _npi_ok(npi: str, where: str, what: str, *, required: bool) -> None:
    if not npi:
        if required:
            raise ValueError(f"{where}: {what} NPI is required")
        return
    if len(npi) != 10 or not npi.isdigit():
        raise ValueError(f"{where}: {what} NPI {npi!r} must be 10 digits")


class _ClaimWriter:
    """Formats the segments of one transaction set. All values are checked for delimiters
    before any text is built (see :class:`_Checker`), so segments go out through
    ``SegmentWriter.raw`` without a second scan."""

    __slots__ = ("c", "chk", "e", "f", "out")

    def __init__(self, w: SegmentWriter) -> None:
        d = w.delimiters
        self.e = d.element
        self.c = d.component
        self.out = w.raw
        self.f = _Fmt()
        self.chk = _Checker(d)

    # -- shared pieces ------------------------------------------------------------------------

    def texts_bad(self, texts: list[str]) -> bool:
        """Whether a value holds a delimiter or a line break, or is not text (then
        ``self.chk.check`` finds and names it)."""
        try:
            joined = "\x00".join(texts)
        except TypeError:
            return True
        return self.chk.bad.search(joined) is not None

    def nm1(self, entity: str, name: Name, qual: str = "", ident: str = "") -> None:
        self.out(
            _join(
                self.e,
                [
                    "NM1",
                    entity,
                    "1" if name.person else "2",
                    name.last,
                    name.first,
                    name.middle,
                    "",
                    name.suffix,
                    qual if ident else "",
                    ident,
                ],
            )
        )

    def address(self, a: Address) -> None:
        e = self.e
        self.out(f"N3{e}{a.line1}{e}{a.line2}" if a.line2 else f"N3{e}{a.line1}")
        self.out(
            _join(
                e,
                ["N4", a.city, a.state, a.postal_code, a.country, "", "", a.country_subdivision],
            )
        )

    def per(self, contact: Contact, where: str) -> None:
        pairs: list[str] = []
        if contact.phone:
            pairs += ["TE", contact.phone]
            if contact.phone_extension:
                pairs += ["EX", contact.phone_extension]
        elif contact.phone_extension:
            raise ValueError(f"{where}: a phone extension needs a phone number")
        if contact.fax:
            pairs += ["FX", contact.fax]
        if contact.email:
            pairs += ["EM", contact.email]
        if not pairs:
            raise ValueError(f"{where}: a contact needs a phone, fax or email")
        if len(pairs) > 6:
            raise ValueError(f"{where}: a PER segment holds at most three numbers")
        self.out(self.e.join(["PER", "IC", contact.name, *pairs]))

    def cas(self, adjustments: list[Adjustment]) -> None:
        """CAS segments, one per group code in order of first appearance (validated before)."""
        groups: dict[str, list[Adjustment]] = {}
        for a in adjustments:
            groups.setdefault(a.group, []).append(a)
        amt = self.f.amt
        for group, items in groups.items():
            parts = ["CAS", group]
            for a in items:
                parts += [a.reason, amt(a.amount), "" if a.quantity is None else amt(a.quantity)]
            self.out(_join(self.e, parts))

    def procedure(self, qual: str, code: str, modifiers: list[str], description: str) -> str:
        parts = [qual, code, *modifiers]
        if description:
            parts += [""] * (6 - len(parts)) + [description]
        return self.c.join(parts)

    # -- header and hierarchy -----------------------------------------------------------------

    def header(self, b: ProfessionalClaimBatch) -> None:
        e = self.e
        where = "batch"
        self.chk.check(b.submitter, "submitter")
        self.chk.check(b.receiver, "receiver")
        for v, what in ((b.reference, "reference"), (b.purpose, "purpose"), (b.claim_type, "type")):
            if self.chk.bad.search(v):
                raise ValueError(f"{where}: {what} {v!r} contains a delimiter")
        _need(b.reference, "reference (BHT03)", where, 50)
        _code(b.purpose, _PURPOSES, "purpose (BHT02)", where, required=True)
        _code(b.claim_type, _CLAIM_TYPES, "claim type (BHT06)", where, required=True)
        if not isinstance(b.created_time, time):
            raise ValueError(f"{where}: created_time must be a datetime.time")
        self.out(
            e.join(
                [
                    "BHT",
                    "0019",
                    b.purpose,
                    b.reference,
                    self.f.dt(b.created_date),
                    fmt_time(b.created_time),
                    b.claim_type,
                ]
            )
        )
        s = b.submitter
        _need(s.name.last, "submitter name", "submitter", 60)
        _need(s.id, "submitter id", "submitter", 80)
        if s.name.suffix:
            raise ValueError("submitter: a name suffix is not used in loop 1000A")
        if not 1 <= len(s.contacts) <= 2:
            raise ValueError("submitter: one or two contacts (PER) are required")
        self.nm1("41", s.name, "46", s.id)
        for contact in s.contacts:
            self.per(contact, "submitter")
        r = b.receiver
        _need(r.name, "receiver name", "receiver", 60)
        _need(r.id, "receiver id", "receiver", 80)
        self.out(e.join(["NM1", "40", "2", r.name, "", "", "", "", "46", r.id]))

    def billing(self, hl: int, bp: BillingProvider) -> None:
        where = f"billing provider {bp.npi}"
        self.chk.check(bp, where)
        _npi_ok(bp.npi, where, "billing provider", required=True)
        _need(bp.name.last, "name", where, 60)
        _need(bp.tax_id, "tax id", where, 50)
        _code(bp.tax_id_qualifier, _TAX_QUALIFIERS, "tax id qualifier", where, required=True)
        _zip_ok(bp.address, where, "billing provider", nine=True)
        if len(bp.contacts) > 2:
            raise ValueError(f"{where}: at most two contacts (PER)")
        e = self.e
        self.out(f"HL{e}{hl}{e}{e}20{e}1")
        if bp.taxonomy:
            self.out(f"PRV{e}BI{e}PXC{e}{bp.taxonomy}")
        self.nm1("85", bp.name, "XX", bp.npi)
        self.address(bp.address)
        self.out(f"REF{e}{bp.tax_id_qualifier}{e}{bp.tax_id}")
        for contact in bp.contacts:
            self.per(contact, where)
        if bp.pay_to is not None:
            self.out(f"NM1{e}87{e}{'1' if bp.pay_to.person else '2'}")
            self.address(bp.pay_to.address)

    def subscriber(self, hl: int, parent: int, s: Subscriber, *, is_patient: bool) -> None:
        where = f"subscriber {s.member_id}"
        t = [
            s.member_id,
            s.responsibility,
            s.claim_filing,
            s.group_number,
            s.group_name,
            s.insurance_type,
            s.member_id_qualifier,
            s.sex,
            *_name_texts(s.name),
            s.payer.name,
            s.payer.payer_id,
            s.payer.id_qualifier,
        ]
        if s.address is not None:
            t += _address_texts(s.address)
        if s.payer.address is not None:
            t += _address_texts(s.payer.address)
        if self.texts_bad(t):
            self.chk.check(s, where)
        _code(s.responsibility, _RESPONSIBILITY, "payer responsibility", where, required=True)
        _code(s.claim_filing, _FILING, "claim filing indicator", where, required=False)
        _code(s.insurance_type, _INSURANCE_TYPES, "insurance type", where, required=False)
        _code(
            s.member_id_qualifier,
            _MEMBER_ID_QUALIFIERS,
            "member id qualifier",
            where,
            required=True,
        )
        _need(s.name.last, "name", where, 60)
        _need(s.member_id, "member id", where, 80)
        _need(s.payer.name, "payer name", where, 60)
        _need(s.payer.payer_id, "payer id", where, 80)
        _code(
            s.payer.id_qualifier, _PAYER_ID_QUALIFIERS, "payer id qualifier", where, required=True
        )
        if is_patient and s.address is None:
            raise ValueError(
                f"{where}: the address (N3/N4) is required when the subscriber is the patient"
            )
        if is_patient and (s.birth_date is None or not s.sex):
            raise ValueError(
                f"{where}: birth date and sex are required when the subscriber is the patient"
            )
        if (s.birth_date is None) != (not s.sex):
            raise ValueError(f"{where}: give both birth date and sex, or neither")
        _code(s.sex, _SEXES, "sex", where, required=False)
        e = self.e
        self.out(f"HL{e}{hl}{e}{parent}{e}22{e}{'0' if is_patient else '1'}")
        self.out(
            _join(
                e,
                [
                    "SBR",
                    s.responsibility,
                    "18" if is_patient else "",
                    s.group_number,
                    s.group_name,
                    s.insurance_type,
                    "",
                    "",
                    "",
                    s.claim_filing,
                ],
            )
        )
        self.nm1("IL", s.name, s.member_id_qualifier, s.member_id)
        if s.address is not None:
            _zip_ok(s.address, where, "subscriber", nine=False)
            self.address(s.address)
        if s.birth_date is not None:
            self.out(f"DMG{e}D8{e}{self.f.dt(s.birth_date)}{e}{s.sex}")
        p = s.payer
        self.out(e.join(["NM1", "PR", "2", p.name, "", "", "", "", p.id_qualifier, p.payer_id]))
        if p.address is not None:
            self.address(p.address)

    def patient(self, hl: int, parent: int, p: Patient) -> None:
        where = f"patient {p.name.last}"
        if self.texts_bad(
            [p.relationship, p.sex, *_name_texts(p.name), *_address_texts(p.address)]
        ):
            self.chk.check(p, where)
        _code(p.relationship, _PATIENT_RELATIONSHIPS, "relationship", where, required=True)
        _code(p.sex, _SEXES, "sex", where, required=True)
        _need(p.name.last, "name", where, 60)
        if not p.name.person:
            raise ValueError(f"{where}: the patient must be a person")
        _zip_ok(p.address, where, "patient", nine=False)
        e = self.e
        self.out(f"HL{e}{hl}{e}{parent}{e}23{e}0")
        self.out(f"PAT{e}{p.relationship}")
        self.nm1("QC", p.name)
        self.address(p.address)
        self.out(f"DMG{e}D8{e}{self.f.dt(p.birth_date)}{e}{p.sex}")

    # -- claim ----------------------------------------------------------------------------------

    def claim(self, cl: ProfessionalClaim) -> None:
        if self.texts_bad(_claim_texts(cl)):
            self.chk.check(cl, f"claim {cl.patient_control_number!r}")
        if not _claim_ok(cl):
            _validate_claim(cl)
        e = self.e
        c = self.c
        out = self.out
        amt = self.f.amt
        dt = self.f.dt
        pcn = cl.patient_control_number
        clm11 = ""
        if cl.related_causes:
            parts = [*cl.related_causes]
            parts += [""] * (3 - len(parts))
            parts += [cl.accident_state, cl.accident_country]
            while not parts[-1]:
                parts.pop()
            clm11 = c.join(parts)
        clm = (
            f"CLM{e}{pcn}{e}{amt(cl.total_charge)}{e}{e}{e}{cl.place_of_service}{c}B{c}"
            f"{cl.frequency}{e}{'Y' if cl.provider_signature else 'N'}{e}{cl.assignment}{e}"
            f"{cl.benefits_assigned}{e}{cl.release_of_information}"
        )
        if cl.delay_reason:
            clm += f"{e}{cl.patient_signature_source}{e}{clm11}{e * 9}{cl.delay_reason}"
        elif clm11:
            clm += f"{e}{cl.patient_signature_source}{e}{clm11}"
        elif cl.patient_signature_source:
            clm += f"{e}{cl.patient_signature_source}"
        out(clm)
        for d in cl.dates:
            q = d.qualifier
            if d.end is None:
                out(f"DTP{e}{q}{e}D8{e}{dt(d.start)}")
            else:
                out(f"DTP{e}{q}{e}RD8{e}{dt(d.start)}-{dt(d.end)}")
        if cl.patient_paid is not None:
            out(f"AMT{e}F5{e}{amt(cl.patient_paid)}")
        if cl.referral_number:
            out(f"REF{e}9F{e}{cl.referral_number}")
        if cl.prior_authorization:
            out(f"REF{e}G1{e}{cl.prior_authorization}")
        if cl.payer_claim_number:
            out(f"REF{e}F8{e}{cl.payer_claim_number}")
        if cl.medical_record_number:
            out(f"REF{e}EA{e}{cl.medical_record_number}")
        if cl.note:
            out(f"NTE{e}ADD{e}{cl.note}")
        first, other = ("BK", "BF") if cl.icd9 else ("ABK", "ABF")
        dx = cl.diagnoses
        if len(dx) == 1:
            out(f"HI{e}{first}{c}{dx[0]}")
        else:
            sep = f"{e}{other}{c}"
            out(f"HI{e}{first}{c}{dx[0]}{sep}{sep.join(dx[1:])}")
        # 2310A-D
        if cl.referring is not None:
            self.nm1("DN", cl.referring.name, "XX", cl.referring.npi)
        if cl.primary_care is not None:
            self.nm1("P3", cl.primary_care.name, "XX", cl.primary_care.npi)
        r = cl.rendering
        if r is not None:
            self.nm1("82", r.name, "XX", r.npi)
            if r.taxonomy:
                out(f"PRV{e}PE{e}PXC{e}{r.taxonomy}")
        sf = cl.service_facility
        if sf is not None:
            if sf.npi:
                out(f"NM1{e}77{e}2{e}{sf.name}{e}{e}{e}{e}{e}XX{e}{sf.npi}")
            else:
                out(f"NM1{e}77{e}2{e}{sf.name}")
            self.address(sf.address)
        if cl.supervising is not None:
            self.nm1("DQ", cl.supervising.name, "XX", cl.supervising.npi)
        # 2320 / 2330A / 2330B
        for op in cl.other_payers:
            self.other_payer(op)
        # 2400
        for n, ln in enumerate(cl.lines, start=1):
            self.line(n, ln)

    def other_payer(self, op: OtherPayer) -> None:
        e = self.e
        out = self.out
        amt = self.f.amt
        out(
            _join(
                e,
                [
                    "SBR",
                    op.responsibility,
                    op.relationship,
                    op.group_number,
                    op.group_name,
                    op.insurance_type,
                    "",
                    "",
                    "",
                    op.claim_filing,
                ],
            )
        )
        if op.adjustments:
            self.cas(op.adjustments)
        if op.paid_amount is not None:
            out(f"AMT{e}D{e}{amt(op.paid_amount)}")
        if op.non_covered_amount is not None:
            out(f"AMT{e}A8{e}{amt(op.non_covered_amount)}")
        if op.remaining_patient_liability is not None:
            out(f"AMT{e}EAF{e}{amt(op.remaining_patient_liability)}")
        out(
            _join(
                e,
                [
                    "OI",
                    "",
                    "",
                    op.benefits_assigned,
                    op.patient_signature_source,
                    "",
                    op.release_of_information,
                ],
            )
        )
        self.nm1("IL", op.subscriber_name, op.subscriber_id_qualifier, op.subscriber_id)
        if op.subscriber_address is not None:
            self.address(op.subscriber_address)
        out(f"NM1{e}PR{e}2{e}{op.payer_name}{e}{e}{e}{e}{e}{op.payer_id_qualifier}{e}{op.payer_id}")
        if op.payer_address is not None:
            self.address(op.payer_address)
        if op.adjudication_date is not None:
            out(f"DTP{e}573{e}D8{e}{self.f.dt(op.adjudication_date)}")
        if op.claim_control_number:
            out(f"REF{e}F8{e}{op.claim_control_number}")

    def line(self, n: int, ln: ServiceLine) -> None:
        e = self.e
        c = self.c
        out = self.out
        amt = self.f.amt
        dt = self.f.dt
        out(f"LX{e}{n}")
        mods = ln.modifiers
        if mods or ln.description:
            proc = self.procedure(ln.procedure_qualifier, ln.procedure_code, mods, ln.description)
        else:
            proc = f"{ln.procedure_qualifier}{c}{ln.procedure_code}"
        ptrs = ln.diagnosis_pointers
        pointers = str(ptrs[0]) if len(ptrs) == 1 else c.join([str(p) for p in ptrs])
        sv1 = (
            f"SV1{e}{proc}{e}{amt(ln.charge)}{e}{ln.unit_basis}{e}{amt(ln.units)}{e}"
            f"{ln.place_of_service}{e}{e}{pointers}"
        )
        if ln.emergency or ln.epsdt or ln.family_planning:
            sv1 = _join(
                e,
                [
                    sv1,
                    "",
                    "Y" if ln.emergency else "",
                    "",
                    "Y" if ln.epsdt else "",
                    "Y" if ln.family_planning else "",
                ],
            )
        out(sv1)
        if ln.service_end_date is None:
            out(f"DTP{e}472{e}D8{e}{dt(ln.service_date)}")
        else:
            out(f"DTP{e}472{e}RD8{e}{dt(ln.service_date)}-{dt(ln.service_end_date)}")
        out(f"REF{e}6R{e}{ln.control_number}")
        if ln.note:
            out(f"NTE{e}ADD{e}{ln.note}")
        drug = ln.drug
        if drug is not None:
            out(f"LIN{e}{e}{drug.qualifier}{e}{drug.ndc}")
            out(f"CTP{e}{e}{e}{e}{amt(drug.quantity)}{e}{drug.unit}")
            if drug.prescription_number:
                out(f"REF{e}{drug.prescription_qualifier}{e}{drug.prescription_number}")
        for adj in ln.adjudications:
            out(
                _join(
                    e,
                    [
                        "SVD",
                        adj.payer_id,
                        amt(adj.paid),
                        self.procedure(
                            adj.procedure_qualifier,
                            adj.procedure_code,
                            adj.modifiers,
                            adj.description,
                        ),
                        "",
                        amt(adj.units),
                        "" if adj.bundled_line is None else str(adj.bundled_line),
                    ],
                )
            )
            if adj.adjustments:
                self.cas(adj.adjustments)
            out(f"DTP{e}573{e}D8{e}{dt(adj.adjudication_date)}")
            if adj.remaining_patient_liability is not None:
                out(f"AMT{e}EAF{e}{amt(adj.remaining_patient_liability)}")


# -- claim validation: a fast yes/no, and the slow path that names the problem -----------------


def _name_texts(n: Name) -> tuple[str, str, str, str]:
    return n.last, n.first, n.middle, n.suffix


def _address_texts(a: Address) -> tuple[str, ...]:
    return (a.line1, a.line2, a.city, a.state, a.postal_code, a.country, a.country_subdivision)


def _claim_texts(cl: ProfessionalClaim) -> list[str]:
    """Every text value of the claim's own objects (not the billing provider, subscriber and
    patient, which are checked once per HL level)."""
    v = [
        cl.patient_control_number,
        cl.place_of_service,
        cl.frequency,
        cl.assignment,
        cl.benefits_assigned,
        cl.release_of_information,
        cl.patient_signature_source,
        cl.accident_state,
        cl.accident_country,
        cl.delay_reason,
        cl.referral_number,
        cl.prior_authorization,
        cl.payer_claim_number,
        cl.medical_record_number,
        cl.note,
        *cl.related_causes,
        *cl.diagnoses,
    ]
    for d in cl.dates:
        v.append(d.qualifier)
    for p in (cl.referring, cl.primary_care, cl.supervising):
        if p is not None:
            v.append(p.npi)
            v += _name_texts(p.name)
    r = cl.rendering
    if r is not None:
        v += (r.npi, r.taxonomy, *_name_texts(r.name))
    sf = cl.service_facility
    if sf is not None:
        v += (sf.name, sf.npi, *_address_texts(sf.address))
    for op in cl.other_payers:
        v += (
            op.responsibility,
            op.relationship,
            op.subscriber_id,
            op.payer_name,
            op.payer_id,
            op.claim_filing,
            op.group_number,
            op.group_name,
            op.insurance_type,
            op.benefits_assigned,
            op.patient_signature_source,
            op.release_of_information,
            op.subscriber_id_qualifier,
            op.payer_id_qualifier,
            op.claim_control_number,
            *_name_texts(op.subscriber_name),
        )
        if op.subscriber_address is not None:
            v += _address_texts(op.subscriber_address)
        if op.payer_address is not None:
            v += _address_texts(op.payer_address)
        for a in op.adjustments:
            v += (a.group, a.reason)
    for ln in cl.lines:
        v += (
            ln.control_number,
            ln.procedure_qualifier,
            ln.procedure_code,
            ln.description,
            ln.unit_basis,
            ln.place_of_service,
            ln.note,
            *ln.modifiers,
        )
        drug = ln.drug
        if drug is not None:
            v += (
                drug.ndc,
                drug.unit,
                drug.qualifier,
                drug.prescription_number,
                drug.prescription_qualifier,
            )
        for adj in ln.adjudications:
            v += (
                adj.payer_id,
                adj.procedure_qualifier,
                adj.procedure_code,
                adj.description,
                *adj.modifiers,
            )
            for a in adj.adjustments:
                v += (a.group, a.reason)
    return v


def _npi_shape(npi: str) -> bool:
    return not npi or (len(npi) == 10 and npi.isdigit())


def _line_ok(ln: ServiceLine, ndx: int, other_ids: set[str]) -> bool:
    ptrs = ln.diagnosis_pointers
    mods = ln.modifiers
    lpos = ln.place_of_service
    drug = ln.drug
    if not (
        ln.procedure_qualifier in _PROCEDURE_QUALIFIERS
        and 0 < len(ln.procedure_code) <= 48
        and len(mods) <= 4
        and all(len(m) == 2 for m in mods)
        and ln.unit_basis in _UNIT_BASIS
        and 1 <= len(ptrs) <= 4
        and all(type(p) is int and 1 <= p <= ndx for p in ptrs)
        and ln.units > 0
        and (not lpos or (len(lpos) == 2 and lpos.isdigit()))
        and 0 < len(ln.control_number) <= 50
        and (ln.service_end_date is None or ln.service_end_date >= ln.service_date)
        and len(ln.adjudications) <= 15
    ):
        return False
    if drug is not None and not (
        drug.qualifier in _DRUG_QUALIFIERS
        and 0 < len(drug.ndc) <= 48
        and (drug.qualifier != "N4" or (len(drug.ndc) == 11 and drug.ndc.isdigit()))
        and drug.unit in _DRUG_UNITS
        and drug.quantity > 0
        and (not drug.prescription_number or drug.prescription_qualifier in _RX_QUALIFIERS)
    ):
        return False
    for adj in ln.adjudications:
        if not (
            adj.payer_id in other_ids
            and adj.procedure_qualifier in _PROCEDURE_QUALIFIERS
            and 0 < len(adj.procedure_code) <= 48
            and len(adj.modifiers) <= 4
            and all(len(m) == 2 for m in adj.modifiers)
            and _adjustments_ok(adj.adjustments)
        ):
            return False
    return True


def _adjustments_ok(adjustments: list[Adjustment]) -> bool:
    groups: dict[str, int] = {}
    for a in adjustments:
        if a.group not in _CAS_GROUPS or not 0 < len(a.reason) <= 5:
            return False
        groups[a.group] = groups.get(a.group, 0) + 1
    return len(groups) <= 5 and all(n <= 6 for n in groups.values())


def _other_payer_ok(op: OtherPayer) -> bool:
    return (
        op.responsibility in _RESPONSIBILITY
        and op.relationship in _OTHER_RELATIONSHIPS
        and (not op.claim_filing or op.claim_filing in _FILING)
        and (not op.insurance_type or op.insurance_type in _INSURANCE_TYPES)
        and op.benefits_assigned in _YNW
        and (not op.patient_signature_source or op.patient_signature_source in _SIGNATURE_SOURCE)
        and op.release_of_information in _RELEASE
        and op.subscriber_id_qualifier in _MEMBER_ID_QUALIFIERS
        and op.payer_id_qualifier in _PAYER_ID_QUALIFIERS
        and 0 < len(op.subscriber_name.last) <= 60
        and 0 < len(op.subscriber_id) <= 80
        and 0 < len(op.payer_name) <= 60
        and 0 < len(op.payer_id) <= 80
        and _adjustments_ok(op.adjustments)
    )


def _claim_ok(cl: ProfessionalClaim) -> bool:
    """True when the claim may be written as is (fast; :func:`_validate_claim` says why not)."""
    lines = cl.lines
    dx = cl.diagnoses
    ndx = len(dx)
    freq = cl.frequency
    pos = cl.place_of_service
    causes = cl.related_causes
    if not (
        0 < len(cl.patient_control_number) <= 38
        and 1 <= len(lines) <= MAX_LINES
        and 1 <= ndx <= MAX_DIAGNOSES
        and all(0 < len(code) <= 30 for code in dx)
        and freq in _FREQUENCIES
        and (freq == "1" or cl.payer_claim_number)
        and len(pos) == 2
        and pos.isdigit()
        and cl.assignment in _ASSIGNMENT
        and cl.benefits_assigned in _YNW
        and cl.release_of_information in _RELEASE
        and (not cl.patient_signature_source or cl.patient_signature_source in _SIGNATURE_SOURCE)
        and (not cl.delay_reason or cl.delay_reason in _DELAY_REASONS)
        and len(causes) <= 2
        and all(rc in _RELATED_CAUSES for rc in causes)
        and (causes or not (cl.accident_state or cl.accident_country))
        and len(cl.other_payers) <= MAX_OTHER_PAYERS
        and sum((ln.charge for ln in lines), Decimal(0)) == cl.total_charge
    ):
        return False
    if cl.dates:
        seen: set[str] = set()
        for d in cl.dates:
            q = d.qualifier
            if (
                q not in _CLAIM_DATE_QUALIFIERS
                or (q in seen and q not in ("090", "091"))
                or (d.end is None and q in _RANGE_DATE_QUALIFIERS)
                or (d.end is not None and d.end < d.start)
            ):
                return False
            seen.add(q)
    for p in (cl.referring, cl.primary_care, cl.supervising):
        if p is not None and not (
            _npi_shape(p.npi) and p.name.person and 0 < len(p.name.last) <= 60
        ):
            return False
    r = cl.rendering
    if r is not None and not (_npi_shape(r.npi) and 0 < len(r.name.last) <= 60):
        return False
    sf = cl.service_facility
    if sf is not None and not (_npi_shape(sf.npi) and 0 < len(sf.name) <= 60 and _zip9(sf.address)):
        return False
    other_ids: set[str] = set()
    for op in cl.other_payers:
        if not _other_payer_ok(op):
            return False
        other_ids.add(op.payer_id)
    return all(_line_ok(ln, ndx, other_ids) for ln in lines)


def _zip9(a: Address) -> bool:
    z = a.postal_code
    return bool(a.country and a.country != "US") or (len(z) == 9 and z.isdigit())


def _validate_claim(cl: ProfessionalClaim) -> None:
    """Raise ValueError naming what makes the claim unwritable (the slow path)."""
    pcn = cl.patient_control_number
    where = f"claim {pcn!r}"
    _need(pcn, "patient control number (CLM01)", "claim", 38)
    lines = cl.lines
    if not 1 <= len(lines) <= MAX_LINES:
        raise ValueError(f"{where}: 1 to {MAX_LINES} service lines are required")
    ndx = len(cl.diagnoses)
    if not 1 <= ndx <= MAX_DIAGNOSES:
        raise ValueError(f"{where}: 1 to {MAX_DIAGNOSES} diagnoses are required")
    for code in cl.diagnoses:
        if not code or len(code) > 30:
            raise ValueError(f"{where}: diagnosis code {code!r} is empty or too long")
    total = sum((ln.charge for ln in lines), Decimal(0))
    if total != cl.total_charge:
        raise ValueError(
            f"{where}: total charge {cl.total_charge} is not the sum of the lines ({total})"
        )
    freq = cl.frequency
    _code(freq, _FREQUENCIES, "frequency (CLM05-3)", where, required=True)
    if freq != "1" and not cl.payer_claim_number:
        raise ValueError(f"{where}: frequency {freq} needs the payer's claim number (REF*F8)")
    pos = cl.place_of_service
    if len(pos) != 2 or not pos.isdigit():
        raise ValueError(f"{where}: place of service {pos!r} must be 2 digits")
    _code(cl.assignment, _ASSIGNMENT, "assignment (CLM07)", where, required=True)
    _code(cl.benefits_assigned, _YNW, "benefits assigned (CLM08)", where, required=True)
    _code(
        cl.release_of_information, _RELEASE, "release of information (CLM09)", where, required=True
    )
    _code(
        cl.patient_signature_source,
        _SIGNATURE_SOURCE,
        "patient signature source",
        where,
        required=False,
    )
    _code(cl.delay_reason, _DELAY_REASONS, "delay reason (CLM20)", where, required=False)
    if len(cl.related_causes) > 2:
        raise ValueError(f"{where}: at most two related causes (CLM11)")
    for rc in cl.related_causes:
        _code(rc, _RELATED_CAUSES, "related cause", where, required=True)
    if (cl.accident_state or cl.accident_country) and not cl.related_causes:
        raise ValueError(f"{where}: an accident state needs a related cause (CLM11)")
    seen_dates: set[str] = set()
    for d in cl.dates:
        q = d.qualifier
        _code(q, _CLAIM_DATE_QUALIFIERS, "claim date qualifier", where, required=True)
        if q in seen_dates and q not in ("090", "091"):
            raise ValueError(f"{where}: claim date {q} given twice")
        seen_dates.add(q)
        if d.end is None and q in _RANGE_DATE_QUALIFIERS:
            raise ValueError(f"{where}: claim date {q} must be a range")
        if d.end is not None and d.end < d.start:
            raise ValueError(f"{where}: claim date {q} ends before it starts")
    for prov, entity in ((cl.referring, "DN"), (cl.primary_care, "P3"), (cl.supervising, "DQ")):
        if prov is not None:
            _npi_ok(prov.npi, where, f"{entity} provider", required=False)
            _need(prov.name.last, f"{entity} provider name", where, 60)
            if not prov.name.person:
                raise ValueError(f"{where}: the {entity} provider must be a person")
    r = cl.rendering
    if r is not None:
        _npi_ok(r.npi, where, "rendering provider", required=False)
        _need(r.name.last, "rendering provider name", where, 60)
    sf = cl.service_facility
    if sf is not None:
        _npi_ok(sf.npi, where, "service facility", required=False)
        _need(sf.name, "service facility name", where, 60)
        _zip_ok(sf.address, where, "service facility", nine=True)
    if len(cl.other_payers) > MAX_OTHER_PAYERS:
        raise ValueError(f"{where}: at most {MAX_OTHER_PAYERS} other payers")
    other_ids: set[str] = set()
    for op in cl.other_payers:
        _validate_other_payer(op, f"{where}, other payer {op.payer_id}")
        other_ids.add(op.payer_id)
    for n, ln in enumerate(lines, start=1):
        _validate_line(ln, ndx, other_ids, f"{where}, line {n}")


def _validate_adjustments(adjustments: list[Adjustment], where: str) -> None:
    groups: dict[str, int] = {}
    for a in adjustments:
        _code(a.group, _CAS_GROUPS, "adjustment group", where, required=True)
        _need(a.reason, "adjustment reason", where, 5)
        groups[a.group] = groups.get(a.group, 0) + 1
    if len(groups) > 5:
        raise ValueError(f"{where}: at most 5 adjustment groups (CAS segments)")
    for group, n in groups.items():
        if n > 6:
            raise ValueError(f"{where}: at most 6 adjustments of group {group} in one CAS")


def _validate_other_payer(op: OtherPayer, w: str) -> None:
    _code(op.responsibility, _RESPONSIBILITY, "payer responsibility", w, required=True)
    _code(op.relationship, _OTHER_RELATIONSHIPS, "relationship", w, required=True)
    _code(op.claim_filing, _FILING, "claim filing indicator", w, required=False)
    _code(op.insurance_type, _INSURANCE_TYPES, "insurance type", w, required=False)
    _code(op.benefits_assigned, _YNW, "benefits assigned (OI03)", w, required=True)
    _code(
        op.patient_signature_source,
        _SIGNATURE_SOURCE,
        "patient signature source",
        w,
        required=False,
    )
    _code(op.release_of_information, _RELEASE, "release of information (OI06)", w, required=True)
    _code(
        op.subscriber_id_qualifier,
        _MEMBER_ID_QUALIFIERS,
        "subscriber id qualifier",
        w,
        required=True,
    )
    _code(op.payer_id_qualifier, _PAYER_ID_QUALIFIERS, "payer id qualifier", w, required=True)
    _need(op.subscriber_name.last, "subscriber name", w, 60)
    _need(op.subscriber_id, "subscriber id", w, 80)
    _need(op.payer_name, "payer name", w, 60)
    _need(op.payer_id, "payer id", w, 80)
    _validate_adjustments(op.adjustments, w)


def _validate_line(ln: ServiceLine, ndx: int, other_ids: set[str], w: str) -> None:
    _code(ln.procedure_qualifier, _PROCEDURE_QUALIFIERS, "procedure qualifier", w, required=True)
    _need(ln.procedure_code, "procedure code", w, 48)
    mods = ln.modifiers
    if len(mods) > 4:
        raise ValueError(f"{w}: at most 4 modifiers")
    for m in mods:
        if len(m) != 2:
            raise ValueError(f"{w}: modifier {m!r} must be 2 characters")
    _code(ln.unit_basis, _UNIT_BASIS, "unit basis (SV103)", w, required=True)
    ptrs = ln.diagnosis_pointers
    if not 1 <= len(ptrs) <= 4:
        raise ValueError(f"{w}: 1 to 4 diagnosis pointers are required")
    for p in ptrs:
        if type(p) is not int or not 1 <= p <= ndx:
            raise ValueError(f"{w}: diagnosis pointer {p!r} is not 1 to {ndx}")
    if not ln.units > 0:
        raise ValueError(f"{w}: units must be positive")
    lpos = ln.place_of_service
    if lpos and (len(lpos) != 2 or not lpos.isdigit()):
        raise ValueError(f"{w}: place of service {lpos!r} must be 2 digits")
    _need(ln.control_number, "line control number (REF*6R)", w, 50)
    if ln.service_end_date is not None and ln.service_end_date < ln.service_date:
        raise ValueError(f"{w}: the service ends before it starts")
    drug = ln.drug
    if drug is not None:
        _code(drug.qualifier, _DRUG_QUALIFIERS, "drug id qualifier", w, required=True)
        _need(drug.ndc, "NDC", w, 48)
        if drug.qualifier == "N4" and (len(drug.ndc) != 11 or not drug.ndc.isdigit()):
            raise ValueError(f"{w}: NDC {drug.ndc!r} must be 11 digits")
        _code(drug.unit, _DRUG_UNITS, "drug unit", w, required=True)
        if not drug.quantity > 0:
            raise ValueError(f"{w}: drug quantity must be positive")
        if drug.prescription_number:
            _code(
                drug.prescription_qualifier,
                _RX_QUALIFIERS,
                "prescription qualifier",
                w,
                required=True,
            )
    if len(ln.adjudications) > 15:
        raise ValueError(f"{w}: at most 15 line adjudications")
    for adj in ln.adjudications:
        if adj.payer_id not in other_ids:
            raise ValueError(
                f"{w}: line adjudication payer {adj.payer_id!r} is not one of the claim's"
                " other payers (2330B)"
            )
        _code(
            adj.procedure_qualifier,
            _PROCEDURE_QUALIFIERS,
            "procedure qualifier",
            w,
            required=True,
        )
        _need(adj.procedure_code, "adjudicated procedure code", w, 48)
        if len(adj.modifiers) > 4 or any(len(m) != 2 for m in adj.modifiers):
            raise ValueError(f"{w}: at most 4 modifiers of 2 characters")
        _validate_adjustments(adj.adjustments, w)


def _same(a: object, b: object) -> bool:
    return a is b or a == b


def write_837p(batch: ProfessionalClaimBatch, w: SegmentWriter) -> None:
    """Write the segments of ``batch`` between ST and SE (BHT ... last service line) into ``w``.

    Consecutive claims with equal billing providers share a 2000A level, consecutive claims of
    one billing provider with equal subscribers a 2000B level (one for claims of the subscriber
    as patient, another for claims of dependents), and consecutive dependent claims with equal
    patients a 2000C level (at most 100 claims per level). Raises ``ValueError`` for more than
    5,000 claims or for data the guide does not allow.
    """
    claims = batch.claims
    if len(claims) > MAX_CLAIMS_PER_SET:
        raise ValueError(
            f"{len(claims)} claims in one transaction set: at most {MAX_CLAIMS_PER_SET} are"
            " allowed (use split_claims)"
        )
    if not claims:
        raise ValueError("a batch needs at least one claim")
    cw = _ClaimWriter(w)
    cw.header(batch)
    hl = 0
    bp_hl = sub_hl = 0
    prev_bp: BillingProvider | None = None
    prev_sub: Subscriber | None = None
    prev_pat: Patient | None = None
    in_level = 0
    for cl in claims:
        bp = cl.billing_provider
        sub = cl.subscriber
        pat = cl.patient
        new_sub = False
        if prev_bp is None or not _same(bp, prev_bp):
            hl += 1
            bp_hl = hl
            cw.billing(hl, bp)
            prev_bp = bp
            new_sub = True
        if (
            new_sub
            or prev_sub is None
            or not _same(sub, prev_sub)
            or (pat is None) != (prev_pat is None)
            or (pat is None and in_level >= MAX_CLAIMS_PER_HL)
        ):
            hl += 1
            sub_hl = hl
            cw.subscriber(hl, bp_hl, sub, is_patient=pat is None)
            prev_sub = sub
            prev_pat = None
            in_level = 0
            new_sub = True
        if pat is not None and (
            new_sub or prev_pat is None or not _same(pat, prev_pat) or in_level >= MAX_CLAIMS_PER_HL
        ):
            hl += 1
            cw.patient(hl, sub_hl, pat)
            in_level = 0
        prev_pat = pat
        in_level += 1
        cw.claim(cl)


def split_claims(
    batch: ProfessionalClaimBatch, max_claims: int = MAX_CLAIMS_PER_SET
) -> list[ProfessionalClaimBatch]:
    """``batch`` cut into batches of at most ``max_claims`` claims (same header)."""
    if not 1 <= max_claims <= MAX_CLAIMS_PER_SET:
        raise ValueError(f"max_claims must be 1 to {MAX_CLAIMS_PER_SET}")
    out: list[ProfessionalClaimBatch] = []
    for i in range(0, max(len(batch.claims), 1), max_claims):
        out.append(
            ProfessionalClaimBatch(
                submitter=batch.submitter,
                receiver=batch.receiver,
                reference=batch.reference,
                created_date=batch.created_date,
                created_time=batch.created_time,
                claims=batch.claims[i : i + max_claims],
                purpose=batch.purpose,
                claim_type=batch.claim_type,
            )
        )
    return out


def write_837p_interchange(
    batches: Sequence[ProfessionalClaimBatch],
    *,
    set_control_numbers: Sequence[str],
    sender_id: str,
    receiver_id: str,
    isa_control: int | str,
    gs_control: int | str,
    usage: str = "P",
    now: datetime | None = None,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
    gs_sender: str | None = None,
    gs_receiver: str | None = None,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    newline: bool = False,
    out: IO[str] | None = None,
) -> str:
    """A complete interchange (ISA/GS, one ST-SE per batch with the caller's ST02 control
    numbers, GE/IEA) of 837P batches, version 005010X222A1. Returns the text (or "" when
    ``out`` is given and the text went there)."""
    if len(batches) != len(set_control_numbers):
        raise ValueError("one ST02 control number per batch is required")
    if len(set(set_control_numbers)) != len(set_control_numbers):
        raise ValueError("ST02 control numbers must be unique within the group")
    for b in batches:
        if len(b.claims) > MAX_CLAIMS_PER_SET:
            raise ValueError(
                f"{len(b.claims)} claims in one transaction set: at most {MAX_CLAIMS_PER_SET}"
            )

    def body(b: ProfessionalClaimBatch) -> Callable[[SegmentWriter], None]:
        return lambda w: write_837p(b, w)

    sets = [
        OutgoingSet("837", ctl, body(b), VERSION)
        for b, ctl in zip(batches, set_control_numbers, strict=True)
    ]
    return write_interchange(
        sets,
        sender_id=sender_id,
        receiver_id=receiver_id,
        isa_control=isa_control,
        gs_control=gs_control,
        functional_id="HC",
        version=VERSION,
        usage=usage,
        now=now,
        sender_qualifier=sender_qualifier,
        receiver_qualifier=receiver_qualifier,
        gs_sender=gs_sender,
        gs_receiver=gs_receiver,
        delimiters=delimiters,
        newline=newline,
        out=out,
    )


# ---------------------------------------------------------------------------------------------
# Reader: the loop grammar of 005010X222A1
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _S:
    """A segment slot: id, position in the guide's table, name, usage, maximum use and the
    qualifier values that tell it apart from other slots of the same id."""

    id: str
    pos: int
    name: str
    required: bool = False
    max_use: int = 1
    quals: frozenset[str] | None = None
    qual_pos: int = 1
    qual_sub: int = 0

    def matches(self, seg: Segment) -> bool:
        q = self.quals
        if q is None:
            return True
        v = seg.comp(self.qual_pos, self.qual_sub) if self.qual_sub else seg.el(self.qual_pos)
        return v in q

    def label(self) -> str:
        if self.quals is None:
            return self.id
        return f"{self.id}*{'/'.join(sorted(self.quals))}"


def _s(
    sid: str,
    pos: int,
    name: str,
    usage: str = "S",
    max_use: int = 1,
    quals: str | None = None,
    qual_pos: int = 1,
    qual_sub: int = 0,
) -> _S:
    return _S(
        sid,
        pos,
        name,
        usage == "R",
        max_use,
        frozenset(quals.split()) if quals is not None else None,
        qual_pos,
        qual_sub,
    )


type _Hook = Callable[["_Node", "_Parser"], None]
type _Build = Callable[["_Node", "_Parser"], object]


def _keyed[T](
    entries: list[tuple[_S, T]],
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[T, ...]]]:
    qual_at: dict[str, tuple[int, int]] = {}
    by_key: dict[str, list[T]] = {}
    plain: set[str] = set()
    for slot, value in entries:
        if slot.quals is None:
            if slot.id in qual_at:
                raise AssertionError(f"{slot.id}: slots with and without qualifiers")
            plain.add(slot.id)
            by_key.setdefault(slot.id, []).append(value)
            continue
        where = (slot.qual_pos, slot.qual_sub)
        if slot.id in plain or qual_at.setdefault(slot.id, where) != where:
            raise AssertionError(f"{slot.id}: qualifiers in different places")
        for q in sorted(slot.quals):
            by_key.setdefault(f"{slot.id}\x1f{q}", []).append(value)
    return qual_at, {k: tuple(v) for k, v in by_key.items()}


class _L:
    """A loop: its first segment (``trigger``), the segments that follow it, child loops."""

    __slots__ = (
        "build",
        "by_key",
        "child_index",
        "children",
        "head",
        "max_repeat",
        "name",
        "pos",
        "qual_at",
        "required",
        "required_before",
        "required_children",
        "required_segs",
        "seg_index",
        "seg_required_before",
        "segs",
        "start",
        "title",
        "trigger",
    )

    def __init__(
        self,
        name: str,
        title: str,
        trigger: _S,
        *,
        usage: str = "S",
        max_repeat: int = 1,
        pos: int | None = None,
        segs: Sequence[_S] = (),
        children: Sequence[_L] = (),
        start: _Hook | None = None,
        head: _Hook | None = None,
        build: _Build | None = None,
    ) -> None:
        self.name = name
        self.title = title
        self.trigger = trigger
        self.pos = trigger.pos if pos is None else pos
        self.required = usage == "R"
        self.max_repeat = max_repeat
        self.segs = tuple(segs)
        self.children = tuple(children)
        index: dict[str, list[tuple[int, _S]]] = {}
        for i, r in enumerate(self.segs):
            index.setdefault(r.id, []).append((i, r))
        self.seg_index = {k: tuple(v) for k, v in index.items()}
        kids: dict[str, list[_L]] = {}
        for k in self.children:
            kids.setdefault(k.trigger.id, []).append(k)
        self.child_index = {k: tuple(v) for k, v in kids.items()}
        # Fast lookup keyed on "ID" or "ID\x1fQUALIFIER": where each id's qualifier sits, and
        # the slots / child loops a key may start.
        seg_qual_at, seg_by_key = _keyed([(r, (i, r)) for i, r in enumerate(self.segs)])
        kid_qual_at, kid_by_key = _keyed([(k.trigger, k) for k in self.children])
        for sid in seg_qual_at.keys() & kid_qual_at.keys():
            if seg_qual_at[sid] != kid_qual_at[sid]:
                raise AssertionError(f"{name}: {sid} qualifiers in different places")
        for sid in (seg_qual_at.keys() & kid_by_key.keys()) | (
            kid_qual_at.keys() & seg_by_key.keys()
        ):
            raise AssertionError(f"{name}: {sid} both with and without qualifiers")
        self.qual_at = {**seg_qual_at, **kid_qual_at}
        self.by_key: dict[str, tuple[tuple[tuple[int, _S], ...] | None, tuple[_L, ...] | None]]
        self.by_key = {
            k: (seg_by_key.get(k), kid_by_key.get(k)) for k in seg_by_key.keys() | kid_by_key.keys()
        }
        self.required_segs = tuple(i for i, r in enumerate(self.segs) if r.required)
        # Per slot: required slots placed earlier in the loop's table.
        self.seg_required_before = tuple(
            tuple(j for j in self.required_segs if self.segs[j].pos < r.pos) for r in self.segs
        )
        self.required_children = tuple(k for k in self.children if k.required)
        # Required sibling loops that must already be there when a child loop starts.
        self.required_before = {
            k.name: tuple(r for r in self.required_children if r.pos < k.pos) for k in self.children
        }
        self.start = start
        self.head = head
        self.build = build


class _Node:
    """A loop as read: its segments (the trigger first), the values its child loops built,
    what its head hook parsed (``obj``) and, for HL levels, the HL id and assembled context."""

    __slots__ = (
        "counts",
        "ctx",
        "heads_done",
        "hl",
        "hl_children",
        "kids",
        "obj",
        "parent",
        "rule",
        "segs",
    )

    def __init__(self, rule: _L, first: Segment, parent: _Node | None) -> None:
        self.rule = rule
        self.segs = [first]
        self.kids: list[tuple[str, object]] = []
        self.parent = parent
        self.obj: Any = None
        self.ctx: Any = None
        self.hl = ""
        self.hl_children = ""
        self.counts: list[int] = []
        self.heads_done = False

    def kid(self, name: str) -> object:
        for n, v in self.kids:
            if n == name:
                return v
        return None


_NO_PAYER: Final = Payer(name="", payer_id="")


class _Parser:
    """Matches the segments of one transaction set against the loop grammar, calling the
    loops' hooks to build the dataclasses as loops complete (memory stays bounded by one
    claim plus the HL context)."""

    __slots__ = ("_it", "claims", "hl_count", "last", "reject_node", "reject_seg")

    def __init__(self, segments: Iterator[Segment]) -> None:
        self._it = segments
        self.hl_count = 0
        self.claims: list[ProfessionalClaim] = []
        self.reject_seg: Segment | None = None
        self.reject_node: _Node | None = None
        self.last: Segment | None = None

    def next(self) -> Segment | None:
        seg = next(self._it, None)
        if seg is not None and seg.error is not None:
            raise seg.error
        return seg

    def run(self) -> ProfessionalClaimBatch:
        first = self.next()
        if first is None:
            raise X12Error(
                C.SEGMENT_MISSING,
                "the transaction set is empty: BHT is required",
                segment_id="BHT",
                loop="HEADER",
            )
        if first.id != "BHT":
            raise first.error_at(
                C.SEGMENT_MISSING if first.id in _ALL_IDS else C.SEGMENT_UNRECOGNIZED,
                f"the transaction set must begin with BHT, not {first.id}",
                loop="HEADER",
            )
        value, seg = self.loop(_ROOT, first, None)
        if seg is not None:
            raise self.misplaced(seg)
        assert isinstance(value, ProfessionalClaimBatch)
        return value

    def loop(self, rule: _L, first: Segment, parent: _Node | None) -> tuple[object, Segment | None]:
        node = _Node(rule, first, parent)
        if rule.start is not None:
            rule.start(node, self)
        segs = node.segs
        rsegs = rule.segs
        qual_at = rule.qual_at
        by_key = rule.by_key
        before = rule.seg_required_before
        counts = [0] * len(rsegs)
        kid_counts: dict[str, int] = {}
        pos = -1
        child_pos = -1
        heads_done = False
        it = self._it
        seg = next(it, None)
        while seg is not None:
            if seg.error is not None:
                raise seg.error
            sid = seg.id
            qa = qual_at.get(sid)
            if qa is None:
                entry = by_key.get(sid)
            else:
                qp, qs = qa
                if qs:
                    q = seg.comp(qp, qs)
                else:
                    e = seg.elements
                    q = e[qp - 1] if len(e) >= qp else ""
                entry = by_key.get(f"{sid}\x1f{q}")
            if entry is None:
                break
            cands, kids = entry
            if cands is not None and not heads_done:
                hit = -1
                for i, r in cands:
                    if r.pos >= pos and counts[i] < r.max_use:
                        hit = i
                        break
                if hit >= 0:
                    for j in before[hit]:
                        if not counts[j]:
                            r = rsegs[j]
                            raise self.missing(node, seg, f"segment {r.label()} ({r.name})", r.id)
                    counts[hit] += 1
                    pos = rsegs[hit].pos
                    segs.append(seg)
                    seg = next(it, None)
                    continue
            if kids is None:
                break
            kr: _L | None = None
            for k in kids:
                if k.pos >= child_pos:
                    kr = k
                    break
            if kr is None:
                break
            n = kid_counts.get(kr.name, 0)
            if n >= kr.max_repeat:
                raise seg.error_at(
                    C.LOOP_REPEATED,
                    f"loop {kr.name} ({kr.title}) may occur at most {kr.max_repeat}"
                    f" time{'s' if kr.max_repeat > 1 else ''} in loop {rule.name}",
                    loop=kr.name,
                )
            if not heads_done:
                heads_done = True
                self.check_required(node, counts, seg)
                if rule.head is not None:
                    rule.head(node, self)
            for k in rule.required_before[kr.name]:
                if k.name not in kid_counts:
                    raise self.missing(
                        node, seg, f"loop {k.name} ({k.title}, {k.trigger.label()})", k.trigger.id
                    )
            kid_counts[kr.name] = n + 1
            child_pos = kr.pos
            value, seg = self.loop(kr, seg, node)
            if value is not None:
                node.kids.append((kr.name, value))
        if seg is not None:
            if self.reject_seg is not seg:
                # The innermost loop that could not place the segment, for error messages.
                self.reject_seg = seg
                self.reject_node = node
                node.counts = counts
                node.heads_done = heads_done
        elif self.last is None:
            self.last = segs[-1]
        if not heads_done:
            self.check_required(node, counts, seg)
            if rule.head is not None:
                rule.head(node, self)
        for k in rule.required_children:
            if k.name not in kid_counts:
                raise self.missing(
                    node, seg, f"loop {k.name} ({k.title}, {k.trigger.label()})", k.trigger.id
                )
        value = rule.build(node, self) if rule.build is not None else None
        return value, seg

    def check_required(self, node: _Node, counts: list[int], seg: Segment | None) -> None:
        for i in node.rule.required_segs:
            if not counts[i]:
                r = node.rule.segs[i]
                raise self.missing(node, seg, f"segment {r.label()} ({r.name})", r.id)

    def fits_above(self, node: _Node, seg: Segment) -> bool:
        """Whether some enclosing loop of ``node`` has a slot or a child loop for ``seg``."""
        anc = node.parent
        while anc is not None:
            rule = anc.rule
            for _, r in rule.seg_index.get(seg.id, ()):
                if r.matches(seg):
                    return True
            for k in rule.child_index.get(seg.id, ()):
                if k.trigger.matches(seg):
                    return True
            anc = anc.parent
        return False

    def missing(self, node: _Node, seg: Segment | None, what: str, sid: str) -> X12Error:
        if (
            seg is not None
            and self.reject_seg is seg
            and self.reject_node is not None
            and not self.fits_above(self.reject_node, seg)
        ):
            # The segment that ended the loop belongs nowhere: that is the first defect.
            return self.misplaced(seg)
        start = node.segs[0]
        where = f"loop {node.rule.name} ({node.rule.title}) beginning at segment {start.number}"
        if seg is not None:
            at, at_id = seg.number, seg.id
            text = f"{what} is required in {where}; found {seg.id} instead"
        else:
            last = self.last if self.last is not None else start
            at, at_id = last.number, last.id
            text = f"{what} is required in {where}; the transaction set ends first"
        return X12Error(
            C.SEGMENT_MISSING, text, segment_number=at, segment_id=at_id, loop=node.rule.name
        )

    def misplaced(self, seg: Segment) -> X12Error:
        rj = self.reject_node if self.reject_seg is seg else None
        if seg.id not in _ALL_IDS:
            return seg.error_at(
                C.SEGMENT_UNRECOGNIZED,
                f"segment {seg.id} is not part of an 837P (005010X222A1)",
                loop=rj.rule.name if rj else None,
            )
        if rj is None:
            return seg.error_at(C.SEGMENT_UNEXPECTED, f"segment {seg.id} is not expected here")
        rule = rj.rule
        loop = rule.name
        same = [(i, r) for i, r in enumerate(rule.segs) if r.id == seg.id]
        kids = [k for k in rule.children if k.trigger.id == seg.id]
        if same and not rj.heads_done:
            fitting = [(i, r) for i, r in same if r.matches(seg)]
            if not fitting and not any(k.trigger.matches(seg) for k in kids):
                r = same[0][1]
                return seg.error_at(
                    C.CODE_INVALID,
                    f"{seg.id}{r.qual_pos:02d} qualifier {_qual(seg, r)!r} is not valid for"
                    f" {seg.id} in loop {loop} ({rule.title}); expected one of "
                    + ", ".join(sorted({q for _, x in same for q in (x.quals or ())})),
                    element=r.qual_pos,
                    component=r.qual_sub or None,
                    loop=loop,
                )
            full = [r for i, r in fitting if rj.counts[i] >= r.max_use]
            if fitting and len(full) == len(fitting):
                r = full[0]
                return seg.error_at(
                    C.SEGMENT_REPEATED,
                    f"segment {r.label()} ({r.name}) may occur at most {r.max_use}"
                    f" time{'s' if r.max_use > 1 else ''} in loop {loop} ({rule.title})",
                    loop=loop,
                )
            if fitting:
                return seg.error_at(
                    C.SEGMENT_ORDER,
                    f"segment {seg.id} ({fitting[0][1].name}) is out of order in loop {loop}"
                    f" ({rule.title})",
                    loop=loop,
                )
        if same and rj.heads_done:
            return seg.error_at(
                C.SEGMENT_ORDER,
                f"segment {seg.id} of loop {loop} ({rule.title}) comes after its child loops",
                loop=loop,
            )
        if kids:
            fitting_kids = [k for k in kids if k.trigger.matches(seg)]
            if fitting_kids:
                return seg.error_at(
                    C.SEGMENT_ORDER,
                    f"loop {fitting_kids[0].name} ({fitting_kids[0].title}) is out of order in"
                    f" loop {loop} ({rule.title})",
                    loop=loop,
                )
            k0 = kids[0]
            return seg.error_at(
                C.CODE_INVALID,
                f"{seg.id}{k0.trigger.qual_pos:02d} qualifier {_qual(seg, k0.trigger)!r} does not"
                f" start a loop of loop {loop} ({rule.title}); expected one of "
                + ", ".join(sorted({q for k in kids for q in (k.trigger.quals or ())})),
                element=k0.trigger.qual_pos,
                loop=loop,
            )
        return seg.error_at(
            C.SEGMENT_UNEXPECTED,
            f"segment {seg.id} is not expected in loop {loop} ({rule.title})",
            loop=loop,
        )


def _qual(seg: Segment, r: _S) -> str:
    return seg.comp(r.qual_pos, r.qual_sub) if r.qual_sub else seg.el(r.qual_pos)


# ---------------------------------------------------------------------------------------------
# Reader: element helpers
# ---------------------------------------------------------------------------------------------


def _pad(seg: Segment, n: int) -> list[str]:
    """The elements of ``seg``, padded with "" to at least ``n`` (do not modify the result)."""
    e = seg.elements
    k = len(e)
    return e if k >= n else e + _BLANK[: n - k]


def _missing(seg: Segment, pos: int, name: str, loop: str) -> NoReturn:
    seg.require(pos, name, loop)
    raise AssertionError("unreachable")  # pragma: no cover


def _nm1_name(seg: Segment, loop: str, *, person_only: bool = False) -> Name:
    e = _pad(seg, 9)
    t = e[1]
    if t != "1" and (t != "2" or person_only):
        if person_only and t == "2":
            raise seg.error_at(
                C.CODE_INVALID, "NM102 is '2', this loop names a person (1)", element=2, loop=loop
            )
        seg.require_code(2, _ENTITY_TYPES, "entity type qualifier", loop)
    return Name(
        last=e[2] or _missing(seg, 3, "last or organization name", loop),
        first=e[3],
        middle=e[4],
        suffix=e[6],
        person=t == "1",
    )


def _npi(seg: Segment, loop: str, *, required: bool) -> str:
    """NM109 with NM108 = XX. The reader does not judge the NPI's digits (the guide's own
    examples carry 9-digit ones; the scrubber checks the Luhn digit)."""
    q = seg.el(8)
    if not q and not seg.el(9):
        if required:
            raise seg.error_at(
                C.ELEMENT_MISSING, "NM108/NM109 (NPI) are required", element=8, loop=loop
            )
        return ""
    if q != "XX":
        raise seg.error_at(
            C.CODE_INVALID, f"NM108 is {q!r}, expected XX (NPI)", element=8, loop=loop
        )
    return seg.require(9, "NPI", loop)


def _address(n3: Segment | None, n4: Segment | None, loop: str) -> Address | None:
    if n3 is None or n4 is None:
        if n3 is None and n4 is None:
            return None
        seg = n3 if n3 is not None else n4
        assert seg is not None
        other = "N4" if n4 is None else "N3"
        raise seg.error_at(C.SEGMENT_MISSING, f"{seg.id} needs {other} in loop {loop}", loop=loop)
    a = _pad(n3, 2)
    b = _pad(n4, 7)
    return Address(
        line1=a[0] or _missing(n3, 1, "address line", loop),
        line2=a[1],
        city=b[0] or _missing(n4, 1, "city", loop),
        state=b[1],
        postal_code=b[2],
        country=b[3],
        country_subdivision=b[6],
    )


def _contact(seg: Segment, loop: str) -> Contact:
    seg.require_code(1, {"IC"}, "contact function", loop)
    c = Contact(name=seg.el(2))
    for qpos in (3, 5, 7):
        q = seg.el(qpos)
        v = seg.el(qpos + 1)
        if not q and not v:
            if qpos == 3:
                raise seg.error_at(
                    C.ELEMENT_MISSING,
                    "PER03 (communication qualifier) is required",
                    element=3,
                    loop=loop,
                )
            continue
        seg.require(qpos + 1, "communication number", loop)
        if q == "TE":
            c.phone = v
        elif q == "EX":
            c.phone_extension = v
        elif q == "FX":
            c.fax = v
        elif q == "EM":
            c.email = v
        elif q == "ED":
            continue
        else:
            raise seg.error_at(
                C.CODE_INVALID,
                f"PER{qpos:02d} is {q!r}, expected TE, EX, FX, EM or ED",
                element=qpos,
                loop=loop,
            )
    return c


def _period(seg: Segment, loop: str, *, range_ok: bool = True) -> tuple[date, date | None]:
    e = _pad(seg, 3)
    fmt = e[1]
    v = e[2]
    if fmt == "D8" and v:
        d = parse_date(v)
        if d is None:
            raise seg.error_at(
                C.DATE_INVALID, f"DTP03 {v!r} is not a date CCYYMMDD", element=3, loop=loop
            )
        return d, None
    seg.require_code(2, {"D8", "RD8"}, "date format qualifier", loop)
    seg.require(3, "date", loop)
    if not range_ok:
        raise seg.error_at(
            C.CODE_INVALID, "DTP02 must be D8 (a single date) here", element=2, loop=loop
        )
    a, _, b = v.partition("-")
    start = parse_date(a)
    end = parse_date(b)
    if start is None or end is None or end < start:
        raise seg.error_at(
            C.DATE_INVALID,
            f"DTP03 {v!r} is not a date range CCYYMMDD-CCYYMMDD",
            element=3,
            loop=loop,
        )
    return start, end


def _d8(seg: Segment, loop: str) -> date:
    d, _ = _period(seg, loop, range_ok=False)
    return d


def _cas(seg: Segment, loop: str) -> list[Adjustment]:
    group = seg.require_code(1, _CAS_GROUPS, "adjustment group", loop)
    seg.check_max_elements(19, loop)
    out: list[Adjustment] = []
    for k in range(6):
        p = 2 + 3 * k
        reason = seg.el(p)
        if not reason:
            if k == 0:
                seg.require(p, "adjustment reason", loop)
            if seg.el(p + 1) or seg.el(p + 2):
                raise seg.error_at(
                    C.ELEMENT_MISSING,
                    f"CAS{p:02d} (reason) is required with an amount",
                    element=p,
                    loop=loop,
                )
            continue
        out.append(
            Adjustment(
                group=group,
                reason=reason,
                amount=seg.require_decimal(p + 1, "adjustment amount", loop),
                quantity=seg.decimal_el(p + 2, "adjustment quantity", loop),
            )
        )
    return out


def _procedure(seg: Segment, pos: int, loop: str) -> tuple[str, str, list[str], str]:
    e = seg.elements
    parts = e[pos - 1].split(seg.delimiters.component) if len(e) >= pos and e[pos - 1] else []
    n = len(parts)
    qual = parts[0] if n else ""
    code = parts[1] if n > 1 else ""
    if qual not in _PROCEDURE_QUALIFIERS or not code or n > 8:
        if not qual:
            raise seg.error_at(
                C.ELEMENT_MISSING,
                f"{seg.id}{pos:02d}-1 (procedure qualifier) is required",
                element=pos,
                component=1,
                loop=loop,
            )
        if qual not in _PROCEDURE_QUALIFIERS:
            raise seg.error_at(
                C.CODE_INVALID,
                f"{seg.id}{pos:02d}-1 is {qual!r}, expected HC, ER, IV or WK",
                element=pos,
                component=1,
                loop=loop,
            )
        if not code:
            raise seg.error_at(
                C.ELEMENT_MISSING,
                f"{seg.id}{pos:02d}-2 (procedure code) is required",
                element=pos,
                component=2,
                loop=loop,
            )
        raise seg.error_at(
            C.TOO_MANY_COMPONENTS,
            f"{seg.id}{pos:02d} has {n} components",
            element=pos,
            loop=loop,
        )
    if n == 2:
        return qual, code, [], ""
    mods = parts[2:6]
    while mods and not mods[-1]:
        mods.pop()
    for i, m in enumerate(mods):
        if len(m) != 2:
            raise seg.error_at(
                C.ELEMENT_INVALID,
                f"{seg.id}{pos:02d}-{i + 3} modifier {m!r} must be 2 characters",
                element=pos,
                component=i + 3,
                loop=loop,
            )
    return qual, code, mods, parts[6] if n > 6 else ""


# ---------------------------------------------------------------------------------------------
# Reader: hooks that build the dataclasses
# ---------------------------------------------------------------------------------------------

_HL_LEVELS: Final = {"2000A": "20", "2000B": "22", "2000C": "23"}


def _hl_start(node: _Node, p: _Parser) -> None:
    hl = node.segs[0]
    loop = node.rule.name
    p.hl_count += 1
    hid = hl.require(1, "hierarchical id", loop)
    if hid != str(p.hl_count):
        raise hl.error_at(
            C.ELEMENT_INVALID,
            f"HL01 is {hid!r}, expected {p.hl_count} (HL ids"
            " count 1, 2, 3 ... through the transaction set)",
            element=1,
            loop=loop,
        )
    parent = node.parent
    want = parent.hl if parent is not None and parent.rule.name in _HL_LEVELS else ""
    got = hl.el(2)
    if got != want:
        raise hl.error_at(
            C.ELEMENT_INVALID,
            f"HL02 (parent id) is {got!r}, expected {want!r}"
            + (
                " (the billing provider level has no parent)"
                if not want
                else f" (the enclosing {parent.rule.title if parent else ''} level)"
            ),
            element=2,
            loop=loop,
        )
    child = hl.require(4, "hierarchical child code", loop)
    allowed = {"2000A": {"1"}, "2000B": {"0", "1"}, "2000C": {"0"}}[loop]
    if child not in allowed:
        raise hl.error_at(
            C.CODE_INVALID,
            f"HL04 is {child!r}, expected " + " or ".join(sorted(allowed)),
            element=4,
            loop=loop,
        )
    if loop == "2000C" and parent is not None and parent.hl_children == "0":
        raise hl.error_at(
            C.ELEMENT_INVALID,
            f"HL02 points to subscriber level {want} whose HL04 says it has no child levels",
            element=2,
            loop=loop,
        )
    node.hl = hid
    node.hl_children = child


def _root_head(node: _Node, p: _Parser) -> None:
    bht = node.segs[0]
    loop = "HEADER"
    bht.require_code(1, {"0019"}, "hierarchical structure code", loop)
    node.obj = (
        bht.require_code(2, _PURPOSES, "purpose", loop),
        bht.require(3, "reference", loop),
        bht.require_date(4, "creation date", loop),
        bht.require_time(5, "creation time", loop),
        bht.require_code(6, _CLAIM_TYPES, "claim or encounter identifier", loop),
    )


def _root_build(node: _Node, p: _Parser) -> object:
    purpose, reference, created_date, created_time, claim_type = node.obj
    submitter = node.kid("1000A")
    receiver = node.kid("1000B")
    assert isinstance(submitter, Submitter) and isinstance(receiver, Receiver)
    return ProfessionalClaimBatch(
        submitter=submitter,
        receiver=receiver,
        reference=reference,
        created_date=created_date,
        created_time=created_time,
        claims=p.claims,
        purpose=purpose,
        claim_type=claim_type,
    )


def _submitter(node: _Node, p: _Parser) -> object:
    nm1 = node.segs[0]
    loop = "1000A"
    nm1.require_code(8, {"46"}, "id qualifier", loop)
    return Submitter(
        name=_nm1_name(nm1, loop),
        id=nm1.require(9, "submitter id", loop),
        contacts=[_contact(s, loop) for s in node.segs[1:] if s.id == "PER"],
    )


def _receiver(node: _Node, p: _Parser) -> object:
    nm1 = node.segs[0]
    loop = "1000B"
    nm1.require_code(2, {"2"}, "entity type qualifier", loop)
    nm1.require_code(8, {"46"}, "id qualifier", loop)
    return Receiver(
        name=nm1.require(3, "receiver name", loop), id=nm1.require(9, "receiver id", loop)
    )


def _billing_head(node: _Node, p: _Parser) -> None:
    taxonomy = ""
    for s in node.segs[1:]:
        if s.id == "PRV":
            s.require_code(2, {"PXC"}, "reference qualifier", "2000A")
            taxonomy = s.require(3, "taxonomy code", "2000A")
    node.obj = taxonomy


def _billing_2010aa(node: _Node, p: _Parser) -> object:
    loop = "2010AA"
    nm1 = node.segs[0]
    n3 = n4 = tax = None
    contacts: list[Contact] = []
    for s in node.segs[1:]:
        sid = s.id
        if sid == "N3":
            n3 = s
        elif sid == "N4":
            n4 = s
        elif sid == "REF":
            if s.el(1) in _TAX_QUALIFIERS:
                tax = s
        elif sid == "PER":
            contacts.append(_contact(s, loop))
    address = _address(n3, n4, loop)
    assert address is not None and tax is not None
    return BillingProvider(
        name=_nm1_name(nm1, loop),
        npi=_npi(nm1, loop, required=True),
        address=address,
        tax_id=tax.require(2, "tax id", loop),
        tax_id_qualifier=tax.el(1),
        contacts=contacts,
    )


def _pay_to(node: _Node, p: _Parser) -> object:
    loop = "2010AB"
    nm1 = node.segs[0]
    t = nm1.require_code(2, _ENTITY_TYPES, "entity type qualifier", loop)
    n3 = next((s for s in node.segs if s.id == "N3"), None)
    n4 = next((s for s in node.segs if s.id == "N4"), None)
    address = _address(n3, n4, loop)
    assert address is not None
    return PayTo(address=address, person=t == "1")


def _billing_ctx(node: _Node) -> BillingProvider:
    bp = node.ctx
    if bp is None:
        bp = node.kid("2010AA")
        assert isinstance(bp, BillingProvider)
        bp.taxonomy = node.obj or ""
        pay_to = node.kid("2010AB")
        bp.pay_to = pay_to if isinstance(pay_to, PayTo) else None
        node.ctx = bp
    assert isinstance(bp, BillingProvider)
    return bp


def _subscriber_head(node: _Node, p: _Parser) -> None:
    loop = "2000B"
    sbr = next(s for s in node.segs if s.id == "SBR")
    node.obj = (
        sbr.require_code(1, _RESPONSIBILITY, "payer responsibility", loop),
        sbr.code_el(2, {"18"}, "individual relationship", loop),
        sbr.el(3),
        sbr.el(4),
        sbr.code_el(5, _INSURANCE_TYPES, "insurance type", loop),
        sbr.code_el(9, _FILING, "claim filing indicator", loop),
    )


def _subscriber_2010ba(node: _Node, p: _Parser) -> object:
    loop = "2010BA"
    nm1 = node.segs[0]
    n3 = n4 = dmg = None
    for s in node.segs[1:]:
        sid = s.id
        if sid == "N3":
            n3 = s
        elif sid == "N4":
            n4 = s
        elif sid == "DMG":
            dmg = s
    birth: date | None = None
    sex = ""
    if dmg is not None:
        birth, sex = _dmg(dmg, loop)
    e = _pad(nm1, 9)
    qual = e[7]
    if qual not in _MEMBER_ID_QUALIFIERS:
        nm1.require_code(8, _MEMBER_ID_QUALIFIERS, "id qualifier", loop)
    return Subscriber(
        name=_nm1_name(nm1, loop),
        member_id=e[8] or _missing(nm1, 9, "member id", loop),
        member_id_qualifier=qual,
        payer=_NO_PAYER,
        address=_address(n3, n4, loop),
        birth_date=birth,
        sex=sex,
    )


def _dmg(dmg: Segment, loop: str) -> tuple[date, str]:
    e = _pad(dmg, 3)
    birth = parse_date(e[1]) if e[0] == "D8" else None
    sex = e[2]
    if birth is None or sex not in _SEXES:
        dmg.require_code(1, {"D8"}, "date format qualifier", loop)
        dmg.require_date(2, "birth date", loop)
        dmg.require_code(3, _SEXES, "gender", loop)
    assert birth is not None
    return birth, sex


def _payer_2010bb(node: _Node, p: _Parser) -> object:
    loop = "2010BB"
    nm1 = node.segs[0]
    n3 = n4 = None
    for s in node.segs[1:]:
        if s.id == "N3":
            n3 = s
        elif s.id == "N4":
            n4 = s
    e = _pad(nm1, 9)
    if e[1] != "2":
        nm1.require_code(2, {"2"}, "entity type qualifier", loop)
    qual = e[7]
    if qual not in _PAYER_ID_QUALIFIERS:
        nm1.require_code(8, _PAYER_ID_QUALIFIERS, "id qualifier", loop)
    return Payer(
        name=e[2] or _missing(nm1, 3, "payer name", loop),
        payer_id=e[8] or _missing(nm1, 9, "payer id", loop),
        id_qualifier=qual,
        address=_address(n3, n4, loop),
    )


def _subscriber_ctx(node: _Node) -> Subscriber:
    sub = node.ctx
    if sub is None:
        sub = node.kid("2010BA")
        payer = node.kid("2010BB")
        assert isinstance(sub, Subscriber) and isinstance(payer, Payer)
        resp, _rel, group, group_name, ins_type, filing = node.obj
        sub.payer = payer
        sub.responsibility = resp
        sub.group_number = group
        sub.group_name = group_name
        sub.insurance_type = ins_type
        sub.claim_filing = filing
        node.ctx = sub
    assert isinstance(sub, Subscriber)
    return sub


def _patient_head(node: _Node, p: _Parser) -> None:
    pat = next(s for s in node.segs if s.id == "PAT")
    node.obj = pat.require_code(1, _PATIENT_RELATIONSHIPS, "relationship", "2000C")


def _patient_2010ca(node: _Node, p: _Parser) -> object:
    loop = "2010CA"
    nm1 = node.segs[0]
    n3 = n4 = dmg = None
    for s in node.segs[1:]:
        sid = s.id
        if sid == "N3":
            n3 = s
        elif sid == "N4":
            n4 = s
        elif sid == "DMG":
            dmg = s
    address = _address(n3, n4, loop)
    assert address is not None and dmg is not None and node.parent is not None
    birth, sex = _dmg(dmg, loop)
    return Patient(
        name=_nm1_name(nm1, loop, person_only=True),
        relationship=node.parent.obj,
        address=address,
        birth_date=birth,
        sex=sex,
    )


def _claim_head(node: _Node, p: _Parser) -> None:
    loop = "2300"
    clm = node.segs[0]
    level = node.parent
    assert level is not None
    patient: Patient | None = None
    if level.rule.name == "2000C":
        pv = level.kid("2010CA")
        assert isinstance(pv, Patient) and level.parent is not None
        patient = pv
        sub_node = level.parent
    else:
        sub_node = level
    subscriber = _subscriber_ctx(sub_node)
    assert sub_node.parent is not None
    billing = _billing_ctx(sub_node.parent)
    e = _pad(clm, 20)
    c05 = e[4].split(clm.delimiters.component) if e[4] else []
    if (
        len(c05) != 3
        or len(c05[0]) != 2
        or not c05[0].isdigit()
        or c05[1] != "B"
        or (c05[2] not in _FREQUENCIES)
    ):
        _clm05_error(clm, loop)
    pos, _, freq = c05
    causes: list[str] = []
    state = country = ""
    if e[10]:
        parts = e[10].split(clm.delimiters.component)
        for i, rc in enumerate(parts[:3]):
            if rc:
                if rc not in _RELATED_CAUSES or i == 2:
                    raise clm.error_at(
                        C.CODE_INVALID,
                        f"CLM11-{i + 1} related cause {rc!r} is not AA, EM or OA",
                        element=11,
                        component=i + 1,
                        loop=loop,
                    )
                causes.append(rc)
        if not causes:
            raise clm.error_at(
                C.ELEMENT_MISSING,
                "CLM11-1 (related cause) is required",
                element=11,
                component=1,
                loop=loop,
            )
        state = parts[3] if len(parts) > 3 else ""
        country = parts[4] if len(parts) > 4 else ""
    if (
        e[5] not in _YN
        or e[6] not in _ASSIGNMENT
        or e[7] not in _YNW
        or e[8] not in _RELEASE
        or (e[9] and e[9] not in _SIGNATURE_SOURCE)
        or (e[19] and e[19] not in _DELAY_REASONS)
    ):
        clm.require_code(6, _YN, "provider signature", loop)
        clm.require_code(7, _ASSIGNMENT, "assignment", loop)
        clm.require_code(8, _YNW, "benefits assignment", loop)
        clm.require_code(9, _RELEASE, "release of information", loop)
        clm.code_el(10, _SIGNATURE_SOURCE, "signature source", loop)
        clm.code_el(20, _DELAY_REASONS, "delay reason", loop)
    claim = ProfessionalClaim(
        billing_provider=billing,
        subscriber=subscriber,
        patient=patient,
        patient_control_number=e[0] or _missing(clm, 1, "patient control number", loop),
        total_charge=clm.require_decimal(2, "total claim charge", loop),
        place_of_service=pos,
        frequency=_FREQUENCY_OF[freq],
        provider_signature=e[5] == "Y",
        assignment=e[6],
        benefits_assigned=e[7],
        release_of_information=e[8],
        patient_signature_source=e[9],
        related_causes=causes,
        accident_state=state,
        accident_country=country,
        delay_reason=e[19],
        diagnoses=[],
        lines=[],
    )
    f8: Segment | None = None
    for s in node.segs[1:]:
        sid = s.id
        if sid == "HI":
            if s.comp(1, 1) in ("ABK", "BK"):
                claim.icd9 = s.comp(1, 1) == "BK"
                claim.diagnoses = _diagnoses(s, claim.icd9, loop)
        elif sid == "REF":
            r = _pad(s, 2)
            q = r[0]
            v = r[1] or _missing(s, 2, "reference number", loop)
            if q == "G1":
                claim.prior_authorization = v
            elif q == "F8":
                claim.payer_claim_number = v
                f8 = s
            elif q == "9F":
                claim.referral_number = v
            elif q == "EA":
                claim.medical_record_number = v
        elif sid == "DTP":
            start, end = _period(s, loop)
            q = s.elements[0]
            if q in _RANGE_DATE_QUALIFIERS and end is None:
                raise s.error_at(
                    C.CODE_INVALID, f"DTP*{q} must be a range (RD8)", element=2, loop=loop
                )
            claim.dates.append(ClaimDate(qualifier=q, start=start, end=end))
        elif sid == "AMT":
            claim.patient_paid = s.require_decimal(2, "patient amount paid", loop)
        elif sid == "NTE" and s.el(1) == "ADD":
            claim.note = s.require(2, "note", loop)
    if freq != "1" and f8 is None:
        raise clm.error_at(
            C.SEGMENT_MISSING,
            f"claim frequency {freq} needs REF*F8 (the payer's claim number) in loop 2300",
            element=5,
            component=3,
            loop=loop,
        )
    node.obj = claim
    node.ctx = 0  # service lines read so far (LX01 check)


def _clm05_error(clm: Segment, loop: str) -> NoReturn:
    clm.require(5, "place of service, facility qualifier, frequency", loop)
    pos = clm.require_comp(5, 1, "place of service", loop)
    if len(pos) != 2 or not pos.isdigit():
        raise clm.error_at(
            C.CODE_INVALID,
            f"CLM05-1 place of service {pos!r} is not 2 digits",
            element=5,
            component=1,
            loop=loop,
        )
    if clm.comp(5, 2) != "B":
        raise clm.error_at(
            C.CODE_INVALID,
            f"CLM05-2 is {clm.comp(5, 2)!r}, expected B",
            element=5,
            component=2,
            loop=loop,
        )
    freq = clm.require_comp(5, 3, "claim frequency", loop)
    if freq not in _FREQUENCIES:
        raise clm.error_at(
            C.CODE_INVALID,
            f"CLM05-3 claim frequency {freq!r} is not 1, 7 or 8",
            element=5,
            component=3,
            loop=loop,
        )
    raise clm.error_at(
        C.TOO_MANY_COMPONENTS, "CLM05 has more than 3 components", element=5, loop=loop
    )


def _diagnoses(hi: Segment, icd9: bool, loop: str) -> list[str]:
    hi.check_max_elements(MAX_DIAGNOSES, loop)
    first, other = ("BK", "BF") if icd9 else ("ABK", "ABF")
    comp = hi.delimiters.component
    els = hi.elements
    out: list[str] = []
    for i, value in enumerate(els, start=1):
        if not value:
            if any(els[i:]):
                raise hi.error_at(
                    C.ELEMENT_MISSING,
                    f"HI{i:02d} is empty before later diagnoses",
                    element=i,
                    loop=loop,
                )
            continue
        parts = value.split(comp)
        want = first if i == 1 else other
        if len(parts) != 2 or parts[0] != want or not parts[1]:
            if parts[0] != want:
                raise hi.error_at(
                    C.CODE_INVALID,
                    f"HI{i:02d}-1 is {parts[0]!r}, expected {want}",
                    element=i,
                    component=1,
                    loop=loop,
                )
            if len(parts) < 2 or not parts[1]:
                raise hi.error_at(
                    C.ELEMENT_MISSING,
                    f"HI{i:02d}-2 (diagnosis code) is required",
                    element=i,
                    component=2,
                    loop=loop,
                )
            raise hi.error_at(
                C.ELEMENT_NOT_USED,
                f"HI{i:02d} has components beyond the diagnosis code",
                element=i,
                component=3,
                loop=loop,
            )
        out.append(parts[1])
    return out


def _claim_build(node: _Node, p: _Parser) -> object:
    claim = node.obj
    assert isinstance(claim, ProfessionalClaim)
    for name, v in node.kids:
        if name == "2310A":
            assert isinstance(v, tuple)
            entity, prov = v[0], v[1]
            assert isinstance(prov, Provider)
            if entity == "DN":
                if claim.referring is not None:
                    raise _kid_error(node, "2310A", "two referring providers (NM1*DN)")
                claim.referring = prov
            else:
                if claim.primary_care is not None:
                    raise _kid_error(node, "2310A", "two primary care providers (NM1*P3)")
                claim.primary_care = prov
        elif name == "2310B":
            assert isinstance(v, RenderingProvider)
            claim.rendering = v
        elif name == "2310C":
            assert isinstance(v, ServiceFacility)
            claim.service_facility = v
        elif name == "2310D":
            assert isinstance(v, Provider)
            claim.supervising = v
        elif name == "2320":
            assert isinstance(v, OtherPayer)
            claim.other_payers.append(v)
        elif name == "2400":
            assert isinstance(v, ServiceLine)
            claim.lines.append(v)
    total = sum((ln.charge for ln in claim.lines), Decimal(0))
    if total != claim.total_charge:
        clm = node.segs[0]
        raise clm.error_at(
            C.BALANCE,
            f"CLM02 total charge {clm.el(2)} is not the sum of the service lines' charges"
            f" (SV102: {total})",
            element=2,
            loop="2300",
        )
    p.claims.append(claim)
    return None


def _kid_error(node: _Node, loop: str, what: str) -> X12Error:
    clm = node.segs[0]
    return clm.error_at(C.LOOP_REPEATED, f"claim {clm.el(1)!r} has {what}", loop=loop)


def _referring(node: _Node, p: _Parser) -> object:
    nm1 = node.segs[0]
    loop = "2310A"
    return nm1.el(1), Provider(
        name=_nm1_name(nm1, loop, person_only=True), npi=_npi(nm1, loop, required=False)
    )


def _rendering(node: _Node, p: _Parser) -> object:
    nm1 = node.segs[0]
    loop = "2310B"
    taxonomy = ""
    for s in node.segs[1:]:
        if s.id == "PRV":
            s.require_code(2, {"PXC"}, "reference qualifier", loop)
            taxonomy = s.require(3, "taxonomy code", loop)
    return RenderingProvider(
        name=_nm1_name(nm1, loop), npi=_npi(nm1, loop, required=False), taxonomy=taxonomy
    )


def _facility(node: _Node, p: _Parser) -> object:
    nm1 = node.segs[0]
    loop = "2310C"
    nm1.require_code(2, {"2"}, "entity type qualifier", loop)
    n3 = next((s for s in node.segs if s.id == "N3"), None)
    n4 = next((s for s in node.segs if s.id == "N4"), None)
    address = _address(n3, n4, loop)
    assert address is not None
    return ServiceFacility(
        name=nm1.require(3, "facility name", loop),
        address=address,
        npi=_npi(nm1, loop, required=False),
    )


def _supervising(node: _Node, p: _Parser) -> object:
    nm1 = node.segs[0]
    loop = "2310D"
    return Provider(
        name=_nm1_name(nm1, loop, person_only=True), npi=_npi(nm1, loop, required=False)
    )


def _other_head(node: _Node, p: _Parser) -> None:
    loop = "2320"
    sbr = node.segs[0]
    op = OtherPayer(
        responsibility=sbr.require_code(1, _RESPONSIBILITY, "payer responsibility", loop),
        relationship=sbr.require_code(2, _OTHER_RELATIONSHIPS, "relationship", loop),
        group_number=sbr.el(3),
        group_name=sbr.el(4),
        insurance_type=sbr.code_el(5, _INSURANCE_TYPES, "insurance type", loop),
        claim_filing=sbr.code_el(9, _FILING, "claim filing indicator", loop),
        subscriber_name=Name(last=""),
        subscriber_id="",
        payer_name="",
        payer_id="",
    )
    for s in node.segs[1:]:
        sid = s.id
        if sid == "CAS":
            op.adjustments += _cas(s, loop)
        elif sid == "AMT":
            q = s.el(1)
            v = s.require_decimal(2, "amount", loop)
            if q == "D":
                op.paid_amount = v
            elif q == "A8":
                op.non_covered_amount = v
            else:
                op.remaining_patient_liability = v
        elif sid == "OI":
            op.benefits_assigned = s.require_code(3, _YNW, "benefits assignment", loop)
            op.patient_signature_source = s.code_el(4, _SIGNATURE_SOURCE, "signature source", loop)
            op.release_of_information = s.require_code(6, _RELEASE, "release of information", loop)
    node.obj = op


def _other_build(node: _Node, p: _Parser) -> object:
    op = node.obj
    assert isinstance(op, OtherPayer)
    for name, v in node.kids:
        if name == "2330A":
            assert isinstance(v, tuple)
            (
                op.subscriber_name,
                op.subscriber_id,
                op.subscriber_id_qualifier,
                op.subscriber_address,
            ) = v
        elif name == "2330B":
            assert isinstance(v, tuple)
            (
                op.payer_name,
                op.payer_id,
                op.payer_id_qualifier,
                op.payer_address,
                op.adjudication_date,
                op.claim_control_number,
            ) = v
    return op


def _other_subscriber(node: _Node, p: _Parser) -> object:
    loop = "2330A"
    nm1 = node.segs[0]
    n3 = next((s for s in node.segs if s.id == "N3"), None)
    n4 = next((s for s in node.segs if s.id == "N4"), None)
    return (
        _nm1_name(nm1, loop),
        nm1.require(9, "other subscriber id", loop),
        nm1.require_code(8, _MEMBER_ID_QUALIFIERS, "id qualifier", loop),
        _address(n3, n4, loop),
    )


def _other_payer_name(node: _Node, p: _Parser) -> object:
    loop = "2330B"
    nm1 = node.segs[0]
    nm1.require_code(2, {"2"}, "entity type qualifier", loop)
    n3 = n4 = None
    adjudicated: date | None = None
    ccn = ""
    for s in node.segs[1:]:
        sid = s.id
        if sid == "N3":
            n3 = s
        elif sid == "N4":
            n4 = s
        elif sid == "DTP":
            adjudicated = _d8(s, loop)
        elif sid == "REF" and s.el(1) == "F8":
            ccn = s.require(2, "other payer claim control number", loop)
    return (
        nm1.require(3, "other payer name", loop),
        nm1.require(9, "other payer id", loop),
        nm1.require_code(8, _PAYER_ID_QUALIFIERS, "id qualifier", loop),
        _address(n3, n4, loop),
        adjudicated,
        ccn,
    )


def _line_head(node: _Node, p: _Parser) -> None:
    loop = "2400"
    lx = node.segs[0]
    claim_node = node.parent
    assert claim_node is not None
    claim = claim_node.obj
    assert isinstance(claim, ProfessionalClaim)
    expected = claim_node.ctx + 1
    claim_node.ctx = expected
    if lx.el(1) != str(expected):
        raise lx.error_at(
            C.ELEMENT_INVALID,
            f"LX01 is {lx.el(1)!r}, expected {expected} (lines"
            " are numbered 1, 2, 3 ... in each claim)",
            element=1,
            loop=loop,
        )
    sv1: Segment | None = None
    dtp: Segment | None = None
    line_ctl = note = ""
    for s in node.segs[1:]:
        sid = s.id
        if sid == "SV1":
            sv1 = s
        elif sid == "DTP":
            if s.elements[0] == "472":
                dtp = s
        elif sid == "REF":
            if s.elements[0] == "6R":
                line_ctl = s.require(2, "line item control number", loop)
        elif sid == "NTE" and s.el(1) == "ADD":
            note = s.require(2, "line note", loop)
    assert sv1 is not None and dtp is not None
    qual, code, mods, desc = _procedure(sv1, 1, loop)
    e = _pad(sv1, 12)
    ptr_parts = e[6].split(sv1.delimiters.component) if e[6] else []
    ndx = len(claim.diagnoses)
    pointers: list[int] = []
    for part in ptr_parts:
        ptr = _ONE_DIGIT_POINTERS.get(part)
        if ptr is None or ptr > ndx:
            break
        pointers.append(ptr)
    if not pointers or len(pointers) != len(ptr_parts) or len(pointers) > 4:
        _pointer_error(sv1, ptr_parts, ndx, loop)
    units = sv1.require_decimal(4, "service unit count", loop)
    if units <= 0:
        raise sv1.error_at(
            C.ELEMENT_INVALID, f"SV104 units {sv1.el(4)} must be positive", element=4, loop=loop
        )
    lpos = e[4]
    if lpos and (len(lpos) != 2 or not lpos.isdigit()):
        raise sv1.error_at(
            C.CODE_INVALID, f"SV105 place of service {lpos!r} is not 2 digits", element=5, loop=loop
        )
    basis = e[2]
    if (
        basis not in _UNIT_BASIS
        or (e[8] and e[8] != "Y")
        or (e[10] and e[10] != "Y")
        or (e[11] and e[11] != "Y")
    ):
        sv1.require_code(3, _UNIT_BASIS, "unit basis", loop)
        sv1.code_el(9, _Y, "emergency indicator", loop)
        sv1.code_el(11, _Y, "EPSDT indicator", loop)
        sv1.code_el(12, _Y, "family planning indicator", loop)
    start, end = _period(dtp, loop)
    node.obj = ServiceLine(
        procedure_qualifier=qual,
        procedure_code=code,
        modifiers=mods,
        description=desc,
        charge=sv1.require_decimal(2, "line charge", loop),
        unit_basis=basis,
        units=units,
        place_of_service=lpos,
        diagnosis_pointers=pointers,
        emergency=e[8] == "Y",
        epsdt=e[10] == "Y",
        family_planning=e[11] == "Y",
        service_date=start,
        service_end_date=end,
        control_number=line_ctl,
        note=note,
    )


def _pointer_error(sv1: Segment, parts: list[str], ndx: int, loop: str) -> NoReturn:
    if not parts or not parts[0]:
        raise sv1.error_at(
            C.ELEMENT_MISSING,
            "SV107-1 (diagnosis pointer) is required",
            element=7,
            component=1,
            loop=loop,
        )
    if len(parts) > 4:
        raise sv1.error_at(
            C.TOO_MANY_COMPONENTS, "SV107 holds at most 4 diagnosis pointers", element=7, loop=loop
        )
    for i, part in enumerate(parts, start=1):
        ptr = _ONE_DIGIT_POINTERS.get(part)
        if ptr is None or ptr > ndx:
            raise sv1.error_at(
                C.ELEMENT_INVALID,
                f"SV107-{i} diagnosis pointer {part!r} does"
                f" not point to one of the claim's {ndx} diagnoses",
                element=7,
                component=i,
                loop=loop,
            )
    raise AssertionError("unreachable")  # pragma: no cover


def _line_build(node: _Node, p: _Parser) -> object:
    line = node.obj
    assert isinstance(line, ServiceLine)
    for name, v in node.kids:
        if name == "2410":
            assert isinstance(v, Drug)
            line.drug = v
        elif name == "2430":
            assert isinstance(v, LineAdjudication)
            line.adjudications.append(v)
    return line


def _drug(node: _Node, p: _Parser) -> object:
    loop = "2410"
    lin = node.segs[0]
    ctp = next(s for s in node.segs if s.id == "CTP")
    ref = next((s for s in node.segs if s.id == "REF"), None)
    unit = ctp.require_comp(5, 1, "unit of measure", loop)
    if unit not in _DRUG_UNITS:
        raise ctp.error_at(
            C.CODE_INVALID,
            f"CTP05-1 unit {unit!r} is not F2, GR, ME, ML or UN",
            element=5,
            component=1,
            loop=loop,
        )
    quantity = ctp.require_decimal(4, "drug unit count", loop)
    if quantity <= 0:
        raise ctp.error_at(
            C.ELEMENT_INVALID, f"CTP04 quantity {ctp.el(4)} must be positive", element=4, loop=loop
        )
    qual = lin.require_code(2, _DRUG_QUALIFIERS, "product id qualifier", loop)
    ndc = lin.require(3, "national drug code", loop)
    if qual == "N4" and (len(ndc) != 11 or not (ndc.isascii() and ndc.isdigit())):
        raise lin.error_at(
            C.ELEMENT_INVALID, f"LIN03 NDC {ndc!r} is not 11 digits", element=3, loop=loop
        )
    return Drug(
        ndc=ndc,
        qualifier=qual,
        quantity=quantity,
        unit=unit,
        prescription_number=ref.require(2, "prescription number", loop) if ref else "",
        prescription_qualifier=ref.el(1) if ref else "XZ",
    )


def _line_adjudication(node: _Node, p: _Parser) -> object:
    loop = "2430"
    svd = node.segs[0]
    payer_id = svd.require(1, "other payer id", loop)
    claim_node = node.parent.parent if node.parent is not None else None
    assert claim_node is not None
    ids = {v.payer_id for n, v in claim_node.kids if isinstance(v, OtherPayer)}
    if payer_id not in ids:
        raise svd.error_at(
            C.ELEMENT_INVALID,
            f"SVD01 {payer_id!r} is not the id of one of the claim's other payers (2330B NM109)",
            element=1,
            loop=loop,
        )
    qual, code, mods, desc = _procedure(svd, 3, loop)
    adj = LineAdjudication(
        payer_id=payer_id,
        paid=svd.require_decimal(2, "paid amount", loop),
        procedure_qualifier=qual,
        procedure_code=code,
        modifiers=mods,
        description=desc,
        units=svd.require_decimal(5, "paid units", loop),
        bundled_line=svd.int_el(6, "bundled line number", loop),
        adjudication_date=date.min,
    )
    for s in node.segs[1:]:
        sid = s.id
        if sid == "CAS":
            adj.adjustments += _cas(s, loop)
        elif sid == "DTP":
            adj.adjudication_date = _d8(s, loop)
        elif sid == "AMT":
            adj.remaining_patient_liability = s.require_decimal(2, "remaining liability", loop)
    return adj


# ---------------------------------------------------------------------------------------------
# The grammar (positions, usage and repeats from the 005010X222A1 tables)
# ---------------------------------------------------------------------------------------------

_NM1 = "NM1"


def _provider_refs(pos: int, quals: str, max_use: int, usage: str = "S") -> _S:
    return _s("REF", pos, "secondary identification", usage, max_use, quals)


_L2310 = [
    _L(
        "2310A",
        "referring provider",
        _s(_NM1, 2500, "referring provider name", "R", 1, "DN P3"),
        max_repeat=2,
        segs=[_provider_refs(2710, "0B 1G G2", 3)],
        build=_referring,
    ),
    _L(
        "2310B",
        "rendering provider",
        _s(_NM1, 2500, "rendering provider name", "R", 1, "82"),
        segs=[
            _s("PRV", 2550, "rendering provider specialty", "S", 1, "PE"),
            _provider_refs(2710, "0B 1G G2 LU", 4),
        ],
        build=_rendering,
    ),
    _L(
        "2310C",
        "service facility location",
        _s(_NM1, 2500, "service facility name", "R", 1, "77"),
        segs=[
            _s("N3", 2650, "address", "R"),
            _s("N4", 2700, "city, state, ZIP", "R"),
            _provider_refs(2710, "0B G2 LU", 3),
            _s("PER", 2750, "contact", "S", 1, "IC"),
        ],
        build=_facility,
    ),
    _L(
        "2310D",
        "supervising provider",
        _s(_NM1, 2500, "supervising provider name", "R", 1, "DQ"),
        segs=[_provider_refs(2710, "0B 1G G2 LU", 4)],
        build=_supervising,
    ),
    _L(
        "2310E",
        "ambulance pick-up location",
        _s(_NM1, 2500, "pick-up location", "R", 1, "PW"),
        segs=[_s("N3", 2650, "address", "R"), _s("N4", 2700, "city, state, ZIP", "R")],
    ),
    _L(
        "2310F",
        "ambulance drop-off location",
        _s(_NM1, 2500, "drop-off location", "R", 1, "45"),
        segs=[_s("N3", 2650, "address", "R"), _s("N4", 2700, "city, state, ZIP", "R")],
    ),
]

_L2330 = [
    _L(
        "2330A",
        "other subscriber",
        _s(_NM1, 3250, "other subscriber name", "R", 1, "IL"),
        usage="R",
        segs=[
            _s("N3", 3320, "address"),
            _s("N4", 3400, "city, state, ZIP"),
            _s("REF", 3550, "secondary identification", "S", 1, "SY"),
        ],
        build=_other_subscriber,
    ),
    _L(
        "2330B",
        "other payer",
        _s(_NM1, 3250, "other payer name", "R", 1, "PR"),
        usage="R",
        segs=[
            _s("N3", 3320, "address"),
            _s("N4", 3400, "city, state, ZIP"),
            _s("DTP", 3450, "claim check or remittance date", "S", 1, "573"),
            _s("REF", 3550, "secondary identifier", "S", 2, "2U EI FY NF"),
            _s("REF", 3550, "prior authorization number", "S", 1, "G1"),
            _s("REF", 3550, "referral number", "S", 1, "9F"),
            _s("REF", 3550, "claim adjustment indicator", "S", 1, "T4"),
            _s("REF", 3550, "claim control number", "S", 1, "F8"),
        ],
        build=_other_payer_name,
    ),
    _L(
        "2330C",
        "other payer referring provider",
        _s(_NM1, 3250, "name", "R", 1, "DN P3"),
        max_repeat=2,
        segs=[_provider_refs(3550, "0B 1G G2", 3, "R")],
    ),
    _L(
        "2330D",
        "other payer rendering provider",
        _s(_NM1, 3250, "name", "R", 1, "82"),
        segs=[_provider_refs(3550, "0B 1G G2 LU", 3, "R")],
    ),
    _L(
        "2330E",
        "other payer service facility",
        _s(_NM1, 3250, "name", "R", 1, "77"),
        segs=[_provider_refs(3550, "0B G2 LU", 3, "R")],
    ),
    _L(
        "2330F",
        "other payer supervising provider",
        _s(_NM1, 3250, "name", "R", 1, "DQ"),
        segs=[_provider_refs(3550, "0B 1G G2 LU", 3, "R")],
    ),
    _L(
        "2330G",
        "other payer billing provider",
        _s(_NM1, 3250, "name", "R", 1, "85"),
        segs=[_provider_refs(3550, "G2 LU", 2, "R")],
    ),
]

_L2320 = _L(
    "2320",
    "other subscriber information",
    _s("SBR", 2900, "other subscriber information", "R"),
    max_repeat=10,
    segs=[
        _s("CAS", 2950, "claim level adjustments", "S", 5, "CO CR OA PI PR"),
        _s("AMT", 3000, "payer paid amount", "S", 1, "D"),
        _s("AMT", 3000, "non-covered amount", "S", 1, "A8"),
        _s("AMT", 3000, "remaining patient liability", "S", 1, "EAF"),
        _s("OI", 3100, "other insurance coverage", "R"),
        _s("MOA", 3200, "outpatient adjudication"),
    ],
    children=_L2330,
    head=_other_head,
    build=_other_build,
)

_L2420 = [
    _L(
        "2420A",
        "line rendering provider",
        _s(_NM1, 5000, "name", "R", 1, "82"),
        segs=[_s("PRV", 5050, "specialty", "S", 1, "PE"), _provider_refs(5250, "0B 1G G2 LU", 20)],
    ),
    _L(
        "2420B",
        "purchased service provider",
        _s(_NM1, 5000, "name", "R", 1, "QB"),
        segs=[_provider_refs(5250, "0B 1G G2", 20)],
    ),
    _L(
        "2420C",
        "line service facility",
        _s(_NM1, 5000, "name", "R", 1, "77"),
        segs=[
            _s("N3", 5140, "address", "R"),
            _s("N4", 5200, "city, state, ZIP", "R"),
            _provider_refs(5250, "G2 LU", 3),
        ],
    ),
    _L(
        "2420D",
        "line supervising provider",
        _s(_NM1, 5000, "name", "R", 1, "DQ"),
        segs=[_provider_refs(5250, "0B 1G G2 LU", 20)],
    ),
    _L(
        "2420E",
        "ordering provider",
        _s(_NM1, 5000, "name", "R", 1, "DK"),
        segs=[
            _s("N3", 5140, "address"),
            _s("N4", 5200, "city, state, ZIP"),
            _provider_refs(5250, "0B 1G G2", 20),
            _s("PER", 5300, "contact", "S", 1, "IC"),
        ],
    ),
    _L(
        "2420F",
        "line referring provider",
        _s(_NM1, 5000, "name", "R", 1, "DN P3"),
        max_repeat=2,
        segs=[_provider_refs(5250, "0B 1G G2", 20)],
    ),
    _L(
        "2420G",
        "line ambulance pick-up",
        _s(_NM1, 5310, "name", "R", 1, "PW"),
        segs=[_s("N3", 5140, "address", "R"), _s("N4", 5200, "city", "R")],
    ),
    _L(
        "2420H",
        "line ambulance drop-off",
        _s(_NM1, 5380, "name", "R", 1, "45"),
        segs=[_s("N3", 5140, "address", "R"), _s("N4", 5200, "city", "R")],
    ),
]

_L2400 = _L(
    "2400",
    "service line",
    _s("LX", 3650, "service line number", "R"),
    usage="R",
    max_repeat=MAX_LINES,
    segs=[
        _s("SV1", 3700, "professional service", "R"),
        _s("SV5", 4000, "durable medical equipment service"),
        _s("PWK", 4200, "line supplemental information", "S", 11),
        _s("CR1", 4250, "ambulance transport information"),
        _s("CR3", 4350, "durable medical equipment certification"),
        _s("CRC", 4500, "ambulance certification", "S", 3, "07"),
        _s("CRC", 4500, "hospice employee indicator", "S", 1, "70"),
        _s("CRC", 4500, "DME condition indicator", "S", 1, "09"),
        _s("DTP", 4550, "service date", "R", 1, "472"),
        _s("DTP", 4550, "prescription date", "S", 1, "471"),
        _s("DTP", 4550, "certification revision date", "S", 1, "607"),
        _s("DTP", 4550, "begin therapy date", "S", 1, "463"),
        _s("DTP", 4550, "last certification date", "S", 1, "461"),
        _s("DTP", 4550, "last seen date", "S", 1, "304"),
        _s("DTP", 4550, "test date", "S", 2, "738 739"),
        _s("DTP", 4550, "shipped date", "S", 1, "011"),
        _s("DTP", 4550, "last x-ray date", "S", 1, "455"),
        _s("DTP", 4550, "initial treatment date", "S", 1, "454"),
        _s("QTY", 4600, "ambulance patient count", "S", 1, "PT"),
        _s("QTY", 4600, "obstetric anesthesia additional units", "S", 1, "FL"),
        _s("MEA", 4620, "test result", "S", 5),
        _s("CN1", 4650, "contract information"),
        _s("REF", 4700, "repriced line item reference number", "S", 1, "9B"),
        _s("REF", 4700, "adjusted repriced line item reference number", "S", 1, "9D"),
        _s("REF", 4700, "prior authorization", "S", 5, "G1"),
        _s("REF", 4700, "line item control number", "S", 1, "6R"),
        _s("REF", 4700, "mammography certification number", "S", 1, "EW"),
        _s("REF", 4700, "CLIA number", "S", 1, "X4"),
        _s("REF", 4700, "referring CLIA facility", "S", 1, "F4"),
        _s("REF", 4700, "immunization batch number", "S", 1, "BT"),
        _s("REF", 4700, "referral number", "S", 5, "9F"),
        _s("AMT", 4750, "sales tax amount", "S", 1, "T"),
        _s("AMT", 4750, "postage claimed amount", "S", 1, "F4"),
        _s("K3", 4800, "file information", "S", 10),
        _s("NTE", 4850, "line note", "S", 1, "ADD DCP"),
        _s("NTE", 4850, "third party organization notes", "S", 1, "TPO"),
        _s("PS1", 4880, "purchased service information"),
        _s("HCP", 4920, "line pricing/repricing information"),
    ],
    children=[
        _L(
            "2410",
            "drug identification",
            _s("LIN", 4930, "drug identification", "R"),
            segs=[
                _s("CTP", 4940, "drug quantity", "R"),
                _s("REF", 4950, "prescription number", "S", 1, "VY XZ"),
            ],
            build=_drug,
        ),
        *_L2420,
        _L(
            "2430",
            "line adjudication information",
            _s("SVD", 5400, "line adjudication", "R"),
            max_repeat=15,
            segs=[
                _s("CAS", 5450, "line adjustment", "S", 5, "CO CR OA PI PR"),
                _s("DTP", 5500, "line check or remittance date", "R", 1, "573"),
                _s("AMT", 5505, "remaining patient liability", "S", 1, "EAF"),
            ],
            build=_line_adjudication,
        ),
        _L(
            "2440",
            "form identification code",
            _s("LQ", 5510, "form identification code", "R", 1, "AS UT"),
            max_repeat=10_000,
            segs=[_s("FRM", 5520, "supporting documentation", "R", 99)],
        ),
    ],
    head=_line_head,
    build=_line_build,
)

_CLAIM_DTPS = [
    ("431", "onset of current illness or symptom"),
    ("454", "initial treatment date"),
    ("304", "last seen date"),
    ("453", "acute manifestation"),
    ("439", "accident"),
    ("484", "last menstrual period"),
    ("455", "last x-ray date"),
    ("471", "hearing and vision prescription date"),
    ("314 360 361", "disability dates"),
    ("297", "last worked"),
    ("296", "authorized return to work"),
    ("435", "admission"),
    ("096", "discharge"),
    ("444", "property and casualty date of first contact"),
    ("050", "repricer received date"),
]
_CLAIM_REFS = [
    ("4N", "service authorization exception code"),
    ("F5", "mandatory Medicare crossover indicator"),
    ("EW", "mammography certification number"),
    ("9F", "referral number"),
    ("G1", "prior authorization"),
    ("F8", "payer claim control number"),
    ("X4", "CLIA number"),
    ("9A", "repriced claim number"),
    ("9C", "adjusted repriced claim number"),
    ("LX", "investigational device exemption number"),
    ("D9", "claim identifier for transmission intermediaries"),
    ("EA", "medical record number"),
    ("P4", "demonstration project identifier"),
    ("1J", "care plan oversight"),
]


def _claim_rule(name: str) -> _L:
    return _L(
        "2300",
        "claim information",
        _s("CLM", 1300, "claim information", "R"),
        usage="S" if name == "2000B" else "R",
        max_repeat=MAX_CLAIMS_PER_HL,
        segs=[
            *[_s("DTP", 1350, title, "S", 1, q) for q, title in _CLAIM_DTPS],
            _s("DTP", 1350, "assumed and relinquished care dates", "S", 2, "090 091"),
            _s("PWK", 1550, "claim supplemental information", "S", 10),
            _s("CN1", 1600, "contract information"),
            _s("AMT", 1750, "patient amount paid", "S", 1, "F5"),
            *[_s("REF", 1800, title, "S", 1, q) for q, title in _CLAIM_REFS],
            _s("K3", 1850, "file information", "S", 10),
            _s("NTE", 1900, "claim note", "S", 1, "ADD CER DCP DGN TPO"),
            _s("CR1", 1950, "ambulance transport information"),
            _s("CR2", 2000, "spinal manipulation service information"),
            _s("CRC", 2200, "ambulance certification", "S", 3, "07"),
            _s("CRC", 2200, "patient condition information: vision", "S", 3, "E1 E2 E3"),
            _s("CRC", 2200, "homebound indicator", "S", 1, "75"),
            _s("CRC", 2200, "EPSDT referral", "S", 1, "ZZ"),
            _s("HI", 2310, "health care diagnosis code", "R", 1, "ABK BK", 1, 1),
            _s("HI", 2310, "anesthesia related procedure", "S", 1, "BP", 1, 1),
            _s("HI", 2310, "condition information", "S", 2, "BG", 1, 1),
            _s("HCP", 2410, "claim pricing/repricing information"),
        ],
        children=[*_L2310, _L2320, _L2400],
        head=_claim_head,
        build=_claim_build,
    )


_L2000C = _L(
    "2000C",
    "patient level",
    _s("HL", 10, "patient hierarchical level", "R", 1, "23", 3),
    pos=3000,
    max_repeat=1_000_000,
    segs=[_s("PAT", 70, "patient information", "R")],
    children=[
        _L(
            "2010CA",
            "patient name",
            _s(_NM1, 150, "patient name", "R", 1, "QC"),
            usage="R",
            segs=[
                _s("N3", 250, "address", "R"),
                _s("N4", 300, "city, state, ZIP", "R"),
                _s("DMG", 320, "demographic information", "R", 1, "D8"),
                _s("REF", 350, "property and casualty claim number", "S", 1, "Y4"),
                _s("REF", 350, "property and casualty patient identifier", "S", 1, "1W SY"),
                _s("PER", 400, "property and casualty patient contact", "S", 1, "IC"),
            ],
            build=_patient_2010ca,
        ),
        _claim_rule("2000C"),
    ],
    start=_hl_start,
    head=_patient_head,
)

_L2000B = _L(
    "2000B",
    "subscriber level",
    _s("HL", 10, "subscriber hierarchical level", "R", 1, "22", 3),
    pos=2000,
    usage="R",
    max_repeat=1_000_000,
    segs=[_s("SBR", 50, "subscriber information", "R"), _s("PAT", 70, "patient information")],
    children=[
        _L(
            "2010BA",
            "subscriber name",
            _s(_NM1, 150, "subscriber name", "R", 1, "IL"),
            usage="R",
            segs=[
                _s("N3", 250, "address"),
                _s("N4", 300, "city, state, ZIP"),
                _s("DMG", 320, "demographic information", "S", 1, "D8"),
                _s("REF", 350, "secondary identification", "S", 1, "SY"),
                _s("REF", 350, "property and casualty claim number", "S", 1, "Y4"),
                _s("PER", 400, "property and casualty contact", "S", 1, "IC"),
            ],
            build=_subscriber_2010ba,
        ),
        _L(
            "2010BB",
            "payer name",
            _s(_NM1, 151, "payer name", "R", 1, "PR"),
            usage="R",
            segs=[
                _s("N3", 250, "address"),
                _s("N4", 300, "city, state, ZIP"),
                _s("REF", 350, "payer secondary identification", "S", 3, "2U EI FY NF"),
                _s("REF", 350, "billing provider secondary identification", "S", 2, "G2 LU"),
            ],
            build=_payer_2010bb,
        ),
        _claim_rule("2000B"),
        _L2000C,
    ],
    start=_hl_start,
    head=_subscriber_head,
)

_L2000A = _L(
    "2000A",
    "billing provider level",
    _s("HL", 10, "billing provider hierarchical level", "R", 1, "20", 3),
    pos=1000,
    usage="R",
    max_repeat=1_000_000,
    segs=[
        _s("PRV", 30, "billing provider specialty", "S", 1, "BI"),
        _s("CUR", 100, "foreign currency information", "S", 1, "85"),
    ],
    children=[
        _L(
            "2010AA",
            "billing provider name",
            _s(_NM1, 150, "billing provider name", "R", 1, "85"),
            usage="R",
            segs=[
                _s("N3", 250, "address", "R"),
                _s("N4", 300, "city, state, ZIP", "R"),
                _s("REF", 350, "tax identification", "R", 1, "EI SY"),
                _s("REF", 350, "UPIN/license information", "S", 2, "0B 1G"),
                _s("PER", 400, "contact information", "S", 2, "IC"),
            ],
            build=_billing_2010aa,
        ),
        _L(
            "2010AB",
            "pay-to address",
            _s(_NM1, 151, "pay-to address name", "R", 1, "87"),
            segs=[_s("N3", 250, "address", "R"), _s("N4", 300, "city, state, ZIP", "R")],
            build=_pay_to,
        ),
        _L(
            "2010AC",
            "pay-to plan",
            _s(_NM1, 152, "pay-to plan name", "R", 1, "PE"),
            segs=[
                _s("N3", 250, "address", "R"),
                _s("N4", 300, "city, state, ZIP", "R"),
                _s("REF", 350, "secondary identification", "S", 1, "2U FY NF"),
                _s("REF", 350, "tax identification number", "R", 1, "EI"),
            ],
        ),
        _L2000B,
    ],
    start=_hl_start,
    head=_billing_head,
)

_ROOT = _L(
    "HEADER",
    "transaction set header",
    _s("BHT", 100, "beginning of hierarchical transaction", "R"),
    usage="R",
    children=[
        _L(
            "1000A",
            "submitter name",
            _s(_NM1, 200, "submitter name", "R", 1, "41"),
            usage="R",
            segs=[_s("PER", 450, "submitter EDI contact", "R", 2, "IC")],
            build=_submitter,
        ),
        _L(
            "1000B",
            "receiver name",
            _s(_NM1, 201, "receiver name", "R", 1, "40"),
            usage="R",
            build=_receiver,
        ),
        _L2000A,
    ],
    head=_root_head,
    build=_root_build,
)


def _collect_ids(rule: _L, out: set[str]) -> set[str]:
    out.add(rule.trigger.id)
    out.update(r.id for r in rule.segs)
    for k in rule.children:
        _collect_ids(k, out)
    return out


_ALL_IDS: Final = frozenset(_collect_ids(_ROOT, set()))


# ---------------------------------------------------------------------------------------------
# Reader: transaction sets
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Read837PSet:
    """One ST-SE set of a file: the batch read, or the error that stopped it (an envelope
    defect has ``kind`` "group" or "interchange" and no control number)."""

    control_number: str
    version: str
    batch: ProfessionalClaimBatch | None
    error: X12Error | None
    interchange: InterchangeHeader | None = None
    group: GroupHeader | None = None
    segment_number: int = 0
    kind: str = "set"


def _read_set(segments: Iterator[Segment]) -> ProfessionalClaimBatch:
    # The reader allocates many small objects that all stay alive until the set is read; the
    # cyclic garbage collector would scan them again and again (a third of the reading time)
    # without finding garbage. It is paused for the set (it creates no cycles that outlive
    # the read) and restored as it was, whatever happens.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Parser(segments).run()
    finally:
        if was_enabled:
            gc.enable()


def _check_header(r: TransactionSetResult, version: str) -> X12Error | None:
    def bad(code: X12ErrorCode, message: str, element: int | None = None) -> X12Error:
        return X12Error(
            code,
            message,
            segment_number=r.segment_number,
            segment_id="ST",
            element=element,
            file=r.file,
            transaction_set=r.control_number,
        )

    if r.transaction_set_id != "837":
        return bad(
            C.TRANSACTION_SET_UNSUPPORTED,
            f"transaction set {r.transaction_set_id} is not an 837",
            1,
        )
    if r.group is not None and r.group.functional_id != "HC":
        return bad(
            C.GROUP_INVALID,
            f"GS01 is {r.group.functional_id!r}: an 837 belongs in a functional group HC",
        )
    if version not in ACCEPTED_VERSIONS:
        return bad(
            C.VERSION_UNSUPPORTED,
            f"implementation guide {version!r} is not the 837P {VERSION} (or its errata"
            f" {ERRATA_VERSION})",
            3,
        )
    return None


def iter_837p(source: Source, *, file: str | None = None) -> Iterator[Read837PSet]:
    """Each transaction set (and each envelope defect) of ``source``, in file order. A bad set
    carries its error while the good sets of the same file still read. Raises X12Error only
    when the input is not X12 at all."""
    for r in iter_transaction_sets(source, file=file):
        version = r.implementation_reference or (r.group.version if r.group else "")
        if r.kind != "set" or r.error is not None:
            yield Read837PSet(
                r.control_number,
                version,
                None,
                r.error,
                r.interchange,
                r.group,
                r.segment_number,
                r.kind,
            )
            continue
        batch: ProfessionalClaimBatch | None = None
        error = _check_header(r, version)
        if error is None:
            try:
                batch = _read_set(r.segments)
            except X12Error as exc:
                error = exc
                if exc.file is None and r.file is not None:
                    error = error.with_file(r.file)
                if exc.transaction_set is None:
                    error = error.replace(transaction_set=r.control_number)
        yield Read837PSet(
            r.control_number,
            version,
            batch,
            error,
            r.interchange,
            r.group,
            r.segment_number,
            r.kind,
        )


def read_837p(source: Source, *, file: str | None = None) -> list[ProfessionalClaimBatch]:
    """The 837P batches of ``source`` (bytes, text, a path or a file object), one per ST-SE.

    Strict: the first defect (envelope, grammar, element or the claim balance CLM02 = sum of
    SV102) raises X12Error naming where it is.
    """
    out: list[ProfessionalClaimBatch] = []
    for s in iter_837p(source, file=file):
        if s.error is not None:
            raise s.error
        assert s.batch is not None
        out.append(s.batch)
    if not out:
        raise X12Error(C.TRANSACTION_SET_INVALID, "the input holds no transaction set", file=file)
    return out


# ---------------------------------------------------------------------------------------------
# JSON and summary (for `openrcm x12 parse --json / --summary`)
# ---------------------------------------------------------------------------------------------


def _jsonable(value: object) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    return str(value)


def claim837p_to_json(batch: ProfessionalClaimBatch) -> dict[str, Any]:
    """Plain data (str, numbers as strings, ISO dates, lists, dicts) for ``--json``."""
    out = _jsonable(batch)
    assert isinstance(out, dict)
    return {"transaction_set": "837", "version": VERSION, **out}


def claim837p_summary(batch: ProfessionalClaimBatch) -> dict[str, Any]:
    """Counts and totals for ``--summary``."""
    claims = batch.claims
    lines = sum(len(c.lines) for c in claims)
    total = sum((c.total_charge for c in claims), Decimal(0))
    by_frequency: dict[str, int] = {}
    for c in claims:
        by_frequency[str(c.frequency)] = by_frequency.get(str(c.frequency), 0) + 1
    return {
        "transaction_set": "837",
        "version": VERSION,
        "reference": batch.reference,
        "claims": len(claims),
        "lines": lines,
        "total_charge": format(total, "f"),
        "billing_providers": len({c.billing_provider.npi for c in claims}),
        "claims_with_other_payers": sum(1 for c in claims if c.other_payers),
        "claims_for_dependents": sum(1 for c in claims if c.patient is not None),
        "lines_with_ndc": sum(1 for c in claims for ln in c.lines if ln.drug is not None),
        "by_frequency": dict(sorted(by_frequency.items())),
    }


# ---------------------------------------------------------------------------------------------
# `openrcm x12 show`: loop names and a tolerant loop tracker from the grammar
# ---------------------------------------------------------------------------------------------


def _walk_rules(rule: _L, depth: int, out: dict[str, tuple[_L, int]]) -> dict[str, tuple[_L, int]]:
    out.setdefault(rule.name, (rule, depth))
    for k in rule.children:
        _walk_rules(k, depth + 1, out)
    return out


_RULES: Final = _walk_rules(_ROOT, 0, {})


def loop_names() -> dict[str, str]:
    """Loop id -> name, for ``openrcm x12 show``."""
    return {name: rule.title for name, (rule, _) in _RULES.items()}


def segment_names() -> dict[tuple[str, str], str]:
    """(loop id, "ID" or "ID*QUALIFIER") -> the guide's name of the segment in that loop."""
    out: dict[tuple[str, str], str] = {}
    for name, (rule, _) in _RULES.items():
        for slot in (rule.trigger, *rule.segs):
            if slot.quals is None or slot.qual_sub or slot.qual_pos != 1:
                out.setdefault((name, slot.id), slot.name)
            else:
                for q in slot.quals:
                    out[(name, f"{slot.id}*{q}")] = slot.name
    return out


def loop_depth(loop: str) -> int:
    """How deep a loop sits in the 837P (HEADER 0, 2000A 1, 2010AA 2, ...)."""
    found = _RULES.get(loop)
    return found[1] if found is not None else 0


def _fits(rule: _L, seg: Segment) -> bool:
    return any(r.matches(seg) for _, r in rule.seg_index.get(seg.id, ()))


def _starts(rule: _L, seg: Segment) -> _L | None:
    for k in rule.child_index.get(seg.id, ()):
        if k.trigger.matches(seg):
            return k
    return None


def loop_tracker() -> Callable[[Segment], str]:
    """A function telling, segment by segment of one 837P set (ST to SE), the loop each is in.
    Tolerant: a segment that fits nowhere keeps the current loop (``show`` displays anything)."""
    stack: list[_L] = [_ROOT]

    def track(seg: Segment) -> str:
        if seg.id in ("ST", "SE"):
            del stack[1:]
            return ""
        if seg.id == "BHT":
            del stack[1:]
            return _ROOT.name
        for depth in range(len(stack) - 1, -1, -1):
            rule = stack[depth]
            if _fits(rule, seg) and depth == len(stack) - 1:
                return rule.name
            child = _starts(rule, seg)
            if child is not None:
                del stack[depth + 1 :]
                stack.append(child)
                return child.name
            if _fits(rule, seg):
                del stack[depth + 1 :]
                return rule.name
        return stack[-1].name

    return track


_ELEMENT_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "SBR": (
        "Payer Responsibility Sequence",
        "Individual Relationship",
        "Group or Policy Number",
        "Group Name",
        "Insurance Type",
        "Coordination of Benefits (not used)",
        "Yes/No (not used)",
        "Employment Status (not used)",
        "Claim Filing Indicator",
    ),
    "PAT": (
        "Relationship to Subscriber",
        "Patient Location (not used)",
        "Employment Status (not used)",
        "Student Status (not used)",
        "Date Format",
        "Death Date",
        "Weight Unit",
        "Weight",
        "Pregnancy Indicator",
    ),
    "CLM": (
        "Patient Control Number",
        "Total Claim Charge",
        "(not used)",
        "(not used)",
        "Place of Service : Facility Qualifier : Frequency",
        "Provider Signature on File",
        "Assignment / Plan Participation",
        "Benefits Assigned",
        "Release of Information",
        "Patient Signature Source",
        "Related Causes",
        "Special Program",
        "(not used)",
        "(not used)",
        "(not used)",
        "(not used)",
        "(not used)",
        "(not used)",
        "(not used)",
        "Delay Reason",
    ),
    "SV1": (
        "Procedure (qualifier : code : modifiers : description)",
        "Line Charge",
        "Unit Basis",
        "Units",
        "Place of Service",
        "(not used)",
        "Diagnosis Pointers",
        "(not used)",
        "Emergency",
        "(not used)",
        "EPSDT",
        "Family Planning",
    ),
    "OI": (
        "(not used)",
        "(not used)",
        "Benefits Assigned",
        "Patient Signature Source",
        "(not used)",
        "Release of Information",
    ),
    "SVD": (
        "Other Payer Identifier",
        "Line Paid Amount",
        "Procedure (qualifier : code : modifiers : description)",
        "(not used)",
        "Paid Units",
        "Bundled or Unbundled Line Number",
    ),
    "LIN": ("(not used)", "Product ID Qualifier", "National Drug Code"),
    "CTP": ("(not used)", "(not used)", "(not used)", "Drug Quantity", "Unit of Measure"),
    "NTE": ("Note Reference", "Note Text"),
}
_CODE_NAMES: Final[dict[str, dict[str, str]]] = {
    "SBR01": {
        "P": "primary",
        "S": "secondary",
        "T": "tertiary",
        "A": "payer 4",
        "B": "payer 5",
        "C": "payer 6",
        "D": "payer 7",
        "E": "payer 8",
        "F": "payer 9",
        "G": "payer 10",
        "H": "payer 11",
        "U": "unknown",
    },
    "SBR09": {
        "CI": "commercial insurance",
        "MB": "Medicare Part B",
        "MC": "Medicaid",
        "BL": "Blue Cross/Blue Shield",
        "HM": "HMO",
        "12": "PPO",
        "13": "POS",
        "16": "HMO Medicare risk",
        "CH": "TRICARE",
        "VA": "Veterans Affairs plan",
        "WC": "workers' compensation",
        "ZZ": "mutually defined",
    },
    "PAT01": {
        "01": "spouse",
        "19": "child",
        "20": "employee",
        "21": "unknown",
        "39": "organ donor",
        "40": "cadaver donor",
        "53": "life partner",
        "G8": "other relationship",
    },
    "CLM07": {
        "A": "assigned",
        "B": "assignment accepted on lab services only",
        "C": "not assigned",
    },
    "CLM09": {"I": "informed consent, limited release", "Y": "yes, signed release on file"},
    "SV103": {"UN": "units", "MJ": "minutes"},
    "OI03": {"Y": "yes", "N": "no", "W": "not applicable"},
    "CLM08": {"Y": "yes", "N": "no", "W": "not applicable"},
}


def register_cli_view() -> None:
    """Register the 837P with ``openrcm x12 parse/show`` (called by :mod:`.cli_views`)."""
    from openrcm.core.x12 import cli_views, names

    names.register(
        "837",
        loops=loop_names(),
        segments=segment_names(),
        elements=_ELEMENT_NAMES,
        codes=_CODE_NAMES,
    )
    cli_views.register_view(
        cli_views.SetView(
            set_id="837",
            name="837P professional claims (005010X222A1)",
            read=read_837p,
            to_json=claim837p_to_json,
            summary=claim837p_summary,
            loops=loop_tracker,
            depth=loop_depth,
        )
    )
