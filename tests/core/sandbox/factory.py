"""837P input for the sandbox tests: varied, valid claims written with our 837P writer."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import random
import shutil
import tempfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from openrcm.core.identifiers import make_npi
from openrcm.core.x12.claim837p import (
    Address,
    Adjustment,
    BillingProvider,
    Contact,
    LineAdjudication,
    Name,
    OtherPayer,
    Patient,
    Payer,
    ProfessionalClaim,
    ProfessionalClaimBatch,
    Receiver,
    RenderingProvider,
    ServiceLine,
    Submitter,
    Subscriber,
    write_837p_interchange,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
BILLING_NPI = make_npi("123456789")
RENDERING_NPI = make_npi("198765432")

PAYERS = {
    "MB": Payer(name="MEDICARE PART B", payer_id="04412"),
    "MC": Payer(name="STATE MEDICAID", payer_id="SKMD0"),
    "CI": Payer(name="ACME HEALTH", payer_id="60054"),
    "BL": Payer(name="BLUE PLAN", payer_id="00590"),
}
SECONDARY = Payer(name="MEDIGAP PLUS", payer_id="77777")
CODES = [
    ("99213", Decimal("150.00")),
    ("99214", Decimal("210.00")),
    ("99204", Decimal("320.00")),
    ("99396", Decimal("260.00")),
    ("36415", Decimal("25.00")),
    ("85025", Decimal("45.00")),
    ("80053", Decimal("80.00")),
    ("93000", Decimal("95.00")),
    ("71046", Decimal("130.00")),
    ("20610", Decimal("240.00")),
    ("J1030", Decimal("35.00")),
    ("G0439", Decimal("210.00")),
]

BILLING = BillingProvider(
    name=Name.organization("RIVERSIDE FAMILY MEDICINE"),
    npi=BILLING_NPI,
    address=Address(line1="12 RIVER RD", city="HARRISBURG", state="PA", postal_code="171011234"),
    tax_id="251234567",
    taxonomy="207Q00000X",
)
SUBMITTER = Submitter(
    name=Name.organization("RIVERSIDE BILLING"),
    id="RIVERSIDE01",
    contacts=[Contact(name="BILLING DESK", phone="7175550100")],
)
RECEIVER = Receiver(name="OPENRCM SANDBOX CLEARINGHOUSE", id="OPENRCMSANDBOX")
HOME = Address(line1="5 ELM ST", city="HARRISBURG", state="PA", postal_code="17102")


def claim(
    rng: random.Random,
    n: int,
    *,
    filing: str | None = None,
    service: dt.date | None = None,
    member_id: str | None = None,
    lines: int | None = None,
    secondary: bool | None = None,
) -> ProfessionalClaim:
    """A valid claim; ``rng`` varies payer, codes, dates, dependents and secondary coverage."""
    filing = filing or rng.choice(["MB", "MB", "MC", "CI", "CI", "BL"])
    payer = PAYERS[filing]
    day = service or (NOW.date() - dt.timedelta(days=rng.randint(1, 40)))
    dependent = filing not in ("MB",) and rng.random() < 0.3
    subscriber = Subscriber(
        name=Name(last=f"SMITH{n % 97}", first="PAT"),
        member_id=member_id or f"M{rng.randint(10**8, 10**9 - 1)}",
        payer=payer,
        claim_filing=filing,
        group_number="G100" if filing in ("CI", "BL") else "",
        address=HOME,
        birth_date=dt.date(1950, 1, 1) if filing == "MB" else dt.date(1980, 6, 1),
        sex="F",
    )
    patient = None
    if dependent:
        patient = Patient(
            name=Name(last=f"SMITH{n % 97}", first="KID"),
            relationship="19",
            address=HOME,
            birth_date=dt.date(2012, 5, 5),
            sex="M",
        )
    count = lines or rng.choice([1, 1, 2, 2, 3, 4])
    chosen = rng.sample(CODES, count)
    svc = [
        ServiceLine(
            procedure_code=code,
            charge=price * (units := rng.choice([1, 1, 1, 2])),
            units=Decimal(units),
            service_date=day,
            diagnosis_pointers=[1],
            control_number=f"L{n}-{i + 1}",
        )
        for i, (code, price) in enumerate(chosen)
    ]
    others: list[OtherPayer] = []
    if secondary if secondary is not None else (filing == "MB" and rng.random() < 0.3):
        others.append(
            OtherPayer(
                responsibility="S",
                relationship="18",
                subscriber_name=subscriber.name,
                subscriber_id="S" + subscriber.member_id,
                payer_name=SECONDARY.name,
                payer_id=SECONDARY.payer_id,
                claim_filing="CI",
            )
        )
    return ProfessionalClaim(
        billing_provider=BILLING,
        subscriber=subscriber,
        patient=patient,
        patient_control_number=f"PCN{n:07d}",
        total_charge=sum((ln.charge for ln in svc), Decimal(0)),
        place_of_service="11",
        diagnoses=["E119", "I10"],
        lines=svc,
        rendering=RenderingProvider(name=Name(last="JONES", first="ANN"), npi=RENDERING_NPI)
        if rng.random() < 0.5
        else None,
        other_payers=others,
    )


def secondary_claim(
    primary: ProfessionalClaim, paid: list[Decimal], pr: list[Decimal]
) -> ProfessionalClaim:
    """The secondary claim of ``primary``: billed to the secondary payer, carrying the primary's
    line adjudication (paid and PR-2 per line)."""
    sub = primary.subscriber
    lines = [
        replace(
            ln,
            adjudications=[
                LineAdjudication(
                    payer_id=sub.payer.payer_id,
                    paid=p,
                    procedure_code=ln.procedure_code,
                    units=ln.units,
                    adjudication_date=NOW.date(),
                    adjustments=[
                        Adjustment(group="CO", reason="45", amount=ln.charge - p - r),
                        Adjustment(group="PR", reason="2", amount=r),
                    ],
                )
            ],
        )
        for ln, p, r in zip(primary.lines, paid, pr, strict=True)
    ]
    return replace(
        primary,
        patient_control_number=primary.patient_control_number + "S",
        subscriber=replace(
            sub,
            payer=SECONDARY,
            responsibility="S",
            claim_filing="CI",
            member_id="S" + sub.member_id,
        ),
        other_payers=[
            OtherPayer(
                responsibility="P",
                relationship="18",
                subscriber_name=sub.name,
                subscriber_id=sub.member_id,
                payer_name=sub.payer.name,
                payer_id=sub.payer.payer_id,
                claim_filing=sub.claim_filing,
                paid_amount=sum(paid, Decimal(0)),
            )
        ],
        lines=lines,
    )


def batch(claims: list[ProfessionalClaim], reference: str = "B0001") -> ProfessionalClaimBatch:
    return ProfessionalClaimBatch(
        submitter=SUBMITTER,
        receiver=RECEIVER,
        reference=reference,
        created_date=NOW.date(),
        created_time=dt.time(8, 0),
        claims=claims,
    )


def file_837(
    batches: list[ProfessionalClaimBatch], *, isa: int = 101, gs: int = 201, ack: bool = False
) -> bytes:
    text = write_837p_interchange(
        batches,
        set_control_numbers=[f"{i + 1:04d}" for i in range(len(batches))],
        sender_id="RIVERSIDE01",
        receiver_id="OPENRCMSANDBOX",
        isa_control=isa,
        gs_control=gs,
        usage="T",
        now=NOW,
    )
    if ack:
        text = text.replace("*0*T*", "*1*T*", 1)
    return text.encode("ascii")


def claims(count: int, seed: int = 1, **kw: object) -> list[ProfessionalClaim]:
    rng = random.Random(seed)
    return [claim(rng, i, **kw) for i in range(count)]  # type: ignore[arg-type]


# -- pyx12 ------------------------------------------------------------------------------------


def pyx12_errors(text: str) -> list[str]:
    """[] when pyx12 4.0.0 validates ``text``, else its error messages (pyx12 writes files
    beside its input: it reads a copy in a temporary folder)."""
    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    folder = tempfile.mkdtemp(prefix="pyx12-")
    try:
        path = Path(folder) / "file.x12"
        path.write_text(text, encoding="ascii")
        out = io.StringIO()
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=str(path),
            fd_997=io.StringIO(),
            fd_html=None,
            fd_json=out,
        )
        if ok:
            return []
        report = out.getvalue()
        try:
            data = json.loads(report)
        except ValueError:
            return [report[:2000]]
        found: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    if k in ("errors", "err_str", "msg") and isinstance(v, str):
                        found.append(v)
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(data)
        return found or [report[:2000]]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- running the sandbox ----------------------------------------------------------------------


def texts(files: list[object], kind: str) -> list[str]:
    return [f.text for f in files if f.kind == kind]  # type: ignore[attr-defined]


def segments(text: str, sid: str) -> list[list[str]]:
    return [s.split("*") for s in text.split("~") if s.split("*")[0] == sid]
