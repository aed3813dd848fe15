"""The encrypted store: round trip, dedupe, and every way a stored file can go bad is refused."""

from __future__ import annotations

import io
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.http import Http404

from openrcm.audit.models import AuditEvent
from openrcm.core.files.sealed import MAGIC, generate_key, sha256_hex
from openrcm.core.files.uploads import UploadRefused
from openrcm.files import services
from openrcm.files.models import StoredFile
from openrcm.files.selectors import stored_file_get
from openrcm.files.services import (
    StoredFileError,
    file_read,
    file_rekey,
    file_store,
    file_verify_all,
)
from tests.apps.conftest import PracticeWorld
from tests.apps.files.conftest import KEY_2026, KEY_2027, PDF, X12_835, blob_of

pytestmark = pytest.mark.django_db

Kind = StoredFile.Kind


def store(practice: Any = None, data: bytes = X12_835, kind: str = Kind.X12_IN, **kw: Any) -> Any:
    return file_store(data=data, kind=kind, practice=practice, **kw)


def test_round_trip(data_dir: Path, practice_a: PracticeWorld, member: Any) -> None:
    stored = store(practice_a.practice, original_name="../../Oct 835.txt", actor=member)
    assert file_read(stored=stored) == X12_835
    stored.refresh_from_db()
    assert stored.practice == practice_a.practice
    assert stored.kind == "x12_in"
    assert stored.original_name == "Oct 835.txt"
    assert stored.size == len(X12_835)
    assert stored.sha256 == sha256_hex(X12_835)
    assert stored.content_type == "application/edi-x12"
    assert stored.key_id == "k2026"
    assert stored.created_by == member
    assert len(stored.stored_name) == 32
    assert stored.stored_name != stored.sha256[:32]  # names say nothing about the content
    assert file_read(stored=StoredFile.objects.get(pk=stored.pk)) == X12_835


def test_the_blob_is_encrypted_private_and_where_the_layout_says(
    data_dir: Path, practice_a: PracticeWorld
) -> None:
    stored = store(practice_a.practice, original_name="era.835")
    path = data_dir / "files" / stored.stored_name[:2] / stored.stored_name
    assert path == blob_of(data_dir, stored)
    blob = path.read_bytes()
    assert blob.startswith(MAGIC)
    assert b"ISA" not in blob and b"SUBMITTER" not in blob
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [stored.stored_name]  # no temp files left


def test_pdfs_are_stored_too(data_dir: Path, practice_a: PracticeWorld) -> None:
    stored = store(practice_a.practice, data=PDF, kind=Kind.PDF, original_name="statement.pdf")
    assert stored.content_type == "application/pdf"
    assert file_read(stored=stored) == PDF


def test_content_must_match_the_kind(data_dir: Path, practice_a: PracticeWorld) -> None:
    with pytest.raises(UploadRefused, match=r"notes\.txt: the file does not begin with an ISA"):
        store(practice_a.practice, data=b"hello", original_name="notes.txt")
    with pytest.raises(UploadRefused, match="a PDF must begin with %PDF-"):
        store(practice_a.practice, data=X12_835, kind=Kind.PDF)
    with pytest.raises(ValueError, match="kind 'zip'"):
        store(practice_a.practice, kind="zip")
    assert not StoredFile.objects.exists()
    assert not (data_dir / "files").exists() or not any((data_dir / "files").rglob("*?/*"))


def test_the_same_bytes_are_stored_once_per_practice_and_kind(
    data_dir: Path, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    first = store(practice_a.practice, original_name="a.835")
    again = store(practice_a.practice, original_name="renamed.835")
    assert again.pk == first.pk
    assert again.original_name == "a.835"
    other_practice = store(practice_b.practice)
    other_kind = store(practice_a.practice, kind=Kind.X12_OUT)
    no_practice = store(None)
    assert store(None).pk == no_practice.pk
    assert len({first.pk, other_practice.pk, other_kind.pk, no_practice.pk}) == 4
    assert StoredFile.objects.count() == 4
    assert len(list((data_dir / "files").glob("??/*"))) == 4
    different = store(practice_a.practice, data=X12_835.replace(b"000000001", b"000000002"))
    assert different.pk != first.pk


def test_the_database_refuses_duplicates_with_and_without_practice(
    data_dir: Path, practice_a: PracticeWorld
) -> None:
    for practice in (practice_a.practice, None):
        stored = store(practice)
        with pytest.raises(IntegrityError), transaction.atomic():
            StoredFile.objects.create(
                practice=practice,
                kind=stored.kind,
                stored_name="f" * 32,
                size=stored.size,
                sha256=stored.sha256,
                content_type=stored.content_type,
                key_id="k2026",
            )


def test_a_concurrent_store_of_the_same_bytes_returns_the_winner(
    data_dir: Path, practice_a: PracticeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = store(practice_a.practice)
    real_existing = services._existing
    calls: list[int] = []

    def not_yet_seen(*args: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real_existing(*args)

    monkeypatch.setattr(services, "_existing", not_yet_seen)
    assert store(practice_a.practice).pk == winner.pk
    assert len(list((data_dir / "files").glob("??/*"))) == 1  # the loser's blob is removed


def test_a_missing_blob_is_refused_and_storing_the_bytes_again_restores_it(
    data_dir: Path, practice_a: PracticeWorld, django_capture_on_commit_callbacks: Any
) -> None:
    stored = store(practice_a.practice)
    blob_of(data_dir, stored).unlink()
    with pytest.raises(StoredFileError, match=f"#{stored.pk} .*blob is missing"):
        file_read(stored=stored)
    with django_capture_on_commit_callbacks(execute=True):
        again = store(practice_a.practice)
    assert again.pk == stored.pk
    assert file_read(stored=StoredFile.objects.get(pk=stored.pk)) == X12_835


def test_storing_records_an_audit_event(
    data_dir: Path, practice_a: PracticeWorld, member: Any
) -> None:
    stored = store(practice_a.practice, actor=member, original_name="Jordan Testpatient.835")
    store(practice_a.practice, actor=member)
    pdf = store(practice_a.practice, data=PDF, kind=Kind.PDF)
    events = list(AuditEvent.objects.filter(object_type="files.storedfile").order_by("seq"))
    assert [(e.action, e.object_id, e.practice_id) for e in events] == [
        ("import", str(stored.pk), practice_a.practice.pk),
        ("import", str(stored.pk), practice_a.practice.pk),
        ("create", str(pdf.pk), practice_a.practice.pk),
    ]
    assert events[0].actor_id == member.pk
    assert [e.detail["deduplicated"] for e in events] == [False, True, False]
    assert "Testpatient" not in str([e.detail for e in events])


# -- tampering -------------------------------------------------------------------------------


def flip_byte(path: Path, offset: int) -> None:
    blob = bytearray(path.read_bytes())
    blob[offset] ^= 0x01
    path.write_bytes(bytes(blob))


@pytest.mark.parametrize("offset", [3, 10, 40, -1], ids=["header", "nonce", "ciphertext", "tag"])
def test_a_changed_byte_of_the_blob_is_refused_naming_the_file(
    data_dir: Path, practice_a: PracticeWorld, offset: int
) -> None:
    stored = store(practice_a.practice, original_name="era.835")
    flip_byte(blob_of(data_dir, stored), offset)
    with pytest.raises(StoredFileError) as raised:
        file_read(stored=stored)
    message = str(raised.value)
    assert message.startswith(
        f"stored file #{stored.pk} (x12_in, {stored.stored_name}) "
        f"(files/{stored.stored_name[:2]}/{stored.stored_name}) refused: "
    )
    assert "tampered with or corrupted" in message
    assert raised.value.stored == stored


def test_a_changed_sha256_in_the_database_is_refused(
    data_dir: Path, practice_a: PracticeWorld
) -> None:
    stored = store(practice_a.practice)
    StoredFile.objects.filter(pk=stored.pk).update(sha256=sha256_hex(b"something else"))
    with pytest.raises(StoredFileError, match=f"stored file #{stored.pk} .*tampered"):
        file_read(stored=StoredFile.objects.get(pk=stored.pk))


def test_a_changed_size_in_the_database_is_refused(
    data_dir: Path, practice_a: PracticeWorld
) -> None:
    stored = store(practice_a.practice)
    StoredFile.objects.filter(pk=stored.pk).update(size=stored.size + 1)
    with pytest.raises(StoredFileError, match="does not match the recorded SHA-256 and size"):
        file_read(stored=StoredFile.objects.get(pk=stored.pk))


def test_a_blob_swapped_for_another_files_blob_is_refused(
    data_dir: Path, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    mine = store(practice_a.practice)
    theirs = store(practice_b.practice, data=X12_835.replace(b"RECEIVER ", b"RECEIVEX "))
    blob_of(data_dir, mine).write_bytes(blob_of(data_dir, theirs).read_bytes())
    with pytest.raises(StoredFileError, match=f"#{mine.pk} .*authentication failed"):
        file_read(stored=mine)
    StoredFile.objects.filter(pk=mine.pk).update(stored_name=theirs.stored_name + "0")
    with pytest.raises(StoredFileError, match="stored name is not one this store generates"):
        file_read(stored=StoredFile.objects.get(pk=mine.pk))


@pytest.mark.parametrize("name", ["../../../etc/passwd", "/etc/passwd", "ab", "A" * 32])
def test_an_edited_stored_name_never_becomes_a_path(
    data_dir: Path, practice_a: PracticeWorld, name: str
) -> None:
    stored = store(practice_a.practice)
    StoredFile.objects.filter(pk=stored.pk).update(stored_name=name)
    with pytest.raises(StoredFileError, match="stored name is not one this store generates"):
        file_read(stored=StoredFile.objects.get(pk=stored.pk))


def test_a_truncated_blob_is_refused(data_dir: Path, practice_a: PracticeWorld) -> None:
    stored = store(practice_a.practice)
    path = blob_of(data_dir, stored)
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(StoredFileError, match="shorter than any sealed blob"):
        file_read(stored=stored)


# -- keys ------------------------------------------------------------------------------------


def test_the_wrong_key_is_refused(data_dir: Path, practice_a: PracticeWorld, settings: Any) -> None:
    stored = store(practice_a.practice)
    settings.OPENRCM_FILE_KEYS = f"k2026:{generate_key()}"
    with pytest.raises(StoredFileError, match=r"or key 'k2026' is not the key it was sealed with"):
        file_read(stored=stored)


def test_a_key_that_is_not_configured_is_named(
    data_dir: Path, practice_a: PracticeWorld, settings: Any
) -> None:
    stored = store(practice_a.practice)
    settings.OPENRCM_FILE_KEYS = f"k2027:{KEY_2027}"
    with pytest.raises(
        StoredFileError, match=r"sealed with key 'k2026', which is not configured .*'k2027'"
    ):
        file_read(stored=stored)


def test_rotation_reads_old_files_and_rekey_moves_them_to_the_new_key(
    data_dir: Path,
    practice_a: PracticeWorld,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = store(practice_a.practice)
    old_path = blob_of(data_dir, old)
    settings.OPENRCM_FILE_KEYS = f"k2027:{KEY_2027},k2026:{KEY_2026}"
    assert file_read(stored=old) == X12_835
    new = store(practice_a.practice, data=PDF, kind=Kind.PDF)
    assert new.key_id == "k2027"

    with django_capture_on_commit_callbacks(execute=True):
        assert file_rekey() == 1
    old.refresh_from_db()
    assert old.key_id == "k2027"
    assert not old_path.exists()
    assert file_rekey() == 0

    settings.OPENRCM_FILE_KEYS = f"k2027:{KEY_2027}"  # the old key dropped
    assert file_read(stored=old) == X12_835
    assert file_read(stored=new) == PDF
    assert file_verify_all().ok


# -- verify ----------------------------------------------------------------------------------


def test_verify_all_names_each_bad_file_and_lists_orphans(
    data_dir: Path, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    good = store(practice_a.practice)
    bad = store(practice_b.practice)
    report = file_verify_all()
    assert report.ok and report.checked == 2 and not report.orphans
    assert str(report) == "2 stored file(s) checked: all decrypt and match their SHA-256"

    flip_byte(blob_of(data_dir, bad), 50)
    orphan = data_dir / "files" / "ff" / ("f" * 32)
    orphan.parent.mkdir()
    orphan.write_bytes(b"left by a rolled-back transaction")
    report = file_verify_all()
    assert not report.ok
    assert [failure.stored.pk for failure in report.failures] == [bad.pk]
    assert report.orphans == [f"files/ff/{'f' * 32}"]
    assert str(report) == (
        "1 of 2 stored file(s) failed the check; 1 blob(s) without a record (not used)"
    )
    assert good.pk not in {failure.stored.pk for failure in report.failures}


def test_files_verify_command(data_dir: Path, practice_a: PracticeWorld) -> None:
    stored = store(practice_a.practice)
    out = io.StringIO()
    call_command("files", "verify", stdout=out)
    assert out.getvalue().strip() == "1 stored file(s) checked: all decrypt and match their SHA-256"

    flip_byte(blob_of(data_dir, stored), 30)
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("files", "verify", stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert str(raised.value) == "1 of 1 stored file(s) failed the check"
    assert f"stored file #{stored.pk} (x12_in, {stored.stored_name})" in err.getvalue()


def test_files_rekey_command(data_dir: Path, practice_a: PracticeWorld, settings: Any) -> None:
    store(practice_a.practice)
    settings.OPENRCM_FILE_KEYS = f"k2027:{KEY_2027},k2026:{KEY_2026}"
    out = io.StringIO()
    call_command("files", "rekey", stdout=out)
    assert out.getvalue().strip() == "1 stored file(s) re-sealed with the current key"


def test_rekey_stops_at_a_bad_file(
    data_dir: Path, practice_a: PracticeWorld, settings: Any
) -> None:
    stored = store(practice_a.practice)
    flip_byte(blob_of(data_dir, stored), 30)
    settings.OPENRCM_FILE_KEYS = f"k2027:{KEY_2027},k2026:{KEY_2026}"
    with pytest.raises(CommandError, match=f"stored file #{stored.pk} .*nothing after it"):
        call_command("files", "rekey")
    stored.refresh_from_db()
    assert stored.key_id == "k2026"


# -- scoping ---------------------------------------------------------------------------------


def test_records_are_scoped_to_the_users_practices(
    data_dir: Path, practice_a: PracticeWorld, practice_b: PracticeWorld, member: Any, outsider: Any
) -> None:
    mine = store(practice_a.practice)
    assert stored_file_get(user=member, pk=mine.pk) == mine
    with pytest.raises(Http404):
        stored_file_get(user=outsider, pk=mine.pk)
    assert list(StoredFile.objects.for_user(outsider)) == []
