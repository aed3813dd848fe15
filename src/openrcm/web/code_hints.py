"""A small built-in list of common ICD-10-CM codes, for the encounter form's diagnosis look-up.

This is a starter list of frequently billed codes in family medicine, pediatrics and
orthopedics, NOT the ICD-10-CM code set: a code that is missing here may still be valid, and
the form accepts any code written in ICD-10-CM shape. A later issue loads the full CMS release
(with billable flags and effective dates) and replaces this module's search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["COMMON_DIAGNOSES", "DiagnosisHint", "describe_diagnosis", "search_diagnoses"]


@dataclass(frozen=True, slots=True)
class DiagnosisHint:
    code: str  # with its dot, as people write it: "E11.9"
    description: str


_RAW: Final[tuple[tuple[str, str], ...]] = (
    # Endocrine, nutritional and metabolic
    ("E03.9", "Hypothyroidism, unspecified"),
    ("E10.9", "Type 1 diabetes mellitus without complications"),
    ("E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease"),
    ("E11.40", "Type 2 diabetes mellitus with diabetic neuropathy, unspecified"),
    ("E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
    ("E11.9", "Type 2 diabetes mellitus without complications"),
    ("E55.9", "Vitamin D deficiency, unspecified"),
    ("E66.01", "Morbid (severe) obesity due to excess calories"),
    ("E66.9", "Obesity, unspecified"),
    ("E78.00", "Pure hypercholesterolemia, unspecified"),
    ("E78.2", "Mixed hyperlipidemia"),
    ("E78.5", "Hyperlipidemia, unspecified"),
    ("E86.0", "Dehydration"),
    ("E87.6", "Hypokalemia"),
    ("D50.9", "Iron deficiency anemia, unspecified"),
    ("D64.9", "Anemia, unspecified"),
    # Circulatory
    ("I10", "Essential (primary) hypertension"),
    ("I25.10", "Atherosclerotic heart disease of native coronary artery without angina pectoris"),
    ("I48.91", "Unspecified atrial fibrillation"),
    ("I50.9", "Heart failure, unspecified"),
    ("I73.9", "Peripheral vascular disease, unspecified"),
    # Respiratory
    ("J01.90", "Acute sinusitis, unspecified"),
    ("J02.0", "Streptococcal pharyngitis"),
    ("J02.9", "Acute pharyngitis, unspecified"),
    ("J03.90", "Acute tonsillitis, unspecified"),
    ("J06.9", "Acute upper respiratory infection, unspecified"),
    ("J18.9", "Pneumonia, unspecified organism"),
    ("J20.9", "Acute bronchitis, unspecified"),
    ("J21.9", "Acute bronchiolitis, unspecified"),
    ("J30.9", "Allergic rhinitis, unspecified"),
    ("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
    ("J45.20", "Mild intermittent asthma, uncomplicated"),
    ("J45.909", "Unspecified asthma, uncomplicated"),
    # Infections
    ("A09", "Infectious gastroenteritis and colitis, unspecified"),
    ("B01.9", "Varicella without complication"),
    ("B08.4", "Enteroviral vesicular stomatitis with exanthem (hand, foot and mouth disease)"),
    ("B34.9", "Viral infection, unspecified"),
    ("U07.1", "COVID-19"),
    # Eye and ear
    ("H10.9", "Unspecified conjunctivitis"),
    ("H61.21", "Impacted cerumen, right ear"),
    ("H66.90", "Otitis media, unspecified, unspecified ear"),
    ("H66.91", "Otitis media, unspecified, right ear"),
    ("H66.92", "Otitis media, unspecified, left ear"),
    # Digestive and genitourinary
    ("K21.9", "Gastro-esophageal reflux disease without esophagitis"),
    ("K52.9", "Noninfective gastroenteritis and colitis, unspecified"),
    ("K59.00", "Constipation, unspecified"),
    ("N18.9", "Chronic kidney disease, unspecified"),
    ("N39.0", "Urinary tract infection, site not specified"),
    ("N40.0", "Benign prostatic hyperplasia without lower urinary tract symptoms"),
    # Mental and behavioral, nervous system
    ("F17.210", "Nicotine dependence, cigarettes, uncomplicated"),
    ("F32.9", "Major depressive disorder, single episode, unspecified"),
    ("F32.A", "Depression, unspecified"),
    ("F41.1", "Generalized anxiety disorder"),
    ("F41.9", "Anxiety disorder, unspecified"),
    ("F84.0", "Autistic disorder"),
    ("F90.0", "Attention-deficit hyperactivity disorder, predominantly inattentive type"),
    ("F90.9", "Attention-deficit hyperactivity disorder, unspecified type"),
    ("G43.909", "Migraine, unspecified, not intractable, without status migrainosus"),
    ("G47.33", "Obstructive sleep apnea (adult) (pediatric)"),
    ("G56.01", "Carpal tunnel syndrome, right upper limb"),
    ("G56.02", "Carpal tunnel syndrome, left upper limb"),
    ("G89.29", "Other chronic pain"),
    # Skin
    ("L03.90", "Cellulitis, unspecified"),
    ("L20.9", "Atopic dermatitis, unspecified"),
    ("L22", "Diaper dermatitis"),
    ("L30.9", "Dermatitis, unspecified"),
    ("L70.0", "Acne vulgaris"),
    # Musculoskeletal
    ("M16.11", "Unilateral primary osteoarthritis, right hip"),
    ("M16.12", "Unilateral primary osteoarthritis, left hip"),
    ("M17.0", "Bilateral primary osteoarthritis of knee"),
    ("M17.11", "Unilateral primary osteoarthritis, right knee"),
    ("M17.12", "Unilateral primary osteoarthritis, left knee"),
    ("M19.90", "Unspecified osteoarthritis, unspecified site"),
    ("M25.511", "Pain in right shoulder"),
    ("M25.512", "Pain in left shoulder"),
    ("M25.551", "Pain in right hip"),
    ("M25.552", "Pain in left hip"),
    ("M25.561", "Pain in right knee"),
    ("M25.562", "Pain in left knee"),
    ("M54.16", "Radiculopathy, lumbar region"),
    ("M54.17", "Radiculopathy, lumbosacral region"),
    ("M54.2", "Cervicalgia"),
    ("M54.50", "Low back pain, unspecified"),
    ("M65.4", "Radial styloid tenosynovitis [de Quervain]"),
    ("M72.2", "Plantar fascial fibromatosis"),
    ("M75.41", "Impingement syndrome of right shoulder"),
    ("M75.42", "Impingement syndrome of left shoulder"),
    ("M77.11", "Lateral epicondylitis, right elbow"),
    ("M79.7", "Fibromyalgia"),
    ("M81.0", "Age-related osteoporosis without current pathological fracture"),
    # Injuries (7th character A: initial encounter)
    ("S16.1XXA", "Strain of muscle, fascia and tendon at neck level, initial encounter"),
    ("S39.012A", "Strain of muscle, fascia and tendon of lower back, initial encounter"),
    (
        "S42.001A",
        "Fracture of unspecified part of right clavicle, initial encounter for closed fracture",
    ),
    (
        "S52.501A",
        "Unspecified fracture of the lower end of right radius, "
        "initial encounter for closed fracture",
    ),
    (
        "S72.001A",
        "Fracture of unspecified part of neck of right femur, "
        "initial encounter for closed fracture",
    ),
    ("S83.511A", "Sprain of anterior cruciate ligament of right knee, initial encounter"),
    ("S93.401A", "Sprain of unspecified ligament of right ankle, initial encounter"),
    ("S93.402A", "Sprain of unspecified ligament of left ankle, initial encounter"),
    # Newborn
    ("P59.9", "Neonatal jaundice, unspecified"),
    # Symptoms and signs
    ("R05.9", "Cough, unspecified"),
    ("R06.02", "Shortness of breath"),
    ("R07.9", "Chest pain, unspecified"),
    ("R10.84", "Generalized abdominal pain"),
    ("R10.9", "Unspecified abdominal pain"),
    ("R11.2", "Nausea with vomiting, unspecified"),
    ("R19.7", "Diarrhea, unspecified"),
    ("R21", "Rash and other nonspecific skin eruption"),
    ("R42", "Dizziness and giddiness"),
    ("R50.9", "Fever, unspecified"),
    ("R51.9", "Headache, unspecified"),
    ("R53.83", "Other fatigue"),
    ("R62.51", "Failure to thrive (child)"),
    ("R73.03", "Prediabetes"),
    # Factors influencing health status (Z codes)
    ("Z00.00", "Encounter for general adult medical examination without abnormal findings"),
    ("Z00.01", "Encounter for general adult medical examination with abnormal findings"),
    ("Z00.110", "Health examination for newborn under 8 days old"),
    ("Z00.111", "Health examination for newborn 8 to 28 days old"),
    ("Z00.121", "Encounter for routine child health examination with abnormal findings"),
    ("Z00.129", "Encounter for routine child health examination without abnormal findings"),
    ("Z02.5", "Encounter for examination for participation in sport"),
    ("Z12.11", "Encounter for screening for malignant neoplasm of colon"),
    ("Z12.31", "Encounter for screening mammogram for malignant neoplasm of breast"),
    ("Z13.1", "Encounter for screening for diabetes mellitus"),
    ("Z13.220", "Encounter for screening for lipoid disorders"),
    ("Z20.822", "Contact with and (suspected) exposure to COVID-19"),
    ("Z23", "Encounter for immunization"),
    ("Z28.3", "Underimmunization status"),
    ("Z47.1", "Aftercare following joint replacement surgery"),
    ("Z71.3", "Dietary counseling and surveillance"),
    ("Z79.01", "Long term (current) use of anticoagulants"),
    ("Z79.4", "Long term (current) use of insulin"),
    ("Z79.84", "Long term (current) use of oral hypoglycemic drugs"),
    ("Z79.899", "Other long term (current) drug therapy"),
    ("Z87.891", "Personal history of nicotine dependence"),
    ("Z96.651", "Presence of right artificial knee joint"),
    ("Z96.652", "Presence of left artificial knee joint"),
)

COMMON_DIAGNOSES: Final[tuple[DiagnosisHint, ...]] = tuple(
    sorted((DiagnosisHint(code, text) for code, text in _RAW), key=lambda h: h.code)
)
_BY_CODE: Final[dict[str, DiagnosisHint]] = {h.code.replace(".", ""): h for h in COMMON_DIAGNOSES}


def _bare(code: str) -> str:
    return code.strip().upper().replace(".", "")


def describe_diagnosis(code: str) -> str:
    """The description of `code` when it is on the built-in list, else an empty string."""
    hint = _BY_CODE.get(_bare(code))
    return hint.description if hint else ""


def search_diagnoses(query: str, *, limit: int = 20) -> list[DiagnosisHint]:
    """Hints whose code starts with `query` (dot optional), or whose description has every word.

    An empty query gives the first `limit` hints in code order.
    """
    query = query.strip()
    if not query:
        return list(COMMON_DIAGNOSES[:limit])
    bare = _bare(query)
    by_code = [h for h in COMMON_DIAGNOSES if h.code.replace(".", "").startswith(bare)]
    words = query.lower().split()
    by_text = [
        h
        for h in COMMON_DIAGNOSES
        if h not in by_code and all(w in h.description.lower() for w in words)
    ]
    return (by_code + by_text)[:limit]
