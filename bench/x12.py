"""X12 benchmarks: print figures and ratios (never run as tests).

    python bench/x12.py            # every section
    python bench/x12.py 835        # one section (sections: 835, 835-memory)

Section 835: builds an 835 of 20,000 claims with our writer, then times, in this one process
(CPU seconds, best of 5): the bare read-and-split floor, our streaming 835 reader (loop grammar
and balancing), ``read_835`` (the same, keeping every object) and pyx12 4.0.0 validating the same
file (on a copy in a temporary folder, as it writes files beside its input).
Section 837p: see bench/x12_837p.py (write, read, pyx12 and the floor on 10,000 claims).
Section 835-memory: writes a ~200 MB 835 to a temporary file and streams it through our reader in
a fresh process, reporting its peak resident memory.

Each section is a function taking the shared ``Report``; other parts add their sections (837P)
to ``SECTIONS``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

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
    Reference,
    Remark,
    Remittance,
    RemittanceEnd,
    RemittanceFailure,
    ServiceLine,
    Trace,
    iter_remittance,
    read_835,
    write_835,
    write_claim,
)
from openrcm.core.x12.writer import SegmentWriter
from x12_837p import section_837p

NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
RUNS = 5
TARGET_VS_PYX12 = 20.0
TARGET_VS_FLOOR = 4.0
TARGET_PEAK_MB = 150.0


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def check(self, ok: bool, what: str) -> None:
        self.say(f"  {'OK  ' if ok else 'MISS'} {what}")
        if not ok:
            self.failures.append(what)


def cpu_best(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Best CPU time of ``runs``: other processes on a shared machine only ever add time."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


# -- building an 835 ------------------------------------------------------------------------

CODES = ["99213", "99214", "99203", "80053", "85025", "93000", "36415", "71046", "97110"]


def make_claim(rnd: random.Random, i: int, header: ClaimHeader) -> ClaimPayment:
    lines = []
    pr_total = Decimal(0)
    for j in range(rnd.choice((1, 1, 2, 2, 3, 4))):
        charge = Decimal(rnd.randint(4000, 45000)) / 100
        contractual = (charge * Decimal(rnd.randint(10, 45)) / 100).quantize(Decimal("0.01"))
        patient = Decimal(rnd.choice((0, 0, 1000, 2000, 2500, 4000))) / 100
        patient = min(patient, charge - contractual)
        adjustments = [Adjustment("CO", "45", contractual)]
        if patient:
            adjustments.append(Adjustment("PR", rnd.choice(("1", "2", "3")), patient))
        pr_total += patient
        line = ServiceLine(
            "HC", rnd.choice(CODES), charge, charge - contractual - patient,
            modifiers=["25"] if j == 0 and rnd.random() < 0.2 else [],
            units=Decimal(1),
            dates=[DateRef("472", date(2024, 1, rnd.randint(1, 28)))],
            adjustments=adjustments,
            references=[Reference("6R", f"{i:07d}-{j + 1}")],
            amounts=[AmountRef("B6", charge - contractual)],
            remarks=[Remark("HE", "N130")] if rnd.random() < 0.1 else [],
        )  # fmt: skip
        lines.append(line)
    charge = sum((ln.charge for ln in lines), Decimal(0))
    paid = sum((ln.paid for ln in lines), Decimal(0))
    return ClaimPayment(
        patient_control_number=f"PCN{i:08d}",
        status="1",
        charge=charge,
        paid=paid,
        filing_indicator="12",
        payer_claim_number=f"{2024000000000 + i}",
        patient_responsibility=pr_total or None,
        facility_type="11",
        frequency="1",
        names=[
            EntityName("QC", "1", f"PATIENT{i % 997}", "ALEX", id_qualifier="MI", id=f"M{i:09d}"),
            EntityName("82", "1", "SMITH", "JO", id_qualifier="XX", id="1234567893"),
        ],
        dates=[DateRef("232", date(2024, 1, 2)), DateRef("233", date(2024, 1, 28))],
        lines=lines,
        header=header,
    )


def make_remittance(n_claims: int, seed: int = 835) -> Remittance:
    rnd = random.Random(seed)
    header = ClaimHeader("1")
    claims = [make_claim(rnd, i, header) for i in range(n_claims)]
    total = sum((c.paid for c in claims), Decimal(0))
    return Remittance(
        control_number="0001",
        payment=Payment("I", total, "C", "ACH", date(2024, 3, 1), format="CCP",
                        sender_dfi_qualifier="01", sender_dfi="999999992",
                        sender_account_qualifier="DA", sender_account="123456",
                        originator_id="1512345678", receiver_dfi_qualifier="01",
                        receiver_dfi="999988880", receiver_account_qualifier="DA",
                        receiver_account="98765"),
        trace=Trace("EFT0001234", "1512345678"),
        payer=Party("PR", "ACME HEALTH PLAN", address=Address("1 MAIN ST", city="HARRISBURG",
                                                              state="PA", postal_code="17111"),
                    contacts=[Contact("BL", "EDI SUPPORT", [("TE", "8005551212")])]),
        payee=Party("PE", "VALLEY FAMILY MEDICINE", "XX", "1234567893"),
        claims=claims,
        production_date=date(2024, 3, 1),
    )  # fmt: skip


def write_big_835(path: Path, target_bytes: int) -> int:
    """A balanced 835 of about ``target_bytes``: one set whose claims repeat a written pool."""
    pool_rem = make_remittance(2000, seed=200)
    pool = SegmentWriter()
    for c in pool_rem.claims:
        write_claim(pool, c)
    block = pool.getvalue()
    block_segments = pool.count
    repeats = max(1, target_bytes // len(block))
    header = SegmentWriter()
    rem = pool_rem
    rem.payment.amount = sum((c.paid for c in rem.claims), Decimal(0)) * repeats
    head_text = write_835([Remittance(rem.control_number, rem.payment, rem.trace, rem.payer,
                                      rem.payee)], sender_id="PAYER", receiver_id="CLINIC",
                          isa_control=1, gs_control=1, now=NOW, check_balance=False)  # fmt: skip
    # head_text is ISA..SE..IEA of a set without claims; splice the claims in before SE.
    se_at = head_text.rindex("~SE*") + 1
    se_count = int(head_text[se_at + 3 : head_text.index("*", se_at + 3)])
    header.seg("LX", "1")
    with path.open("w", encoding="ascii") as out:
        out.write(head_text[:se_at])
        out.write(header.getvalue())
        for _ in range(repeats):
            out.write(block)
        total = se_count + 1 + block_segments * repeats
        out.write(f"SE*{total}*{rem.control_number}~GE*1*1~IEA*1*000000001~")
    return repeats * len(pool_rem.claims)


# -- timed readers --------------------------------------------------------------------------


def floor(path: Path) -> None:
    """The pure-Python floor: read the file, split on the segment and element separators."""
    text = path.read_bytes().decode()
    term = text[105]
    sep = text[3]
    _ = [s.split(sep) for s in text.split(term)]


def ours_streaming(path: Path) -> tuple[int, int]:
    claims = lines = 0
    for ev in iter_remittance(path):
        if isinstance(ev, RemittanceFailure):
            raise ev.error
        if isinstance(ev, RemittanceEnd):
            claims += ev.claim_count
            lines += ev.line_count
    return claims, lines


def ours_read_all(path: Path) -> int:
    return sum(len(r.claims) for r in read_835(path))


def pyx12_validate(path: Path) -> bool:
    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)  # its own 999 builder logs noise
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=str(copy), fd_997=io.StringIO(),
            fd_html=None, fd_json=io.StringIO(),
        )  # fmt: skip
    return bool(ok)


# -- sections -------------------------------------------------------------------------------


def section_835(report: Report, n_claims: int = 20_000) -> None:
    report.say(f"== 835: {n_claims:,} claims ==")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.835"
        rem = make_remittance(n_claims)
        start = time.process_time()
        text = write_835([rem], sender_id="PAYER", receiver_id="CLINIC", isa_control=1,
                         gs_control=1, now=NOW)  # fmt: skip
        write_s = time.process_time() - start
        path.write_text(text, encoding="ascii")
        lines = sum(len(c.lines) for c in rem.claims)
        segments = text.count("~")
        del rem, text
        report.say(f"file: {path.stat().st_size / 1e6:.1f} MB, {segments:,} segments, "
                   f"{lines:,} service lines; our writer built it in {write_s:.2f} s")  # fmt: skip
        assert ours_streaming(path) == (n_claims, lines)
        t_floor = cpu_best(lambda: floor(path))
        t_stream = cpu_best(lambda: ours_streaming(path))
        t_all = cpu_best(lambda: ours_read_all(path))
        report.say(f"read + split floor:                 {t_floor:7.3f} s")
        report.say(f"ours, streaming (grammar+balance):  {t_stream:7.3f} s  "
                   f"= {t_stream / t_floor:.2f}x floor")  # fmt: skip
        report.say(f"ours, read_835 (all objects kept):  {t_all:7.3f} s  "
                   f"= {t_all / t_floor:.2f}x floor")  # fmt: skip
        try:
            start = time.process_time()
            valid = pyx12_validate(path)
            t_pyx12 = time.process_time() - start
        except ImportError:
            report.say("pyx12 not installed: skipped")
            return
        report.say(f"pyx12 4.0.0 validate (1 run):       {t_pyx12:7.3f} s  "
                   f"(file {'valid' if valid else 'INVALID'} by pyx12)")  # fmt: skip
        report.say(f"ratios: pyx12 / ours streaming = {t_pyx12 / t_stream:.1f}x, "
                   f"pyx12 / read_835 = {t_pyx12 / t_all:.1f}x")  # fmt: skip
        report.check(t_pyx12 / t_stream >= TARGET_VS_PYX12,
                     f"835 read >= {TARGET_VS_PYX12:.0f}x faster than pyx12")  # fmt: skip
        report.check(t_stream / t_floor <= TARGET_VS_FLOOR,
                     f"835 streaming read within {TARGET_VS_FLOOR:.0f}x of the floor")  # fmt: skip
        report.check(
            t_all / t_floor <= TARGET_VS_FLOOR,
            f"read_835 (all objects) within {TARGET_VS_FLOOR:.0f}x of the floor",
        )
        report.check(valid, "pyx12 finds the 835 we wrote valid")


def _peak_kb() -> int:
    """Peak resident memory of this process in KB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _memory_child(path: str) -> None:
    # A child process inherits its parent's high-water mark: reset it (Linux >= 4.0).
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    base = _peak_kb()
    start = time.process_time()
    claims, lines = ours_streaming(Path(path))
    took = time.process_time() - start
    peak = _peak_kb()
    print(f"{claims} {lines} {base} {peak} {took}")


def section_835_memory(report: Report, target_mb: int = 200) -> None:
    report.say(f"== 835 streaming memory: ~{target_mb} MB file ==")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.835"
        claims = write_big_835(path, target_mb * 1_000_000)
        size = path.stat().st_size / 1e6
        proc = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(path)],
            capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )  # fmt: skip
        got_claims, lines, base_kb, peak_kb, took = proc.stdout.split()
        assert int(got_claims) == claims
        peak_mb = int(peak_kb) / 1024
        report.say(f"file: {size:.0f} MB, {claims:,} claims, {int(lines):,} lines in one ST-SE; "
                   f"streamed with balancing in {float(took):.1f} s CPU")  # fmt: skip
        report.say(
            f"peak resident memory: {peak_mb:.1f} MB "
            f"(interpreter and imports before reading: {int(base_kb) / 1024:.1f} MB)"
        )
        report.check(peak_mb < TARGET_PEAK_MB, f"peak memory < {TARGET_PEAK_MB:.0f} MB")


SECTIONS: dict[str, Callable[[Report], None]] = {
    "835": section_835,
    "835-memory": section_835_memory,
    "837p": section_837p,
}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--memory-child"]:
        _memory_child(argv[1])
        return 0
    chosen = argv or list(SECTIONS)
    report = Report()
    report.say(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s); CPU seconds, "
               f"best of {RUNS} unless noted")  # fmt: skip
    for name in chosen:
        SECTIONS[name](report)
        report.say()
    if report.failures:
        report.say("targets missed: " + "; ".join(report.failures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
