"""Medical code sets: shape checks now (:mod:`.shapes`); code-set membership comes later."""

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
