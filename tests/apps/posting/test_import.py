"""The 835 import as a whole: idempotency, one refused set among good ones, all-or-nothing
under faults at every write, and the inbound files the clearinghouse delivered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction

from openrcm.core.x12.era import write_835
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import LedgerEntry, Remittance, RemittanceClaim
from openrcm.posting.services import era_import

from .eras import NOW, clp, era, remittance, svc
from .test_scenarios import balances, lines


def paid_in_full(claim: Any, **kwargs: Any) -> bytes:
    one, two = lines(claim)
    return era(remittance([clp(claim, [svc(one, "125"), svc(two, "15")])], **kwargs))


def test_the_same_file_twice_changes_nothing(claim: Any) -> None:
    data = paid_in_full(claim)
    first = era_import(data=data, practice=claim.practice)
    entries = LedgerEntry.objects.count()
    second = era_import(data=data, practice=claim.practice)
    assert (first.claims_posted, first.duplicates) == (1, 0)
    assert (second.claims_posted, second.duplicates, second.refused_sets) == (0, 1, 0)
    assert "nothing changed" in second.warnings[0]
    assert LedgerEntry.objects.count() == entries
    assert balances(claim) == [(0, 0), (0, 0)]


def test_the_same_payment_key_with_other_content_is_refused(claim: Any) -> None:
    era_import(data=paid_in_full(claim), practice=claim.practice, name="first.835")
    one, two = lines(claim)
    other = era(
        remittance([clp(claim, [svc(one, "100", ("CO", "45", "25")), svc(two, "15")])]), isa=9
    )
    result = era_import(data=other, practice=claim.practice, name="second.835")
    assert (result.claims_posted, result.refused_sets) == (0, 1)
    assert "TRN02 TRACE0001" in result.errors[0]
    assert "already posted from another file (first.835" in result.errors[0]
    assert balances(claim) == [(0, 0), (0, 0)]
    refused = Remittance.objects.get(status="refused")
    assert refused.error == result.errors[0]


def test_a_claim_payment_already_posted_under_another_trace_is_not_posted_twice(
    claim: Any,
) -> None:
    era_import(data=paid_in_full(claim), practice=claim.practice)
    result = era_import(data=paid_in_full(claim, trace="RESENT"), practice=claim.practice)
    assert (result.claims_posted, result.duplicate_claims) == (0, 1)
    assert balances(claim) == [(0, 0), (0, 0)]


def test_a_set_that_breaks_balancing_is_refused_while_the_other_posts(
    practice_a: Any, practice_b: Any
) -> None:
    from .conftest import send

    claim_a = send(practice_a.claim)
    good = remittance(
        [clp(claim_a, [svc(ln, str(ln.charge_cents / 100)) for ln in lines(claim_a)])],
        control="0001",
    )
    bad = remittance(
        [clp(claim_a, [svc(ln, str(ln.charge_cents / 100)) for ln in lines(claim_a)], icn="B")],
        control="0002",
        trace="TRACE-BAD",
    )
    bad.payment.amount += 5  # BPR02 no longer equals sum(CLP04) - sum(PLB)
    text = write_835(
        [bad, good],
        sender_id="MEDICARE",
        receiver_id="CLINIC",
        isa_control=3,
        gs_control=3,
        now=NOW,
        check_balance=False,
    )
    result = era_import(data=text.encode(), practice=claim_a.practice)
    assert (result.sets, result.sets_posted, result.refused_sets) == (2, 1, 1)
    assert "set 0002 refused" in result.errors[0] and "BPR" in result.errors[0]
    assert result.claims_posted == 1
    assert balances(claim_a) == [(0, 0), (0, 0)]
    assert sorted(Remittance.objects.values_list("control_number", "status")) == [
        ("0001", "posted"),
        ("0002", "refused"),
    ]


# -- fault injection ---------------------------------------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "COPY")  # COPY: PostgreSQL's plain rows


class Fault(Exception):
    pass


@contextmanager
def writes_counted(fail_at: int | None = None) -> Iterator[list[int]]:
    """Count the database writes in the block; raise Fault at write number `fail_at`."""
    count = [0]

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if sql.lstrip().upper().startswith(WRITES):
            count[0] += 1
            if count[0] == fail_at:
                raise Fault(f"injected at write {fail_at}: {sql[:60]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the project's models."""
    out = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            rows = model._base_manager.order_by("pk").values_list()
            out[model._meta.label] = list(rows)
    return out


def test_a_fault_at_any_write_leaves_the_database_as_before(claim: Any) -> None:
    one, two = lines(claim)
    svcs = [
        svc(one, "80", ("CO", "45", "25"), ("PR", "2", "20")),
        svc(two, "0", ("CO", "97", "15")),
    ]
    data = era(remittance([clp(claim, svcs), clp(claim, svcs, pcn="NOT-OURS")]))
    before = snapshot()
    with pytest.raises(Fault), writes_counted(10**9) as counted, transaction.atomic():
        era_import(data=data, practice=claim.practice)
        raise Fault("measure only")  # undo the measuring run
    total = counted[0]
    assert total > 10
    assert snapshot() == before
    for k in range(1, total + 1):
        with pytest.raises(Fault), writes_counted(k):
            era_import(data=data, practice=claim.practice)
        assert snapshot() == before, f"a fault at write {k} of {total} left changes behind"
    result = era_import(data=data, practice=claim.practice)
    assert (result.claims_posted, result.exceptions, result.denials) == (1, 1, 1)
    assert RemittanceClaim.objects.count() == 2
    assert ledger_check() == []
