"""Database triggers that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of audit events.

Installed by migration 0002 on PostgreSQL and SQLite. They stop the application and a careless
`psql`/`sqlite3` session; they do not stop someone who owns the table or holds the SQLite
file (they can drop a trigger). That is what the hash chain and `openrcm audit verify` are for.
In production, also grant the application's database role only INSERT and SELECT on the table.

`append_only_lifted()` lifts them inside one transaction, for `flush` only (Django's test
framework empties the database between transactional tests with it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLE = "audit_auditevent"
PG_FUNCTION = "openrcm_audit_append_only"
PG_ROW_TRIGGER = "openrcm_audit_no_update_delete"
PG_TRUNCATE_TRIGGER = "openrcm_audit_no_truncate"
SQLITE_UPDATE_TRIGGER = "openrcm_audit_no_update"
SQLITE_DELETE_TRIGGER = "openrcm_audit_no_delete"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"DROP TRIGGER IF EXISTS {PG_ROW_TRIGGER} ON {TABLE}",
    f"""
    CREATE TRIGGER {PG_ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()
    """,
    f"DROP TRIGGER IF EXISTS {PG_TRUNCATE_TRIGGER} ON {TABLE}",
    f"""
    CREATE TRIGGER {PG_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()
    """,
]
POSTGRESQL_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {PG_ROW_TRIGGER} ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {PG_TRUNCATE_TRIGGER} ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()",
]
# SQLite has no TRUNCATE: DELETE without WHERE fires the delete trigger (it turns off the
# truncate optimization).
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {SQLITE_UPDATE_TRIGGER} BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {SQLITE_DELETE_TRIGGER} BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END
    """,
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {SQLITE_UPDATE_TRIGGER}",
    f"DROP TRIGGER IF EXISTS {SQLITE_DELETE_TRIGGER}",
]

INSTALL = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}
UNINSTALL = {"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL}


def install(connection: Any) -> None:
    """Create the triggers on `connection` (nothing on other backends)."""
    with connection.cursor() as cursor:
        for sql in INSTALL.get(connection.vendor, []):
            cursor.execute(sql)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in UNINSTALL.get(connection.vendor, []):
            cursor.execute(sql)


def installed(connection: Any) -> list[str]:
    """Names of the append-only triggers present on `connection`."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
                " AND tgenabled <> 'D' ORDER BY tgname",
                [TABLE],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s"
                " ORDER BY name",
                [TABLE],
            )
        else:
            return []
        return [row[0] for row in cursor.fetchall()]


_REGISTERED: list[Callable[[str], AbstractContextManager[None]]] = []


def register_append_only(lifted: Callable[[str], AbstractContextManager[None]]) -> None:
    """Let `flush` lift another app's append-only triggers too (e.g. the posting ledger):
    `lifted(using)` is a context manager like :func:`append_only_lifted`."""
    if lifted not in _REGISTERED:
        _REGISTERED.append(lifted)


def registered_append_only() -> list[Callable[[str], AbstractContextManager[None]]]:
    """The lifters of every append-only table: the audit trail's first."""
    return [append_only_lifted, *_REGISTERED]


@contextmanager
def append_only_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within one transaction: lift the audit table's triggers, run the block, put them back."""
    with table_triggers_lifted(TABLE, using=using):
        yield


@contextmanager
def table_triggers_lifted(table: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within one transaction: lift `table`'s triggers, run the block, put them back.

    Other connections never see the table unguarded (PostgreSQL's ALTER TABLE holds an
    exclusive lock until commit; SQLite's write lock is held from BEGIN IMMEDIATE). An error
    rolls the whole block back, triggers included.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if table not in connection.introspection.table_names():
            yield
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                yield
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            elif connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
                yield
                for _name, sql in triggers:
                    cursor.execute(sql)
            else:
                yield
