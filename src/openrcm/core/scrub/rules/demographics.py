"""Pack ``demographics``: diagnoses and procedures that conflict with the patient's age or sex,
and services dated after the patient's death.

The edits are data: each row names code prefixes (ICD-10-CM categories and subcategories, or
procedure number ranges) and the ages or sex they conflict with. The sex-specific lists follow
the classification's own chapters and blocks (female genital organs N70-N98, male genital
organs N40-N53, pregnancy O00-O9A, ...); the age limits those of the CMS Medicare Code Editor.

A line with modifier KX says the requirements of a sex-specific policy are met (payers use it
for patients whose recorded sex differs from the anatomy treated): sex edits are skipped then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from openrcm.core.codes.procedures import PREVENTIVE_AGE_BANDS
from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity
from openrcm.core.scrub.snapshot import age_on

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = ["FEMALE_ONLY_DIAGNOSES", "MALE_ONLY_DIAGNOSES", "PACK"]

_PACK: Final = "demographics"
_GUIDELINES: Final = "ICD-10-CM Official Guidelines for Coding and Reporting FY2026"
_MCE: Final = "CMS Definitions of Medicare Code Edits (MCE)"
E, W = Severity.ERROR, Severity.WARNING


def _rule(rule_id: str, severity: Severity, title: str, message: str, citation: str) -> Rule:
    return Rule(rule_id, 1, severity, message, citation, _PACK, title)


PREGNANCY_MALE = _rule(
    "DEM-001",
    E,
    "Pregnancy diagnosis on a male patient",
    "Diagnosis {code} is a pregnancy code (chapter 15) but the patient is male: check the "
    "patient's sex on file or the diagnosis.",
    f"{_GUIDELINES}, Section I.C.15.a.1 (chapter 15 codes only on the maternal record); "
    f"{_MCE}, sex conflict; X12 CARC 10",
)
PREGNANCY_AGE = _rule(
    "DEM-002",
    E,
    "Pregnancy diagnosis outside the maternity ages",
    "Diagnosis {code} is a pregnancy code but the patient is {age} (maternity codes "
    "fit ages 9 to 64): check the birth date or the diagnosis.",
    f"{_MCE}, maternity diagnosis age conflict (9 to 64 years); X12 CARC 9",
)
PERINATAL_ADULT = _rule(
    "DEM-003",
    W,
    "Perinatal diagnosis on an adult",
    "Diagnosis {code} is a perinatal condition (chapter 16) on a patient of {age}: keep it only "
    "if the condition began in the perinatal period and continues; otherwise code the current "
    "condition.",
    f"{_GUIDELINES}, Section I.C.16.a.4 (chapter 16 codes after the perinatal period)",
)
LIVEBORN_AGE = _rule(
    "DEM-004",
    E,
    "Liveborn infant code after the birth episode",
    "Diagnosis {code} (liveborn infant, Z38) belongs only to the birth record, but the patient "
    "is {days} days old: code the reason for this visit instead.",
    f"{_GUIDELINES}, Section I.C.16.a.2 (Z38 as principal diagnosis of the birth record only)",
)
FEMALE_DX_ON_MALE = _rule(
    "DEM-005",
    E,
    "Female-only diagnosis on a male patient",
    "Diagnosis {code} applies only to female patients but the patient is male: check the "
    "patient's sex on file or the diagnosis (add modifier KX if the payer's policy for "
    "sex-specific services is met).",
    f"{_MCE}, sex conflict (diagnoses for females only); X12 CARC 10",
)
MALE_DX_ON_FEMALE = _rule(
    "DEM-006",
    E,
    "Male-only diagnosis on a female patient",
    "Diagnosis {code} applies only to male patients but the patient is female: check the "
    "patient's sex on file or the diagnosis (add modifier KX if the payer's policy for "
    "sex-specific services is met).",
    f"{_MCE}, sex conflict (diagnoses for males only); X12 CARC 10",
)
FEMALE_PROC_ON_MALE = _rule(
    "DEM-007",
    E,
    "Female-only procedure on a male patient",
    "Line {line}: procedure {code} is in the female genital or maternity section but the "
    "patient is male: check the procedure or the patient's sex (modifier KX when the payer's "
    "sex-specific policy is met).",
    "X12 CARC 7 (procedure inconsistent with the patient's sex); CMS Medicare Claims "
    "Processing Manual (Pub. 100-04) Chapter 26, item 3 (patient's sex)",
)
MALE_PROC_ON_FEMALE = _rule(
    "DEM-008",
    E,
    "Male-only procedure on a female patient",
    "Line {line}: procedure {code} is in the male genital section but the patient is female: "
    "check the procedure or the patient's sex (modifier KX when the payer's sex-specific "
    "policy is met).",
    "X12 CARC 7 (procedure inconsistent with the patient's sex); CMS Medicare Claims "
    "Processing Manual (Pub. 100-04) Chapter 26, item 3 (patient's sex)",
)
ADULT_EXAM_CHILD = _rule(
    "DEM-009",
    E,
    "Adult examination code on a child",
    "Diagnosis {code} is a general adult examination but the patient is {age}: use a child "
    "health examination code (Z00.12-).",
    f"{_MCE}, adult diagnosis age conflict (15 to 124 years); X12 CARC 9",
)
CHILD_EXAM_ADULT = _rule(
    "DEM-010",
    E,
    "Child examination code on an adult",
    "Diagnosis {code} is a routine child health examination but the patient is {age}: use a "
    "general adult examination code (Z00.0-).",
    f"{_MCE}, pediatric diagnosis age conflict (0 to 17 years); X12 CARC 9",
)
NEWBORN_EXAM_AGE = _rule(
    "DEM-011",
    E,
    "Newborn examination code after 28 days",
    "Diagnosis {code} is a newborn examination (under 29 days) but the patient is {days} days "
    "old: use a child health examination code (Z00.12-).",
    "ICD-10-CM Tabular List, subcategory Z00.11 (health examination for newborn under 29 "
    "days old); X12 CARC 9",
)
PREVENTIVE_AGE = _rule(
    "DEM-012",
    E,
    "Preventive visit code for another age band",
    "Line {line}: preventive visit {code} is for ages {band} but the patient is {age}: use the "
    "code of the patient's age band.",
    "CMS Medicare Claims Processing Manual (Pub. 100-04) Chapter 12, Section 30.6.2 "
    "(preventive medicine services); X12 CARC 6 (procedure inconsistent with age)",
)
AFTER_DEATH = _rule(
    "DEM-013",
    E,
    "Service after the patient's date of death",
    "Line {line} is dated {date}, after the patient's date of death {death}: correct the date "
    "of service or the date of death.",
    "X12 CARC 13 (the date of death precedes the date of service); ASC X12 837P "
    "005010X222A1 loop 2400 DTP*472",
)


# -- the data --------------------------------------------------------------------------------


def _categories(letter: str, first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{letter}{number:02d}" for number in range(first, last + 1))


FEMALE_ONLY_DIAGNOSES: Final[tuple[str, ...]] = (
    *_categories("C", 51, 58),  # malignant neoplasms of female genital organs
    "C796",  # secondary malignant neoplasm of ovary
    "D06",  # carcinoma in situ of cervix uteri
    "D070",
    "D071",
    "D072",
    "D073",  # carcinoma in situ of other female genital organs
    *_categories("D", 25, 28),  # benign neoplasms of uterus, ovary, other female genital organs
    "D39",  # neoplasm of uncertain behavior of female genital organs
    "E28",  # ovarian dysfunction
    *_categories("N", 70, 77),  # inflammatory diseases of female pelvic organs
    *_categories("N", 80, 98),  # noninflammatory disorders of female genital tract
    "N992",
    "N993",  # postprocedural conditions of vagina
    "Q50",
    "Q51",
    "Q52",  # congenital malformations of female genital organs
    "R87",  # abnormal findings in specimens from female genital organs
    "Z0141",
    "Z0142",  # gynecological examinations
    "Z124",  # screening for malignant neoplasm of cervix
    "Z3043",  # intrauterine contraceptive device
    "Z32",
    "Z33",
    "Z34",
    "Z36",
    "Z37",
    "Z39",
    "Z3A",  # pregnancy, delivery, postpartum
    "Z8742",  # personal history of other diseases of the female genital tract
    "Z9071",
    "Z9072",  # acquired absence of uterus, cervix or ovaries
)

MALE_ONLY_DIAGNOSES: Final[tuple[str, ...]] = (
    *_categories("C", 60, 63),  # malignant neoplasms of male genital organs
    "D074",
    "D075",
    "D076",  # carcinoma in situ of male genital organs
    "D29",  # benign neoplasm of male genital organs
    "D40",  # neoplasm of uncertain behavior of male genital organs
    "E29",  # testicular dysfunction
    *_categories("N", 40, 53),  # diseases of male genital organs
    "Q53",
    "Q54",
    "Q55",  # congenital malformations of male genital organs
    "R86",  # abnormal findings in specimens from male genital organs
    "Z125",  # screening for malignant neoplasm of prostate
    "Z8546",
    "Z8547",  # personal history of malignant neoplasm of prostate or testis
)

# Procedure number ranges of the CPT sections for one sex (numbers only, no descriptions).
_FEMALE_PROCEDURES: Final = ((56405, 58999), (59000, 59899))
_MALE_PROCEDURES: Final = ((54000, 55899),)


@dataclass(frozen=True, slots=True)
class _DiagnosisEdit:
    rule: Rule
    prefixes: tuple[str, ...]
    conflicts: Callable[[str, int, int], bool]
    """(sex, age in years, age in days) -> whether the code conflicts."""
    sex_edit: bool = False


_DIAGNOSIS_EDITS: Final = (
    _DiagnosisEdit(PREGNANCY_MALE, ("O",), lambda sex, years, days: sex == "M", sex_edit=True),
    _DiagnosisEdit(PREGNANCY_AGE, ("O",), lambda sex, years, days: years < 9 or years > 64),
    _DiagnosisEdit(PERINATAL_ADULT, ("P",), lambda sex, years, days: years >= 18),
    _DiagnosisEdit(LIVEBORN_AGE, ("Z38",), lambda sex, years, days: days > 28),
    _DiagnosisEdit(
        FEMALE_DX_ON_MALE,
        FEMALE_ONLY_DIAGNOSES,
        lambda sex, years, days: sex == "M",
        sex_edit=True,
    ),
    _DiagnosisEdit(
        MALE_DX_ON_FEMALE,
        MALE_ONLY_DIAGNOSES,
        lambda sex, years, days: sex == "F",
        sex_edit=True,
    ),
    _DiagnosisEdit(ADULT_EXAM_CHILD, ("Z000",), lambda sex, years, days: years < 15),
    _DiagnosisEdit(CHILD_EXAM_ADULT, ("Z0012",), lambda sex, years, days: years >= 18),
    _DiagnosisEdit(NEWBORN_EXAM_AGE, ("Z0011",), lambda sex, years, days: days > 28),
)


def _index_edits() -> tuple[
    dict[str, tuple[_DiagnosisEdit, ...]], dict[str, tuple[_DiagnosisEdit, ...]]
]:
    """Edits by the first letter (one-letter prefixes: O, P) and by the three-character
    category (every longer prefix), so a diagnosis meets only the edits it could hit."""
    by_letter: dict[str, list[_DiagnosisEdit]] = {}
    by_category: dict[str, list[_DiagnosisEdit]] = {}
    for edit in _DIAGNOSIS_EDITS:
        for prefix in edit.prefixes:
            target = (
                by_letter.setdefault(prefix, [])
                if len(prefix) == 1
                else by_category.setdefault(prefix[:3], [])
            )
            if edit not in target:
                target.append(edit)
    # A diagnosis is matched by its letter or by its category, never both: keep them apart.
    assert not {category[0] for category in by_category} & set(by_letter)
    return (
        {key: tuple(value) for key, value in by_letter.items()},
        {key: tuple(value) for key, value in by_category.items()},
    )


_BY_LETTER, _BY_CATEGORY = _index_edits()


def _in_ranges(code: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    if len(code) != 5 or not code.isdigit():
        return False
    number = int(code)
    return any(first <= number <= last for first, last in ranges)


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _describe_age(years: int, days: int) -> str:
    if years >= 2:
        return f"{years} years old"
    return f"{days} days old"


def _sex_waived(claim: ClaimSnapshot) -> bool:
    return any("KX" in line.modifiers for line in claim.lines)


def _check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    found: list[Finding] = []
    patient = claim.patient
    birth = patient.birth_date
    dos = claim.first_date
    sex = patient.sex
    waived: bool | None = None  # computed when a sex edit first needs it
    if birth is not None and dos is not None and dos >= birth:
        years = days = -1
        for index, code in enumerate(claim.diagnoses):
            edits = _BY_LETTER.get(code[:1]) or _BY_CATEGORY.get(code[:3])
            if edits is None:
                continue
            if years < 0:
                years = age_on(birth, dos)
                days = (dos - birth).days
            for edit in edits:
                if not code.startswith(edit.prefixes) or not edit.conflicts(sex, years, days):
                    continue
                if edit.sex_edit:
                    if waived is None:
                        waived = _sex_waived(claim)
                    if waived:
                        continue
                found.append(
                    edit.rule.finding(
                        field=f"diagnoses[{index}]",
                        code=_dotted(code),
                        age=_describe_age(years, days),
                        days=days,
                    )
                )
        for index, line in enumerate(claim.lines):
            band = PREVENTIVE_AGE_BANDS.get(line.procedure)
            if band is None:
                continue
            line_dos = line.service_date or dos
            age = age_on(birth, line_dos)
            if not band[0] <= age < band[1]:
                low, high = band
                found.append(
                    PREVENTIVE_AGE.finding(
                        line=line.number,
                        field=f"lines[{index}].procedure",
                        code=line.procedure,
                        band=f"{low} and over" if high >= 200 else f"{low} to {high - 1}",
                        age=_describe_age(age, (line_dos - birth).days),
                    )
                )
    if sex == "M" or sex == "F":
        rule = FEMALE_PROC_ON_MALE if sex == "M" else MALE_PROC_ON_FEMALE
        ranges = _FEMALE_PROCEDURES if sex == "M" else _MALE_PROCEDURES
        for index, line in enumerate(claim.lines):
            # Both ranges are within 54000-59899: a first digit of 5 is the cheap filter.
            if line.procedure[:1] == "5" and _in_ranges(line.procedure, ranges):
                if waived is None:
                    waived = _sex_waived(claim)
                if waived:
                    break
                found.append(
                    rule.finding(
                        line=line.number, field=f"lines[{index}].procedure", code=line.procedure
                    )
                )
    death = patient.death_date
    if death is not None:
        for index, line in enumerate(claim.lines):
            if line.service_date is not None and line.service_date > death:
                found.append(
                    AFTER_DEATH.finding(
                        line=line.number,
                        field=f"lines[{index}].service_date",
                        date=line.service_date.isoformat(),
                        death=death.isoformat(),
                    )
                )
    return found


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="Age and sex conflicts; services after death",
    rules=(
        PREGNANCY_MALE,
        PREGNANCY_AGE,
        PERINATAL_ADULT,
        LIVEBORN_AGE,
        FEMALE_DX_ON_MALE,
        MALE_DX_ON_FEMALE,
        FEMALE_PROC_ON_MALE,
        MALE_PROC_ON_FEMALE,
        ADULT_EXAM_CHILD,
        CHILD_EXAM_ADULT,
        NEWBORN_EXAM_AGE,
        PREVENTIVE_AGE,
        AFTER_DEATH,
    ),
    checks=(_check,),
)
