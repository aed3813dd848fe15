"""`openrcm codes import icd10cm FILE --effective-from ...`: a CMS ICD-10-CM release loaded
beside the shipped one, and the scrubber checking a claim against the release in effect on
its date of service. The order file is synthetic (tests/core/codes/order_file.py): the shipped
April 2026 codes with a few made-up FY2027 changes, not CMS data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from openrcm.audit.models import AuditEvent
from openrcm.codes import loaders
from openrcm.codes.models import Icd10Release
from openrcm.codes.services import CodeImportError, icd10_release_import
from openrcm.core.codes import icd10cm
from openrcm.core.scrub import ClaimSnapshot, scrub
from openrcm.scrubbing.services import scrub_context_for
from tests.apps.cli.helpers import run
from tests.apps.conftest import PracticeWorld
from tests.core.codes.order_file import REMOVED, order_line, synthetic_order_file
from tests.core.scrub.corpus import BASE

FY2027 = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    loaders.invalidate()
    yield
    loaders.invalidate()


@pytest.fixture(scope="module")
def order_text() -> str:
    return synthetic_order_file()


@pytest.fixture
def order_file(tmp_path: Path, order_text: str) -> Path:
    path = tmp_path / "icd10cm_order_2027.txt"
    path.write_text(order_text, encoding="utf-8")
    return path


def _on(day: dt.date, *diagnoses: str) -> ClaimSnapshot:
    lines = tuple(dataclasses.replace(line, service_date=day) for line in BASE.lines)
    return dataclasses.replace(BASE, lines=lines, diagnoses=diagnoses)


def _icd_findings(practice_world: PracticeWorld, claim: ClaimSnapshot) -> set[str]:
    context = scrub_context_for(
        practice=practice_world.practice, today=dt.date(2026, 10, 20), with_history=False
    )
    return {found.rule_id for found in scrub(claim, context) if found.rule_id.startswith("ICD")}


def test_a_loaded_release_checks_claims_on_its_dates(
    practice_a: PracticeWorld, order_file: Path
) -> None:
    october = dt.date(2026, 10, 15)
    # Before the load: the shipped April release answers, with ICD-007.
    assert "ICD-007" in _icd_findings(practice_a, _on(october, "E11.9", "I10"))
    out = run(
        "codes", "import", "icd10cm", str(order_file), "--effective-from", "2026-10-01",
        "--name", "FY2027 October 1, 2026 (synthetic)",
    )  # fmt: skip
    assert "Loaded FY2027 October 1, 2026 (synthetic)" in out and "2026-10-01 to 2027-03-31" in out
    record = Icd10Release.objects.get()
    assert record.effective_to == dt.date(2027, 3, 31) and record.source_file == order_file.name
    assert len(record.sha256) == 64
    event = AuditEvent.objects.get(object_type="codes.icd10release", object_id=str(record.pk))
    assert event.detail["codes"] == record.code_count

    # The added code is valid on the new release's dates, without ICD-007.
    assert _icd_findings(practice_a, _on(october, "J44.90", "I10")) == set()
    # The removed code: invalid from October 1, still valid in September.
    assert _icd_findings(practice_a, _on(october, "J44.9", "I10")) == {"ICD-002"}
    september = _icd_findings(practice_a, _on(dt.date(2026, 9, 15), "J44.9", "I10"))
    assert september == set()
    # R05 was a header; the synthetic release bills it.
    assert _icd_findings(practice_a, _on(october, "R05", "I10")) == set()
    assert _icd_findings(practice_a, _on(dt.date(2026, 9, 15), "R05", "I10")) == {"ICD-003"}


def test_the_code_set_is_cached_until_a_release_is_loaded(db: Any, order_file: Path) -> None:
    shipped = loaders.icd10_code_set()
    assert shipped is icd10cm.default_code_set() and loaders.icd10_code_set() is shipped
    icd10_release_import(file=order_file, effective_from=FY2027)
    loaded = loaders.icd10_code_set()
    assert loaded is not shipped and loaders.icd10_code_set() is loaded
    assert len(loaded.releases) == 2 and loaded.covers(dt.date(2027, 3, 31))
    assert loaded.release_on(dt.date(2026, 10, 2)).is_valid("J4490")
    assert loaded.lookup("J4490", on=FY2027).description.endswith("(synthetic)")  # type: ignore[union-attr]


def test_loading_the_same_file_again_changes_nothing(db: Any, order_file: Path) -> None:
    first, new = icd10_release_import(file=order_file, effective_from=FY2027)
    assert new
    out = run("codes", "import", "icd10cm", str(order_file), "--effective-from", "2026-10-01")
    assert "Already loaded (same file), nothing changed" in out
    again, new = icd10_release_import(file=order_file, effective_from=FY2027)
    assert not new and again.pk == first.pk
    assert Icd10Release.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="codes.icd10release").count() == 1
    listed = run("codes", "list")
    assert f"icd10cm   {first.name}  2026-10-01..2027-03-31" in listed
    assert "No other code set imported" in listed


def test_a_bad_line_is_refused_naming_the_file_and_line(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "icd10cm_order_2027.txt"
    good = order_line(1, "A000", True, "Cholera due to Vibrio cholerae 01, biovar cholerae")
    path.write_text(good + "\n" + order_line(2, "A001", True, "Cholera").replace(" 1 ", " X "))
    with pytest.raises(CommandError, match=r"icd10cm_order_2027\.txt line 2: column 15"):
        run("codes", "import", "icd10cm", str(path), "--effective-from", "2026-10-01")
    assert not Icd10Release.objects.exists()


def test_the_dates_are_checked(db: Any, order_file: Path) -> None:
    with pytest.raises(CodeImportError, match="give --effective-to"):
        icd10_release_import(file=order_file, effective_from=dt.date(2026, 11, 1))
    with pytest.raises(CodeImportError, match="before --effective-from"):
        icd10_release_import(
            file=order_file, effective_from=FY2027, effective_to=dt.date(2026, 9, 30)
        )
    with pytest.raises(CommandError, match="--effective-from"):
        run("codes", "import", "icd10cm", str(order_file))
    with pytest.raises(CodeImportError, match="no such file"):
        icd10_release_import(file=order_file.with_name("missing.txt"), effective_from=FY2027)


def test_the_removed_code_is_really_gone_from_the_synthetic_file(order_text: str) -> None:
    # Guards the construction the tests above rely on.
    assert f" {REMOVED:<7} " not in order_text and " J4490   1 " in order_text


def test_the_admin_lists_loaded_releases_read_only(db: Any, client: Any, order_file: Path) -> None:
    from django.urls import reverse

    from openrcm.accounts.services import user_create

    user = user_create(username="codes-admin", password="codes-admin-password-123")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    record, _new = icd10_release_import(file=order_file, effective_from=FY2027, name="FY2027 x")
    page = client.get(reverse("admin:codes_icd10release_changelist"))
    assert page.status_code == 200 and "FY2027 x" in page.content.decode()
    detail = client.get(reverse("admin:codes_icd10release_change", args=[record.pk]))
    assert detail.status_code == 200
    add = client.get(reverse("admin:codes_icd10release_add"))
    assert add.status_code == 403
