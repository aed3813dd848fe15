"""How long the code sets take to load and to answer, in a fresh process each time.

    .venv/bin/python bench/codes.py

Prints: the import of the ICD-10-CM module (reads nothing), the first lookup (reads the codes
file), the first description (reads the descriptions file), lookups per second afterwards, and
for comparison the import of the simple-icd-10-cm package that the data comes from.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import time

clock = time.perf_counter
cpu = time.process_time


def took(w0: float, c0: float) -> str:
    return f"{(clock() - w0) * 1000:.1f} ms wall, {(cpu() - c0) * 1000:.1f} ms CPU"


w, c = clock(), cpu()
from openrcm.core.codes import icd10cm
print(f"import openrcm.core.codes.icd10cm (reads no data): {took(w, c)}")
w, c = clock(), cpu()
release = icd10cm.release()
billable = sum(1 for k in release.codes() if release.kind(k) in icd10cm.BILLABLE_KINDS)
print(f"first use: codes file, {len(release):,} codes ({billable:,} billable): {took(w, c)}")
w, c = clock(), cpu()
code = icd10cm.lookup("S72.001A")
print(f"first description ({code.description[:30]}...): {took(w, c)}")
codes = ["E119", "I10", "E11", "Z0000", "S72001A", "J069", "M5450", "ZZZ99"] * 12500
c = cpu()
for item in codes:
    release.kind(item)
print(f"kind lookups (the scrubber's path): {len(codes) / (cpu() - c):,.0f} per CPU second")
c = cpu()
for item in codes[:20000]:
    icd10cm.lookup(item)
print(f"full lookups (Icd10Code): {20000 / (cpu() - c):,.0f} per CPU second")
print(f"release: {release.name}, {release.effective_from} to {release.effective_to}")
"""

PACKAGE = """
import time
t0 = time.perf_counter()
c0 = time.process_time()
import simple_icd_10_cm
print(
    f"for comparison, import simple_icd_10_cm: {(time.perf_counter() - t0) * 1000:.0f} ms wall, "
    f"{(time.process_time() - c0) * 1000:.0f} ms CPU"
)
"""


def run(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    print(result.stdout, end="")


def main() -> None:
    run(PROBE)
    try:
        run(PACKAGE)
    except subprocess.CalledProcessError:
        print("simple_icd_10_cm is not installed here; skipped")


if __name__ == "__main__":
    main()
