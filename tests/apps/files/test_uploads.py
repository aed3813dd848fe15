"""Upload checks as the faces use them: the service, the form field, the validator, the checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from openrcm.core.files.uploads import UploadRefused
from openrcm.files.checks import file_store_settings
from openrcm.files.forms import X12Upload, X12UploadField, validate_x12_upload
from openrcm.files.services import x12_upload_check
from tests.apps.files.conftest import X12_835

MB = 1024 * 1024


class ImportForm(forms.Form):
    file = X12UploadField()


class PlainForm(forms.Form):
    file = forms.FileField(validators=[validate_x12_upload])


def form_with(form_class: type[forms.Form], name: str, content: bytes) -> forms.Form:
    return form_class(data={}, files={"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    "content",
    [X12_835, b"\xef\xbb\xbf" + X12_835, b"\r\n  \t" + X12_835, b"\xef\xbb\xbf\n\n" + X12_835],
    ids=["plain", "bom", "whitespace", "bom-whitespace"],
)
def test_x12_is_accepted(content: bytes) -> None:
    x12_upload_check(data=content, name="era.835")
    form = form_with(ImportForm, "era.835", content)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["file"] == X12Upload(name="era.835", data=content)


def test_not_isa_is_refused_naming_the_sanitized_file() -> None:
    with pytest.raises(UploadRefused, match=r"^passwd: the file does not begin with an ISA"):
        x12_upload_check(data=b"root:x:0:0", name="../../etc/passwd")
    form = form_with(ImportForm, "C:\\Users\\me\\notes.txt", b"Dear payer,")
    assert not form.is_valid()
    assert form.errors["file"] == [
        "notes.txt: the file does not begin with an ISA segment, so it is not an X12 interchange"
    ]


def test_an_unreadable_isa_is_refused() -> None:
    with pytest.raises(UploadRefused, match=r"era\.835: its ISA header cannot be read: ISA12"):
        x12_upload_check(data=X12_835.replace(b"00501", b"00401"), name="era.835")


def test_oversize_is_refused_by_the_setting(settings: Any) -> None:
    settings.OPENRCM_UPLOAD_MAX_MB = 1
    padded = X12_835 + b" " * (MB - len(X12_835))
    x12_upload_check(data=padded, name="big.835")
    with pytest.raises(UploadRefused, match=r"big.835: the file is 1.0 MB \(1048577 bytes\)"):
        x12_upload_check(data=padded + b" ", name="big.835")
    form = form_with(ImportForm, "big.835", padded + b" ")
    assert not form.is_valid()
    assert "larger than the limit of 1.0 MB" in form.errors["file"][0]


def test_the_default_limit_is_50_mb(settings: Any) -> None:
    assert settings.OPENRCM_UPLOAD_MAX_MB == 50
    with pytest.raises(UploadRefused, match="larger than the limit of 50 MB"):
        x12_upload_check(data=X12_835 + b" " * (50 * MB), name="huge.835")


class TooBigToRead(SimpleUploadedFile):
    """An upload that claims a size over the limit and must not be read."""

    def chunks(self, chunk_size: int | None = None) -> Any:
        raise AssertionError("an oversize upload was read")


def test_the_field_refuses_oversize_from_the_size_before_reading(settings: Any) -> None:
    settings.OPENRCM_UPLOAD_MAX_MB = 1
    upload = TooBigToRead("big.835", X12_835)
    upload.size = 2 * MB
    form = ImportForm(data={}, files={"file": upload})
    assert not form.is_valid()
    assert "big.835: the file is 2.0 MB" in form.errors["file"][0]


def test_the_plain_validator() -> None:
    assert form_with(PlainForm, "era.835", X12_835).is_valid()
    form = form_with(PlainForm, "x.pdf", b"%PDF-1.7")
    assert not form.is_valid()
    assert "x.pdf: the file does not begin with an ISA segment" in form.errors["file"][0]


def test_an_empty_upload_is_refused() -> None:
    form = form_with(ImportForm, "empty.835", b"")
    assert not form.is_valid()  # Django's own "The submitted file is empty."


def test_system_checks(settings: Any) -> None:
    def ids() -> set[str]:
        return {str(message.id) for message in file_store_settings()}

    assert ids() == set()
    settings.OPENRCM_FILE_KEYS = None
    assert ids() == {"openrcm_files.E001"}
    settings.OPENRCM_FILE_KEYS = "a:not-a-key"
    assert ids() == {"openrcm_files.E002"}
    settings.OPENRCM_FILE_KEYS = "test:" + "A" * 43 + "="
    settings.OPENRCM_UPLOAD_MAX_MB = 0
    assert ids() == {"openrcm_files.E003"}


def test_without_a_key_the_store_says_what_to_set(settings: Any, tmp_path: Path, db: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from openrcm.files.services import file_store

    settings.OPENRCM_DATA_DIR = tmp_path
    settings.OPENRCM_FILE_KEYS = ""
    with pytest.raises(ImproperlyConfigured, match="set OPENRCM_FILE_KEY"):
        file_store(data=X12_835, kind="x12_in")
