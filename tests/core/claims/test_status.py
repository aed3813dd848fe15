from openrcm.core.claims import ClaimFrequency, ClaimSequence, ClaimStatus


def test_values() -> None:
    assert [s.value for s in ClaimStatus] == [
        "draft",
        "ready",
        "batched",
        "submitted",
        "accepted",
        "acknowledged",
        "rejected",
        "paid",
        "partially_paid",
        "denied",
        "closed",
        "void",
    ]
    assert ClaimStatus("partially_paid") is ClaimStatus.PARTIALLY_PAID
    assert str(ClaimStatus.PAID) == "paid"
    assert f"{ClaimStatus.PAID}" == "paid"


def test_every_status_has_a_label() -> None:
    labels = [s.label for s in ClaimStatus]
    assert all(labels)
    assert len(set(labels)) == len(labels)
    assert ClaimStatus.ACCEPTED.label == "Accepted by clearinghouse"
    assert ClaimStatus.ACKNOWLEDGED.label == "Accepted by payer"


def test_adjudicated() -> None:
    assert ClaimStatus.adjudicated() == {
        ClaimStatus.PAID,
        ClaimStatus.PARTIALLY_PAID,
        ClaimStatus.DENIED,
    }


def test_choices() -> None:
    assert ClaimStatus.choices()[0] == ("draft", "Draft")
    assert len(ClaimStatus.choices()) == len(ClaimStatus)
    assert ClaimFrequency.choices() == [("1", "Original"), ("7", "Replacement"), ("8", "Void")]
    assert ClaimSequence.choices() == [("P", "Primary"), ("S", "Secondary"), ("T", "Tertiary")]


def test_frequency() -> None:
    assert ClaimFrequency("7") is ClaimFrequency.REPLACEMENT
    assert not ClaimFrequency.ORIGINAL.needs_payer_claim_number
    assert ClaimFrequency.REPLACEMENT.needs_payer_claim_number
    assert ClaimFrequency.VOID.needs_payer_claim_number
    assert ClaimFrequency.VOID.label == "Void"


def test_sequence() -> None:
    assert ClaimSequence("S") is ClaimSequence.SECONDARY
    assert ClaimSequence.TERTIARY.label == "Tertiary"
