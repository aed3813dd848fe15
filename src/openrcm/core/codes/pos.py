"""Place of service codes (837P CLM05-1 and SV105; CMS-1500 box 24B).

The code set is maintained by CMS; the descriptions here are our own short wording. Codes not
listed (28-30, 35-40, 43-48, 59, 63-64, 67-70, 73-80, 82-98) are unassigned and refused on a
claim.

``facility`` marks the settings where the Medicare physician fee schedule pays the (lower)
facility rate for a professional service; ``telehealth`` the two telehealth codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

__all__ = ["PLACES_OF_SERVICE", "PlaceOfService", "place_of_service"]


@dataclass(frozen=True, slots=True)
class PlaceOfService:
    code: str
    name: str
    facility: bool = False
    telehealth: bool = False
    inpatient: bool = False
    effective_from: date | None = None
    """When the code (or its current meaning) took effect, where that matters for a claim."""

    def valid_on(self, on: date) -> bool:
        return self.effective_from is None or on >= self.effective_from


def _pos(
    code: str,
    name: str,
    *,
    facility: bool = False,
    telehealth: bool = False,
    inpatient: bool = False,
    since: date | None = None,
) -> PlaceOfService:
    return PlaceOfService(code, name, facility, telehealth, inpatient, since)


_TABLE: Final = (
    _pos("01", "Pharmacy"),
    _pos("02", "Telehealth, patient not at home", facility=True, telehealth=True),
    _pos("03", "School"),
    _pos("04", "Homeless shelter"),
    _pos("05", "Indian Health Service facility, free-standing"),
    _pos("06", "Indian Health Service facility, provider-based"),
    _pos("07", "Tribal 638 facility, free-standing"),
    _pos("08", "Tribal 638 facility, provider-based"),
    _pos("09", "Prison or correctional facility"),
    _pos("10", "Telehealth, patient at home", telehealth=True, since=date(2022, 1, 1)),
    _pos("11", "Office"),
    _pos("12", "Patient's home (not a facility)"),
    _pos("13", "Assisted living facility"),
    _pos("14", "Group home"),
    _pos("15", "Mobile unit"),
    _pos("16", "Temporary lodging (hotel, campground, shelter for short stays)"),
    _pos("17", "Walk-in retail health clinic"),
    _pos("18", "Place of employment or worksite"),
    _pos("19", "Outpatient hospital, off campus", facility=True),
    _pos("20", "Urgent care facility"),
    _pos("21", "Inpatient hospital", facility=True, inpatient=True),
    _pos("22", "Outpatient hospital, on campus", facility=True),
    _pos("23", "Hospital emergency department", facility=True),
    _pos("24", "Ambulatory surgical center", facility=True),
    _pos("25", "Birthing center"),
    _pos("26", "Military treatment facility", facility=True),
    _pos("27", "Outreach site or street", since=date(2023, 10, 1)),
    _pos("31", "Skilled nursing facility", facility=True, inpatient=True),
    _pos("32", "Nursing facility"),
    _pos("33", "Custodial care facility"),
    _pos("34", "Hospice", facility=True),
    _pos("41", "Ambulance, land", facility=True),
    _pos("42", "Ambulance, air or water", facility=True),
    _pos("49", "Independent clinic"),
    _pos("50", "Federally qualified health center"),
    _pos("51", "Inpatient psychiatric facility", facility=True, inpatient=True),
    _pos("52", "Psychiatric facility, partial hospitalization", facility=True),
    _pos("53", "Community mental health center", facility=True),
    _pos("54", "Intermediate care facility for individuals with intellectual disabilities"),
    _pos("55", "Residential substance use treatment facility"),
    _pos("56", "Psychiatric residential treatment center", facility=True),
    _pos("57", "Non-residential substance use treatment facility"),
    _pos("58", "Non-residential opioid treatment program"),
    _pos("60", "Mass immunization center"),
    _pos("61", "Comprehensive inpatient rehabilitation facility", facility=True, inpatient=True),
    _pos("62", "Comprehensive outpatient rehabilitation facility"),
    _pos("65", "End-stage renal disease treatment facility"),
    _pos("66", "PACE center (all-inclusive care for the elderly)"),
    _pos("71", "Public or state health clinic"),
    _pos("72", "Rural health clinic"),
    _pos("81", "Independent laboratory"),
    _pos("99", "Other place of service not listed"),
)

PLACES_OF_SERVICE: Final[dict[str, PlaceOfService]] = {entry.code: entry for entry in _TABLE}


def place_of_service(code: str) -> PlaceOfService | None:
    """The place of service for a two-digit code, or None when it is unassigned."""
    return PLACES_OF_SERVICE.get(code.strip())
