"""Remittance advice remark codes (RARC; 835 LQ02 and MOA/MIA): our own short descriptions of the
ones small practices see, with the denial category they point to (when they point to one) and
the next action.

The code list is maintained by CMS. Remark codes refine a CARC: CARC 16 ("lacks information")
with M76 means the diagnosis is missing or invalid. An unknown code gets the ``general``
category from :func:`rarc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from openrcm.core.codes.carc import DenialCategory, NextAction

__all__ = ["RARCS", "Rarc", "rarc"]


@dataclass(frozen=True, slots=True)
class Rarc:
    code: str
    description: str
    category: DenialCategory
    next_action: NextAction


_C = DenialCategory
_A = NextAction

_TABLE: Final = (
    Rarc(
        "M15",
        "Separately billed services were bundled as parts of one procedure",
        _C.BUNDLING,
        _A.CHECK_BUNDLING,
    ),
    Rarc("M20", "HCPCS code missing, incomplete or invalid", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    Rarc(
        "M51", "Procedure code missing, incomplete or invalid", _C.CODING, _A.CORRECT_AND_RESUBMIT
    ),
    Rarc(
        "M53",
        "Days or units of service missing, incomplete or invalid",
        _C.CODING,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "M62",
        "Authorization number missing, incomplete or invalid",
        _C.AUTHORIZATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc("M76", "Diagnosis missing, incomplete or invalid", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    Rarc(
        "M77", "Place of service missing, incomplete or invalid", _C.CODING, _A.CORRECT_AND_RESUBMIT
    ),
    Rarc(
        "M79",
        "Charge missing, incomplete or invalid",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "M80",
        "Not covered with a service already processed for the same date or session",
        _C.BUNDLING,
        _A.CHECK_BUNDLING,
    ),
    Rarc("M81", "Code to the highest level of specificity", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    Rarc(
        "M86",
        "Same or similar service already paid within the allowed time frame",
        _C.DUPLICATE,
        _A.VERIFY_ORIGINAL,
    ),
    Rarc(
        "M119", "NDC missing, incomplete, invalid or withdrawn", _C.CODING, _A.CORRECT_AND_RESUBMIT
    ),
    Rarc(
        "M127", "Medical record for this service missing", _C.MISSING_INFORMATION, _A.SEND_RECORDS
    ),
    Rarc(
        "M144",
        "Pre- and postoperative care is included in the surgery's allowance",
        _C.BUNDLING,
        _A.CHECK_BUNDLING,
    ),
    Rarc(
        "MA01",
        "You may appeal this decision; see the notice for how and by when",
        _C.GENERAL,
        _A.REVIEW,
    ),
    Rarc(
        "MA04",
        "Secondary payment needs the primary payer's identity and payment details",
        _C.COORDINATION_OF_BENEFITS,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "MA07",
        "Claim also forwarded to Medicaid",
        _C.COORDINATION_OF_BENEFITS,
        _A.POST_INFORMATIONAL,
    ),
    Rarc(
        "MA18",
        "Claim also forwarded to the patient's supplemental insurer",
        _C.COORDINATION_OF_BENEFITS,
        _A.POST_INFORMATIONAL,
    ),
    Rarc(
        "MA120",
        "CLIA certificate number missing, incomplete or invalid",
        _C.CREDENTIALING,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "MA130",
        "Claim unprocessable: incomplete or invalid data; submit a new claim, there "
        "are no appeal rights",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "MA63",
        "Principal diagnosis missing, incomplete or invalid",
        _C.CODING,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "MA92",
        "Information about the other insurance missing",
        _C.COORDINATION_OF_BENEFITS,
        _A.UPDATE_COB,
    ),
    Rarc(
        "N4",
        "Prior insurer's explanation of benefits missing, incomplete or invalid",
        _C.COORDINATION_OF_BENEFITS,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc("N19", "Procedure is incidental to the primary procedure", _C.BUNDLING, _A.CHECK_BUNDLING),
    Rarc(
        "N20", "Not payable with another service on the same date", _C.BUNDLING, _A.CHECK_BUNDLING
    ),
    Rarc("N29", "Documentation, orders or notes missing", _C.MISSING_INFORMATION, _A.SEND_RECORDS),
    Rarc("N30", "Patient not eligible for this service", _C.ELIGIBILITY, _A.VERIFY_ELIGIBILITY),
    Rarc(
        "N54",
        "Claim does not match the authorized services",
        _C.AUTHORIZATION,
        _A.OBTAIN_AUTHORIZATION,
    ),
    Rarc(
        "N56",
        "Procedure code not valid for the service or the date of service",
        _C.CODING,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "N95",
        "This provider type or specialty may not bill this service",
        _C.CREDENTIALING,
        _A.FIX_ENROLLMENT,
    ),
    Rarc(
        "N115",
        "Decided under a local coverage determination (LCD)",
        _C.MEDICAL_NECESSITY,
        _A.APPEAL,
    ),
    Rarc(
        "N130",
        "See the plan's benefit documents for limits on this service",
        _C.NON_COVERED,
        _A.REVIEW,
    ),
    Rarc("N179", "More information was requested from the member", _C.MISSING_INFORMATION, _A.WAIT),
    Rarc(
        "N180",
        "Item or service does not meet the criteria of the category billed",
        _C.CODING,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc("N211", "This decision cannot be appealed", _C.GENERAL, _A.REVIEW),
    Rarc(
        "N216",
        "Not covered, or the patient is not enrolled in this part of the benefits",
        _C.NON_COVERED,
        _A.VERIFY_ELIGIBILITY,
    ),
    Rarc(
        "N264",
        "Ordering provider name missing, incomplete or invalid",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "N265",
        "Ordering provider identifier missing, incomplete or invalid",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "N286",
        "Referring provider identifier missing, incomplete or invalid",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "N290",
        "Rendering provider identifier missing, incomplete or invalid",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "N350",
        "Description of the service missing for an unlisted or not-otherwise-classified code",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc("N362", "Days or units exceed the acceptable maximum", _C.MEDICAL_NECESSITY, _A.APPEAL),
    Rarc(
        "N381", "See the contract for limits, billing or payment terms", _C.CONTRACTUAL, _A.REVIEW
    ),
    Rarc(
        "N386",
        "Decided under a national coverage determination (NCD)",
        _C.MEDICAL_NECESSITY,
        _A.APPEAL,
    ),
    Rarc("N425", "Service excluded by statute", _C.NON_COVERED, _A.BILL_PATIENT_IF_WAIVER),
    Rarc(
        "N479",
        "Other payer's explanation of benefits missing",
        _C.COORDINATION_OF_BENEFITS,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "N517",
        "Submit a new claim with the requested information",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    Rarc(
        "N522",
        "Duplicate of a claim processed, or to be processed, as a crossover",
        _C.DUPLICATE,
        _A.VERIFY_ORIGINAL,
    ),
    Rarc(
        "N657",
        "Bill with the code appropriate for these services",
        _C.CODING,
        _A.CORRECT_AND_RESUBMIT,
    ),
)

RARCS: Final[dict[str, Rarc]] = {entry.code: entry for entry in _TABLE}


def rarc(code: str) -> Rarc:
    """The entry for a remark code; an unknown code gets the ``general`` category."""
    key = code.strip().upper()
    found = RARCS.get(key)
    if found is not None:
        return found
    return Rarc(
        key, "Remark code not in the OpenRCM table", DenialCategory.GENERAL, NextAction.REVIEW
    )
