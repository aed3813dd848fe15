# API tokens expire (existing tokens get OPENRCM_API_TOKEN_DAYS from the time of this migration)
# and may be narrowed to some of their user's practices.

from django.db import migrations, models

import openrcm.accounts.models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=openrcm.accounts.models.default_token_expiry),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="limited_to_practices",
            field=models.BooleanField(
                default=False,
                help_text="Only the practices listed, of those the user belongs to.",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="practices",
            field=models.ManyToManyField(blank=True, related_name="+", to="tenancy.practice"),
        ),
    ]
