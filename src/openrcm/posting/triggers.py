"""Database triggers that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of ledger entries.

The same guard as the audit trail's (`openrcm.audit.triggers`), on `posting_ledgerentry`:
installed by migration 0002 on PostgreSQL and SQLite; `flush` lifts it inside its own
transaction (registered in `PostingConfig.ready`). It stops the application and a careless
SQL session, not the table's owner; `openrcm ledger check` catches balances that drift from
the entries, and in production the application's role should hold only INSERT and SELECT on
the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from openrcm.audit.triggers import table_triggers_lifted

TABLE = "posting_ledgerentry"
PG_FUNCTION = "openrcm_ledger_immutable"
PG_ROW_TRIGGER = "openrcm_ledger_no_update_delete"
PG_TRUNCATE_TRIGGER = "openrcm_ledger_no_truncate"
SQLITE_UPDATE_TRIGGER = "openrcm_ledger_no_update"
SQLITE_DELETE_TRIGGER = "openrcm_ledger_no_delete"
MESSAGE = "ledger entries are immutable"

INSTALL = {
    "postgresql": [
        f"""
        CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END;
        $$
        """,
        f"DROP TRIGGER IF EXISTS {PG_ROW_TRIGGER} ON {TABLE}",
        f"CREATE TRIGGER {PG_ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}"
        f" FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
        f"DROP TRIGGER IF EXISTS {PG_TRUNCATE_TRIGGER} ON {TABLE}",
        f"CREATE TRIGGER {PG_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {TABLE}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    ],
    # SQLite has no TRUNCATE: a DELETE without WHERE fires the delete trigger.
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS {SQLITE_UPDATE_TRIGGER} BEFORE UPDATE ON {TABLE}"
        f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {SQLITE_DELETE_TRIGGER} BEFORE DELETE ON {TABLE}"
        f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
    ],
}
UNINSTALL = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {PG_ROW_TRIGGER} ON {TABLE}",
        f"DROP TRIGGER IF EXISTS {PG_TRUNCATE_TRIGGER} ON {TABLE}",
        f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()",
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {SQLITE_UPDATE_TRIGGER}",
        f"DROP TRIGGER IF EXISTS {SQLITE_DELETE_TRIGGER}",
    ],
}


def install(connection: Any) -> None:
    """Create the triggers on `connection` (nothing on other backends)."""
    with connection.cursor() as cursor:
        for sql in INSTALL.get(connection.vendor, []):
            cursor.execute(sql)


def uninstall(connection: Any) -> None:
    """Drop the triggers from `connection`."""
    with connection.cursor() as cursor:
        for sql in UNINSTALL.get(connection.vendor, []):
            cursor.execute(sql)


@contextmanager
def append_only_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within one transaction: lift the ledger's triggers, run the block, put them back."""
    with table_triggers_lifted(TABLE, using=using):
        yield
