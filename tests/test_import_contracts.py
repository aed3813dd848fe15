"""Every OpenRCM app is named in the import-linter contracts, so a new app cannot slip past them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings

FACES = {"openrcm.web", "openrcm.api", "openrcm.operations", "openrcm.schedules"}


def _contracts() -> list[dict[str, list[str]]]:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return data["tool"]["importlinter"]["contracts"]


def test_every_app_is_under_both_contracts() -> None:
    apps = {app for app in settings.INSTALLED_APPS if app.startswith("openrcm.")}
    core_contract, faces_contract = _contracts()
    forbidden_to_core = set(core_contract["forbidden_modules"])
    app_sources = set(faces_contract["source_modules"])
    assert apps - forbidden_to_core == set(), "apps the core contract does not forbid"
    assert (apps - FACES) - app_sources == set(), "apps the faces contract does not cover"
