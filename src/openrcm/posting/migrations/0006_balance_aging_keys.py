"""The A/R aging's keys on each balance row (date of service, provider, responsible payer),
backfilled set-based: two UPDATEs with correlated subqueries, on SQLite and PostgreSQL."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def balance_keys_backfill(apps, schema_editor):
    """Derive every existing row's keys as posting.balance_keys does (later rows get theirs
    from the ledger's writer): a line's encounter and the payer of the latest claim not void
    carrying it; a claim-level row's claim."""
    balance = apps.get_model("posting", "ChargeBalance")
    charge_line = apps.get_model("encounters", "ChargeLine")
    claim_line = apps.get_model("claims", "ClaimLine")
    claim = apps.get_model("claims", "Claim")
    line = charge_line.objects.filter(pk=OuterRef("charge_line_id"))
    carrier = (
        claim_line.objects.filter(charge_line_id=OuterRef("charge_line_id"))
        .exclude(claim__status="void")
        .order_by("-claim_id")
    )
    balance.objects.filter(charge_line__isnull=False).update(
        service_date=Subquery(line.values("encounter__date_of_service")[:1]),
        provider_id=Subquery(line.values("encounter__provider_id")[:1]),
        payer_id=Subquery(carrier.values("claim__coverage__payer_id")[:1]),
    )
    own = claim.objects.filter(pk=OuterRef("claim_id"))
    balance.objects.filter(charge_line__isnull=True).update(
        service_date=Subquery(own.values("encounter__date_of_service")[:1]),
        provider_id=Subquery(own.values("encounter__provider_id")[:1]),
        payer_id=Subquery(own.values("coverage__payer_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("posting", "0005_ledger_fewer_constraints"),
        ("providers", "0001_initial"),
        ("payers", "0001_initial"),
        ("claims", "0004_claim_external_pcn"),
        ("encounters", "0003_charge_line_service_dates"),
    ]

    operations = [
        migrations.AddField(
            model_name="chargebalance",
            name="service_date",
            field=models.DateField(
                blank=True,
                help_text="The date of service of the line's encounter (claim level: the claim's).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="chargebalance",
            name="provider",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The encounter's rendering provider.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="providers.provider",
            ),
        ),
        migrations.AddField(
            model_name="chargebalance",
            name="payer",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text=(
                    "The responsible payer: that of the latest claim not void carrying the line "
                    "(claim level: the claim's); empty when no claim carries it."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="payers.payer",
            ),
        ),
        migrations.AddIndex(
            model_name="chargebalance",
            index=models.Index(fields=["practice", "service_date"], name="balance_practice_served"),
        ),
        migrations.RunPython(balance_keys_backfill, migrations.RunPython.noop),
    ]
