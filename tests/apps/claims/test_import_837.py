"""`claims_import_837` and `openrcm claims import-837`: 837P files made elsewhere become the
practice's claims, all or nothing, once."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from openrcm.audit.models import AuditEvent
from openrcm.claims.importing import ClaimImportError, claims_import_837
from openrcm.claims.models import Claim, ClaimLine, ClaimStatusChange, ImportedClaimFile
from openrcm.core.identifiers import IdentifierError, validate_npi
from openrcm.core.x12.claim837p import ProfessionalClaim, read_837p
from openrcm.encounters.models import ChargeLine, Diagnosis, Encounter
from openrcm.patients.models import Coverage, Patient
from openrcm.payers.models import Payer
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location, Practice
from openrcm.tenancy.services import organization_get_or_create, practice_create
from tests.apps.cli.helpers import run

X12 = Path(__file__).resolve().parents[4] / "shared" / "samples" / "x12"

MODELS: list[type[Any]] = [
    Patient,
    Coverage,
    Payer,
    Provider,
    Location,
    Encounter,
    Diagnosis,
    ChargeLine,
    Claim,
    ClaimLine,
    ClaimStatusChange,
    ImportedClaimFile,
    AuditEvent,
]


def _rows() -> dict[str, int]:
    """How many rows each table the import writes holds."""
    return {model.__name__: model._base_manager.count() for model in MODELS}


def _pyx12_passing_837p() -> list[Path]:
    """The 837P samples pyx12 4.0.0 accepts, as INDEX.tsv records its verdict."""
    index = X12 / "INDEX.tsv"
    if not index.is_file():
        return []
    with index.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [
        X12 / row["file"]
        for row in rows
        if row["file"].startswith("837p/") and row["pyx12_4_0"] == "OK"
    ]


def _practice(slug: str, *, npi: str, tin: str) -> Practice:
    org = organization_get_or_create(slug="import-billing", name="Import Billing Co")
    return practice_create(
        organization=org,
        slug=slug,
        name=f"Practice {slug}",
        group_npi=npi,
        tin=tin,
        address_line1="1 Main St",
        city="Springfield",
        state="IL",
        zip_code="62704",
    )


def _valid_npi(npi: str) -> bool:
    try:
        validate_npi(npi)
    except IdentifierError:
        return False
    return True


def _practice_billing_as(claim: ProfessionalClaim, slug: str) -> Practice:
    """A practice that is the claim's billing provider: its NPI when the check digit holds
    (several guide examples' do not, which the practice's NPI field refuses), and its TIN."""
    billing = claim.billing_provider
    npi = billing.npi if _valid_npi(billing.npi) else "1987654328"
    return _practice(slug, npi=npi, tin=billing.tax_id.replace("-", ""))


# -- every 837P sample pyx12 accepts ----------------------------------------------------------


@pytest.mark.parametrize("sample", _pyx12_passing_837p(), ids=lambda p: p.name)
def test_a_sample_imports_with_all_its_claims_and_lines_once(db: Any, sample: Path) -> None:
    data = sample.read_bytes()
    source = [c for batch in read_837p(data) for c in batch.claims]
    practice = _practice_billing_as(source[0], "sample")

    result = claims_import_837(practice=practice, data=data, name=sample.name)

    assert result.claims == [c.patient_control_number for c in source]
    assert result.lines_created == sum(len(c.lines) for c in source)
    assert result.duplicates == []
    for src in source:
        claim = Claim.objects.get(
            practice=practice, patient_control_number=src.patient_control_number
        )
        assert claim.status == "draft"
        assert claim.total_charge_cents == int(src.total_charge * 100)
        assert claim.sequence == src.subscriber.responsibility
        assert claim.frequency_code == src.frequency
        assert claim.coverage.payer.payer_id == src.subscriber.payer.payer_id
        assert claim.coverage.member_id == src.subscriber.member_id
        assert [d.replace(".", "") for d in claim.encounter.diagnosis_codes] == src.diagnoses
        lines = [
            (
                cl.line_number,
                cl.charge_line.procedure_code,
                cl.charge_line.modifiers,
                cl.charge_line.units,
                cl.charge_cents,
                cl.charge_line.pointers,
                cl.charge_line.ndc_code,
            )
            for cl in claim.lines.select_related("charge_line").order_by("line_number")
        ]
        assert lines == [
            (
                n,
                ln.procedure_code,
                ln.modifiers,
                int(ln.units),
                int(ln.charge * 100),
                ln.diagnosis_pointers,
                ln.drug.ndc if ln.drug else "",
            )
            for n, ln in enumerate(src.lines, start=1)
        ]
        for cl, ln in zip(claim.lines.order_by("line_number"), src.lines, strict=True):
            if ln.control_number:
                assert cl.charge_line.line_control_number == ln.control_number
        patient = claim.encounter.patient
        person = src.patient or src.subscriber
        assert (patient.last_name, patient.first_name) == (person.name.last, person.name.first)
        assert [h.to_status for h in claim.history.all()] == ["draft"]

    before = _rows()
    again = claims_import_837(practice=practice, data=data, name=sample.name)
    assert again.already_imported and again.claims == [] and again.import_id == result.import_id
    assert _rows() == before

    # The same claims in another file (one more byte): every claim is a duplicate, kept as is.
    changed = claims_import_837(practice=practice, data=data + b"\n", name="copy.837")
    assert not changed.already_imported
    assert changed.claims == []
    assert changed.duplicates == [c.patient_control_number for c in source]
    after = _rows()
    assert after.pop("ImportedClaimFile") == before.pop("ImportedClaimFile") + 1
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1  # the import event only
    assert after == before


def test_the_samples_are_there() -> None:
    if not (X12 / "INDEX.tsv").is_file():
        pytest.skip("no X12 samples beside the repository (../shared/samples/x12)")
    assert len(_pyx12_passing_837p()) >= 5


# -- a worked scenario -----------------------------------------------------------------------

# A practice's EHR bills two visits to ACME HEALTH: Jane Doe (the subscriber) on March 2, two
# lines (an office visit with modifier 25, and a B12 injection with its NDC), with a prior
# authorization and a referring doctor; and her husband John's son Sam (a dependent on John's
# plan) on March 3. Written by hand as the guide writes it.
WORKED_SEGMENTS = [
    "ST*837*0001*005010X222A1",
    "BHT*0019*00*IMPORT-1*20260305*1200*CH",
    "NM1*41*2*RIVERBEND EHR*****46*RBEHR01",
    "PER*IC*BILLING OFFICE*TE*2175550100",
    "NM1*40*2*ACME CLEARING*****46*ACMECLEAR",
    "HL*1**20*1",
    "NM1*85*2*RIVERBEND FAMILY MEDICINE*****XX*1987654328",
    "N3*1 MAIN ST",
    "N4*SPRINGFIELD*IL*627041234",
    "REF*EI*741852963",
    "HL*2*1*22*0",
    "SBR*P*18*GRP100******CI",
    "NM1*IL*1*DOE*JANE*Q***MI*XYZ123456789",
    "N3*12 ELM ST",
    "N4*SPRINGFIELD*IL*62704",
    "DMG*D8*19800115*F",
    "NM1*PR*2*ACME HEALTH*****PI*ACME1",
    "CLM*RB-0001*150***11:B:1*Y*A*Y*Y",
    "REF*G1*AUTH778",
    "HI*ABK:E119*ABF:I10",
    "NM1*DN*1*REFER*ROBERT****XX*1666666668",
    "NM1*82*1*SMITH*ALICE****XX*1555555550",
    "PRV*PE*PXC*207Q00000X",
    "LX*1",
    "SV1*HC:99213:25*100*UN*1***1:2",
    "DTP*472*D8*20260302",
    "REF*6R*EHR-LN-1",
    "LX*2",
    "SV1*HC:J3420*50*UN*2***1",
    "DTP*472*D8*20260302",
    "REF*6R*EHR-LN-2",
    "LIN**N4*00409123401",
    "CTP****1*ML",
    "HL*3*1*22*1",
    "SBR*P**GRP100******CI",
    "NM1*IL*1*DOE*JOHN****MI*XYZ987",
    "NM1*PR*2*ACME HEALTH*****PI*ACME1",
    "HL*4*3*23*0",
    "PAT*19",
    "NM1*QC*1*DOE*SAM",
    "N3*12 ELM ST",
    "N4*SPRINGFIELD*IL*62704",
    "DMG*D8*20150610*M",
    "CLM*RB-0002*80***11:B:1*Y*A*Y*Y",
    "HI*ABK:J069",
    "NM1*82*1*SMITH*ALICE****XX*1555555550",
    "LX*1",
    "SV1*HC:99212*80*UN*1***1",
    "DTP*472*D8*20260303",
]


def _interchange(segments: list[str]) -> str:
    """The set in an ISA/GS envelope, SE counting its segments."""
    body = [*segments, f"SE*{len(segments) + 1}*0001"]
    isa = (
        "ISA*00*          *00*          *ZZ*RIVERBENDEHR   *ZZ*ACMECLEAR      "
        "*260305*1200*^*00501*000000101*0*T*:"
    )
    gs = "GS*HC*RIVERBENDEHR*ACMECLEAR*20260305*1200*101*X*005010X222A1"
    return "~".join([isa, gs, *body, "GE*1*101", "IEA*1*000000101"]) + "~"


WORKED = _interchange(WORKED_SEGMENTS)


def _worked(tmp_path: Path, text: str = WORKED, name: str = "worked.837") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="ascii")
    return path


@pytest.fixture
def riverbend(db: Any) -> Practice:
    return _practice("riverbend", npi="1987654328", tin="741852963")


def test_the_worked_file_passes_pyx12() -> None:
    pytest.importorskip("pyx12")
    from tests.core.sandbox.factory import pyx12_errors

    assert pyx12_errors(WORKED) == []


def test_worked_scenario_creates_exactly_these_rows(riverbend: Practice, tmp_path: Path) -> None:
    path = _worked(tmp_path)
    result = claims_import_837(practice=riverbend, path=path)

    assert result.as_dict() | {"import_id": None, "sha256": None} == {
        "file": str(path),
        "practice": "riverbend",
        "sha256": None,
        "already_imported": False,
        "import_id": None,
        "status": "draft",
        "claims_created": 2,
        "lines_created": 3,
        "patients_created": 2,
        "coverages_created": 2,
        "payers_created": 1,
        "providers_created": 2,
        "locations_created": 1,
        "duplicates_skipped": 0,
        "claims": ["RB-0001", "RB-0002"],
        "duplicates": [],
        "warnings": [],
    }
    payer = Payer.objects.get()
    assert (payer.name, payer.payer_id, payer.claim_filing_indicator) == (
        "ACME HEALTH",
        "ACME1",
        "CI",
    )
    assert payer.organization_id == riverbend.organization_id

    patients = {
        p.first_name: (
            p.last_name,
            p.middle_name,
            p.date_of_birth,
            p.sex,
            p.address_line1,
            p.zip_code,
        )
        for p in Patient.objects.filter(practice=riverbend)
    }
    assert patients == {
        "JANE": ("DOE", "Q", dt.date(1980, 1, 15), "F", "12 ELM ST", "62704"),
        "SAM": ("DOE", "", dt.date(2015, 6, 10), "M", "12 ELM ST", "62704"),
    }
    coverages = {
        c.patient.first_name: (
            c.payer_id,
            c.member_id,
            c.group_number,
            c.priority,
            c.relationship,
            c.subscriber_first_name,
            c.subscriber_last_name,
            c.effective_from,
        )
        for c in Coverage.objects.filter(practice=riverbend).select_related("patient")
    }
    assert coverages == {
        "JANE": (payer.pk, "XYZ123456789", "GRP100", 1, "18", "", "", dt.date(2026, 3, 2)),
        "SAM": (payer.pk, "XYZ987", "GRP100", 1, "19", "JOHN", "DOE", dt.date(2026, 3, 3)),
    }
    providers = {
        (p.last_name, p.first_name, p.npi, p.taxonomy)
        for p in Provider.objects.filter(practice=riverbend)
    }
    assert providers == {
        ("SMITH", "ALICE", "1555555550", "207Q00000X"),
        ("REFER", "ROBERT", "1666666668", ""),
    }
    location = Location.objects.get(practice=riverbend)
    assert (location.name, location.address_line1, location.zip_code) == (
        "RIVERBEND FAMILY MEDICINE",
        "1 MAIN ST",
        "627041234",
    )

    first = Claim.objects.get(patient_control_number="RB-0001")
    enc = first.encounter
    assert (first.status, first.sequence, first.frequency_code, first.total_charge_cents) == (
        "draft",
        "P",
        "1",
        15000,
    )
    assert first.coverage.patient.first_name == "JANE"
    assert (enc.date_of_service, enc.place_of_service, enc.prior_authorization) == (
        dt.date(2026, 3, 2),
        "11",
        "AUTH778",
    )
    assert enc.referring_provider is not None
    assert (enc.provider.last_name, enc.referring_provider.last_name, enc.location) == (
        "SMITH",
        "REFER",
        location,
    )
    assert enc.diagnosis_codes == ["E11.9", "I10"]
    assert [
        (
            c.line_number,
            c.procedure_code,
            c.modifiers,
            c.units,
            c.charge_cents,
            c.diagnosis_pointers,
            c.ndc_code,
            c.ndc_quantity,
            c.ndc_unit,
            c.line_control_number,
        )
        for c in enc.charge_lines.order_by("line_number")
    ] == [
        (1, "99213", ["25"], 1, 10000, "1,2", "", "", "", "EHR-LN-1"),
        (2, "J3420", [], 2, 5000, "1", "00409123401", "1", "ML", "EHR-LN-2"),
    ]
    assert [(cl.line_number, cl.charge_cents) for cl in first.lines.all()] == [
        (1, 10000),
        (2, 5000),
    ]

    second = Claim.objects.get(patient_control_number="RB-0002")
    assert second.coverage.patient.first_name == "SAM"
    assert second.total_charge_cents == 8000
    assert second.encounter.date_of_service == dt.date(2026, 3, 3)
    assert second.encounter.referring_provider is None
    assert second.encounter.diagnosis_codes == ["J06.9"]
    (line,) = second.encounter.charge_lines.all()
    assert line.line_control_number == f"{riverbend.pk}L000000001"  # none in the file: ours

    for claim in (first, second):
        (step,) = claim.history.all()
        assert (step.from_status, step.to_status, step.note) == (
            "",
            "draft",
            "Imported from worked.837.",
        )
        assert step.actor is not None and step.actor.username == "system:claims-import"
    record = ImportedClaimFile.objects.get()
    assert set(record.claims.all()) == {first, second}
    assert record.counts["claims_created"] == 2 and record.sha256 == result.sha256
    events = list(AuditEvent.objects.order_by("seq").values_list("action", "object_type"))
    assert events == [
        ("create", "patients.patient"),
        ("create", "patients.patient"),
        ("create", "claims.claim"),
        ("create", "claims.claim"),
        ("import", "claims.importedclaimfile"),
    ]
    assert AuditEvent.objects.filter(actor_name="system:claims-import").count() == 5


def test_as_submitted_moves_each_claim_through_the_state_machine(
    riverbend: Practice, tmp_path: Path
) -> None:
    result = claims_import_837(practice=riverbend, path=_worked(tmp_path), as_submitted=True)
    assert result.status == "submitted"
    for claim in Claim.objects.filter(practice=riverbend):
        assert claim.status == "submitted"
        assert [(h.from_status, h.to_status, h.note) for h in claim.history.all()] == [
            ("", "draft", "Imported from worked.837."),
            ("draft", "ready", "Imported as already submitted from worked.837."),
            ("ready", "batched", "Imported as already submitted from worked.837."),
            ("batched", "submitted", "Imported as already submitted from worked.837."),
        ]
    assert ImportedClaimFile.objects.get().as_submitted


def test_a_known_patient_control_number_is_skipped_and_known_people_are_matched(
    riverbend: Practice, tmp_path: Path
) -> None:
    claims_import_837(practice=riverbend, path=_worked(tmp_path))
    first = Claim.objects.get(patient_control_number="RB-0001")
    kept = (first.total_charge_cents, first.status, list(first.lines.values_list("charge_cents")))
    # Another export of the same EHR: Sam's visit again (RB-0002), and Jane's visit renumbered
    # (RB-0009) with the same line control numbers as before.
    text = WORKED.replace("RB-0001", "RB-0009").replace("IMPORT-1", "IMPORT-2")
    before = _rows()
    result = claims_import_837(practice=riverbend, path=_worked(tmp_path, text, "second.837"))
    assert (result.claims, result.duplicates) == (["RB-0009"], ["RB-0002"])
    assert result.counts() == {
        "claims_created": 1,
        "lines_created": 2,
        "patients_created": 0,
        "coverages_created": 0,
        "payers_created": 0,
        "providers_created": 0,
        "locations_created": 0,
        "duplicates_skipped": 1,
    }
    assert result.warnings == [
        "claim RB-0009: line 1: line control number (REF*6R) 'EHR-LN-1' is already used in the "
        "practice; a new one was assigned",
        "claim RB-0009: line 2: line control number (REF*6R) 'EHR-LN-2' is already used in the "
        "practice; a new one was assigned",
    ]
    after = _rows()
    assert after["Patient"] == before["Patient"] and after["Claim"] == before["Claim"] + 1
    renumbered = Claim.objects.get(patient_control_number="RB-0009")
    assert renumbered.encounter.patient == first.encounter.patient
    assert renumbered.coverage == first.coverage
    first.refresh_from_db()
    assert (
        first.total_charge_cents,
        first.status,
        list(first.lines.values_list("charge_cents")),
    ) == kept


def test_the_practice_office_and_known_providers_are_used(
    riverbend: Practice, tmp_path: Path
) -> None:
    office = Location.objects.create(practice=riverbend, name="Main office", zip_code="62704")
    alice = Provider.objects.create(
        practice=riverbend, first_name="Alice", last_name="Smith", npi="1555555550"
    )
    result = claims_import_837(practice=riverbend, path=_worked(tmp_path))
    assert (result.locations_created, result.providers_created) == (0, 1)  # the referring one
    for claim in Claim.objects.filter(practice=riverbend).select_related("encounter"):
        assert (claim.encounter.location, claim.encounter.provider) == (office, alice)


def test_an_unreadable_file_names_the_segment_and_writes_nothing(
    riverbend: Practice, tmp_path: Path
) -> None:
    path = _worked(tmp_path, WORKED.replace("CLM*RB-0002*80*", "CLM*RB-0002*8O*"), "bad.837")
    before = _rows()
    with pytest.raises(ClaimImportError) as caught:
        claims_import_837(practice=riverbend, path=path)
    message = str(caught.value)
    assert str(path) in message
    assert "(CLM), element 2" in message
    assert _rows() == before


def test_an_error_in_the_second_claim_undoes_the_first(riverbend: Practice, tmp_path: Path) -> None:
    text = WORKED.replace("SV1*HC:99212*80*UN*1***1", "SV1*HC:99212*80*UN*1.5***1")
    before = _rows()
    with pytest.raises(ClaimImportError) as caught:
        claims_import_837(practice=riverbend, path=_worked(tmp_path, text))
    assert "claim RB-0002: line 1: units (SV104) 1.5 is not a whole number" in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert _rows() == before


def _mutated(*changes: tuple[str, str | None]) -> str:
    """The worked file with segments replaced (or dropped, for None)."""
    segments: list[str | None] = list(WORKED_SEGMENTS)
    for old, new in changes:
        assert old in segments
        segments = [new if seg == old else seg for seg in segments]
    return _interchange([seg for seg in segments if seg is not None])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("CLM*RB-0002*80***11:B:1*Y*A*Y*Y", "CLM*RB-0002-ABCDEFGHIJKLMNOP*80***11:B:1*Y*A*Y*Y"),
            "claim RB-0002-ABCDEFGHIJKLMNOP: the patient control number (CLM01) has 24 "
            "characters; ours hold at most 20",
        ),
        (
            ("DMG*D8*19800115*F", None),
            "claim RB-0001: the subscriber is the patient but has no birth date (DMG in loop "
            "2010BA)",
        ),
        (
            ("SBR*P**GRP100******CI", "SBR*A**GRP100******CI"),
            "claim RB-0002: payer responsibility SBR01 'A': our claims are primary (P), "
            "secondary (S) or tertiary (T)",
        ),
    ],
    ids=["long-pcn", "no-birth-date", "fourth-payer"],
)
def test_what_our_records_cannot_hold_is_refused_whole(
    riverbend: Practice, tmp_path: Path, change: tuple[str, str | None], message: str
) -> None:
    before = _rows()
    with pytest.raises(ClaimImportError) as caught:
        claims_import_837(practice=riverbend, path=_worked(tmp_path, _mutated(change)))
    assert message in str(caught.value)
    assert str(caught.value).endswith("nothing was imported")
    assert _rows() == before


def test_what_the_837p_allows_is_kept_with_warnings(riverbend: Practice, tmp_path: Path) -> None:
    text = _mutated(
        ("PAT*19", "PAT*20"),
        ("HI*ABK:J069", "HI*BK:4659"),
        ("SV1*HC:99212*80*UN*1***1", "SV1*HC:99212*80*MJ*1*12**1"),
        ("N4*SPRINGFIELD*IL*62704", "N4*TORONTO*ON*M5V2T6"),
    )
    result = claims_import_837(practice=riverbend, path=_worked(tmp_path, text))
    assert result.claims == ["RB-0001", "RB-0002"]
    assert result.warnings == [
        "claim RB-0001: the patient's address: postal code 'M5V2T6' is not a US ZIP code; left out",
        "claim RB-0002: the patient's address: postal code 'M5V2T6' is not a US ZIP code; left out",
        "claim RB-0002: relationship to the subscriber '20' (PAT01 or SBR02) is kept as other "
        "relationship (G8)",
        "claim RB-0002: its diagnoses are ICD-9-CM (HI BK/BF), kept as billed; our claims carry "
        "ICD-10-CM, so the scrubber holds it before it could be sent again",
        "claim RB-0002: line 1 has place of service 12; the encounter keeps the claim's, 11",
        "claim RB-0002: line 1 counts MJ (SV103); kept as 1 units",
    ]
    sam = Claim.objects.get(patient_control_number="RB-0002")
    assert sam.coverage.relationship == "G8"
    assert sam.encounter.diagnosis_codes == ["4659"]
    assert sam.encounter.patient.zip_code == "" and sam.encounter.patient.city == "TORONTO"


def test_claims_of_another_billing_provider_are_refused(db: Any, tmp_path: Path) -> None:
    other = _practice("other", npi="1234567893", tin="123456789")
    before = _rows()
    with pytest.raises(ClaimImportError) as caught:
        claims_import_837(practice=other, path=_worked(tmp_path))
    assert "claim RB-0001: the billing provider (NPI 1987654328, tax id 741852963) is not " in str(
        caught.value
    )
    assert _rows() == before


# -- the command -------------------------------------------------------------------------------


def test_command_prints_counts_as_json_then_says_already_imported(
    riverbend: Practice, tmp_path: Path
) -> None:
    path = str(_worked(tmp_path))
    doc = json.loads(run("claims", "import-837", path, "--practice", "riverbend", "--json"))
    assert (doc["claims_created"], doc["lines_created"], doc["patients_created"]) == (2, 3, 2)
    assert (doc["payers_created"], doc["providers_created"], doc["duplicates_skipped"]) == (1, 2, 0)
    assert doc["status"] == "draft" and doc["claims"] == ["RB-0001", "RB-0002"]
    out = run("claims", "import-837", path, "--practice", "riverbend")
    assert "was already imported into riverbend" in out and "nothing created" in out
    assert Claim.objects.count() == 2


def test_command_text_output_and_errors(riverbend: Practice, tmp_path: Path) -> None:
    out = run(
        "claims", "import-837", str(_worked(tmp_path)), "--practice", "riverbend", "--as-submitted"
    )
    assert "claims created: 2" in out and "duplicates skipped: 0" in out
    assert "claims are submitted" in out
    bad = _worked(tmp_path, "ISA*00*short~", "broken.837")
    with pytest.raises(CommandError) as caught:
        run("claims", "import-837", str(bad), "--practice", "riverbend")
    assert caught.value.returncode != 0 and "segment 1 (ISA)" in str(caught.value)
    with pytest.raises(CommandError, match="cannot read the file"):
        run("claims", "import-837", str(tmp_path / "missing.837"), "--practice", "riverbend")
    with pytest.raises(CommandError, match="no practice 'nope'"):
        run("claims", "import-837", str(bad), "--practice", "nope")


# -- line dates and shared patient control numbers --------------------------------------------


def test_each_line_keeps_its_own_date_of_service(riverbend: Practice, tmp_path: Path) -> None:
    # Jane's injection was given two days after the visit; Sam's visit line bills a range.
    segments = list(WORKED_SEGMENTS)
    second = [i for i, seg in enumerate(segments) if seg == "DTP*472*D8*20260302"][1]
    segments[second] = "DTP*472*D8*20260304"
    segments[segments.index("DTP*472*D8*20260303")] = "DTP*472*RD8*20260303-20260305"
    result = claims_import_837(practice=riverbend, path=_worked(tmp_path, _interchange(segments)))
    assert result.warnings == []
    jane = Claim.objects.get(patient_control_number="RB-0001")
    assert jane.encounter.date_of_service == dt.date(2026, 3, 2)
    assert [
        (ln.charge_line.date_of_service, ln.charge_line.service_end_date)
        for ln in jane.lines.select_related("charge_line__encounter")
    ] == [(dt.date(2026, 3, 2), None), (dt.date(2026, 3, 4), None)]
    sam = ChargeLine.objects.get(encounter__claims__patient_control_number="RB-0002")
    assert (sam.service_date, sam.service_end_date) == (dt.date(2026, 3, 3), dt.date(2026, 3, 5))


def test_claims_may_share_a_patient_control_number_and_are_still_imported_once(
    riverbend: Practice, tmp_path: Path
) -> None:
    # The legacy EHR sends the family's account number as CLM01 for both visits.
    text = _mutated(("CLM*RB-0002*80***11:B:1*Y*A*Y*Y", "CLM*RB-0001*80***11:B:1*Y*A*Y*Y"))
    result = claims_import_837(practice=riverbend, path=_worked(tmp_path, text))
    assert result.claims == ["RB-0001", "RB-0001"]
    assert result.warnings == [
        "claim RB-0001: another claim of the practice has this patient control number; an 835 "
        "paying it is matched by patient, charge and service lines"
    ]
    shared = Claim.objects.filter(patient_control_number="RB-0001")
    assert shared.count() == 2 and all(c.external_pcn for c in shared)
    again = claims_import_837(
        practice=riverbend,
        path=_worked(tmp_path, text.replace("IMPORT-1", "IMPORT-2"), "again.837"),
    )
    assert (again.claims, again.duplicates) == ([], ["RB-0001", "RB-0001"])
    assert Claim.objects.filter(patient_control_number="RB-0001").count() == 2
