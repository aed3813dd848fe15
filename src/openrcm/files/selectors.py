"""Reads of stored-file records, scoped to the user's practices (another practice's is a 404)."""

from __future__ import annotations

from typing import Any

from openrcm.files.models import StoredFile
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import get_for_user_or_404


def stored_file_get(*, user: Any, pk: Any, action: Action = Action.VIEW) -> StoredFile:
    """The record of a file of one of the user's practices, or Http404. Read its bytes with
    `openrcm.files.services.file_read` and audit the export."""
    return get_for_user_or_404(StoredFile.objects.all(), user, action, pk=pk)
