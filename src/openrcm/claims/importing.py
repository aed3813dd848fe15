"""Importing 837P files produced elsewhere (a practice's EHR, its former billing system).

    result = claims_import_837(practice=practice, path="old-system.837", as_submitted=True)

The file is read with our strict 837P reader; then, in one transaction, each claim becomes an
encounter (diagnoses, charge lines) and a claim of the practice, creating the patients,
coverages, payers, providers and locations it names when they are not known yet. Anything
wrong (an unreadable file, a claim of another billing provider, a value our records cannot
hold) raises :class:`ClaimImportError` naming the file and the claim, and nothing is written.

Idempotent: a file is known by its SHA-256 (:class:`ImportedClaimFile`), so importing it again
creates nothing ("already imported"); a claim the practice already has (the same patient
control number, CLM01, member id, first date of service and total charge) is skipped and
reported as a duplicate, never changed. Imported claims keep the file's CLM01 (marked
``external_pcn``): many legacy systems send one number (an account number) for several claims,
so imported claims may share one, with a warning; the 835 import then chooses among them by
patient, charge and service lines (``openrcm.core.posting.claim_match``).

Matching, in order:
- payer: the organization's payer with the file's payer id (2010BB NM109) and name, else the
  only payer with that id, else a new payer;
- patient: a coverage of that payer with the member id whose patient has the birth date, else
  the practice's patient with the same last and first name and birth date, else a new patient;
- coverage: the patient's coverage with that payer, member id and priority, else a new one
  (in force from the earliest date of service of the file's claims under it);
- rendering and referring providers: by NPI (the billing provider renders when 2310B is absent);
- location: the service facility (2310C) by NPI or name, else the location at the billing
  provider's address, else the practice's only location, else a new location.

Lenient where the 837P is, strict where our records need it: ICD-9-CM diagnoses (BK, claims
from before October 2015) and NPIs that fail the check digit are kept as billed with a warning
(the scrubber holds such claims before they could be sent again); a fractional unit count, a
patient without a birth date or a patient control number longer than our 20 characters are
errors. Each line keeps its own date of service (DTP*472, a date or a range); what our model
cannot keep (a line's own place of service, minutes as the unit basis) is reported among the
warnings.

`as_submitted` records the claims as already sent (onboarding): each goes draft -> ready ->
batched -> submitted through the state machine, with the history note "Imported as already
submitted from FILE.". Otherwise they stay draft, ready to be scrubbed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record, audit_service_actor
from openrcm.claims.models import Claim, ClaimLine, ClaimStatusChange, ImportedClaimFile
from openrcm.claims.services import claims_transition_many
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.codes.shapes import CodeShapeError, format_icd10cm, validate_icd10cm_shape
from openrcm.core.identifiers import IdentifierError, validate_npi
from openrcm.core.x12 import claim837p as x
from openrcm.core.x12.errors import X12Error
from openrcm.encounters.models import ChargeLine, Diagnosis, Encounter
from openrcm.patients.models import Coverage, Patient, Relationship, Sex
from openrcm.patients.services import coverage_create, coverage_update, patient_create
from openrcm.payers.models import ClaimFilingIndicator, Payer
from openrcm.providers.models import Provider
from openrcm.reporting.timelines import claim_timelines_refresh
from openrcm.tenancy.models import Location, Practice
from openrcm.tenancy.services import practice_next_numbers

SERVICE_ACTOR = "claims-import"
PRIORITY_BY_RESPONSIBILITY = {"P": 1, "S": 2, "T": 3}
SEQUENCE_BY_PRIORITY = {1: "P", 2: "S", 3: "T"}
# PAT01 / SBR02 codes our coverages keep as they are; the others are kept as "other" (G8).
KEPT_RELATIONSHIPS = frozenset({"18", "01", "19", "G8"})
MAX_PCN = Claim._meta.get_field("patient_control_number").max_length or 20
MAX_LINE_CONTROL = ChargeLine._meta.get_field("line_control_number").max_length or 30
# ICD-9-CM as billed with BK/BF: 3-5 digits, V and 2-4 digits, E and 3-4 digits, no dot.
_ICD9 = re.compile(r"\d{3,5}|V\d{2,4}|E\d{3,4}")
_ZIP = re.compile(r"\d{5}(\d{4})?")
_NPI_SHAPE = re.compile(r"\d{10}")


class ClaimImportError(ValueError):
    """The file cannot be imported; the message names the file, and the claim or segment."""


@dataclass
class ImportResult:
    """What an import did (counts and patient control numbers, no PHI)."""

    file: str
    sha256: str
    practice: str
    as_submitted: bool
    already_imported: bool = False
    import_id: int | None = None
    claims: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    lines_created: int = 0
    patients_created: int = 0
    coverages_created: int = 0
    payers_created: int = 0
    providers_created: int = 0
    locations_created: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def claims_created(self) -> int:
        return len(self.claims)

    @property
    def duplicates_skipped(self) -> int:
        return len(self.duplicates)

    @property
    def status(self) -> str:
        """The status the created claims are in."""
        return (ClaimStatus.SUBMITTED if self.as_submitted else ClaimStatus.DRAFT).value

    def counts(self) -> dict[str, int]:
        return {
            "claims_created": self.claims_created,
            "lines_created": self.lines_created,
            "patients_created": self.patients_created,
            "coverages_created": self.coverages_created,
            "payers_created": self.payers_created,
            "providers_created": self.providers_created,
            "locations_created": self.locations_created,
            "duplicates_skipped": self.duplicates_skipped,
        }

    def as_dict(self) -> dict[str, Any]:
        """The result as `claims import-837 --json` prints it."""
        return {
            "file": self.file,
            "practice": self.practice,
            "sha256": self.sha256,
            "already_imported": self.already_imported,
            "import_id": self.import_id,
            "status": self.status,
            **self.counts(),
            "claims": self.claims,
            "duplicates": self.duplicates,
            "warnings": self.warnings,
        }


def claims_import_837(
    *,
    practice: Practice,
    data: bytes | None = None,
    path: str | Path | None = None,
    name: str = "",
    as_submitted: bool = False,
    actor: Any = None,
) -> ImportResult:
    """Import the 837P claims of `data` (or of the file at `path`) into `practice`.

    All or nothing: any error raises :class:`ClaimImportError` and writes nothing. `name` is
    how messages and the import record name the file (default: `path`). Without an `actor`
    the import acts as the service user "system:claims-import".
    """
    if (data is None) == (path is None):
        raise TypeError("give exactly one of `data` and `path`")
    if path is not None:
        name = name or str(path)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ClaimImportError(f"cannot read the file {path}: {exc.strerror or exc}") from exc
    assert data is not None
    name = name or "837P file"
    sha = hashlib.sha256(data).hexdigest()
    result = ImportResult(file=name, sha256=sha, practice=practice.slug, as_submitted=as_submitted)
    earlier = ImportedClaimFile.objects.filter(practice=practice, sha256=sha).first()
    if earlier is not None:
        return _already(result, earlier)
    try:
        batches = x.read_837p(data, file=name)
    except X12Error as exc:
        raise ClaimImportError(str(exc)) from exc
    claims = [claim for batch in batches for claim in batch.claims]
    _check_billing_provider(practice, claims, name)
    by = actor if getattr(actor, "pk", None) else audit_service_actor(SERVICE_ACTOR)
    with transaction.atomic():
        if ImportedClaimFile.objects.filter(practice=practice, sha256=sha).exists():
            return _already(result, ImportedClaimFile.objects.get(practice=practice, sha256=sha))
        importer = _Importer(practice=practice, name=name, actor=by, result=result)
        created = importer.run(claims)
        label = Path(name).name
        if as_submitted and created:
            note = f"Imported as already submitted from {label}."
            for to in (ClaimStatus.READY, ClaimStatus.BATCHED, ClaimStatus.SUBMITTED):
                claims_transition_many(claims=created, to=to, actor=by, note=note)
        record = ImportedClaimFile.objects.create(
            practice=practice,
            name=name[:255],
            sha256=sha,
            size=len(data),
            as_submitted=as_submitted,
            counts=result.counts(),
            imported_by=by,
        )
        record.claims.add(*created)
        result.import_id = record.pk
        # Audit last: the chain head stays locked until the transaction ends.
        via = {"via": "import-837", "import_id": record.pk}
        for patient in importer.new_patients:
            audit_record(action=AuditAction.CREATE, actor=by, target=patient, detail=via)
        for claim in created:
            audit_record(action=AuditAction.CREATE, actor=by, target=claim, detail=via)
        audit_record(
            action=AuditAction.IMPORT,
            actor=by,
            target=record,
            detail={"sha256": sha, "as_submitted": as_submitted, **result.counts()},
        )
    return result


def _already(result: ImportResult, earlier: ImportedClaimFile) -> ImportResult:
    result.already_imported = True
    result.import_id = earlier.pk
    when = timezone.localtime(earlier.imported_at).strftime("%Y-%m-%d %H:%M")
    result.warnings.append(
        f"{result.file} was already imported into {result.practice} on {when} "
        f"(import {earlier.pk}, as {earlier.name}): nothing created"
    )
    return result


def _check_billing_provider(
    practice: Practice, claims: list[x.ProfessionalClaim], name: str
) -> None:
    """Every claim's billing provider is the practice (its group NPI or its TIN)."""
    for claim in claims:
        billing = claim.billing_provider
        tin = billing.tax_id.replace("-", "")
        if billing.npi == practice.group_npi or (tin and tin == practice.tin):
            continue
        raise ClaimImportError(
            f"{name}: claim {claim.patient_control_number}: the billing provider (NPI "
            f"{billing.npi}, tax id {billing.tax_id}) is not practice {practice.slug} (NPI "
            f"{practice.group_npi}, TIN {practice.tin}); nothing was imported"
        )


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            " ".join(messages) if key == "__all__" else f"{key}: {' '.join(messages)}"
            for key, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _person_key(last: str, first: str, birth: dt.date) -> tuple[str, str, dt.date]:
    return (last.strip().upper(), first.strip().upper(), birth)


@dataclass
class _Person:
    """The patient of a claim, as the file gives them."""

    name: x.Name
    birth_date: dt.date
    sex: str
    address: x.Address | None
    relationship: str  # to the subscriber, as billed (18 when the patient is the subscriber)


@dataclass
class _Built:
    """One claim's rows, validated, waiting for the bulk write."""

    encounter: Encounter
    codes: list[str]
    lines: list[ChargeLine]
    claim: Claim


class _Importer:
    """Maps the claims of one file onto the practice's records (inside the caller's
    transaction); caches what it has matched or created so a file touches each row once."""

    def __init__(self, *, practice: Practice, name: str, actor: Any, result: ImportResult) -> None:
        self.practice = practice
        self.name = name
        self.label = Path(name).name
        self.actor = actor
        self.result = result
        self.now = timezone.now()
        self.new_patients: list[Patient] = []
        self._payers: dict[tuple[str, str], Payer] = {}
        self._providers: dict[str, Provider] = {}
        self._patients: dict[tuple[str, str, dt.date, int], Patient] = {}
        self._coverages: dict[tuple[int, int, str, int], Coverage] = {}
        self._new_coverages: set[int] = set()
        self._locations: dict[tuple[str, ...], Location] = {}
        self._locations_before: list[Location] | None = None  # the practice's, before the file
        self._locations_created: list[Location] = []
        self._used_controls: set[str] = set()
        self.pcn = ""

    # -- errors and warnings -------------------------------------------------------------

    def fail(self, message: str) -> ClaimImportError:
        return ClaimImportError(f"{self.name}: claim {self.pcn}: {message}; nothing was imported")

    def warn(self, message: str) -> None:
        self.result.warnings.append(f"claim {self.pcn}: {message}")

    @contextmanager
    def checked(self, what: str) -> Iterator[None]:
        """A validation error inside becomes an import error naming `what`."""
        try:
            yield
        except ValidationError as exc:
            raise self.fail(f"{what}: {_messages(exc)}") from exc

    # -- the file ------------------------------------------------------------------------------

    def run(self, claims: list[x.ProfessionalClaim]) -> list[Claim]:
        numbers = [c.patient_control_number for c in claims]
        # A claim is known by its number, member id, first date of service and total: legacy
        # systems send one number (an account number) for many claims.
        known: set[tuple[str, str, dt.date | None, int | None]] = {
            (pcn, member_id, day, cents)
            for pcn, member_id, day, cents in Claim.objects.filter(
                practice=self.practice, patient_control_number__in=numbers
            ).values_list(
                "patient_control_number",
                "coverage__member_id",
                "encounter__date_of_service",
                "total_charge_cents",
            )
        }
        shared = {key[0] for key in known}
        controls = [ln.control_number for c in claims for ln in c.lines if ln.control_number]
        self._used_controls = set(
            ChargeLine.objects.filter(
                practice=self.practice, line_control_number__in=controls
            ).values_list("line_control_number", flat=True)
        )
        fresh: list[x.ProfessionalClaim] = []
        for claim in claims:
            pcn = claim.patient_control_number
            key = (
                pcn,
                claim.subscriber.member_id,
                min((ln.service_date for ln in claim.lines), default=None),
                _cents(claim.total_charge),
            )
            if key in known:
                self.result.duplicates.append(pcn)
                continue
            known.add(key)  # the same claim twice in this file is a duplicate
            if pcn in shared:
                self.pcn = pcn
                self.warn(
                    "another claim of the practice has this patient control number; an 835 "
                    "paying it is matched by patient, charge and service lines"
                )
            shared.add(pcn)
            fresh.append(claim)
        # Our own line control numbers for the lines that cannot keep the file's, drawn at once.
        kept = set(self._used_controls)
        needed = sum(1 for c in fresh for ln in c.lines if not _keeps(ln.control_number, kept))
        self._numbers = iter(
            practice_next_numbers(practice=self.practice, name="line_control", count=needed)
        )
        built = [self.claim(claim) for claim in fresh]
        return self.write(built)

    def write(self, built: list[_Built]) -> list[Claim]:
        """Write the encounters, diagnoses, charge lines, claims, first history steps and claim
        lines of every claim in bulk (each kind in one statement, or a few batches)."""
        Encounter.objects.bulk_create([b.encounter for b in built])
        Diagnosis.objects.bulk_create(
            Diagnosis(encounter=b.encounter, position=i + 1, code=code)
            for b in built
            for i, code in enumerate(b.codes)
        )
        for b in built:
            for line in b.lines:
                line.encounter = b.encounter
        ChargeLine.objects.bulk_create([line for b in built for line in b.lines])
        for b in built:
            b.claim.encounter = b.encounter
        claims = Claim.objects.bulk_create([b.claim for b in built])
        ClaimStatusChange.objects.bulk_create(
            ClaimStatusChange(
                practice=self.practice,
                claim=claim,
                from_status="",
                to_status=ClaimStatus.DRAFT.value,
                at=self.now,
                actor=self.actor,
                note=f"Imported from {self.label}.",
            )
            for claim in claims
        )
        claim_timelines_refresh(claim_ids=[claim.pk for claim in claims])
        ClaimLine.objects.bulk_create(
            ClaimLine(
                practice=self.practice,
                claim=b.claim,
                charge_line=line,
                line_number=line.line_number,
                charge_cents=line.charge_cents,
            )
            for b in built
            for line in b.lines
        )
        return claims

    # -- one claim -------------------------------------------------------------------------

    def claim(self, src: x.ProfessionalClaim) -> _Built:
        """The claim's rows, validated and not yet written; its people and parties matched or
        created."""
        self.pcn = pcn = src.patient_control_number
        if len(pcn) > MAX_PCN:
            raise self.fail(
                f"the patient control number (CLM01) has {len(pcn)} characters; ours hold "
                f"at most {MAX_PCN}"
            )
        sub = src.subscriber
        priority = PRIORITY_BY_RESPONSIBILITY.get(sub.responsibility)
        if priority is None:
            raise self.fail(
                f"payer responsibility SBR01 {sub.responsibility!r}: our claims are primary (P), "
                "secondary (S) or tertiary (T)"
            )
        day = min(line.service_date for line in src.lines)
        payer = self.payer(sub.payer, sub.claim_filing)
        person = self.person(src)
        patient = self.patient(person, payer, sub.member_id)
        coverage = self.coverage(
            patient=patient,
            payer=payer,
            member_id=sub.member_id,
            priority=priority,
            relationship=person.relationship,
            subscriber=sub.name,
            subscriber_birth=sub.birth_date,
            subscriber_sex=sub.sex,
            group_number=sub.group_number,
            plan_name=sub.group_name,
            day=day,
        )
        for other in src.other_payers:
            self.other_coverage(patient, other, priority, day)
        provider = self.rendering(src)
        referring = self.referring(src)
        location = self.location(src)
        encounter = self.encounter(src, patient, provider, referring, location, day)
        codes = self.diagnoses(src)
        lines = self.lines(src, encounter, len(codes))
        total = sum(line.charge_cents for line in lines)
        if _cents(src.total_charge) != total:
            raise self.fail(
                f"the total charge (CLM02) {src.total_charge} is not the sum of the lines "
                f"{Decimal(total).scaleb(-2)}"
            )
        claim = Claim(
            practice=self.practice,
            encounter=encounter,
            coverage=coverage,
            sequence=SEQUENCE_BY_PRIORITY[priority],
            frequency_code=src.frequency,
            patient_control_number=pcn,
            external_pcn=True,
            payer_claim_number=src.payer_claim_number,
            total_charge_cents=total,
            status=ClaimStatus.DRAFT.value,
            status_changed_at=self.now,
            created_by=self.actor,
        )
        with self.checked("the claim"):
            claim.full_clean(
                exclude=["practice", "encounter", "coverage", "replaces", "created_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        self.result.claims.append(pcn)
        self.result.lines_created += len(lines)
        return _Built(encounter, codes, lines, claim)

    # -- payers ------------------------------------------------------------------------------

    def payer(self, src: x.Payer, filing: str) -> Payer:
        key = (src.payer_id, src.name.strip().upper())
        if key in self._payers:
            return self._payers[key]
        same_id = list(
            Payer.objects.filter(
                organization_id=self.practice.organization_id, payer_id=src.payer_id
            ).order_by("id")
        )
        named = [p for p in same_id if p.name.strip().upper() == key[1]]
        if named:
            payer = named[0]
        elif len(same_id) == 1:
            payer = same_id[0]
        else:
            payer = self.new_payer(src, filing)
        self._payers[key] = payer
        return payer

    def new_payer(self, src: x.Payer, filing: str) -> Payer:
        if filing not in ClaimFilingIndicator.values:
            self.warn(
                f"claim filing indicator SBR09 {filing!r} is not one we bill with: payer "
                f"{src.payer_id} is recorded as mutually defined (ZZ)"
            )
            filing = ClaimFilingIndicator.MUTUALLY_DEFINED.value
        payer = Payer(
            organization_id=self.practice.organization_id,
            name=src.name[:60],
            payer_id=src.payer_id,
            claim_filing_indicator=filing,
            **self.address(src.address, "the payer's address (2010BB)"),
        )
        with self.checked(f"payer {src.payer_id} (2010BB)"):
            payer.full_clean(exclude=["organization"], validate_constraints=False)
        payer.save()
        self.result.payers_created += 1
        return payer

    # -- patients and coverages ---------------------------------------------------------------

    def person(self, src: x.ProfessionalClaim) -> _Person:
        if src.patient is not None:
            p = src.patient
            return _Person(p.name, p.birth_date, p.sex, p.address, p.relationship)
        sub = src.subscriber
        if sub.birth_date is None:
            raise self.fail(
                "the subscriber is the patient but has no birth date (DMG in loop 2010BA); "
                "a patient needs one"
            )
        return _Person(sub.name, sub.birth_date, sub.sex, sub.address, "18")

    def patient(self, person: _Person, payer: Payer, member_id: str) -> Patient:
        name = person.name
        key = (*_person_key(name.last, name.first, person.birth_date), payer.pk)
        if key in self._patients:
            return self._patients[key]
        by_member = {
            c.patient
            for c in Coverage.objects.filter(
                practice=self.practice,
                payer=payer,
                member_id=member_id,
                patient__date_of_birth=person.birth_date,
            ).select_related("patient")
        }
        if len(by_member) > 1:  # a family sharing the member id: the name decides
            by_member = {
                p
                for p in by_member
                if _person_key(p.last_name, p.first_name, p.date_of_birth) == key[:3]
            }
        patient = min(by_member, key=lambda p: p.pk) if by_member else None
        if patient is None:
            patient = (
                Patient.objects.filter(
                    practice=self.practice,
                    last_name__iexact=name.last.strip(),
                    first_name__iexact=name.first.strip(),
                    date_of_birth=person.birth_date,
                )
                .order_by("id")
                .first()
            )
        if patient is None:
            patient = self.new_patient(person)
        self._patients[key] = patient
        return patient

    def new_patient(self, person: _Person) -> Patient:
        name = person.name
        if not name.person or not name.first:
            raise self.fail(
                f"the patient {'is an organization' if not name.person else 'has no first name'}"
                " (NM1 in loop 2010CA or 2010BA); a patient is a person with a first name"
            )
        sex = person.sex if person.sex in Sex.values else Sex.UNKNOWN.value
        address = self.address(person.address, "the patient's address")
        with self.checked("the patient"):
            patient = patient_create(
                practice=self.practice,
                first_name=name.first,
                middle_name=name.middle,
                last_name=name.last,
                date_of_birth=person.birth_date,
                sex=sex,
                **address,
            )
        self.new_patients.append(patient)
        self.result.patients_created += 1
        return patient

    def relationship(self, code: str, where: str) -> str:
        if code in KEPT_RELATIONSHIPS:
            return code
        self.warn(
            f"relationship to the subscriber {code!r} ({where}) is kept as other relationship (G8)"
        )
        return Relationship.OTHER.value

    def coverage(
        self,
        *,
        patient: Patient,
        payer: Payer,
        member_id: str,
        priority: int,
        relationship: str,
        subscriber: x.Name,
        subscriber_birth: dt.date | None,
        subscriber_sex: str,
        group_number: str,
        plan_name: str,
        day: dt.date,
    ) -> Coverage:
        key = (patient.pk, payer.pk, member_id, priority)
        coverage = self._coverages.get(key)
        if coverage is None:
            coverage = (
                Coverage.objects.filter(
                    patient=patient, payer=payer, member_id=member_id, priority=priority
                )
                .order_by("-effective_from", "-id")
                .first()
            )
        if coverage is None:
            relationship = self.relationship(relationship, "PAT01 or SBR02")
            dependent = relationship != Relationship.SELF.value
            fields: dict[str, Any] = {
                "payer": payer,
                "member_id": member_id,
                "group_number": group_number[:50],
                "plan_name": plan_name[:60],
                "priority": priority,
                "relationship": relationship,
                "effective_from": day,
            }
            if dependent:
                fields.update(
                    subscriber_first_name=subscriber.first[:35],
                    subscriber_last_name=subscriber.last[:60],
                    subscriber_date_of_birth=subscriber_birth,
                    subscriber_sex=subscriber_sex if subscriber_sex in Sex.values else "",
                )
            with self.checked(f"the coverage with payer {payer.payer_id}"):
                coverage = coverage_create(patient=patient, **fields)
            self._new_coverages.add(coverage.pk)
            self.result.coverages_created += 1
        elif coverage.pk in self._new_coverages and day < coverage.effective_from:
            # Created by this import for a later visit: in force from the earliest one.
            coverage = coverage_update(coverage=coverage, effective_from=day)
        self._coverages[key] = coverage
        return coverage

    def other_coverage(
        self, patient: Patient, other: x.OtherPayer, priority: int, day: dt.date
    ) -> None:
        """The patient's coverage with another payer of the claim (loops 2320/2330)."""
        other_priority = PRIORITY_BY_RESPONSIBILITY.get(other.responsibility)
        if other_priority is None or other_priority == priority:
            return
        payer = self.payer(
            x.Payer(name=other.payer_name, payer_id=other.payer_id, address=other.payer_address),
            other.claim_filing or ClaimFilingIndicator.COMMERCIAL.value,
        )
        self.coverage(
            patient=patient,
            payer=payer,
            member_id=other.subscriber_id,
            priority=other_priority,
            relationship=other.relationship,
            subscriber=other.subscriber_name,
            subscriber_birth=None,
            subscriber_sex="",
            group_number=other.group_number,
            plan_name=other.group_name,
            day=day,
        )

    # -- providers and locations -------------------------------------------------------------

    def provider(self, *, npi: str, name: x.Name, taxonomy: str, what: str) -> Provider:
        if npi in self._providers:
            return self._providers[npi]
        provider = Provider.objects.filter(practice=self.practice, npi=npi).first()
        if provider is None:
            if not _NPI_SHAPE.fullmatch(npi):
                raise self.fail(f"the {what}'s NPI {npi!r} is not 10 digits")
            exclude = ["practice"]
            if not _npi_valid(npi):
                self.warn(f"the {what}'s NPI {npi} fails the NPI check digit; kept as billed")
                exclude.append("npi")
            if not name.person:
                exclude.append("first_name")  # an organization renders: NM104 is empty
            provider = Provider(
                practice=self.practice,
                first_name=name.first[:35],
                last_name=name.last[:60],
                npi=npi,
                taxonomy=taxonomy,
            )
            with self.checked(f"the {what}"):
                provider.full_clean(exclude=exclude, validate_constraints=False)
            provider.save()
            self.result.providers_created += 1
        self._providers[npi] = provider
        return provider

    def rendering(self, src: x.ProfessionalClaim) -> Provider:
        r = src.rendering
        if r is None:  # no 2310B: the billing provider rendered the services
            b = src.billing_provider
            return self.provider(
                npi=b.npi, name=b.name, taxonomy=b.taxonomy, what="billing provider (2010AA)"
            )
        if not r.npi:
            raise self.fail(
                "the rendering provider (2310B) has no NPI; our providers are known by NPI"
            )
        return self.provider(
            npi=r.npi, name=r.name, taxonomy=r.taxonomy, what="rendering provider (2310B)"
        )

    def referring(self, src: x.ProfessionalClaim) -> Provider | None:
        r = src.referring
        if r is None:
            return None
        if r.npi:
            return self.provider(npi=r.npi, name=r.name, taxonomy="", what="referring provider")
        found = Provider.objects.filter(
            practice=self.practice,
            last_name__iexact=r.name.last.strip(),
            first_name__iexact=r.name.first.strip(),
        ).first()
        if found is None:
            self.warn("the referring provider (2310A) has no NPI and is not known: left out")
        return found

    def location(self, src: x.ProfessionalClaim) -> Location:
        facility = src.service_facility
        billing = src.billing_provider
        if facility is not None:
            key: tuple[str, ...] = ("facility", facility.npi, facility.name.strip().upper())
            place, address, label = facility.name, facility.address, "service facility (2310C)"
        else:
            key = ("billing", billing.address.line1.strip().upper(), billing.address.postal_code)
            place, address, label = billing.name.last, billing.address, "billing provider"
        if key in self._locations:
            return self._locations[key]
        if self._locations_before is None:
            self._locations_before = list(
                Location.objects.filter(practice=self.practice).order_by("id")
            )
        before = self._locations_before
        locations = [*before, *self._locations_created]
        found: Location | None = None
        if facility is not None:
            found = next(
                (loc for loc in locations if facility.npi and loc.npi == facility.npi), None
            )
            found = found or next(
                (loc for loc in locations if loc.name.strip().upper() == key[2]), None
            )
        else:
            found = next(
                (
                    loc
                    for loc in locations
                    if loc.address_line1.strip().upper() == key[1]
                    and loc.zip_code[:5] == address.postal_code[:5]
                ),
                None,
            )
            if found is None and len(before) == 1:  # the practice's one office
                found = before[0]
        if found is None:
            found = self.new_location(place, address, facility, label)
        self._locations[key] = found
        return found

    def new_location(
        self, place: str, address: x.Address, facility: x.ServiceFacility | None, label: str
    ) -> Location:
        npi = facility.npi if facility is not None else ""
        if npi and not (_NPI_SHAPE.fullmatch(npi) and _npi_valid(npi)):
            self.warn(f"the {label}'s NPI {npi!r} is not a valid NPI: the location has none")
            npi = ""
        location = Location(
            practice=self.practice,
            name=place[:200],
            npi=npi,
            **self.address(address, f"the {label}'s address"),
        )
        with self.checked(f"the location of the {label}"):
            location.full_clean(exclude=["practice"], validate_constraints=False)
        location.save()
        self._locations_created.append(location)
        self.result.locations_created += 1
        return location

    def address(self, src: x.Address | None, what: str) -> dict[str, str]:
        """Address fields for our models; a ZIP code our fields cannot hold (a foreign postal
        code) is left out with a warning."""
        if src is None:
            return {}
        zip_code = src.postal_code
        if zip_code and not _ZIP.fullmatch(zip_code):
            self.warn(f"{what}: postal code {zip_code!r} is not a US ZIP code; left out")
            zip_code = ""
        return {
            "address_line1": src.line1[:55],
            "address_line2": src.line2[:55],
            "city": src.city[:30],
            "state": src.state if len(src.state) == 2 else "",
            "zip_code": zip_code,
        }

    # -- the encounter ---------------------------------------------------------------------

    def encounter(
        self,
        src: x.ProfessionalClaim,
        patient: Patient,
        provider: Provider,
        referring: Provider | None,
        location: Location,
        day: dt.date,
    ) -> Encounter:
        encounter = Encounter(
            practice=self.practice,
            patient=patient,
            provider=provider,
            referring_provider=referring,
            location=location,
            date_of_service=day,
            place_of_service=src.place_of_service,
            prior_authorization=src.prior_authorization,
            created_by=self.actor,
        )
        with self.checked("the encounter"):
            encounter.full_clean(
                exclude=[
                    "practice",
                    "patient",
                    "provider",
                    "referring_provider",
                    "location",
                    "created_by",
                ]
            )
        return encounter

    def diagnoses(self, src: x.ProfessionalClaim) -> list[str]:
        codes: list[str] = []
        for i, code in enumerate(src.diagnoses, start=1):
            if src.icd9:
                if not _ICD9.fullmatch(code):
                    raise self.fail(f"diagnosis {i} (HI) {code!r} is not an ICD-9-CM code")
                codes.append(code)
                continue
            try:
                codes.append(format_icd10cm(validate_icd10cm_shape(code)))
            except CodeShapeError as exc:
                raise self.fail(f"diagnosis {i} (HI): {exc}") from exc
        if src.icd9:
            self.warn(
                "its diagnoses are ICD-9-CM (HI BK/BF), kept as billed; our claims carry "
                "ICD-10-CM, so the scrubber holds it before it could be sent again"
            )
        return codes

    def lines(
        self, src: x.ProfessionalClaim, encounter: Encounter, n_codes: int
    ) -> list[ChargeLine]:
        built: list[ChargeLine] = []
        for number, ln in enumerate(src.lines, start=1):
            where = f"line {number}"
            units = _whole(ln.units)
            if units is None or units < 1:
                raise self.fail(
                    f"{where}: units (SV104) {ln.units} is not a whole number of at least 1; "
                    "our charge lines count whole units"
                )
            if ln.procedure_qualifier != "HC":
                raise self.fail(
                    f"{where}: procedure qualifier (SV101-1) {ln.procedure_qualifier!r}: our "
                    "charge lines carry CPT/HCPCS codes (HC)"
                )
            if any(p > n_codes for p in ln.diagnosis_pointers):
                raise self.fail(f"{where}: a diagnosis pointer points past the {n_codes} codes")
            if ln.place_of_service and ln.place_of_service != encounter.place_of_service:
                self.warn(
                    f"{where} has place of service {ln.place_of_service}; the encounter keeps "
                    f"the claim's, {encounter.place_of_service}"
                )
            if ln.unit_basis != "UN":
                self.warn(f"{where} counts {ln.unit_basis} (SV103); kept as {units} units")
            charge = _cents(ln.charge)
            if charge is None or charge < 0:
                raise self.fail(f"{where}: charge (SV102) {ln.charge} is not an amount in cents")
            drug = ln.drug
            mods = [*ln.modifiers, "", "", "", ""]
            control = ln.control_number
            if not _keeps(control, self._used_controls):
                if control:
                    self.warn(
                        f"{where}: line control number (REF*6R) {control!r} is already used "
                        "in the practice; a new one was assigned"
                    )
                control = f"{self.practice.pk}L{next(self._numbers):09d}"
            line = ChargeLine(
                practice=self.practice,
                encounter=encounter,
                line_number=number,
                procedure_code=ln.procedure_code,
                modifier1=mods[0],
                modifier2=mods[1],
                modifier3=mods[2],
                modifier4=mods[3],
                units=units,
                charge_cents=charge,
                diagnosis_pointers=",".join(str(p) for p in ln.diagnosis_pointers),
                ndc_code=drug.ndc if drug is not None else "",
                ndc_quantity=_plain(drug.quantity) if drug is not None else "",
                ndc_unit=drug.unit if drug is not None else "",
                line_control_number=control,
                # The encounter's date is the claim's first; a line keeps its own when it differs.
                service_date=ln.service_date
                if ln.service_date != encounter.date_of_service or ln.service_end_date
                else None,
                service_end_date=ln.service_end_date,
            )
            with self.checked(where):
                line.full_clean(
                    exclude=["practice", "encounter"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            built.append(line)
        return built


def _keeps(number: str, used: set[str]) -> bool:
    """Whether a line keeps the file's line control number (REF*6R): given, not too long, not
    already used in the practice or earlier in the file (`used`, which it then joins)."""
    if not number or len(number) > MAX_LINE_CONTROL or number in used:
        return False
    used.add(number)
    return True


def _npi_valid(npi: str) -> bool:
    try:
        validate_npi(npi)
    except IdentifierError:
        return False
    return True


def _whole(value: Decimal) -> int | None:
    try:
        integral = value.to_integral_exact()
    except InvalidOperation:
        return None
    return int(integral) if integral == value else None


def _cents(amount: Decimal) -> int | None:
    """Whole cents, or None for an amount with fractions of a cent."""
    return _whole(amount.scaleb(2))


def _plain(value: Decimal) -> str:
    """A quantity as plain digits: 10.000 -> "10", 2.50 -> "2.5"."""
    return format(value.normalize(), "f")
