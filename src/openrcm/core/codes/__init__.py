"""Medical code sets.

:mod:`.shapes` checks how a code is written; the code sets say whether it exists: :mod:`.icd10cm`
(the CMS release, loaded lazily), :mod:`.pos`, :mod:`.modifiers`, :mod:`.hcpcs`, :mod:`.carc`,
:mod:`.rarc`, :mod:`.ncci` (PTP and MUE file readers) and :mod:`.procedures` (code classes by
number). Import those modules directly; this package only re-exports the shape checks.
"""

from openrcm.core.codes.shapes import (
    CodeShapeError,
    format_icd10cm,
    validate_icd10cm_shape,
    validate_modifier,
    validate_ndc,
    validate_place_of_service,
    validate_procedure_shape,
)

__all__ = [
    "CodeShapeError",
    "format_icd10cm",
    "validate_icd10cm_shape",
    "validate_modifier",
    "validate_ndc",
    "validate_place_of_service",
    "validate_procedure_shape",
]
