"""The database behind OpenRCM: what it is, which migrations it lacks, bringing it up to date."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder


class DatabaseNotReady(Exception):
    """The database is missing tables: `openrcm init` has not run (or the code is newer)."""


@dataclass(frozen=True, slots=True)
class MigrateResult:
    database: str
    created: bool  # the database held no OpenRCM tables before
    applied: list[str]  # "app.migration" in the order applied
    total: int  # migrations recorded as applied afterwards


def database_label(alias: str = DEFAULT_DB_ALIAS) -> str:
    """A readable name of the database without its password: `sqlite /path` or `postgresql ...`."""
    config = settings.DATABASES[alias]
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return f"SQLite {config['NAME']}"
    user = config.get("USER") or ""
    host = config.get("HOST") or "localhost"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    at = f"{user}@" if user else ""
    return f"{vendor} {at}{host}{port}/{config.get('NAME')}"


def _sqlite_path(alias: str) -> Path | None:
    if connections[alias].vendor != "sqlite":
        return None
    name = str(settings.DATABASES[alias]["NAME"])
    return None if name in {":memory:", ""} or name.startswith("file:") else Path(name)


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations not yet applied, as `app.name`, in the order `migrate` would apply them."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan]


def database_require_ready(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Raise DatabaseNotReady naming the database when it needs `openrcm init`."""
    pending = pending_migrations(alias)
    if pending:
        raise DatabaseNotReady(
            f"The database ({database_label(alias)}) is not initialized or needs an upgrade "
            f"({len(pending)} migrations pending): run `openrcm init` first."
        )


def database_migrate(alias: str = DEFAULT_DB_ALIAS) -> MigrateResult:
    """Create or upgrade the database; safe to repeat (nothing pending: nothing done)."""
    path = _sqlite_path(alias)
    created = (path is not None and not path.exists()) or not MigrationRecorder(
        connections[alias]
    ).has_table()
    pending = pending_migrations(alias)
    if pending:
        call_command("migrate", database=alias, interactive=False, verbosity=0)
    Path(settings.OPENRCM_DATA_DIR).mkdir(parents=True, exist_ok=True)
    executor = MigrationExecutor(connections[alias])
    total = len(executor.loader.applied_migrations)
    return MigrateResult(
        database=database_label(alias), created=created, applied=pending, total=total
    )
