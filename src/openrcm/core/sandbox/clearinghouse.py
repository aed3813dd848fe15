"""The sandbox clearinghouse: reads a submitted 837P with our X12 engine and answers.

:func:`receive_837` answers, on the simulated clock:

1. a **TA1** (``config.ta1_delay`` after receipt) when the interchange envelope is unusable
   (ISA/IEA defects, segments outside any group): the whole interchange is rejected (TA104 R,
   TA105 the note code of the defect) and nothing else is sent; an accepting TA1 when ISA14
   asks for one;
2. a **999** per functional group (``config.ack_delay``): each 837 set accepted (IK5 A) or
   rejected (IK5 R) with IK3/IK4 naming the segment, its position and the element in error, from
   the reader's X12Error; a GS/GE defect rejects the group (AK9 R with its AK905 code);
3. a **277CA** (``config.claim_ack_delay``, one 277 set per accepted 837 set) saying per claim
   whether the payer accepted it into adjudication or returned it.

277CA status codes (STC01 category:status:entity, then STC10/STC11; the first rule that
matches a claim wins, several may be reported as several STC segments):

=================================================== ============ ============ ==================
claim                                               STC01        STC10        message (STC12)
=================================================== ============ ============ ==================
accepted                                            A2:20        --           --
member id unknown to the payer (``unknown_member_*``) A3:33        A7:164:IL    SUBSCRIBER AND
                                                                              SUBSCRIBER ID NOT
                                                                              FOUND
billing provider NPI fails its check digit          A7:562:85    --           BILLING PROVIDER
                                                                              NPI INVALID
rendering / referring / facility / supervising NPI  A7:562:82,   --           ... NPI INVALID
fails its check digit                               DN, 77, DQ
a date of service after the day of receipt          A7:187       --           DATE OF SERVICE IN
                                                                              THE FUTURE
a date of service before the patient's birth date   A8:187:QC    A8:158:QC    DATE OF SERVICE
                                                                              BEFORE BIRTH DATE
subscriber is the patient and has no address        A6:126:IL    --           SUBSCRIBER ADDRESS
                                                                              MISSING
payer requires a group number and SBR03 is empty    A6:163:IL    --           SUBSCRIBER GROUP
                                                                              NUMBER MISSING
replacement or void whose REF*F8 the payer does     A7:21        --           ORIGINAL CLAIM
not know                                                                      NUMBER NOT FOUND
secondary or later claim whose prior payers' 2320/  A7:672       --           PRIOR PAYER
2430 amounts do not balance (line charge = SVD02 +                            PAYMENT
CAS; total charge = AMT*D + CAS)                                              INFORMATION OUT OF
                                                                              BALANCE
=================================================== ============ ============ ==================

Status codes (X12 external code list 508): 19 entity acknowledges receipt; 20 accepted for
processing; 21 missing or invalid information; 33 subscriber and subscriber id not found; 126
entity's address; 158 entity's date of birth; 163 entity's policy/group number; 164 entity's
contract/member number; 187 date(s) of service; 562 entity's National Provider Identifier; 672
payer's payment information is out of balance.
Entities: IL insured, QC patient, 85 billing provider, 82 rendering, DN referring, 77 service
facility, DQ supervising. The receiver (2200B) and each billing provider (2200C) get A1:19 with
counts and amounts of accepted (QTY 90/QA, AMT YU) and rejected (QTY AA/QC, AMT YY) claims.

Deterministic: every draw hashes the seed with the file's SHA-256 or the claim's data (never
``hash()``), and control numbers come from the caller's :class:`ControlNumbers` source.
Idempotent: a file received again (same SHA-256) gets the files of its first receipt back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Final

from openrcm.core.claims.secondary import cob_balance_problems
from openrcm.core.identifiers import npi_is_valid
from openrcm.core.sandbox.clock import aware
from openrcm.core.sandbox.config import SandboxConfig
from openrcm.core.sandbox.determinism import digits, unit
from openrcm.core.sandbox.payer import claim_content_hash, payer_claim_from_837
from openrcm.core.sandbox.state import (
    ControlNumbers,
    OutboundFile,
    PayerClaim,
    ReceivedFile,
    SandboxState,
    StateControls,
)
from openrcm.core.x12 import ack999
from openrcm.core.x12.ack277ca import (
    GUIDE,
    BillingProviderAck,
    ClaimAck,
    ClaimAcknowledgment,
    InformationReceiverAck,
    InformationSourceAck,
    PatientAck,
    SourceReceipt,
    outgoing_277ca,
)
from openrcm.core.x12.claim837p import (
    Name,
    ProfessionalClaim,
    ProfessionalClaimBatch,
    Read837PSet,
    iter_837p,
)
from openrcm.core.x12.envelope import GroupHeader, InterchangeHeader
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.hierarchy import Party, Period, Status, StatusCode
from openrcm.core.x12.ta1 import TA1Ack, ta1_for, ta1_note_code, write_ta1
from openrcm.core.x12.writer import write_interchange

__all__ = [
    "ClaimResult",
    "Rejection",
    "SandboxResponse",
    "claim_rejections",
    "receive_837",
]

ACCEPTED: Final = StatusCode("A2", "20")
_VERSIONS: Final = ("005010X222A1", "005010X222A2")
RECEIVED: Final = StatusCode("A1", "19")


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why the payer returns a claim: its STC codes (STC01, then STC10/STC11) and a message."""

    codes: tuple[StatusCode, ...]
    message: str

    @property
    def category(self) -> str:
        return self.codes[0].category


@dataclass(slots=True)
class ClaimResult:
    """The 277CA answer for one claim: accepted (with the payer's claim number) or rejected."""

    pcn: str
    accepted: bool
    icn: str = ""
    rejections: list[Rejection] = field(default_factory=list)
    duplicate: bool = False


@dataclass(slots=True)
class SandboxResponse:
    """What one received file produced. ``duplicate``: the file was received before; ``files``
    are then those of its first receipt and nothing new was created."""

    sha256: str
    duplicate: bool
    files: list[OutboundFile]
    claims: list[ClaimResult] = field(default_factory=list)
    interchange_rejected: bool = False

    @property
    def accepted(self) -> list[str]:
        return [c.pcn for c in self.claims if c.accepted]

    @property
    def rejected(self) -> list[str]:
        return [c.pcn for c in self.claims if not c.accepted]


# -- claim checks -----------------------------------------------------------------------------


def _member_unknown(config: SandboxConfig, payer_id: str, member_id: str) -> bool:
    if member_id in config.unknown_member_ids:
        return True
    if any(member_id.startswith(p) for p in config.unknown_member_prefixes if p):
        return True
    return unit(config.seed, "member", payer_id, member_id) < config.unknown_member_rate


def _bad_npi(npi: str) -> bool:
    return bool(npi) and not npi_is_valid(npi)


def claim_rejections(
    claim: ProfessionalClaim,
    *,
    received_on: date,
    config: SandboxConfig,
    known_claim_numbers: frozenset[str] = frozenset(),
) -> list[Rejection]:
    """Why the payer would return ``claim`` unprocessed (empty when it accepts it); see the
    table of the module docstring. ``known_claim_numbers``: the payer claim numbers a
    replacement or void may refer to."""
    out: list[Rejection] = []
    sub = claim.subscriber
    if _member_unknown(config, sub.payer.payer_id, sub.member_id):
        out.append(
            Rejection(
                (StatusCode("A3", "33"), StatusCode("A7", "164", "IL")),
                "SUBSCRIBER AND SUBSCRIBER ID NOT FOUND",
            )
        )
    providers: list[tuple[str, str, str]] = [(claim.billing_provider.npi, "85", "BILLING PROVIDER")]
    if claim.rendering is not None:
        providers.append((claim.rendering.npi, "82", "RENDERING PROVIDER"))
    if claim.referring is not None:
        providers.append((claim.referring.npi, "DN", "REFERRING PROVIDER"))
    if claim.service_facility is not None:
        providers.append((claim.service_facility.npi, "77", "SERVICE FACILITY"))
    if claim.supervising is not None:
        providers.append((claim.supervising.npi, "DQ", "SUPERVISING PROVIDER"))
    for npi, entity, what in providers:
        if _bad_npi(npi):
            out.append(Rejection((StatusCode("A7", "562", entity),), f"{what} NPI INVALID"))
    starts = [ln.service_date for ln in claim.lines]
    ends = [ln.service_end_date or ln.service_date for ln in claim.lines]
    if max(ends) > received_on:
        out.append(Rejection((StatusCode("A7", "187"),), "DATE OF SERVICE IN THE FUTURE"))
    birth = claim.patient.birth_date if claim.patient is not None else sub.birth_date
    if birth is not None and min(starts) < birth:
        out.append(
            Rejection(
                (StatusCode("A8", "187", "QC"), StatusCode("A8", "158", "QC")),
                "DATE OF SERVICE BEFORE BIRTH DATE",
            )
        )
    if claim.patient is None and sub.address is None:
        out.append(Rejection((StatusCode("A6", "126", "IL"),), "SUBSCRIBER ADDRESS MISSING"))
    profile = config.profile(sub.payer.payer_id, sub.payer.name, sub.claim_filing)
    if profile.requires_group_number and not sub.group_number:
        out.append(Rejection((StatusCode("A6", "163", "IL"),), "SUBSCRIBER GROUP NUMBER MISSING"))
    if str(claim.frequency) in ("7", "8") and claim.payer_claim_number not in known_claim_numbers:
        out.append(Rejection((StatusCode("A7", "21"),), "ORIGINAL CLAIM NUMBER NOT FOUND"))
    if sub.responsibility != "P" and cob_balance_problems(claim):
        out.append(
            Rejection((StatusCode("A7", "672"),), "PRIOR PAYER PAYMENT INFORMATION OUT OF BALANCE")
        )
    return out


# -- 277CA ------------------------------------------------------------------------------------


def _party(entity: str, name: Name, qualifier: str, identifier: str) -> Party:
    if name.person:
        return Party(entity, "1", name.last, name.first, name.middle, "", qualifier, identifier)
    return Party(entity, "2", name.last, "", "", "", qualifier, identifier)


def _period(claim: ProfessionalClaim) -> Period:
    start = min(ln.service_date for ln in claim.lines)
    end = max(ln.service_end_date or ln.service_date for ln in claim.lines)
    return Period(start, end)


@dataclass(slots=True)
class _Answered:
    claim: ProfessionalClaim
    result: ClaimResult
    trace: str


def _acknowledgment(
    batch: ProfessionalClaimBatch,
    answered: Sequence[_Answered],
    *,
    control_number: str,
    reference: str,
    receipt: str,
    received: date,
    processed: datetime,
    config: SandboxConfig,
    file_sha: str,
    set_control: str,
) -> ClaimAcknowledgment:
    day = processed.date()
    providers: dict[tuple[str, str, str], BillingProviderAck] = {}
    patients: dict[
        tuple[tuple[str, str, str, str, str], tuple[str, str, str, str], str], PatientAck
    ] = {}
    counts: dict[tuple[str, str, str], list[Decimal]] = {}
    for a in answered:
        c = a.claim
        bp = c.billing_provider
        pkey = (bp.npi, bp.name.last, bp.name.first)
        prov = providers.get(pkey)
        if prov is None:
            prov = providers[pkey] = BillingProviderAck(
                provider=_party("85", bp.name, "XX", bp.npi),
                trace=digits(config.seed, 10, "provider-trace", file_sha, set_control, bp.npi),
                statuses=[],
                patients=[],
            )
            counts[pkey] = [Decimal(0)] * 4
        name = c.patient.name if c.patient is not None else c.subscriber.name
        sub = c.subscriber
        patkey = (
            (*pkey, sub.member_id, sub.payer.payer_id),
            (name.last, name.first, name.middle, name.suffix),
            str(name.person),
        )
        pat = patients.get(patkey)
        if pat is None:
            party = Party(
                "QC", "1", name.last, name.first, name.middle, name.suffix, "MI", sub.member_id
            )
            pat = patients[patkey] = PatientAck(party)
            prov.patients.append(pat)
        if a.result.accepted:
            statuses = [Status(ACCEPTED, day, "WQ", c.total_charge)]
        else:
            statuses = [
                Status(
                    r.codes[0],
                    day,
                    "U",
                    c.total_charge,
                    additional=list(r.codes[1:3]),
                    message=r.message,
                )
                for r in a.result.rejections
            ]
        pat.claims.append(
            ClaimAck(
                patient_control_number=c.patient_control_number,
                statuses=statuses,
                service_period=_period(c),
                payer_claim_control_number=a.result.icn if a.result.accepted else "",
                clearinghouse_trace_number=a.trace,
            )
        )
        n = counts[pkey]
        if a.result.accepted:
            n[0] += 1
            n[2] += c.total_charge
        else:
            n[1] += 1
            n[3] += c.total_charge
    totals = [Decimal(0)] * 4
    for pkey, prov in providers.items():
        n = counts[pkey]
        totals = [t + x for t, x in zip(totals, n, strict=True)]
        prov.statuses = [Status(RECEIVED, None, "WQ", n[2] + n[3])]
        prov.accepted_quantity = int(n[0]) or None
        prov.rejected_quantity = int(n[1]) or None
        prov.accepted_amount = n[2] if n[0] else None
        prov.rejected_amount = n[3] if n[1] else None
    receiver = InformationReceiverAck(
        receiver=_party("41", batch.submitter.name, "46", batch.submitter.id),
        trace=batch.reference,
        statuses=[Status(RECEIVED, day, "WQ", totals[2] + totals[3])],
        providers=list(providers.values()),
        accepted_quantity=int(totals[0]) or None,
        rejected_quantity=int(totals[1]) or None,
        accepted_amount=totals[2] if totals[0] else None,
        rejected_amount=totals[3] if totals[1] else None,
    )
    source = InformationSourceAck(
        source=Party(
            "AY", "2", config.clearinghouse_name, "", "", "", "46", config.clearinghouse_id
        ),
        receipts=[SourceReceipt(receipt, received, day)],
        receiver=receiver,
    )
    return ClaimAcknowledgment(
        control_number=control_number,
        reference=reference,
        created=day,
        created_time=time(processed.hour, processed.minute),
        sources=[source],
    )


# -- receiving a file -------------------------------------------------------------------------


def _icn(config: SandboxConfig, taken: set[str], received: date, *labels: object) -> str:
    prefix = f"{received:%y}{received.timetuple().tm_yday:03d}"
    n = 0
    while True:
        icn = prefix + digits(config.seed, 8, "icn", *labels, n)
        if icn not in taken:
            taken.add(icn)
            return icn
        n += 1


def _ta1_file(
    ack: TA1Ack,
    *,
    moment: datetime,
    config: SandboxConfig,
    receiver: str,
    usage: str,
    ctl: ControlNumbers,
    sha: str,
) -> OutboundFile:
    isa = ctl.next("ISA")
    text = write_ta1(
        [ack],
        sender_id=config.clearinghouse_id[:15],
        receiver_id=receiver[:15],
        isa_control=isa,
        now=moment,
        usage=usage,
    )
    return OutboundFile(f"TA1-{isa:09d}", "TA1", f"TA1_{isa:09d}.x12", text, moment, sha)


def _group_key(g: GroupHeader) -> tuple[str, int]:
    return (g.control_number, g.segment_number)


def receive_837(
    data: bytes,
    *,
    received_at: datetime,
    state: SandboxState,
    config: SandboxConfig,
    controls: ControlNumbers | None = None,
    name: str = "",
) -> SandboxResponse:
    """Receive one 837P file: the TA1, 999 and 277CA files it gets (kept in ``state`` and handed
    out by :meth:`SandboxState.take_due` from their ``available_at``), and the claims the payers
    now hold (adjudicated later by :func:`openrcm.core.sandbox.payer.adjudicate`)."""
    moment = aware(received_at, "received_at")
    sha = hashlib.sha256(data).hexdigest()
    seen = state.received.get(sha)
    if seen is not None:
        return SandboxResponse(
            sha,
            True,
            [state.file(f) for f in seen.response_files],
            [ClaimResult(p, True) for p in seen.accepted_claims]
            + [ClaimResult(p, False) for p in seen.rejected_claims],
        )
    ctl = controls if controls is not None else StateControls(state)
    received_on = moment.date()
    results: list[Read837PSet] = []
    fatal: X12Error | None = None
    try:
        results = list(iter_837p(data, file=name or None))
    except X12Error as exc:
        fatal = exc
    header: InterchangeHeader | None = next(
        (r.interchange for r in results if r.interchange is not None), None
    )
    submitter = header.sender_id if header is not None else "UNKNOWN"
    usage = header.usage if header is not None and header.usage in ("P", "T") else "T"
    record = ReceivedFile(
        sha, name, moment, header.control_number if header else "", submitter, usage
    )
    state.received[sha] = record
    response = SandboxResponse(sha, False, [])

    def add(f: OutboundFile) -> None:
        state.files.append(f)
        response.files.append(f)
        record.response_files.append(f.file_id)

    envelope_error = fatal or next(
        (
            r.error
            for r in results
            if r.error is not None and (r.kind == "interchange" or r.group is None)
        ),
        None,
    )
    if envelope_error is not None or not results:
        error = envelope_error or X12Error(X12ErrorCode.NOT_X12, "no interchange in the file")
        if header is not None:
            ack = ta1_for(header, error)
        else:
            ack = TA1Ack(
                "000000000",
                received_on,
                time(moment.hour, moment.minute),
                "R",
                ta1_note_code(error),
            )
        add(
            _ta1_file(
                ack,
                moment=moment + config.ta1_delay,
                config=config,
                receiver=submitter,
                usage=usage,
                ctl=ctl,
                sha=sha,
            )
        )
        response.interchange_rejected = True
        return response
    assert header is not None
    if header.ack_requested == "1":
        add(
            _ta1_file(
                ta1_for(header),
                moment=moment + config.ta1_delay,
                config=config,
                receiver=submitter,
                usage=usage,
                ctl=ctl,
                sha=sha,
            )
        )

    # Functional groups, in file order, with their sets and their own errors.
    groups: dict[tuple[str, int], tuple[GroupHeader, list[Read837PSet], list[X12Error]]] = {}
    for r in results:
        assert r.group is not None
        entry = groups.setdefault(_group_key(r.group), (r.group, [], []))
        if r.kind == "set":
            entry[1].append(r)
        elif r.error is not None:
            entry[2].append(r.error)

    acks: list[ack999.Ack999] = []
    accepted_sets: list[Read837PSet] = []
    for group, sets, errors in groups.values():
        outcomes = [
            ack999.SetOutcome(
                "837",
                r.control_number,
                r.segment_number,
                r.error,
                r.version if r.version in _VERSIONS else "",
            )
            for r in sets
        ]
        group_error = errors[0] if errors else None
        fid = group.functional_id if group.functional_id in ack999.FUNCTIONAL_IDS else "HC"
        acks.append(
            ack999.build_999(
                control_number=f"{ctl.next('ST'):04d}",
                functional_id=fid,
                group_control_number=group.control_number
                if group.control_number.isdigit()
                else "0",
                version=group.version or _VERSIONS[0],
                outcomes=outcomes,
                group_error=group_error,
            )
        )
        if group_error is None:
            accepted_sets += [r for r in sets if r.error is None and r.batch is not None]
    isa = ctl.next("ISA")
    gs = ctl.next("GS")
    ack_at = moment + config.ack_delay
    text = ack999.write_999(
        acks,
        sender_id=config.clearinghouse_id[:15],
        receiver_id=submitter[:15],
        isa_control=isa,
        gs_control=gs,
        now=ack_at,
        usage=usage,
    )
    add(OutboundFile(f"999-{isa:09d}", "999", f"999_{isa:09d}.x12", text, ack_at, sha))
    if not accepted_sets:
        return response

    # 277CA: the payers' answer per claim.
    processed = moment + config.claim_ack_delay
    by_pcn: dict[str, list[PayerClaim]] = {}
    known_numbers: dict[str, set[str]] = {}
    for c in state.claims.values():
        by_pcn.setdefault(c.pcn, []).append(c)
        numbers = known_numbers.setdefault(c.payer_id, set())
        numbers.add(c.icn)
        if c.payment is not None:
            numbers.add(c.payment.payer_claim_number)
    taken = set(state.claims)
    claim_acks: list[ClaimAcknowledgment] = []
    for r in accepted_sets:
        batch = r.batch
        assert batch is not None
        answered: list[_Answered] = []
        for index, claim in enumerate(batch.claims):
            pcn = claim.patient_control_number
            payer_id = claim.subscriber.payer.payer_id
            trace = digits(config.seed, 15, "d9", sha, r.control_number, index)
            rejections = claim_rejections(
                claim,
                received_on=received_on,
                config=config,
                known_claim_numbers=frozenset(known_numbers.get(payer_id, ())),
            )
            if rejections:
                result = ClaimResult(pcn, False, rejections=rejections)
                record.rejected_claims.append(pcn)
            else:
                h = claim_content_hash(claim)
                earlier = [c for c in by_pcn.get(pcn, []) if c.payer_id == payer_id]
                same = next((c for c in earlier if c.content_hash == h), None)
                if same is not None:
                    result = ClaimResult(pcn, True, same.icn, duplicate=True)
                else:
                    icn = _icn(config, taken, received_on, sha, r.control_number, index)
                    live = [c for c in earlier if c.status not in ("voided", "replaced")]
                    dup = live[0].icn if live and str(claim.frequency) == "1" else ""
                    pc = payer_claim_from_837(
                        claim,
                        icn=icn,
                        file_sha256=sha,
                        submitter_id=submitter,
                        received_on=received_on,
                        config=config,
                        content_hash=h,
                        duplicate_of=dup,
                    )
                    state.claims[icn] = pc
                    by_pcn.setdefault(pcn, []).append(pc)
                    known_numbers.setdefault(payer_id, set()).add(icn)
                    result = ClaimResult(pcn, True, icn)
                record.accepted_claims.append(pcn)
            response.claims.append(result)
            answered.append(_Answered(claim, result, trace))
        claim_acks.append(
            _acknowledgment(
                batch,
                answered,
                control_number=f"{ctl.next('ST'):04d}",
                reference="CA" + digits(config.seed, 12, "bht", sha, r.control_number),
                receipt="R" + sha[:15].upper(),
                received=received_on,
                processed=processed,
                config=config,
                file_sha=sha,
                set_control=r.control_number,
            )
        )
    isa = ctl.next("ISA")
    gs = ctl.next("GS")
    text = write_interchange(
        [outgoing_277ca(a) for a in claim_acks],
        sender_id=config.clearinghouse_id[:15],
        receiver_id=submitter[:15],
        isa_control=isa,
        gs_control=gs,
        functional_id="HN",
        version=GUIDE,
        usage=usage,
        now=processed,
    )
    add(OutboundFile(f"277CA-{isa:09d}", "277CA", f"277CA_{isa:09d}.x12", text, processed, sha))
    return response
