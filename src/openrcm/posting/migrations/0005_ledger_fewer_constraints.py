"""Ledger entries: no database foreign key on the practice, claim, claim line and user (each
follows from the charge line or claim payment the posting takes it from; the ORM still PROTECTs
them, and `openrcm ledger check` verifies them), and no single-column index on the practice,
claim and user (the composite indexes start with the first two; nothing reads by user).

A 20,000-claim 835 writes about 140,000 entries; PostgreSQL checked each deferred foreign key
per row at COMMIT (docs/posting.md, "Speed"). On SQLite, AlterField rebuilds the table, which
drops its triggers: the immutability triggers of migration 0002 are installed again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from openrcm.posting import triggers


def triggers_install(apps, schema_editor):
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0004_claim_external_pcn'),
        ('posting', '0004_ledger_day_sums'),
        ('tenancy', '0002_practice_submission_schedule'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='claim',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, help_text="The payer's claim the movement belongs to (none for a patient payment).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='claims.claim'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='claim_line',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='claims.claimline'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='practice',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.practice'),
        ),
        # Idempotent (IF NOT EXISTS / OR REPLACE); backwards, the triggers stay as 0002 made them.
        migrations.RunPython(triggers_install, migrations.RunPython.noop, elidable=False),
    ]
