"""Writes for patients and coverages; every field validated at the model edge."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from openrcm.patients.models import Coverage, Patient
from openrcm.tenancy.models import Practice
from openrcm.tenancy.services import practice_next_number


def patient_create(*, practice: Practice, **fields: Any) -> Patient:
    """Create a patient; an account number is assigned when none is given."""
    with transaction.atomic():
        if not fields.get("account_number"):
            number = practice_next_number(practice=practice, name="patient_account")
            fields["account_number"] = f"{number:07d}"
        patient = Patient(practice=practice, **fields)
        patient.full_clean()
        patient.save()
    return patient


def patient_update(*, patient: Patient, **fields: Any) -> Patient:
    """Change a patient's demographics."""
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    patient.save()
    return patient


def coverage_create(*, patient: Patient, **fields: Any) -> Coverage:
    """Add a coverage to a patient (same practice)."""
    coverage = Coverage(practice_id=patient.practice_id, patient=patient, **fields)
    coverage.full_clean()
    coverage.save()
    return coverage


def coverage_update(*, coverage: Coverage, **fields: Any) -> Coverage:
    """Change a coverage."""
    for name, value in fields.items():
        setattr(coverage, name, value)
    coverage.full_clean()
    coverage.save()
    return coverage
