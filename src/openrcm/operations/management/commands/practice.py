"""`openrcm practice list|create`: the practices (tenants) in the database."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.operations.selectors import practice_rows
from openrcm.tenancy.models import Organization
from openrcm.tenancy.services import organization_get_or_create, practice_create

DEFAULT_ORGANIZATION = "default"


class Command(OpenRCMCommand):
    help = "List the practices, or create one."
    # Model field -> the option the user typed, so errors name what they can fix.
    field_names = {
        "group_npi": "npi",
        "tin": "tin",
        "slug": "slug",
        "name": "name",
        "time_zone": "time-zone",
        "zip_code": "zip",
        "address_line1": "address",
        "state": "state",
        "taxonomy": "taxonomy",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,create}")
        listing = actions.add_parser("list", help="List every practice.")
        listing.add_argument("--json", action="store_true", help="Print JSON.")
        create = actions.add_parser("create", help="Create a practice (a tenant).")
        create.add_argument(
            "--slug", required=True, help="Short name used in URLs, e.g. oak-clinic."
        )
        create.add_argument("--name", required=True)
        create.add_argument("--npi", required=True, help="Group (billing provider) NPI.")
        create.add_argument("--tin", required=True, help="Tax id, e.g. 12-3456789.")
        create.add_argument(
            "--organization",
            default=DEFAULT_ORGANIZATION,
            help="Slug of the billing organization (created when missing). Default: %(default)s.",
        )
        create.add_argument("--organization-name", default="", help="Name for a new organization.")
        create.add_argument("--time-zone", default="America/New_York")
        create.add_argument("--taxonomy", default="")
        create.add_argument("--specialty", default="")
        create.add_argument("--address", default="", help="Street address (line 1).")
        create.add_argument("--city", default="")
        create.add_argument("--state", default="")
        create.add_argument("--zip", default="", help="ZIP or ZIP+4.")
        create.add_argument("--json", action="store_true", help="Print the new practice as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self.list(options)
        else:
            self.create(options)

    def list(self, options: dict[str, Any]) -> None:
        rows = practice_rows()
        if options["json"]:
            self.stdout.write(json.dumps(rows))
            return
        if not rows:
            self.stdout.write("No practices yet: `openrcm practice create` or `openrcm demo`.")
            return
        header = ("SLUG", "NAME", "NPI", "TIN", "TIME ZONE", "ORGANIZATION")
        table = [header] + [
            (r["slug"], r["name"], r["npi"], r["tin"], r["time_zone"], r["organization"])
            for r in rows
        ]
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        for row in table:
            self.stdout.write("  ".join(f"{v!s:<{w}}" for v, w in zip(row, widths, strict=True)))

    def create(self, options: dict[str, Any]) -> None:
        slug = options["organization"]
        org = Organization.objects.filter(slug=slug).first()
        if org is not None and org.is_demo:
            raise Error(
                f"organization: {slug!r} holds the synthetic demo; put real practices in another "
                "organization (--organization)."
            )
        if org is None:
            org = organization_get_or_create(
                slug=slug, name=options["organization_name"] or slug.replace("-", " ").title()
            )
        practice = practice_create(
            organization=org,
            slug=options["slug"],
            name=options["name"],
            group_npi=options["npi"].strip(),
            tin=options["tin"].strip(),
            time_zone=options["time_zone"],
            taxonomy=options["taxonomy"],
            specialty=options["specialty"],
            address_line1=options["address"],
            city=options["city"],
            state=options["state"],
            zip_code=options["zip"],
        )
        if options["json"]:
            row = next(r for r in practice_rows() if r["slug"] == practice.slug)
            self.stdout.write(json.dumps(row))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Created practice {practice.slug} ({practice.name}) in organization {org.slug}."
            )
        )
