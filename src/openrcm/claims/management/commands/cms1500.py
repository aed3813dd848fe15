"""`openrcm cms1500 PCN --out FILE.pdf [--mode data|form]` and
`openrcm cms1500 --practice SLUG --out FILE.pdf [--status STATUS]`: CMS-1500 (02/12) PDFs.

`--mode form` (the default) draws the form for viewing and faxing; `--mode data` prints the
values only, for the red pre-printed form. With `--practice`, every claim of the practice in
`--status` (default: ready) goes into one PDF. Each printed claim is an export in the audit
trail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.claims.models import Claim
from openrcm.claims.paper import claims_cms1500_pdf
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.tenancy.models import Practice


class Command(OpenRCMCommand):
    help = "Print claims on the CMS-1500 (02/12): one claim by PCN, or a practice's claims."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pcn", nargs="?", help="The claim's patient control number.")
        parser.add_argument("--practice", help="The practice's slug (required without a PCN).")
        parser.add_argument("--status", default="ready", help="With --practice (default ready).")
        parser.add_argument("--mode", choices=["form", "data"], default="form")
        parser.add_argument("--out", required=True, help="Where to write the PDF.")

    def handle(self, *args: Any, **options: Any) -> None:
        pcn, slug = options.get("pcn"), options.get("practice")
        if not pcn and not slug:
            raise Error("name a claim (PCN) or a practice (--practice SLUG)")
        claims = Claim.objects.all()
        if slug:
            practice = Practice.objects.filter(slug=slug).first()
            if practice is None:
                raise Error(f"no practice {slug!r}")
            claims = claims.filter(practice=practice)
        if pcn:
            claims = claims.filter(patient_control_number=pcn)
        else:
            claims = claims.filter(status=options["status"])
        chosen = list(claims.order_by("patient_control_number"))
        if not chosen:
            raise Error(f"no claim {pcn}" if pcn else "no claims to print")
        if pcn and len(chosen) > 1:
            raise Error(f"{len(chosen)} claims have PCN {pcn}; add --practice SLUG")
        pdf = claims_cms1500_pdf(claims=chosen, mode=options["mode"])
        out = Path(options["out"])
        try:
            out.write_bytes(pdf)
        except OSError as exc:
            raise Error(f"{out}: cannot write: {exc.strerror or exc}") from exc
        for claim in chosen:
            audit_record(
                action=AuditAction.EXPORT,
                target=claim,
                detail={"format": "cms1500", "mode": options["mode"], "via": "cli"},
            )
        self.stdout.write(f"{out}: {len(chosen)} claim(s), {len(pdf):,} bytes")
