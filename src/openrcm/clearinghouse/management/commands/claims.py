"""`openrcm claims submit --practice SLUG [--transport NAME | --out DIR]` batches the
practice's ready claims into 837P files and sends them (or writes them into DIR);
`openrcm claims show PCN [--practice SLUG] [--claim-id ID | --patient LAST[,FIRST]] [--json]`
shows one claim with its lines, history and acknowledgments (claims imported from another
biller may share a PCN: the error lists them and the options choose);
`openrcm claims import-837 FILE --practice SLUG [--as-submitted] [--json]` imports the
claims of an 837P file made elsewhere (an EHR, a former billing system)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from openrcm.claims.importing import ClaimImportError, ImportResult, claims_import_837
from openrcm.claims.models import Claim
from openrcm.clearinghouse.models import Acknowledgment
from openrcm.clearinghouse.selectors import ClaimLookupError, claim_by_pcn
from openrcm.clearinghouse.services import (
    SubmissionError,
    batch_build,
    batch_send,
    batch_write_to,
    partner_for,
)
from openrcm.clearinghouse.transports import TransportError
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.posting.selectors import claim_money
from openrcm.tenancy.models import Practice


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def claim_document(claim: Claim) -> dict[str, Any]:
    """A claim as `claims show --json` prints it."""
    encounter = claim.encounter
    lines = [
        {
            "line": line.line_number,
            "procedure": line.charge_line.procedure_code,
            "modifiers": line.charge_line.modifiers,
            "units": line.charge_line.units,
            "charge": _money(line.charge_cents),
            "diagnosis_pointers": line.charge_line.pointers,
            "line_control_number": line.charge_line.line_control_number,
        }
        for line in claim.lines.select_related("charge_line").order_by("line_number")
    ]
    history = [
        {
            "from": h.from_status,
            "to": h.to_status,
            "at": h.at.isoformat(),
            "note": h.note,
        }
        for h in claim.history.order_by("at", "id")
    ]
    acks = [
        {
            "kind": a.kind,
            "status": a.status,
            "codes": a.codes,
            "reason": a.reason,
            "payer_claim_number": a.payer_claim_number,
            "file": a.inbound.name,
        }
        for a in Acknowledgment.objects.filter(claim=claim).select_related("inbound")
    ]
    return {
        "patient_control_number": claim.patient_control_number,
        "practice": claim.practice.slug,
        "status": claim.status,
        "charge": _money(claim.total_charge_cents),
        "amounts": {
            "charge": _money(claim.total_charge_cents),
            "paid": None,
            "adjusted": None,
            "patient_responsibility": None,
        },
        "date_of_service": encounter.date_of_service.isoformat(),
        "patient": encounter.patient.full_name,
        "payer": claim.coverage.payer.name,
        "sequence": claim.sequence,
        "frequency_code": claim.frequency_code,
        "payer_claim_number": claim.payer_claim_number,
        "diagnoses": encounter.diagnosis_codes,
        "lines": lines,
        "history": history,
        "acknowledgments": acks,
        # What was paid, adjusted and denied, the balances and the ledger (openrcm.posting).
        **claim_money(claim),
    }


class Command(OpenRCMCommand):
    help = "Submit a practice's ready claims, show one claim, or import an 837P made elsewhere."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        submit = sub.add_parser("submit", help="Batch and send the practice's ready claims.")
        submit.add_argument("--practice", required=True, help="The practice's slug.")
        where = submit.add_mutually_exclusive_group()
        where.add_argument("--transport", help="The clearinghouse (trading partner) name.")
        where.add_argument("--out", help="Write the batch files into this folder instead.")
        show = sub.add_parser("show", help="One claim by patient control number.")
        show.add_argument("pcn", help="The patient control number (CLM01).")
        show.add_argument("--practice", help="The practice's slug (when the PCN is ambiguous).")
        show.add_argument(
            "--claim-id", type=int, help="The claim's id (when claims share an imported PCN)."
        )
        show.add_argument(
            "--patient",
            help="The patient's LAST[,FIRST] name (when claims share an imported PCN).",
        )
        show.add_argument("--json", action="store_true", help="Print JSON.")
        imp = sub.add_parser(
            "import-837",
            help="Import the claims of an 837P file made elsewhere (an EHR, a former biller).",
        )
        imp.add_argument("file", help="The 837P file.")
        imp.add_argument("--practice", required=True, help="The practice's slug.")
        imp.add_argument(
            "--as-submitted",
            action="store_true",
            help="Record the claims as already sent (onboarding), not as drafts.",
        )
        imp.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "submit":
            self._submit(options)
        elif options["action"] == "import-837":
            self._import(options)
        else:
            self._show(options)

    def _practice(self, slug: str) -> Practice:
        practice = Practice.objects.filter(slug=slug).first()
        if practice is None:
            raise Error(f"no practice {slug!r}")
        return practice

    def _submit(self, options: dict[str, Any]) -> None:
        practice = self._practice(options["practice"])
        try:
            partner = partner_for(practice=practice, name=options.get("transport"))
            built = batch_build(practice=practice, partner=partner)
            if built.batch is None:
                self.stdout.write(f"No ready claims to submit for {practice.slug}.")
                return
            if options.get("out"):
                paths = batch_write_to(batch=built.batch, out_dir=options["out"])
            else:
                batch_send(batch=built.batch)
                paths = []  # sent, not written
        except (SubmissionError, TransportError) as exc:
            raise Error(str(exc)) from exc
        batch = built.batch
        self.stdout.write(
            f"batch {batch.pk}: {batch.claim_count} claims, {_money(batch.total_cents)}, "
            + (f"written to {options['out']}" if options.get("out") else f"sent to {partner.name}")
        )
        shown: list[Path | None] = list(paths) or [None] * len(built.files)
        for bfile, path in zip(built.files, shown, strict=True):
            self.stdout.write(f"  {path or bfile.name}  ISA13 {bfile.isa13}  sha256 {bfile.sha256}")

    def _show(self, options: dict[str, Any]) -> None:
        try:
            claim = claim_by_pcn(
                pcn=options["pcn"],
                practice_slug=options.get("practice"),
                claim_id=options.get("claim_id"),
                patient=options.get("patient"),
            )
        except ClaimLookupError as exc:
            raise Error(str(exc)) from exc
        doc = claim_document(claim)
        if options["json"]:
            self.stdout.write(json.dumps(doc, indent=2))
            return
        self.stdout.write(
            f"{doc['patient_control_number']}  {doc['status']}  {doc['charge']}  "
            f"{doc['payer']}  {doc['date_of_service']}"
        )
        for line in doc["lines"]:
            self.stdout.write(f"  {line['line']:>2} {line['procedure']} {line['charge']}")
        for step in doc["history"]:
            self.stdout.write(
                f"  {step['at']}  {step['from'] or '-'} -> {step['to']}  {step['note']}"
            )

    def _import(self, options: dict[str, Any]) -> None:
        practice = self._practice(options["practice"])
        try:
            result = claims_import_837(
                practice=practice, path=options["file"], as_submitted=options["as_submitted"]
            )
        except ClaimImportError as exc:
            raise Error(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self.stdout.write(_import_summary(result))


def _import_summary(result: ImportResult) -> str:
    """`claims import-837` without --json: the counts, then the duplicates and warnings."""
    if result.already_imported:
        return "\n".join(result.warnings)
    counts = result.counts()
    lines = [f"Imported {result.file} into {result.practice} (import {result.import_id}):"]
    lines += [f"  {key.replace('_', ' ')}: {value}" for key, value in counts.items()]
    if result.claims:
        lines.append(f"  claims are {result.status}")
        if result.status == "draft":
            lines.append(f"  next: openrcm scrub --practice {result.practice}")
    if result.duplicates:
        lines.append("Duplicates skipped (patient control number already known):")
        lines += [f"  {pcn}" for pcn in result.duplicates]
    if result.warnings:
        lines.append("Warnings:")
        lines += [f"  {warning}" for warning in result.warnings]
    return "\n".join(lines)
