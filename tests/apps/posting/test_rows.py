"""Plain-row writes (`posting.rows`): what goes in comes back exactly (quotes, backslashes, the
text NULL, empty strings, JSON, None), ids follow the rows, and amounts are added in place."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection

from openrcm.posting.models import (
    ChargeBalance,
    PostingException,
    ProviderAdjustment,
    Remittance,
)
from openrcm.posting.rows import rows_add, rows_insert
from openrcm.posting.services import era_import

from .eras import clp, era, remittance, svc
from .test_scenarios import lines

ODD = ['a "quoted" word', 'back\\slash \\" both', "NULL", "", "{braces, and commas}", "é ünï"]


def a_remittance(claim: Any) -> Remittance:
    one, two = lines(claim)
    era_import(
        data=era(remittance([clp(claim, [svc(one, "125"), svc(two, "15")])])),
        practice=claim.practice,
    )
    return Remittance.objects.get()


def test_rows_come_back_as_they_went_in_with_ids_in_row_order(claim: Any) -> None:
    paid = a_remittance(claim)
    rows = [
        (paid.practice_id, paid.pk, "P1", dt.date(2026, 12, 31), "WO", text, -i)
        for i, text in enumerate(ODD * 300)  # more rows than one statement takes on SQLite
    ]
    names = ("practice_id", "remittance_id", "provider_id", "fiscal_period_date", "reason",
             "reference", "cents")  # fmt: skip
    ids = rows_insert(ProviderAdjustment, names, rows, returning=True)
    assert len(ids) == len(rows)
    stored = dict(ProviderAdjustment.objects.filter(pk__in=ids).values_list("pk", "reference"))
    assert [stored[pk] for pk in ids] == [row[5] for row in rows]
    exceptions = [
        (paid.practice_id, paid.pk, None, "unknown_claim", text[:38], text, json.dumps({"t": text}))
        for text in ODD
    ]
    names = ("practice_id", "remittance_id", "remittance_claim_id", "kind",
             "patient_control_number", "tried", "detail")  # fmt: skip
    ids = rows_insert(PostingException, names, exceptions, returning=True)
    got = {e.pk: e for e in PostingException.objects.filter(pk__in=ids)}
    assert [(got[pk].tried, got[pk].detail, got[pk].remittance_claim_id) for pk in ids] == [
        (text, {"t": text}, None) for text in ODD
    ]


def test_amounts_are_added_to_what_is_stored(claim: Any) -> None:
    a_remittance(claim)
    balances = list(ChargeBalance.objects.order_by("id"))
    before = {b.pk: (b.insurance_cents, b.patient_cents) for b in balances}
    moment = dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.UTC)
    rows_add(
        ChargeBalance,
        ("insurance_cents", "patient_cents"),
        [(b.pk, 100 * i, -7) for i, b in enumerate(balances, start=1)],
        also={"updated_at": connection.ops.adapt_datetimefield_value(moment)},
    )
    for i, b in enumerate(balances, start=1):
        b.refresh_from_db()
        assert (b.insurance_cents, b.patient_cents) == (
            before[b.pk][0] + 100 * i,
            before[b.pk][1] - 7,
        )
        assert b.updated_at == moment
