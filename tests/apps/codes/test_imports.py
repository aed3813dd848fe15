"""`openrcm codes import KIND FILE...`: all or nothing, errors naming the file and line, the
imported rows turned into the core's lookups (cached, reloaded after an import)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from openrcm.audit.models import AuditEvent
from openrcm.codes import loaders
from openrcm.codes.models import CodeImport, CptCode, HcpcsEntry, MueLimit, PtpEditRow
from openrcm.codes.selectors import cpt_code_list, cpt_description
from openrcm.codes.services import CodeImportError, codes_import
from openrcm.core.codes.carc import carc
from openrcm.core.codes.ncci import MueAdjudication, PtpModifierIndicator
from tests.apps.cli.helpers import run
from tests.apps.conftest import PracticeWorld

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    loaders.invalidate()
    yield
    loaders.invalidate()


def test_ptp_files_of_a_quarter_load_together(db: Any) -> None:
    out = run(
        "codes", "import", "ncci-ptp", str(DATA / "ptp_f1.txt"), str(DATA / "ptp_f2.txt"),
        "--quarter", "2026Q2",
    )  # fmt: skip
    assert "Imported 6 ncci-ptp rows from ptp_f1.txt, ptp_f2.txt" in out
    table = loaders.ptp_table()
    assert table is not None and len(table) == 6
    edit = table.edit("20610", "20605", dt.date(2026, 6, 1))
    assert edit is not None and edit.modifier_indicator is PtpModifierIndicator.ALLOWED
    assert table.edit("36415", "36416", dt.date(2026, 6, 1)) is None  # deleted in 2025
    assert table.edit("36415", "36416", dt.date(2024, 6, 1)) is not None
    assert table.edit("93000", "93005", dt.date(2026, 1, 1)).before_1996  # type: ignore[union-attr]
    record = CodeImport.objects.get()
    assert record.quarter == "2026Q2" and record.rows == 6 and len(record.sha256) == 64


def test_a_new_import_replaces_the_previous_one_and_reloads_the_cache(db: Any) -> None:
    codes_import(kind="ncci-ptp", files=[DATA / "ptp_f1.txt"])
    first = loaders.ptp_table()
    assert first is not None and len(first) == 5
    assert loaders.ptp_table() is first  # cached
    codes_import(kind="ncci-ptp", files=[DATA / "ptp_f2.txt"])
    second = loaders.ptp_table()
    assert second is not None and len(second) == 1
    assert PtpEditRow.objects.count() == 1
    old, new = CodeImport.objects.order_by("id")
    assert old.replaced_at is not None and new.replaced_at is None


def test_a_broken_row_refuses_the_whole_import_naming_file_and_line(db: Any) -> None:
    codes_import(kind="ncci-ptp", files=[DATA / "ptp_f1.txt"])
    with pytest.raises(CommandError) as caught:
        run("codes", "import", "ncci-ptp", str(DATA / "ptp_f2.txt"), str(DATA / "ptp_bad.txt"))
    message = str(caught.value)
    assert "ptp_bad.txt" in message and "line 4" in message and "2010-01-01" in message
    # nothing written: the first import is still the one in use, whole
    assert CodeImport.objects.count() == 1
    assert PtpEditRow.objects.count() == 5
    assert len(loaders.ptp_table() or ()) == 5


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("mue", "mue_bad.csv", "mue_bad.csv: line 4: MUE value 'one' is not a number"),
        ("hcpcs", "hcpcs_bad.csv", "hcpcs_bad.csv: line 3: date '2000-01-01'"),
        ("cpt", "cpt_bad.csv", "cpt_bad.csv: line 3: '9921' is not a CPT code"),
    ],
)
def test_errors_name_the_row(
    kind: str, name: str, expected: str, practice_a: PracticeWorld
) -> None:
    practice = practice_a.practice if kind == "cpt" else None
    with pytest.raises(CodeImportError, match=expected):
        codes_import(kind=kind, files=[DATA / name], practice=practice)
    assert not CodeImport.objects.exists()


def test_mue_and_hcpcs(db: Any) -> None:
    run("codes", "import", "mue", str(DATA / "mue.csv"))
    mue = loaders.mue_table()
    assert mue is not None and len(mue) == 6
    limit = mue.get("99213")
    assert limit is not None and limit.value == 1
    assert limit.adjudication is MueAdjudication.PER_DAY_POLICY
    assert MueLimit.objects.count() == 6

    assert not loaders.hcpcs_table().complete  # the curated table until a file is loaded
    run("codes", "import", "hcpcs", str(DATA / "hcpcs.csv"))
    hcpcs = loaders.hcpcs_table()
    assert hcpcs.complete and len(hcpcs) == 4  # the Level I row is skipped
    terminated = hcpcs.get("J0000")
    assert terminated is not None and terminated.terminated == dt.date(2025, 12, 31)
    assert HcpcsEntry.objects.filter(code="99213").count() == 0


def test_carc_and_rarc_descriptions_override_ours(db: Any) -> None:
    before = loaders.carc_lookup("16")
    run("codes", "import", "carc", str(DATA / "carc.csv"))
    run("codes", "import", "rarc", str(DATA / "rarc.csv"))
    after = loaders.carc_lookup("16")
    assert after.description.startswith("Synthetic: claim lacks information")
    assert after.category == before.category  # our category and next action stay
    assert loaders.rarc_lookup("M76").description == "Synthetic: missing or invalid diagnosis"
    assert loaders.carc_lookup("45").description == carc("45").description  # not in the file


def test_cpt_is_per_practice_and_needs_one(
    practice_a: PracticeWorld, practice_b: PracticeWorld, member: Any, outsider: Any
) -> None:
    with pytest.raises(CommandError, match="--practice"):
        run("codes", "import", "cpt", str(DATA / "cpt.csv"))
    with pytest.raises(CommandError, match="leave --practice out"):
        run("codes", "import", "mue", str(DATA / "mue.csv"), "--practice", "a")
    out = run("codes", "import", "cpt", str(DATA / "cpt.csv"), "--practice", "a")
    assert "Imported 3 cpt rows for a" in out
    assert CptCode.objects.filter(practice=practice_a.practice).count() == 3
    assert cpt_description(practice=practice_a.practice, code="99213").endswith("(our wording)")
    assert cpt_description(practice=practice_b.practice, code="99213") == ""
    assert cpt_code_list(user=member).count() == 3
    assert cpt_code_list(user=outsider).count() == 0
    assert "cpt" in run("codes", "list")


def test_imports_are_audited(db: Any) -> None:
    codes_import(kind="mue", files=[DATA / "mue.csv"])
    event = AuditEvent.objects.get(action="import")
    assert event.object_type == "codes.codeimport"
    assert event.detail == {"kind": "mue", "rows": 6, "files": 1}


def test_a_missing_file_is_a_plain_error(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read the file"):
        run("codes", "import", "mue", str(tmp_path / "nope.csv"))
