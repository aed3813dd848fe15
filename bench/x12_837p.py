"""837P benchmark section (registered in bench/x12.py as ``837p``; also runnable alone).

    python bench/x12_837p.py          # the section alone
    python bench/x12.py 837p          # through the shared runner

Builds 10,000 professional claims (1-4 lines each; a quarter for dependents, a fifth secondary
with the primary's adjudication at claim and line level, some NDC lines, replacements and voids)
in 5,000-claim transaction sets, then times in this one process (CPU seconds, best of 5): our
writer, the bare read-and-split floor of the file it wrote, our reader (loop grammar, typed
objects) and pyx12 4.0.0 validating the same file (one run, on a copy in a temporary folder).
"""

from __future__ import annotations

import io
import logging
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Protocol

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
    ProfessionalClaim,
    ProfessionalClaimBatch,
    Receiver,
    RenderingProvider,
    ServiceLine,
    Submitter,
    Subscriber,
    read_837p,
    split_claims,
    write_837p_interchange,
)

NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
RUNS = 5
TARGET_WRITE_VS_FLOOR = 4.0
N_CLAIMS = 10_000


class _Report(Protocol):
    def say(self, text: str = "") -> None: ...

    def check(self, ok: bool, what: str) -> None: ...


def cpu_best(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Best CPU time of ``runs``: other processes on a shared machine only ever add time."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


# -- building claims ----------------------------------------------------------------------

CODES = ["99213", "99214", "99203", "80053", "85025", "93000", "36415", "71046", "97110", "J1100"]
DX = [
    "E119",
    "I10",
    "J069",
    "M545",
    "Z0000",
    "R079",
    "E785",
    "F419",
    "K219",
    "N390",
    "R51",
    "J45909",
]
STATES = ["TX", "CA", "NY", "FL", "IL", "OH", "GA", "NC", "MI", "PA"]


def _npi(first9: str) -> str:
    total = 0
    for i, ch in enumerate(reversed("80840" + first9)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return first9 + str((10 - total % 10) % 10)


def _address(rnd: random.Random, zip9: bool = False) -> Address:
    return Address(
        line1=f"{rnd.randint(1, 9999)} MAIN ST",
        city="SPRINGFIELD",
        state=rnd.choice(STATES),
        postal_code=f"{rnd.randint(10000, 99999)}"
        + (f"{rnd.randint(0, 9999):04d}" if zip9 else ""),
    )


def make_batch(n_claims: int = N_CLAIMS, seed: int = 837) -> ProfessionalClaimBatch:
    rnd = random.Random(seed)
    providers = [
        BillingProvider(
            name=Name.organization(f"FAMILY PRACTICE {i}"),
            npi=_npi(f"1{rnd.randint(10_000_000, 99_999_999)}"),
            address=_address(rnd, zip9=True),
            tax_id=f"{rnd.randint(100_000_000, 999_999_999)}",
            taxonomy="207Q00000X",
            contacts=[Contact(name="BILLING OFFICE", phone="5125550100")],
        )
        for i in range(20)
    ]
    payers = [Payer(name=f"HEALTH PLAN {i}", payer_id=f"{60000 + i}") for i in range(12)]
    claims: list[ProfessionalClaim] = []
    for i in range(n_claims):
        bp = providers[(i // 50) % len(providers)]
        secondary = rnd.random() < 0.2
        payer = rnd.choice(payers)
        sub = Subscriber(
            name=Name(last=f"PATIENT{i}", first="ALEX", middle="Q"),
            member_id=f"W{rnd.randint(10**8, 10**9 - 1)}",
            payer=payer,
            responsibility="S" if secondary else "P",
            claim_filing="CI",
            group_number=f"G{rnd.randint(1000, 9999)}",
            address=_address(rnd),
            birth_date=date(1950, 1, 1) + timedelta(days=rnd.randint(0, 25_000)),
            sex=rnd.choice("FM"),
        )
        patient = None
        if rnd.random() < 0.25:
            patient = Patient(
                name=Name(last=f"PATIENT{i}", first="SAM"),
                relationship="19",
                address=sub.address or _address(rnd),
                birth_date=date(2005, 1, 1) + timedelta(days=rnd.randint(0, 5000)),
                sex=rnd.choice("FM"),
            )
        dos = date(2024, 1, 2) + timedelta(days=rnd.randint(0, 50))
        dx = rnd.sample(DX, rnd.randint(1, 4))
        lines = []
        for j in range(rnd.choice((1, 1, 2, 2, 3, 4))):
            code = rnd.choice(CODES)
            lines.append(
                ServiceLine(
                    procedure_code=code,
                    modifiers=["25"] if code.startswith("992") and rnd.random() < 0.3 else [],
                    charge=Decimal(rnd.randint(2_000, 40_000)).scaleb(-2),
                    units=Decimal(1),
                    service_date=dos,
                    diagnosis_pointers=list(range(1, min(len(dx), 4) + 1)),
                    control_number=f"{i}-{j + 1}",
                    drug=Drug(ndc="00409123401", quantity=Decimal(2), unit="ML")
                    if code == "J1100"
                    else None,
                )
            )
        others: list[OtherPayer] = []
        if secondary:
            prim = rnd.choice(payers)
            allowed = sum((ln.charge for ln in lines), Decimal(0))
            paid = (allowed * Decimal("0.6")).quantize(Decimal("0.01"))
            others.append(
                OtherPayer(
                    responsibility="P",
                    relationship="18",
                    subscriber_name=sub.name,
                    subscriber_id=sub.member_id,
                    payer_name=prim.name,
                    payer_id=prim.payer_id + "P",
                    claim_filing="CI",
                    adjustments=[Adjustment(group="PR", reason="2", amount=allowed - paid)],
                    paid_amount=paid,
                )
            )
            for ln in lines:
                lpaid = (ln.charge * Decimal("0.6")).quantize(Decimal("0.01"))
                ln.adjudications.append(
                    LineAdjudication(
                        payer_id=prim.payer_id + "P",
                        paid=lpaid,
                        procedure_code=ln.procedure_code,
                        modifiers=list(ln.modifiers),
                        units=ln.units,
                        adjudication_date=dos + timedelta(days=20),
                        adjustments=[Adjustment(group="PR", reason="2", amount=ln.charge - lpaid)],
                    )
                )
        freq = "1" if rnd.random() < 0.95 else rnd.choice("78")
        claims.append(
            ProfessionalClaim(
                billing_provider=bp,
                subscriber=sub,
                patient=patient,
                patient_control_number=f"PCN{i:08d}",
                total_charge=sum((ln.charge for ln in lines), Decimal(0)),
                place_of_service="11",
                diagnoses=dx,
                lines=lines,
                frequency=freq,
                payer_claim_number=f"PAYER{i}" if freq != "1" else "",
                prior_authorization=f"AUTH{i}" if rnd.random() < 0.1 else "",
                dates=[ClaimDate(qualifier="431", start=dos - timedelta(days=3))]
                if rnd.random() < 0.2
                else [],
                rendering=RenderingProvider(
                    name=Name(last="WELBY", first="MARCUS"),
                    npi=_npi("123456789"),
                    taxonomy="207Q00000X",
                )
                if rnd.random() < 0.5
                else None,
                other_payers=others,
            )
        )
    return ProfessionalClaimBatch(
        submitter=Submitter(
            name=Name.organization("BILLING TEAM"),
            id="SUB001",
            contacts=[Contact(name="EDI DESK", phone="5125550199")],
        ),
        receiver=Receiver(name="CLEARINGHOUSE", id="CH001"),
        reference="BATCH1",
        created_date=date(2024, 3, 1),
        created_time=dtime(9, 30),
        claims=claims,
    )


def write(batch: ProfessionalClaimBatch) -> str:
    parts = split_claims(batch)
    return write_837p_interchange(
        parts,
        set_control_numbers=[f"{i + 1:04d}" for i in range(len(parts))],
        sender_id="SUB001",
        receiver_id="CH001",
        isa_control=1,
        gs_control=1,
        now=NOW,
    )


def floor(path: Path) -> None:
    """The pure-Python floor: read the file, split on the segment and element separators."""
    text = path.read_bytes().decode()
    term = text[105]
    sep = text[3]
    _ = [s.split(sep) for s in text.split(term)]


def ours_read(path: Path) -> int:
    return sum(len(b.claims) for b in read_837p(path))


def pyx12_validate(path: Path) -> bool:
    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=str(copy),
            fd_997=io.StringIO(),
            fd_html=None,
            fd_json=io.StringIO(),
        )
    return bool(ok)


def section_837p(report: _Report, n_claims: int = N_CLAIMS) -> None:
    report.say(f"== 837P: {n_claims:,} claims ==")
    batch = make_batch(n_claims)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.837"
        text = write(batch)
        path.write_text(text, encoding="ascii")
        lines = sum(len(c.lines) for c in batch.claims)
        report.say(
            f"file: {path.stat().st_size / 1e6:.1f} MB, {text.count('~'):,} segments,"
            f" {lines:,} service lines, {len(split_claims(batch))} ST-SE sets"
        )
        del text
        assert ours_read(path) == n_claims
        t_floor = cpu_best(lambda: floor(path))
        t_write = cpu_best(lambda: write(batch))
        t_read = cpu_best(lambda: ours_read(path))
        report.say(f"read + split floor:                 {t_floor:7.3f} s")
        report.say(
            f"ours, write (837P, envelopes):      {t_write:7.3f} s"
            f"  = {t_write / t_floor:.2f}x floor"
        )
        report.say(
            f"ours, read_837p (grammar, objects): {t_read:7.3f} s  = {t_read / t_floor:.2f}x floor"
        )
        report.check(
            t_write / t_floor <= TARGET_WRITE_VS_FLOOR,
            f"837P write within {TARGET_WRITE_VS_FLOOR:.0f}x of the floor",
        )
        try:
            start = time.process_time()
            valid = pyx12_validate(path)
            t_pyx12 = time.process_time() - start
        except ImportError:
            report.say("pyx12 not installed: skipped")
            return
        report.say(
            f"pyx12 4.0.0 validate (1 run):       {t_pyx12:7.3f} s  "
            f"(file {'valid' if valid else 'INVALID'} by pyx12)"
        )
        report.say(
            f"ratios: pyx12 / our read = {t_pyx12 / t_read:.1f}x, "
            f"pyx12 / our write = {t_pyx12 / t_write:.1f}x"
        )
        report.check(valid, "pyx12 finds the 837P we wrote valid")


def run() -> int:
    """Run the 837P section alone (``python bench/x12_837p.py``)."""

    class _Print:
        failures: list[str]

        def __init__(self) -> None:
            self.failures = []

        def say(self, text: str = "") -> None:
            print(text, flush=True)

        def check(self, ok: bool, what: str) -> None:
            self.say(f"  {'OK  ' if ok else 'MISS'} {what}")
            if not ok:
                self.failures.append(what)

    report = _Print()
    report.say(f"Python {sys.version.split()[0]}; CPU seconds, best of {RUNS} unless noted")
    section_837p(report, int(sys.argv[1]) if len(sys.argv) > 1 else N_CLAIMS)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(run())
