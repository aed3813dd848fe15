"""`openrcm demo`: load the synthetic demo book of business (deterministic by seed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openrcm.claims.models import Claim
from openrcm.claims.selectors import claim_status_counts
from openrcm.core.claims.status import ClaimStatus
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.operations.demo import (
    DEFAULT_CYCLE_DAYS,
    DEFAULT_ENCOUNTERS,
    DEFAULT_PATIENTS,
    DEFAULT_PRACTICES,
    DEFAULT_SEED,
    DemoRefused,
    demo_load,
)


class Command(OpenRCMCommand):
    help = (
        "Load synthetic demo data: practices, providers, payers, fee schedules, patients with "
        "coverages, and encounters over the last three months with their claims; then run the "
        "last --cycle-days days of billing on a simulated clock (daily batches to the sandbox "
        "clearinghouse, acknowledgments, 835s posted, secondary claims, rejections and denials "
        "partly worked). The same seed on the same day gives the same data; loading it again "
        "changes nothing. Refuses a database with real data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Default: %(default)s.")
        parser.add_argument(
            "--practices", type=int, default=DEFAULT_PRACTICES, help="Default: %(default)s."
        )
        parser.add_argument(
            "--patients",
            type=int,
            default=DEFAULT_PATIENTS,
            help="Patients across all practices. Default: %(default)s.",
        )
        parser.add_argument(
            "--encounters",
            type=int,
            default=DEFAULT_ENCOUNTERS,
            help="Encounters across all practices, each with its claim. Default: %(default)s.",
        )
        parser.add_argument(
            "--cycle-days",
            type=int,
            default=DEFAULT_CYCLE_DAYS,
            help=(
                "Simulated days of billing ending today; 0: claims made at once and only "
                "scrubbed. Default: %(default)s."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = demo_load(
                seed=options["seed"],
                practices=options["practices"],
                patients=options["patients"],
                encounters=options["encounters"],
                cycle_days=options["cycle_days"],
            )
        except (DemoRefused, ValueError) as exc:
            raise Error(str(exc)) from exc
        org = result.organization
        counts = result.counts
        if not result.loaded:
            self.stdout.write(
                f"The demo of seed {org.demo_seed} is already loaded ({org.name}, {org.slug}): "
                f"nothing changed. It holds {counts['practices']} practices, "
                f"{counts['patients']:,} patients and {counts['encounters']:,} encounters."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo of seed {org.demo_seed} in {result.seconds:.1f} s: {org.name}."
            )
        )
        for practice in result.practices:
            self.stdout.write(f"  practice  {practice.slug:<32} {practice.name}")
        labels = [
            ("providers", "providers"),
            ("locations", "locations"),
            ("payers", "payers"),
            ("fee_schedules", "fee schedules"),
            ("patients", "patients"),
            ("coverages", "coverages"),
            ("encounters", "encounters"),
            ("claims", "claims"),
        ]
        self.stdout.write(
            "  " + ", ".join(f"{counts[key]:,} {label}" for key, label in labels) + "."
        )
        scrubbed = result.scrubbed
        if scrubbed:
            self.stdout.write(
                f"  Scrubbed: {scrubbed['ready']:,} claims ready, {scrubbed['held']:,} held with "
                f"errors, {scrubbed['waiting']:,} waiting for a warning override."
            )
        cycle = result.cycle
        if cycle is not None:
            self.stdout.write(
                f"  Billed {cycle.days} simulated days ({cycle.first_day} to {cycle.last_day}) in "
                f"{cycle.seconds:.1f} s: {cycle.batches:,} batches ({cycle.claims_sent:,} claims) "
                f"sent to the sandbox, {cycle.polls:,} polls, {cycle.eras_posted:,} 835s "
                f"posted, {cycle.rejections_fixed:,} rejections fixed, "
                f"{cycle.denials_appealed:,} denials appealed and "
                f"{cycle.denials_written_off:,} written off."
            )
            claims = claim_status_counts(claims=Claim.objects.filter(practice__organization=org))
            self.stdout.write(
                "  Claims: "
                + ", ".join(
                    f"{claims[s.value]:,} {s.label.lower()}"
                    for s in ClaimStatus
                    if claims.get(s.value)
                )
                + "."
            )
        note = "" if result.user_created else " (existing user: its password is unchanged)"
        self.stdout.write(
            f"Demo login: {result.username} / {result.password} "
            f"(admin in every demo practice){note}"
        )
