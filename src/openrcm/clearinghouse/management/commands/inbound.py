"""`openrcm inbound poll [--practice SLUG]`: take in the clearinghouses' new files (TA1, 999,
277CA) once each and apply them to batches and claims."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openrcm.clearinghouse.models import TradingPartner
from openrcm.clearinghouse.selectors import batches_missing_999
from openrcm.clearinghouse.services import inbound_poll
from openrcm.clearinghouse.transports import TransportError
from openrcm.operations.commanding import Error, OpenRCMCommand


class Command(OpenRCMCommand):
    help = "Poll the clearinghouses' inbound folders."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        poll = sub.add_parser("poll", help="Take in and apply new acknowledgment files.")
        poll.add_argument("--practice", help="Only this practice's clearinghouses (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        partners = TradingPartner.objects.select_related("practice").order_by("practice", "id")
        if options.get("practice"):
            partners = partners.filter(practice__slug=options["practice"])
            if not partners.exists():
                raise Error(f"practice {options['practice']!r} has no clearinghouse")
        failed: list[str] = []
        for partner in partners:
            try:
                result = inbound_poll(partner=partner)
            except TransportError as exc:
                # One clearinghouse being down must not stop the others' acknowledgments.
                self.stderr.write(f"{partner.practice.slug}/{partner.name}: not polled: {exc}")
                failed.append(f"{partner.practice.slug}/{partner.name}")
                continue
            self.stdout.write(
                f"{partner.practice.slug}/{partner.name}: {len(result.taken)} new files, "
                f"{result.skipped} seen before; claims accepted {result.accepted}, "
                f"acknowledged {result.acknowledged}, rejected {result.rejected}"
            )
            for error in result.errors:
                self.stderr.write(f"  {error}")
        for batch in batches_missing_999():
            self.stdout.write(f"alert: batch {batch.pk} has had no 999 since {batch.submitted_at}")
        if failed:
            raise Error(f"{len(failed)} clearinghouse(s) could not be polled: {', '.join(failed)}")
