"""Scrub 10,000 claims through every built-in pack (and the corpus's payer rules) on one core.

    .venv/bin/python bench/scrub.py [--claims N] [--repeat R]

The claims are the acceptance corpus (tests/core/scrub/corpus.py: clean claims of many
specialties and claims with one defect each), copied with fresh patients and account numbers
until there are N; about three in four are clean. The context holds the synthetic NCCI PTP and
MUE tables and a duplicate index of 50,000 past service lines. Prints claims per second (the
target is at least 10,000) and the findings per rule family. Not a test: it only prints.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.core.scrub.corpus import CLEAN, DEFECTS, RENDERING_NPI, context  # noqa: E402

from openrcm.core.scrub import ClaimIndex, ClaimSnapshot, ServiceRecord, scrub  # noqa: E402


def build_claims(count: int, seed: int = 7) -> list[ClaimSnapshot]:
    rng = random.Random(seed)
    clean = list(CLEAN.values())
    defective = [defect.claim for defect in DEFECTS if defect.context is None]
    claims: list[ClaimSnapshot] = []
    for number in range(count):
        template = rng.choice(defective) if rng.random() < 0.25 else rng.choice(clean)
        patient = dataclasses.replace(template.patient, key=f"BENCH-{number % 4000}")
        claims.append(
            dataclasses.replace(
                template,
                patient_control_number=f"B{number:08d}",
                claim_id=f"B{number:08d}",
                patient=patient,
            )
        )
    return claims


def build_history(claims: list[ClaimSnapshot], size: int, seed: int = 11) -> ClaimIndex:
    rng = random.Random(seed)
    index = ClaimIndex()
    for number in range(size):
        source = claims[number % len(claims)]
        line = source.lines[0] if source.lines else None
        if line is None or line.service_date is None:
            continue
        index.add(
            ServiceRecord(
                claim_id=f"H{number:08d}",
                patient_key=source.patient.key,
                provider_npi=RENDERING_NPI,
                service_date=line.service_date - timedelta(days=rng.randint(1, 300)),
                procedure=line.procedure,
                modifiers=line.modifiers,
            )
        )
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    base = context()
    load = time.perf_counter() - started
    claims = build_claims(args.claims)
    ctx = dataclasses.replace(base, history=build_history(claims, 50_000))

    # Warm up (first description lookups, caches), then time the best of R runs.
    for claim in claims[:500]:
        scrub(claim, ctx)
    best = best_cpu = float("inf")
    findings: Counter[str] = Counter()
    clean = 0
    for run in range(args.repeat):
        gc.collect()
        gc.disable()
        started, started_cpu = time.perf_counter(), time.process_time()
        results = [scrub(claim, ctx) for claim in claims]
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        gc.enable()
        best, best_cpu = min(best, elapsed), min(best_cpu, cpu)
        if run == 0:
            for result in results:
                clean += not result
                findings.update(finding.rule_id.split("-")[0] for finding in result)

    rules = sum(len(pack.rules) for pack in ctx.packs or ()) or "all built-in"
    print(f"context (code sets loaded, NCCI tables, payer rules): {load * 1000:.0f} ms")
    print(
        f"claims: {len(claims):,}; clean: {clean:,}; rules: {rules}; history lines: "
        f"{len(ctx.history):,}"
    )
    print(
        f"scrub: best of {args.repeat}: {best:.3f} s wall = {len(claims) / best:,.0f} claims/s "
        f"({best / len(claims) * 1e6:.1f} us per claim) on one core; target >= 10,000 claims/s"
    )
    print(
        f"       process CPU time {best_cpu:.3f} s = {len(claims) / best_cpu:,.0f} claims/s "
        f"(wall and CPU differ when other processes share the core; load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    print("findings by family:", dict(sorted(findings.items())))


if __name__ == "__main__":
    main()
