import pytest

from openrcm.core.codes.carc import DenialCategory, NextAction
from openrcm.core.posting.classify import AdjustmentEffect, classify, denial_finding
from openrcm.core.posting.entries import EntryKind, PatientReason

K = EntryKind
R = PatientReason


@pytest.mark.parametrize(
    ("group", "carc", "next_payer", "expected"),
    [
        ("CO", "45", False, AdjustmentEffect(K.CONTRACTUAL_ADJUSTMENT)),
        ("CO", "253", False, AdjustmentEffect(K.CONTRACTUAL_ADJUSTMENT)),
        ("CO", "24", False, AdjustmentEffect(K.CONTRACTUAL_ADJUSTMENT)),
        ("CO", "59", False, AdjustmentEffect(K.CONTRACTUAL_ADJUSTMENT)),
        ("CO", "A2", False, AdjustmentEffect(K.CONTRACTUAL_ADJUSTMENT)),
        ("CO", "42", False, AdjustmentEffect(K.CONTRACTUAL_ADJUSTMENT)),
        ("OA", "A2", False, AdjustmentEffect(K.DENIAL)),
        ("CO", "50", False, AdjustmentEffect(K.DENIAL)),
        ("CO", "97", False, AdjustmentEffect(K.DENIAL)),
        ("CO", "16", False, AdjustmentEffect(K.DENIAL)),
        ("CO", "29", False, AdjustmentEffect(K.DENIAL)),
        ("CO", "133", False, AdjustmentEffect(K.DENIAL)),  # pending review: keep it open
        ("CO", "ZZZ", False, AdjustmentEffect(K.DENIAL)),  # unknown: a person looks
        ("PI", "204", False, AdjustmentEffect(K.DENIAL)),
        ("OA", "18", False, AdjustmentEffect(K.DENIAL)),
        ("PR", "1", False, AdjustmentEffect(K.TRANSFER_TO_PATIENT, R.DEDUCTIBLE)),
        ("PR", "2", False, AdjustmentEffect(K.TRANSFER_TO_PATIENT, R.COINSURANCE)),
        ("PR", "3", False, AdjustmentEffect(K.TRANSFER_TO_PATIENT, R.COPAY)),
        ("PR", "204", False, AdjustmentEffect(K.TRANSFER_TO_PATIENT, R.OTHER)),
        ("PR", "1", True, AdjustmentEffect(K.TRANSFER_TO_NEXT_PAYER, R.DEDUCTIBLE)),
        ("PR", "96", True, AdjustmentEffect(K.TRANSFER_TO_NEXT_PAYER, R.OTHER)),
        ("OA", "23", False, AdjustmentEffect(K.PRIOR_PAYER)),
        ("CO", "23", True, AdjustmentEffect(K.PRIOR_PAYER)),
        ("OA", "100", True, AdjustmentEffect(K.TRANSFER_TO_PATIENT, R.OTHER)),
        ("OA", "131", False, AdjustmentEffect(K.OTHER_ADJUSTMENT)),
        ("OA", "94", False, AdjustmentEffect(K.DENIAL)),  # not in our table: a person looks
        ("PI", "45", False, AdjustmentEffect(K.OTHER_ADJUSTMENT, review=True)),
        (" co ", " 45 ", False, AdjustmentEffect(K.CONTRACTUAL_ADJUSTMENT)),
    ],
)
def test_rules(group: str, carc: str, next_payer: bool, expected: AdjustmentEffect) -> None:
    assert classify(group, carc, has_next_payer=next_payer) == expected


def test_cr_is_no_5010_group() -> None:
    with pytest.raises(ValueError, match="'CR' is not one of CO, PR, OA, PI"):
        classify("CR", "45", has_next_payer=False)


def test_denial_finding_takes_category_and_action_from_the_carc_table() -> None:
    finding = denial_finding(group="co", reason_code="50", rarcs=("N115",), line_id=None,
                             amount_cents=12000)  # fmt: skip
    assert finding.category is DenialCategory.MEDICAL_NECESSITY
    assert finding.next_action is NextAction.APPEAL
    assert (finding.group, finding.carc, finding.rarcs) == ("CO", "50", ("N115",))


def test_a_remark_code_sharpens_carc_16() -> None:
    finding = denial_finding(group="CO", reason_code="16", rarcs=("M76",), line_id=4,
                             amount_cents=500)  # fmt: skip
    assert finding.category is DenialCategory.CODING
    plain = denial_finding(group="CO", reason_code="16", rarcs=(), line_id=4, amount_cents=500)
    assert plain.category is DenialCategory.MISSING_INFORMATION
