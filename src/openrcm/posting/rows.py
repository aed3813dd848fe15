"""Plain-row writes and reads for posting: an 835 of thousands of claims writes hundreds of
thousands of rows (ledger entries, claim payments, denials, balances), where model instances and
one statement per row would cost more than the posting itself.

Values go in as the database takes them (`connection.ops.adapt_*`, JSON as `json.dumps` text).
On SQLite, multi-row ``VALUES`` (BATCH rows a statement). On PostgreSQL, inserts are ``COPY``
(the rows streamed in PostgreSQL's text format by psycopg's C code: a 20,000-claim 835's
140,000 entries in about a third of the time ``INSERT ... SELECT FROM unnest(arrays)`` took,
client and server together), ids taken from the table's sequence first when the caller wants
them; updates take one array per column and ``unnest``: a handful of parameters a statement
whatever its rows (psycopg parses every placeholder of a statement on each call, which for
thousands of rows cost more than the server's work).

Reads by many ids (`among`): on SQLite ``IN (...)``, BATCH values a query; on PostgreSQL
``= ANY(array)``, one text parameter, ARRAY_BATCH values a query. 500-value ``IN`` lists cost
PostgreSQL a plan per query (often a scan of the whole table) and Django a parameter each:
the 835 bench's 60,000 lines took 121 queries and 1.7 s to read their dates of service that
way, 0.2 s with arrays.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from typing import Any

from django.db import connection, models
from django.db.models import BooleanField, F, Func, Q

__all__ = ["BATCH", "among", "chunks", "rows_add", "rows_insert", "rows_upsert"]

BATCH = 500  # rows per statement on SQLite (its bound-parameter limit)
ARRAY_BATCH = 5000  # rows per statement on PostgreSQL (arrays: a few parameters each)


def chunks[T](values: Sequence[T]) -> Iterator[Sequence[T]]:
    """`values` in slices of as many as one `among` query takes on this database."""
    size = ARRAY_BATCH if connection.vendor == "postgresql" else BATCH
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _AnyOf(Func):
    """``field = ANY(%s::type[])``: PostgreSQL's test against one array parameter."""

    output_field = BooleanField()

    def __init__(self, field: str, literal: str, array_type: str) -> None:
        super().__init__(F(field))
        self.literal = literal
        self.array_type = array_type

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{sql} = ANY(%s::{self.array_type})", (*params, self.literal)


def among(field: str, values: Sequence[int] | Sequence[str]) -> Any:
    """A filter for ``QuerySet.filter``: `field` (a lookup path, joins allowed) is one of
    `values` (ints or strings, one slice of `chunks`). ``field__in`` on SQLite; on PostgreSQL
    ``= ANY`` of one array parameter (text, so psycopg adapts one string, not each value)."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    if values and isinstance(values[0], str):
        return _AnyOf(field, _array_literal(values), "text[]")
    return _AnyOf(field, "{" + ",".join(map(str, values)) + "}", "bigint[]")


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(name) for name in names]  # type: ignore[misc]


def _array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal of `values` (``{"1","a \\"b\\"",NULL}``): a whole column as
    one text parameter, cast by the statement (psycopg would adapt each element, in Python).
    Integers (the most of posting's columns) need no quotes."""
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
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
    ids in the order of the rows (ascending).

    SQLite assigns ids in insertion order within a statement, so the returned ids, sorted,
    follow the rows whatever order RETURNING gives them in. PostgreSQL's ids are taken from
    the table's sequence before the COPY that writes them.
    """
    if not rows:
        return []
    ops = connection.ops
    fields = _columns(model, names)
    table = ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        return _rows_copy(model, table, [str(f.column) for f in fields], rows, returning)
    columns = ", ".join(ops.quote_name(str(f.column)) for f in fields)
    tail = f" RETURNING {ops.quote_name('id')}" if returning else ""
    ids: list[int] = []
    with connection.cursor() as cursor:
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


def _rows_copy(
    model: type[models.Model],
    table: str,
    columns: list[str],
    rows: Sequence[Sequence[Any]],
    returning: bool,
) -> list[int]:
    """PostgreSQL: ``COPY table FROM STDIN``, the ids drawn from its sequence first when
    `returning` (one query for all). The COPY runs through the connection's execute wrappers
    (``connection.execute_wrapper``: instrumentation, the tests' fault injection) and its error
    translation, as `cursor.execute` would, and is logged with the queries when they are
    (``connection.queries``, ``CaptureQueriesContext``)."""
    ops = connection.ops
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(rows)],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
            columns = ["id", *columns]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        sql = f"COPY {table} ({', '.join(ops.quote_name(c) for c in columns)}) FROM STDIN"

        def run(sql: str, params: Any, many: bool, context: Any) -> None:
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)

        executor: Any = run
        for wrapper in reversed(connection.execute_wrappers):
            executor = functools.partial(wrapper, executor)
        connection.validate_no_broken_transaction()
        logged = getattr(cursor, "debug_sql", None) if connection.queries_logged else None
        with logged(sql) if logged is not None else nullcontext(), connection.wrap_database_errors:
            executor(sql, None, False, {"connection": connection, "cursor": cursor})
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


def rows_upsert(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str | Sequence[str],
    add: Sequence[str] = (),
) -> None:
    """INSERT `rows` (values in the order of the fields `names`, the `key` fields among them,
    unique together), or, where a row with the same key exists, set its other columns to the
    row's values, or add the row's values to the columns named in `add` (kept sums:
    ``col = col + excluded.col``, so concurrent writers' amounts all count):
    ``INSERT ... ON CONFLICT (key) DO UPDATE`` (SQLite and PostgreSQL). On PostgreSQL one
    array per column (``unnest``), ARRAY_BATCH rows a statement; on SQLite multi-row
    ``VALUES``, as many rows as its bound-parameter limit takes. Dates, times and JSON go as
    text (JSON already ``json.dumps``'d by the caller)."""
    if not rows:
        return
    ops = connection.ops
    fields = _columns(model, names)
    table = ops.quote_name(model._meta.db_table)
    columns = [ops.quote_name(str(f.column)) for f in fields]
    targets = [ops.quote_name(str(f.column)) for f in _columns(model, _names(key))]
    summed = {ops.quote_name(str(f.column)) for f in _columns(model, add)}
    updates = ", ".join(
        f"{c} = {table}.{c} + excluded.{c}" if c in summed else f"{c} = excluded.{c}"
        for c in columns
        if c not in targets
    )
    head = f"INSERT INTO {table} ({', '.join(columns)}) "
    tail = f" ON CONFLICT ({', '.join(targets)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{_array_type(f)}" for f in fields)
            sql = f"{head}SELECT * FROM unnest({arrays}){tail}"  # noqa: S608
            for start in range(0, len(rows), ARRAY_BATCH):
                chunk = rows[start : start + ARRAY_BATCH]
                cursor.execute(sql, [_array_literal(c) for c in zip(*chunk, strict=True)])
            return
        size = max(1, 30_000 // len(fields))  # SQLite's default limit: 32,766 parameters
        mark = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"{head}VALUES {', '.join([mark] * len(chunk))}{tail}",
                [_plain(v) for row in chunk for v in row],
            )


def _names(key: str | Sequence[str]) -> list[str]:
    return [key] if isinstance(key, str) else list(key)


def _plain(value: Any) -> Any:
    """A value as SQLite takes it (dates as ISO text: its default adapters are deprecated)."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value
