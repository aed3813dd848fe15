"""`openrcm practice list|create|schedule`: the practices (tenants) in the database, and the
daily submission of each (`openrcm worker` sends its batch at that time of its day)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.operations.selectors import practice_rows
from openrcm.tenancy.models import Organization, Practice
from openrcm.tenancy.services import (
    organization_get_or_create,
    practice_create,
    practice_schedule_set,
)

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
        "submit_at": "submit-at",
    }

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{list,create,schedule}"
        )
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
        create.add_argument(
            "--submit-at", help="Daily submission time, HH:MM in the practice's time zone (17:00)."
        )
        create.add_argument(
            "--no-auto-submit", action="store_true", help="No daily batch (submit by hand)."
        )
        create.add_argument("--json", action="store_true", help="Print the new practice as JSON.")
        schedule = actions.add_parser(
            "schedule", help="Show or change a practice's daily submission (`openrcm worker`)."
        )
        schedule.add_argument("slug", help="The practice's slug.")
        schedule.add_argument("--submit-at", help="HH:MM in the practice's time zone.")
        switch = schedule.add_mutually_exclusive_group()
        switch.add_argument("--on", action="store_true", help="Send a daily batch.")
        switch.add_argument("--off", action="store_true", help="No daily batch.")
        schedule.add_argument("--json", action="store_true", help="Print the practice as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self.list(options)
        elif options["action"] == "schedule":
            self.schedule(options)
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
            auto_submit=not options["no_auto_submit"],
            **({"submit_at": _time_of_day(options["submit_at"])} if options["submit_at"] else {}),
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

    def schedule(self, options: dict[str, Any]) -> None:
        practice = Practice.objects.filter(slug=options["slug"]).first()
        if practice is None:
            raise Error(f"no practice {options['slug']!r}")
        if options["submit_at"] or options["on"] or options["off"]:
            practice_schedule_set(
                practice=practice,
                submit_at=_time_of_day(options["submit_at"]) if options["submit_at"] else None,
                auto_submit=True if options["on"] else False if options["off"] else None,
            )
        if options["json"]:
            row = next(r for r in practice_rows() if r["slug"] == practice.slug)
            self.stdout.write(json.dumps(row))
            return
        state = "on" if practice.auto_submit else "off"
        self.stdout.write(
            f"{practice.slug}: daily submission {state}, at {practice.submit_at:%H:%M} "
            f"{practice.time_zone}"
        )


def _time_of_day(text: str) -> dt.time:
    """`HH:MM` (24-hour) as a time, or an error naming the option."""
    if re.fullmatch(r"\d{1,2}:\d{2}", text.strip()):
        hours, minutes = (int(part) for part in text.strip().split(":"))
        if hours < 24 and minutes < 60:
            return dt.time(hours, minutes)
    raise Error(f"submit-at: {text!r} is not a time of day (HH:MM, 24-hour, e.g. 17:00)")
