"""Plain-row writes for posting: an 835 of thousands of claims writes hundreds of thousands of
rows (ledger entries, claim payments, denials, balances), where model instances and one
statement per row would cost more than the posting itself.

Values go in as the database takes them (`connection.ops.adapt_*`, JSON as `json.dumps` text).
On SQLite, multi-row ``VALUES`` (BATCH rows a statement). On PostgreSQL, one array per column
and ``unnest``: a handful of parameters a statement whatever its rows (psycopg parses every
placeholder of a statement on each call, which for thousands of rows cost more than the server's
work), and thousands of rows a round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

__all__ = ["BATCH", "rows_add", "rows_insert"]

BATCH = 500  # rows per statement on SQLite (its bound-parameter limit)
ARRAY_BATCH = 5000  # rows per statement on PostgreSQL (arrays: a few parameters each)


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(name) for name in names]  # type: ignore[misc]


def _array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal of `values` (``{"1","a \\"b\\"",NULL}``): a whole column as
    one text parameter, cast by the statement (psycopg would adapt each element, in Python)."""
    return (
        "{"
        + ",".join(
            "NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
            for v in values
        )
        + "}"
    )


def _array_type(field: models.Field[Any, Any]) -> str:
    """The PostgreSQL array type of a column (a foreign key's is its target's)."""
    return f"{field.db_type(connection)}[]"


def rows_insert(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: bool = False,
) -> list[int]:
    """INSERT `rows` (values in the order of the fields `names`); with `returning`, the new
    ids in the order of the rows.

    Ids are assigned in insertion order within a statement (a sequence, or SQLite's rowid), so
    the returned ids, sorted, follow the rows whatever order RETURNING gives them in.
    """
    if not rows:
        return []
    ops = connection.ops
    fields = _columns(model, names)
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(str(f.column)) for f in fields)
    tail = f" RETURNING {ops.quote_name('id')}" if returning else ""
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{_array_type(f)}" for f in fields)
            sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}){tail}"  # noqa: S608
            for start in range(0, len(rows), ARRAY_BATCH):
                chunk = rows[start : start + ARRAY_BATCH]
                cursor.execute(sql, [_array_literal(c) for c in zip(*chunk, strict=True)])
                if returning:
                    ids += sorted(row[0] for row in cursor.fetchall())
            return ids
        mark = "(" + ", ".join(["%s"] * len(fields)) + ")"
        head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cursor.execute(
                head + ", ".join([mark] * len(chunk)) + tail, [v for row in chunk for v in row]
            )
            if returning:
                ids += sorted(row[0] for row in cursor.fetchall())
    return ids


def rows_add(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    also: dict[str, Any] | None = None,
) -> None:
    """Add to numeric columns of existing rows: each row is (id, one amount per field of
    `names`); ``SET col = col + amount`` in the database, so what a concurrent writer added is
    kept (callers lock the rows first). `also` sets other columns to one value for every row.
    """
    if not rows:
        return
    ops = connection.ops
    fields = _columns(model, names)
    table = ops.quote_name(model._meta.db_table)
    pk = ops.quote_name("id")
    sets = [
        f"{ops.quote_name(str(f.column))} = {table}.{ops.quote_name(str(f.column))} "
        f"+ v.column{i + 2}"
        for i, f in enumerate(fields)
    ]
    extra = list((also or {}).items())
    set_to = _columns(model, [name for name, _value in extra])
    sets += [f"{ops.quote_name(str(f.column))} = %s" for f in set_to]
    head = f"UPDATE {table} SET {', '.join(sets)} FROM "  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(["%s::bigint[]", *(f"%s::{_array_type(f)}" for f in fields)])
            aliases = ", ".join(f"column{i + 1}" for i in range(len(fields) + 1))
            sql = f"{head}unnest({arrays}) AS v({aliases}) WHERE {table}.{pk} = v.column1"
            for start in range(0, len(rows), ARRAY_BATCH):
                chunk = rows[start : start + ARRAY_BATCH]
                cursor.execute(
                    sql,
                    [v for _n, v in extra] + [_array_literal(c) for c in zip(*chunk, strict=True)],
                )
            return
        mark = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cursor.execute(
                f"{head}(VALUES {', '.join([mark] * len(chunk))}) AS v "
                f"WHERE {table}.{pk} = v.column1",
                [v for _n, v in extra] + [v for row in chunk for v in row],
            )
