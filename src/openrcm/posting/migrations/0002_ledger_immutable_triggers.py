"""Refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of ledger entries in the database itself."""

from django.db import migrations

from openrcm.posting import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("posting", "0001_ledger_and_remittances")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
