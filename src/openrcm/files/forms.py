"""Upload form pieces: a field that hands the view checked X12 bytes, and a plain validator.

    class ImportForm(forms.Form):
        file = X12UploadField(label="X12 file (835, 999, 277CA)")

    form.cleaned_data["file"]  ->  X12Upload(name="era 835.txt", data=b"ISA*00*...")
    file_store(data=upload.data, kind=StoredFile.Kind.X12_IN, practice=...,
               original_name=upload.name, actor=request.user)

The size limit (OPENRCM_UPLOAD_MAX_MB) is checked from the upload's size before it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from openrcm.core.files.uploads import UploadRefused, check_size, sanitize_name
from openrcm.files.services import upload_max_bytes, x12_upload_check


@dataclass(frozen=True, slots=True)
class X12Upload:
    """A checked upload: its sanitized display name and its bytes."""

    name: str
    data: bytes

    def __repr__(self) -> str:
        return f"X12Upload(name={self.name!r}, size={len(self.data)})"


def x12_upload_read(uploaded: UploadedFile[Any]) -> X12Upload:
    """Check and read an uploaded file; ValidationError (code "x12_upload") naming the file."""
    name = sanitize_name(uploaded.name)
    try:
        check_size(size=uploaded.size or 0, name=name, max_bytes=upload_max_bytes())
        uploaded.seek(0)
        data = b"".join(uploaded.chunks())
        uploaded.seek(0)
        x12_upload_check(data=data, name=name)
    except UploadRefused as exc:
        raise ValidationError(str(exc), code="x12_upload") from None
    return X12Upload(name=name, data=data)


def validate_x12_upload(uploaded: UploadedFile[Any]) -> None:
    """For `validators=[validate_x12_upload]` on a plain forms.FileField."""
    x12_upload_read(uploaded)


class X12UploadField(forms.FileField):
    """A file field whose cleaned value is an X12Upload (checked X12, sanitized name)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        uploaded = super().clean(data, initial)
        if not uploaded or not isinstance(uploaded, UploadedFile):
            return uploaded
        return x12_upload_read(uploaded)
