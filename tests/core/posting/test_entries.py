import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.posting.entries import (
    Balances,
    Bucket,
    Entry,
    EntryKind,
    PatientReason,
    balances,
    effect,
    fixed_bucket,
    totals_by_kind,
)

K = EntryKind


def test_sign_rules_for_positive_amounts() -> None:
    assert effect(Entry(K.CHARGE, 100)) == (100, 0)
    assert effect(Entry(K.CHARGE, 100, bucket=Bucket.PATIENT)) == (0, 100)
    assert effect(Entry(K.INSURANCE_PAYMENT, 60)) == (-60, 0)
    assert effect(Entry(K.CONTRACTUAL_ADJUSTMENT, 20, group="CO", carc="45")) == (-20, 0)
    assert effect(Entry(K.OTHER_ADJUSTMENT, 5, group="PI", carc="45")) == (-5, 0)
    assert effect(Entry(K.DENIAL, 100, group="CO", carc="50")) == (0, 0)
    assert effect(Entry(K.PRIOR_PAYER, 80, group="OA", carc="23")) == (0, 0)
    pr = Entry(K.TRANSFER_TO_PATIENT, 15, group="PR", carc="2", reason=PatientReason.COINSURANCE)
    assert effect(pr) == (-15, 15)
    nxt = Entry(K.TRANSFER_TO_NEXT_PAYER, 15, group="PR", carc="1", reason=PatientReason.DEDUCTIBLE)
    assert effect(nxt) == (0, 0)
    assert effect(Entry(K.WRITE_OFF, 7)) == (-7, 0)
    assert effect(Entry(K.WRITE_OFF, 7, bucket=Bucket.PATIENT)) == (0, -7)
    assert effect(Entry(K.REFUND, 9, bucket=Bucket.PATIENT)) == (0, 9)
    assert effect(Entry(K.REFUND, 9)) == (9, 0)
    assert effect(Entry(K.PATIENT_PAYMENT, 25, bucket=Bucket.PATIENT)) == (0, -25)


def test_paid_with_coinsurance_leaves_the_patient_share() -> None:
    ledger = [
        Entry(K.CHARGE, 10000),
        Entry(K.INSURANCE_PAYMENT, 6000),
        Entry(K.CONTRACTUAL_ADJUSTMENT, 2000, group="CO", carc="45"),
        Entry(K.TRANSFER_TO_PATIENT, 2000, group="PR", carc="2", reason=PatientReason.COINSURANCE),
    ]
    assert balances(ledger) == Balances(insurance_cents=0, patient_cents=2000)
    totals = totals_by_kind(ledger)
    assert totals[K.INSURANCE_PAYMENT] == 6000
    assert totals[K.REFUND] == 0


def test_reversal_negates_and_points_back() -> None:
    payment = Entry(K.INSURANCE_PAYMENT, 6000, line_id=3)
    undo = payment.reversal(41)
    assert undo.cents == -6000
    assert undo.reverses == 41
    assert undo.is_reversal and not payment.is_reversal
    assert balances([payment, undo]) == Balances()
    assert totals_by_kind([payment, undo])[K.INSURANCE_PAYMENT] == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": K.CHARGE, "cents": 0}, "zero cents"),
        ({"kind": K.PATIENT_PAYMENT, "cents": 5}, "acts on the patient bucket"),
        ({"kind": K.INSURANCE_PAYMENT, "cents": 5, "bucket": Bucket.PATIENT}, "insurance bucket"),
        ({"kind": K.TRANSFER_TO_PATIENT, "cents": 5}, "needs a patient-responsibility reason"),
        (
            {"kind": K.WRITE_OFF, "cents": 5, "reason": PatientReason.COPAY},
            "takes no patient-responsibility reason",
        ),
        ({"kind": K.CONTRACTUAL_ADJUSTMENT, "cents": 5, "group": "CR"}, "not a CAS group"),
    ],
)
def test_entry_refuses_what_cannot_be(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Entry(**kwargs)  # type: ignore[arg-type]


def test_entry_refuses_non_int_cents() -> None:
    with pytest.raises(TypeError):
        Entry(K.CHARGE, True)
    with pytest.raises(TypeError):
        Entry(K.CHARGE, 1.5)  # type: ignore[arg-type]


def test_patient_reason_by_carc() -> None:
    assert PatientReason.for_carc("1") is PatientReason.DEDUCTIBLE
    assert PatientReason.for_carc(" 2") is PatientReason.COINSURANCE
    assert PatientReason.for_carc("3") is PatientReason.COPAY
    assert PatientReason.for_carc("204") is PatientReason.OTHER


def test_labels_and_choices() -> None:
    assert K.CONTRACTUAL_ADJUSTMENT.label == "Contractual adjustment"
    assert ("denial", "Denied (open as insurance A/R)") in K.choices()
    assert not K.DENIAL.moves_money and K.CHARGE.moves_money
    assert fixed_bucket(K.PATIENT_PAYMENT) is Bucket.PATIENT
    assert fixed_bucket(K.WRITE_OFF) is None


def _entry(kind: EntryKind, cents: int, patient_bucket: bool) -> Entry:
    bucket = fixed_bucket(kind) or (Bucket.PATIENT if patient_bucket else Bucket.INSURANCE)
    reason = (
        PatientReason.OTHER if kind in (K.TRANSFER_TO_PATIENT, K.TRANSFER_TO_NEXT_PAYER) else None
    )
    return Entry(kind, cents, bucket=bucket, reason=reason)


entries_strategy = st.lists(
    st.builds(
        _entry,
        st.sampled_from(list(EntryKind)),
        st.integers(-(10**9), 10**9).filter(bool),
        st.booleans(),
    ),
    max_size=40,
)


@given(entries_strategy)
def test_total_balance_is_charges_less_money_in_and_adjustments(entries: list[Entry]) -> None:
    t = totals_by_kind(entries)
    expected = (
        t[K.CHARGE]
        - t[K.INSURANCE_PAYMENT]
        - t[K.CONTRACTUAL_ADJUSTMENT]
        - t[K.OTHER_ADJUSTMENT]
        - t[K.WRITE_OFF]
        + t[K.REFUND]
        - t[K.PATIENT_PAYMENT]
    )
    assert balances(entries).total_cents == expected


@given(entries_strategy)
def test_reversing_every_entry_returns_to_zero(entries: list[Entry]) -> None:
    undone = [e.reversal(i) for i, e in enumerate(entries)]
    assert balances(entries + undone) == Balances()
    assert balances(entries) + balances(undone) == Balances()
