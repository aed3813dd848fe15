import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.claims import (
    TRANSITIONS,
    ClaimStatus,
    InvalidTransition,
    allowed_from,
    can_transition,
    transition,
)

S = ClaimStatus
ALL = frozenset(ClaimStatus)


def test_every_status_has_an_entry() -> None:
    assert set(TRANSITIONS) == set(ClaimStatus)


def test_targets_are_statuses_and_never_self() -> None:
    for source, targets in TRANSITIONS.items():
        assert targets <= ALL
        assert source not in targets


def test_mapping_is_read_only() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[S.VOID] = frozenset({S.DRAFT})  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        # The happy path, with the payer's 277CA.
        [S.DRAFT, S.READY, S.BATCHED, S.SUBMITTED, S.ACCEPTED, S.ACKNOWLEDGED, S.PAID, S.CLOSED],
        # A payer that sends no 277CA.
        [S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_PAID, S.CLOSED],
        # Rejected by the 999, fixed, sent again.
        [S.SUBMITTED, S.REJECTED, S.DRAFT, S.READY, S.BATCHED, S.SUBMITTED],
        # Rejected by the 277CA and resent unchanged.
        [S.ACCEPTED, S.ACKNOWLEDGED, S.REJECTED, S.READY],
        # Pulled from a batch and edited.
        [S.READY, S.BATCHED, S.READY, S.DRAFT],
        # Denied, corrected, resubmitted, paid.
        [S.ACKNOWLEDGED, S.DENIED, S.READY, S.BATCHED, S.SUBMITTED, S.ACCEPTED, S.PAID],
        # Closed, reopened by a reversal, re-adjudicated.
        [S.PAID, S.CLOSED, S.DENIED, S.PAID, S.CLOSED],
        [S.PARTIALLY_PAID, S.PAID, S.PARTIALLY_PAID, S.DENIED, S.CLOSED, S.PARTIALLY_PAID],
        # Abandoned.
        [S.DRAFT, S.VOID],
        [S.READY, S.VOID],
        [S.REJECTED, S.VOID],
    ],
)
def test_realistic_paths(path: list[ClaimStatus]) -> None:
    for current, target in itertools.pairwise(path):
        assert transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.SUBMITTED, S.DRAFT),  # it is out of our hands
        (S.DRAFT, S.SUBMITTED),  # skipping scrubbing and batching
        (S.BATCHED, S.VOID),  # pull it from the batch first
        (S.SUBMITTED, S.PAID),  # the 999 comes first
        (S.PAID, S.VOID),  # an adjudicated claim is voided with a frequency-8 claim
        (S.REJECTED, S.PAID),  # a rejected claim was never adjudicated
        (S.CLOSED, S.DRAFT),
        (S.VOID, S.DRAFT),  # void is final
        (S.DRAFT, S.DRAFT),  # no-op moves are not transitions
        (S.PAID, S.PAID),
    ],
)
def test_refused(current: ClaimStatus, target: ClaimStatus) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransition):
        transition(current, target)


def test_message() -> None:
    with pytest.raises(InvalidTransition) as info:
        transition(S.SUBMITTED, S.DRAFT)
    assert str(info.value) == "claim cannot go from submitted to draft; allowed: accepted, rejected"
    assert info.value.current is S.SUBMITTED
    assert info.value.target is S.DRAFT
    assert info.value.allowed == {S.ACCEPTED, S.REJECTED}
    assert isinstance(info.value, ValueError)


def test_message_lists_in_lifecycle_order() -> None:
    with pytest.raises(InvalidTransition) as info:
        transition(S.DENIED, S.DRAFT)
    assert str(info.value).endswith("allowed: ready, paid, partially_paid, closed")


def test_message_for_void() -> None:
    with pytest.raises(InvalidTransition, match=r"allowed: none$"):
        transition(S.VOID, S.READY)


def test_strings_are_accepted() -> None:
    assert transition("draft", "ready") is S.READY
    assert can_transition("batched", S.SUBMITTED)
    assert allowed_from("void") == frozenset()


def test_unknown_status() -> None:
    with pytest.raises(ValueError, match="not a valid ClaimStatus"):
        transition("draft", "sent")


def test_spec_table() -> None:
    expected = {
        S.DRAFT: {S.READY, S.VOID},
        S.READY: {S.DRAFT, S.BATCHED, S.VOID},
        S.BATCHED: {S.SUBMITTED, S.READY},
        S.SUBMITTED: {S.ACCEPTED, S.REJECTED},
        S.ACCEPTED: {S.ACKNOWLEDGED, S.REJECTED, S.PAID, S.PARTIALLY_PAID, S.DENIED},
        S.ACKNOWLEDGED: {S.PAID, S.PARTIALLY_PAID, S.DENIED, S.REJECTED},
        S.REJECTED: {S.DRAFT, S.READY, S.VOID},
        S.PAID: {S.CLOSED, S.PARTIALLY_PAID, S.DENIED},
        S.PARTIALLY_PAID: {S.CLOSED, S.PAID, S.DENIED},
        S.DENIED: {S.CLOSED, S.PAID, S.PARTIALLY_PAID, S.READY},
        S.CLOSED: {S.PAID, S.PARTIALLY_PAID, S.DENIED},
        S.VOID: set(),
    }
    assert {k: set(v) for k, v in TRANSITIONS.items()} == expected


def test_every_status_is_reachable_from_draft() -> None:
    seen = {S.DRAFT}
    frontier = [S.DRAFT]
    while frontier:
        for target in allowed_from(frontier.pop()):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == ALL


def test_only_void_is_final() -> None:
    assert [s for s in ClaimStatus if not allowed_from(s)] == [S.VOID]


def test_adjudication_only_after_the_clearinghouse_accepted() -> None:
    for source, targets in TRANSITIONS.items():
        if targets & ClaimStatus.adjudicated() and source not in ClaimStatus.adjudicated():
            assert source in {S.ACCEPTED, S.ACKNOWLEDGED, S.CLOSED}


@given(st.lists(st.integers(min_value=0, max_value=100), max_size=60))
def test_random_walks_from_draft_stay_in_the_enum(choices: list[int]) -> None:
    status = S.DRAFT
    for choice in choices:
        options = sorted(allowed_from(status))
        if not options:
            assert status is S.VOID
            break
        status = transition(status, options[choice % len(options)])
        assert status in ALL


@given(st.sampled_from(list(ClaimStatus)), st.sampled_from(list(ClaimStatus)))
def test_transition_agrees_with_can_transition(current: ClaimStatus, target: ClaimStatus) -> None:
    if can_transition(current, target):
        assert transition(current, target) is target
    else:
        with pytest.raises(InvalidTransition) as info:
            transition(current, target)
        message = str(info.value)
        assert message.startswith(f"claim cannot go from {current} to {target}; allowed: ")
