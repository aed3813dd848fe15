"""The fixtures build a real practice world, and money fields are never floats."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models


def test_world_builds_claim(practice_a: Any, practice_b: Any) -> None:
    claim = practice_a.claim
    assert claim.total_charge_cents == 14000
    assert claim.status == "draft"
    assert claim.lines.count() == 2
    assert practice_b.claim.practice_id != claim.practice_id


def test_no_model_has_a_float_field() -> None:
    floats = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FloatField)
    ]
    assert floats == [], f"money and amounts must not be floats: {floats}"
