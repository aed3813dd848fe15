"""Refuse UPDATE, DELETE and TRUNCATE of audit events in the database itself.

PostgreSQL: a BEFORE UPDATE OR DELETE row trigger and a BEFORE TRUNCATE statement trigger.
SQLite: BEFORE UPDATE and BEFORE DELETE triggers. Other backends: nothing.
"""

from django.db import migrations

from openrcm.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
