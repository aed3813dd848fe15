"""A small book for the worked example: seven charge lines, seven claims, one 835 and the
ledger entries it posted, a reversal, patient payments. Amounts in cents; ids are plain ints.

Practice 1; providers 10 and 11; payers 100 (primary payer) and 200 (a secondary payer).

Lines (DOS, charge, provider, payer now responsible, claims):
  L1 2026-03-02  200.00  p10  payer 100  C1
  L2 2026-03-02  100.00  p10  payer 100  C1
  L3 2026-03-10  150.00  p11  payer 200  C2 (primary, payer 100), C3 (secondary, payer 200)
  L4 2026-03-05   80.00  p11  payer 100  C4
  L5 2025-11-20  120.00  p10  payer 100  C5 (never paid)
  L6 2026-01-05   50.00  p10  payer 100  C6 (paid in February, reversed in March)
  L7 2025-12-15   40.00  p11  payer 100  C7 (never paid)

The 835 of 2026-03-20 (BPR16), payer 100:
  CLP C1 paid:   L1 SVC paid 120.00, CO-45 50.00, PR-1 (deductible) 30.00
                 L2 SVC paid  60.00, CO-45 25.00, PR-2 (coinsurance) 15.00
  CLP C2 paid:   L3 SVC paid  90.00, CO-45 30.00, PR-1 30.00 left for the secondary (C3)
  CLP C4 denied: L4 CO-197 80.00 (denied: stays insurance A/R)
The 835 of 2026-02-10 paid C6 (L6 paid 30.00, CO-45 20.00); the 835 of 2026-03-25 reversed it
(CLP02 22: the same entries with negated amounts).
Patient payments: 30.00 on L1 on 2026-03-28; 15.00 on L2 on 2026-04-02 (after March).
"""

from __future__ import annotations

from datetime import date

from openrcm.core.posting.entries import Bucket, EntryKind
from openrcm.core.reporting import (
    Adjudication,
    AdjudicationOutcome,
    ClaimFact,
    LineFact,
    MoneyFact,
)

D = date
K = EntryKind

LINES = [
    LineFact(1, 1, 10, 100, D(2026, 3, 2), 20000, (1,)),
    LineFact(2, 1, 10, 100, D(2026, 3, 2), 10000, (1,)),
    LineFact(3, 1, 11, 200, D(2026, 3, 10), 15000, (2, 3)),
    LineFact(4, 1, 11, 100, D(2026, 3, 5), 8000, (4,)),
    LineFact(5, 1, 10, 100, D(2025, 11, 20), 12000, (5,)),
    LineFact(6, 1, 10, 100, D(2026, 1, 5), 5000, (6,)),
    LineFact(7, 1, 11, 100, D(2025, 12, 15), 4000, (7,)),
]

PAID = AdjudicationOutcome.PAID
DENIED = AdjudicationOutcome.DENIED


def _claim(
    claim_id: int,
    provider: int,
    payer: int,
    dos: date,
    charge: int,
    created: date,
    submitted: date,
    *,
    sequence: str = "P",
    accepted: bool | None = True,
    clean: bool = True,
    adjudications: tuple[Adjudication, ...] = (),
    first_paid: date | None = None,
) -> ClaimFact:
    return ClaimFact(
        claim_id=claim_id,
        practice_id=1,
        provider_id=provider,
        payer_id=payer,
        sequence=sequence,
        service_date=dos,
        charge_cents=charge,
        created_on=created,
        submitted_on=submitted,
        first_submission_accepted=accepted,
        first_scrubbed_on=created,
        first_scrub_clean=clean,
        adjudications=adjudications,
        first_paid_on=first_paid,
    )


CLAIMS = [
    _claim(
        1,
        10,
        100,
        D(2026, 3, 2),
        30000,
        D(2026, 3, 3),
        D(2026, 3, 3),
        adjudications=(Adjudication(D(2026, 3, 20), PAID),),
        first_paid=D(2026, 3, 20),
    ),
    _claim(
        2,
        11,
        100,
        D(2026, 3, 10),
        15000,
        D(2026, 3, 13),
        D(2026, 3, 13),
        adjudications=(Adjudication(D(2026, 3, 20), PAID),),
        first_paid=D(2026, 3, 20),
    ),
    # The secondary claim for L3: made after C2's 835, not adjudicated yet, no answer yet.
    _claim(
        3,
        11,
        200,
        D(2026, 3, 10),
        15000,
        D(2026, 3, 21),
        D(2026, 3, 22),
        sequence="S",
        accepted=None,
    ),
    # C4: its first scrub found something to fix; the first submission was rejected.
    _claim(
        4,
        11,
        100,
        D(2026, 3, 5),
        8000,
        D(2026, 3, 9),
        D(2026, 3, 12),
        accepted=False,
        clean=False,
        adjudications=(Adjudication(D(2026, 3, 20), DENIED, 8000),),
    ),
    _claim(5, 10, 100, D(2025, 11, 20), 12000, D(2025, 11, 21), D(2025, 11, 21)),
    _claim(
        6,
        10,
        100,
        D(2026, 1, 5),
        5000,
        D(2026, 1, 6),
        D(2026, 1, 6),
        adjudications=(Adjudication(D(2026, 2, 10), PAID),),
        first_paid=D(2026, 2, 10),
    ),
    _claim(7, 11, 100, D(2025, 12, 15), 4000, D(2025, 12, 16), D(2025, 12, 16)),
]


def _m(kind: EntryKind, cents: int, day: date, line: int, claim: int | None) -> MoneyFact:
    bucket = Bucket.PATIENT if kind is K.PATIENT_PAYMENT else Bucket.INSURANCE
    return MoneyFact.of(kind, cents, day, line=line, claim=claim, bucket=bucket)


MONEY = [
    # Charges, posted when each claim's batch went out.
    _m(K.CHARGE, 20000, D(2026, 3, 3), 1, 1),
    _m(K.CHARGE, 10000, D(2026, 3, 3), 2, 1),
    _m(K.CHARGE, 15000, D(2026, 3, 13), 3, 2),
    _m(K.CHARGE, 8000, D(2026, 3, 12), 4, 4),
    _m(K.CHARGE, 12000, D(2025, 11, 21), 5, 5),
    _m(K.CHARGE, 5000, D(2026, 1, 6), 6, 6),
    _m(K.CHARGE, 4000, D(2025, 12, 16), 7, 7),
    # 835 of 2026-03-20.
    _m(K.INSURANCE_PAYMENT, 12000, D(2026, 3, 20), 1, 1),
    _m(K.CONTRACTUAL_ADJUSTMENT, 5000, D(2026, 3, 20), 1, 1),
    _m(K.TRANSFER_TO_PATIENT, 3000, D(2026, 3, 20), 1, 1),
    _m(K.INSURANCE_PAYMENT, 6000, D(2026, 3, 20), 2, 1),
    _m(K.CONTRACTUAL_ADJUSTMENT, 2500, D(2026, 3, 20), 2, 1),
    _m(K.TRANSFER_TO_PATIENT, 1500, D(2026, 3, 20), 2, 1),
    _m(K.INSURANCE_PAYMENT, 9000, D(2026, 3, 20), 3, 2),
    _m(K.CONTRACTUAL_ADJUSTMENT, 3000, D(2026, 3, 20), 3, 2),
    _m(K.TRANSFER_TO_NEXT_PAYER, 3000, D(2026, 3, 20), 3, 2),
    _m(K.DENIAL, 8000, D(2026, 3, 20), 4, 4),
    # 835 of 2026-02-10 and its reversal on 2026-03-25.
    _m(K.INSURANCE_PAYMENT, 3000, D(2026, 2, 10), 6, 6),
    _m(K.CONTRACTUAL_ADJUSTMENT, 2000, D(2026, 2, 10), 6, 6),
    _m(K.INSURANCE_PAYMENT, -3000, D(2026, 3, 25), 6, 6),
    _m(K.CONTRACTUAL_ADJUSTMENT, -2000, D(2026, 3, 25), 6, 6),
    # Patient payments.
    _m(K.PATIENT_PAYMENT, 3000, D(2026, 3, 28), 1, None),
    _m(K.PATIENT_PAYMENT, 1500, D(2026, 4, 2), 2, None),
]
