"""What happens at a demo visit: diagnoses and coded lines per specialty, as plain data.

Pure functions over a seeded `random.Random` and the patient's facts (no database): the same
draws give the same visits. Codes are real: billable ICD-10-CM codes that fit the specialty,
CPT/HCPCS codes with the modifiers a coder would add (25 on an E/M next to a same-day procedure
or injection, 57 on the decision for fracture care, RT/LT by the side the diagnosis names, 95 on
telehealth, QW on CLIA-waived tests, SL on state-supplied vaccines), units and NDCs for drugs.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from openrcm.operations.demo.catalog import DRUGS, VACCINE_COMPONENTS, VFC_MODIFIER

FLU_SEASON_MONTHS: Final = frozenset({9, 10, 11, 12, 1, 2, 3})
# Problem-oriented office visits; a same-day procedure puts modifier 25 on them.
PROBLEM_EM: Final = frozenset(
    {"99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215"}
)
# Same-day services that make a problem E/M "significant and separately identifiable" (25).
NEEDS_25: Final = frozenset(
    {"20526", "20550", "20610", "20611", "96372", "69210", "17110", "94640", "90460", "90471"}
)
# A preventive visit on the same day also makes a problem E/M need 25.
PREVENTIVE: Final = frozenset(
    {f"9938{d}" for d in "1234567"} | {f"9939{d}" for d in "1234567"} | {"G0438", "G0439"}
)


@dataclass(frozen=True, slots=True)
class PlannedLine:
    code: str
    pointers: tuple[int, ...]
    units: int = 1
    modifiers: tuple[str, ...] = ()
    ndc: str = ""
    ndc_quantity: str = ""
    ndc_unit: str = ""


@dataclass(frozen=True, slots=True)
class VisitPlan:
    kind: str
    diagnoses: tuple[str, ...]
    lines: tuple[PlannedLine, ...]
    place_of_service: str | None = None  # None: the location's default (office, 11)


@dataclass(slots=True)
class PatientProfile:
    """What the planner knows about a patient; `conditions` and `problem` last all window."""

    specialty: str
    date_of_birth: dt.date
    sex: str  # F or M
    coverage_kind: str  # medicare, medicaid, commercial
    is_new: bool  # the first visit in the window is the patient's first with the practice
    conditions: tuple[str, ...] = ()
    problem: str = ""  # orthopedics: the complaint that brought the patient
    side: str = ""  # RT or LT
    visits: int = 0  # visits planned so far
    kinds: set[str] = field(default_factory=set)
    first_visit: dt.date | None = None


def age_on(dob: dt.date, day: dt.date) -> tuple[int, int]:
    """Age in whole years and whole months on `day`."""
    months = (day.year - dob.year) * 12 + (day.month - dob.month) - (day.day < dob.day)
    return months // 12, months


class _Visit:
    """Collects diagnoses (positions 1-12) and lines while a visit is planned."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.diagnoses: list[str] = []
        self.lines: list[PlannedLine] = []
        self.place_of_service: str | None = None

    def dx(self, *codes: str) -> tuple[int, ...]:
        positions: list[int] = []
        for code in codes:
            if code not in self.diagnoses:
                if len(self.diagnoses) == 12:
                    continue
                self.diagnoses.append(code)
            position = self.diagnoses.index(code) + 1
            if position not in positions:
                positions.append(position)
        return tuple(positions[:4])

    def add(
        self, code: str, dx: tuple[str, ...], *, units: int = 1, modifiers: tuple[str, ...] = ()
    ) -> None:
        drug = DRUGS.get(code)
        ndc = quantity = unit = ""
        if drug is not None:
            ndc, unit = drug.ndc, drug.unit
            quantity = _drug_quantity(code, units, drug.quantity)
        self.lines.append(
            PlannedLine(
                code=code,
                pointers=self.dx(*dx),
                units=units,
                modifiers=modifiers,
                ndc=ndc,
                ndc_quantity=quantity,
                ndc_unit=unit,
            )
        )

    def plan(self) -> VisitPlan:
        codes = {line.code for line in self.lines}
        lines: list[PlannedLine] = []
        for line in self.lines:
            mods = list(line.modifiers)
            if line.code in PROBLEM_EM:
                if codes & (NEEDS_25 | PREVENTIVE) and "25" not in mods and "57" not in mods:
                    mods.insert(0, "25")
                if self.place_of_service == "10" and "95" not in mods:
                    mods.append("95")
            lines.append(
                PlannedLine(
                    code=line.code,
                    pointers=line.pointers,
                    units=line.units,
                    modifiers=tuple(mods),
                    ndc=line.ndc,
                    ndc_quantity=line.ndc_quantity,
                    ndc_unit=line.ndc_unit,
                )
            )
        return VisitPlan(
            kind=self.kind,
            diagnoses=tuple(self.diagnoses),
            lines=tuple(lines),
            place_of_service=self.place_of_service,
        )


def _drug_quantity(code: str, units: int, per_dose: str) -> str:
    if code == "J3301":  # 40 mg/mL: each 10 mg unit is 0.25 mL
        return format((Decimal(units) * Decimal("0.25")).normalize(), "f")
    return per_dose


def _pick[T](rng: random.Random, weighted: list[tuple[T, int]]) -> T:
    items = [item for item, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(items, weights=weights, k=1)[0]


def _problem_em(rng: random.Random, profile: PatientProfile, *, level: str = "routine") -> str:
    """An office visit code: new patient codes on a new patient's first visit."""
    if profile.is_new and profile.visits == 0:
        if level == "high":
            return _pick(rng, [("99204", 70), ("99205", 30)])
        return _pick(rng, [("99202", 15), ("99203", 60), ("99204", 25)])
    if level == "low":
        return _pick(rng, [("99212", 45), ("99213", 50), ("99214", 5)])
    if level == "high":
        return _pick(rng, [("99214", 70), ("99215", 30)])
    return _pick(rng, [("99212", 10), ("99213", 50), ("99214", 35), ("99215", 5)])


def _preventive_code(profile: PatientProfile, age_years: int) -> str:
    new = profile.is_new and profile.visits == 0
    bands = ((1, "1"), (5, "2"), (12, "3"), (18, "4"), (40, "5"), (65, "6"))
    digit = next((d for limit, d in bands if age_years < limit), "7")
    return f"9938{digit}" if new else f"9939{digit}"


# --- Profiles --------------------------------------------------------------------------------

ADULT_CONDITIONS: Final[tuple[tuple[str, float, float], ...]] = (
    # code, chance at 30, extra chance per decade over 30
    ("I10", 0.10, 0.10),  # essential hypertension
    ("E78.5", 0.08, 0.08),  # hyperlipidemia, unspecified
    ("E11.9", 0.03, 0.04),  # type 2 diabetes without complications
    ("E03.9", 0.04, 0.01),  # hypothyroidism, unspecified
    ("K21.9", 0.06, 0.01),  # GERD without esophagitis
    ("F41.1", 0.08, 0.0),  # generalized anxiety disorder
    ("F32.A", 0.06, 0.0),  # depression, unspecified
    ("J45.909", 0.05, 0.0),  # asthma, uncomplicated
    ("E66.9", 0.12, 0.01),  # obesity, unspecified
    ("E55.9", 0.05, 0.01),  # vitamin D deficiency
)


def family_profile_conditions(rng: random.Random, age: int) -> tuple[str, ...]:
    decades = max(0, (age - 30) / 10)
    found = [code for code, base, per in ADULT_CONDITIONS if rng.random() < base + per * decades]
    if "E11.9" in found and rng.random() < 0.3:
        found[found.index("E11.9")] = "E11.65"  # with hyperglycemia
    if "E11.9" not in found and "E11.65" not in found and age >= 35 and rng.random() < 0.08:
        found.append("R73.03")  # prediabetes
    return tuple(found)


def pediatric_profile_conditions(rng: random.Random, age: int) -> tuple[str, ...]:
    found: list[str] = []
    if age >= 2 and rng.random() < 0.12:
        found.append("J45.20")  # mild intermittent asthma, uncomplicated
    if rng.random() < 0.10:
        found.append("L20.9")  # atopic dermatitis
    if age >= 6 and rng.random() < 0.10:
        found.append("F90.2")  # ADHD, combined type
    if age >= 3 and rng.random() < 0.08:
        found.append("J30.9")  # allergic rhinitis
    return tuple(found)


# Orthopedic complaints: (name, right code, left code, minimum age, maximum age, weight).
ORTHO_PROBLEMS: Final[tuple[tuple[str, str, str, int, int, int], ...]] = (
    ("knee_oa", "M17.11", "M17.12", 45, 120, 22),
    ("knee_pain", "M25.561", "M25.562", 15, 120, 8),
    ("acl_sprain", "S83.511", "S83.512", 15, 45, 5),
    ("shoulder_impingement", "M75.41", "M75.42", 30, 120, 10),
    ("shoulder_pain", "M25.511", "M25.512", 15, 120, 5),
    ("low_back", "M54.50", "M54.50", 18, 120, 10),
    ("radiculopathy", "M54.16", "M54.16", 25, 120, 5),
    ("hip_oa", "M16.11", "M16.12", 50, 120, 8),
    ("trochanteric_bursitis", "M70.61", "M70.62", 35, 120, 6),
    ("epicondylitis", "M77.11", "M77.12", 25, 70, 5),
    ("carpal_tunnel", "G56.01", "G56.02", 25, 120, 5),
    ("trigger_finger", "M65.321", "M65.322", 35, 120, 3),
    ("radius_fracture", "S52.501", "S52.502", 15, 120, 4),
    ("ankle_sprain", "S93.401", "S93.402", 15, 70, 4),
    ("plantar_fasciitis", "M72.2", "M72.2", 25, 75, 4),
)


def ortho_problem(rng: random.Random, age: int) -> tuple[str, str]:
    """The complaint and the side (RT/LT, or "" for the spine)."""
    fitting = [(p[0], p[5]) for p in ORTHO_PROBLEMS if p[3] <= age <= p[4]]
    name = _pick(rng, fitting)
    side = "" if name in {"low_back", "radiculopathy"} else rng.choice(["RT", "LT"])
    return name, side


# --- Family medicine -------------------------------------------------------------------------

ACUTE_ADULT: Final[tuple[tuple[str, int], ...]] = (
    ("J06.9", 14),  # acute upper respiratory infection
    ("J02.9", 8),  # acute pharyngitis
    ("J01.90", 8),  # acute sinusitis
    ("N39.0", 7),  # urinary tract infection
    ("R05.9", 6),  # cough
    ("M54.50", 8),  # low back pain
    ("H61.2", 4),  # cerumen impaction (side added)
    ("B07.9", 3),  # viral wart
    ("R07.9", 4),  # chest pain
    ("U07.1", 3),  # COVID-19
    ("B34.9", 4),  # viral infection
    ("G47.00", 3),  # insomnia
    ("L30.9", 3),  # dermatitis
    ("R53.83", 3),  # fatigue
)


def _flu(v: _Visit, profile: PatientProfile, *, first_admin: bool = True) -> None:
    v.add("90656", ("Z23",))
    if profile.coverage_kind == "medicare":
        v.add("G0008", ("Z23",))
    else:
        v.add("90471" if first_admin else "90472", ("Z23",))


def plan_family(rng: random.Random, profile: PatientProfile, day: dt.date) -> VisitPlan:
    age, _ = age_on(profile.date_of_birth, day)
    in_season = day.month in FLU_SEASON_MONTHS
    chronic = [c for c in profile.conditions if c not in {"E66.9", "E55.9"}]
    choices: list[tuple[str, int]] = [("acute", 30)]
    if profile.conditions:
        choices.append(("chronic", 45))
    if "preventive" not in profile.kinds:
        choices.append(("preventive", 14))
    if in_season and "flu" not in profile.kinds:
        choices.append(("flu", 6))
    if set(profile.conditions) & {"F41.1", "F32.A", "I10", "G47.00"}:
        choices.append(("telehealth", 7))
    if profile.is_new and profile.visits == 0:
        choices = [c for c in choices if c[0] in {"acute", "chronic", "preventive"}]
    kind = _pick(rng, choices)
    v = _Visit(kind)

    if kind == "preventive":
        medicare = profile.coverage_kind == "medicare"
        if medicare:
            first_awv = (profile.is_new and profile.visits == 0) or rng.random() < 0.15
            v.add("G0438" if first_awv else "G0439", ("Z00.00",))
            if not first_awv and rng.random() < 0.6:
                v.add("G0444", ("Z13.31",))
        else:
            abnormal = bool(chronic) and rng.random() < 0.3
            exam = "Z00.01" if abnormal else "Z00.00"
            v.add(_preventive_code(profile, age), (exam, *(chronic[:2] if abnormal else ())))
        if rng.random() < 0.5:
            v.add("36415", ("Z13.220",) if not chronic else (chronic[0],))
        if chronic and rng.random() < 0.2:
            v.add(_problem_em(rng, profile), tuple(chronic[:3]))
        if in_season and "flu" not in profile.kinds and rng.random() < 0.4:
            _flu(v, profile)
            profile.kinds.add("flu")
        if medicare and age >= 65 and rng.random() < 0.1:
            v.add("90677", ("Z23",))
            v.add("G0009", ("Z23",))
    elif kind == "flu":
        _flu(v, profile)
        if profile.coverage_kind == "medicare" and rng.random() < 0.1:
            v.add("90677", ("Z23",))
            v.add("G0009", ("Z23",))
    elif kind == "telehealth":
        v.place_of_service = "10"
        reasons = [c for c in profile.conditions if c in {"F41.1", "F32.A", "I10", "G47.00"}]
        v.add(_pick(rng, [("99213", 60), ("99214", 40)]), tuple(reasons[:4]))
    elif kind == "chronic":
        reasons = list(chronic or profile.conditions)
        rng.shuffle(reasons)
        v.add(_problem_em(rng, profile), tuple(reasons[:4]))
        diabetes = next((c for c in reasons if c.startswith("E11")), None)
        if diabetes and rng.random() < 0.6:
            v.add("83036", (diabetes,), modifiers=("QW",))
        labs = [c for c in reasons if c in {"E78.5", "E03.9", "R73.03", "E11.9", "E11.65"}]
        if labs and rng.random() < 0.5:
            v.add("36415", tuple(labs[:2]))
        if in_season and "flu" not in profile.kinds and rng.random() < 0.25:
            _flu(v, profile)
            profile.kinds.add("flu")
    else:  # acute
        problems = [(c, w) for c, w in ACUTE_ADULT if not (c == "N39.0" and profile.sex == "M")]
        problem = _pick(rng, problems)
        side = rng.choice(["RT", "LT"])
        if problem == "H61.2":
            problem = "H61.21" if side == "RT" else "H61.22"
        extra = tuple(profile.conditions[:2]) if rng.random() < 0.4 else ()
        if problem in {"H61.21", "H61.22"}:
            if rng.random() < 0.5:
                v.add(_problem_em(rng, profile, level="low"), (problem, *extra))
            v.add("69210", (problem,), modifiers=(side,))
        elif problem == "B07.9":
            if rng.random() < 0.4:
                v.add(_problem_em(rng, profile, level="low"), (problem, *extra))
            v.add("17110", (problem,))
        elif problem == "R07.9":
            v.add(_problem_em(rng, profile, level="high"), (problem, *extra))
            v.add("93000", (problem,))
        else:
            v.add(_problem_em(rng, profile), (problem, *extra))
            if problem == "J02.9":
                v.add("87880", (problem,), modifiers=("QW",))
            elif problem == "N39.0":
                v.add("81002", (problem,))
            elif problem == "M54.50" and rng.random() < 0.3:
                v.add("96372", (problem,))
                v.add("J1885", (problem,), units=2)  # ketorolac 30 mg
    return v.plan()


# --- Pediatrics ------------------------------------------------------------------------------


def _vaccines_due(age_months: int, day: dt.date, rng: random.Random) -> list[str]:
    due: list[str] = []
    if 2 <= age_months <= 6 and age_months % 2 == 0:
        due += ["90723", "90648", "90677", "90680"]
    elif 12 <= age_months <= 14:
        due += ["90707", "90716", "90633"]
    elif 15 <= age_months <= 17:
        due += ["90648", "90677", "90700"]
    elif 18 <= age_months <= 23:
        due += ["90633"]
    elif 48 <= age_months <= 83:
        due += ["90700", "90713", "90707", "90716"]
    elif 132 <= age_months <= 155:
        due += ["90715", "90734", "90651"]
    elif 192 <= age_months <= 203:
        due += ["90734"]
    if age_months >= 6 and day.month in FLU_SEASON_MONTHS and rng.random() < 0.7:
        due.append("90656")
    return due


SICK_CHILD: Final[tuple[tuple[str, int, int, int], ...]] = (
    # code, minimum age (months), maximum age (months), weight
    ("H66.9", 3, 144, 16),  # otitis media (ear added)
    ("J02.0", 36, 228, 7),  # streptococcal pharyngitis
    ("J02.9", 24, 228, 6),  # acute pharyngitis
    ("J06.9", 0, 228, 16),  # upper respiratory infection
    ("J21.9", 0, 23, 5),  # acute bronchiolitis
    ("R50.9", 0, 228, 6),  # fever
    ("A08.4", 6, 228, 5),  # viral intestinal infection
    ("B08.4", 6, 71, 3),  # hand, foot and mouth disease
    ("H10.33", 0, 228, 4),  # acute conjunctivitis, bilateral
    ("R21", 0, 228, 3),  # rash
    ("L22", 0, 23, 3),  # diaper dermatitis
    ("K59.00", 12, 228, 3),  # constipation
    ("R10.9", 36, 228, 3),  # abdominal pain
)


def plan_pediatrics(rng: random.Random, profile: PatientProfile, day: dt.date) -> VisitPlan:
    age, months = age_on(profile.date_of_birth, day)
    vfc = profile.coverage_kind == "medicaid"
    infant = months < 24
    choices: list[tuple[str, int]] = [("sick", 50)]
    if infant or "well" not in profile.kinds:
        choices.append(("well", 40 if infant else 35))
    if set(profile.conditions) & {"F90.2", "J45.20"}:
        choices.append(("chronic", 10))
    if months >= 6 and day.month in FLU_SEASON_MONTHS and "flu" not in profile.kinds:
        choices.append(("flu", 5))
    kind = _pick(rng, choices)
    v = _Visit(kind)

    def vaccinate(codes: list[str], *, counseled: bool) -> None:
        mods: tuple[str, ...] = (VFC_MODIFIER,) if vfc else ()
        for code in codes:
            v.add(code, ("Z23",), modifiers=mods)
        if counseled:
            v.add("90460", ("Z23",), units=len(codes))
            extra = sum(VACCINE_COMPONENTS[c] - 1 for c in codes)
            if extra:
                v.add("90461", ("Z23",), units=extra)
        else:
            v.add("90471", ("Z23",))
            if len(codes) > 1:
                v.add("90472", ("Z23",), units=len(codes) - 1)

    if kind == "well":
        finding = ""
        if rng.random() < 0.15:
            finding = rng.choice(
                [c for c in ("L20.9", "J30.9", "E66.9") if c != "J30.9" or age >= 3]
            )
        if age >= 18:  # a general adult examination from the 18th birthday on
            exam = "Z00.01" if finding else "Z00.00"
        else:
            exam = "Z00.121" if finding else "Z00.129"
        exam_dx = (exam, finding, "Z68.54") if finding == "E66.9" and age >= 2 else (exam, finding)
        v.add(_preventive_code(profile, age), tuple(c for c in exam_dx if c))
        if months < 36 and rng.random() < 0.4:
            v.add("96110", (exam,))
        if 9 <= months <= 15 and rng.random() < 0.6:
            v.add("85018", (exam,), modifiers=("QW",))
        if age >= 3 and rng.random() < 0.4:
            v.add("99173", (exam,))
        if age >= 4 and rng.random() < 0.3:
            v.add("92551", (exam,))
        if age >= 12 and rng.random() < 0.7:
            v.add("96127", ("Z13.31",))
        due = _vaccines_due(months, day, rng)
        if due:
            vaccinate(due, counseled=True)
            if "90656" in due:
                profile.kinds.add("flu")
        if rng.random() < 0.08:
            side = rng.choice(["H66.91", "H66.92"])
            v.add(_problem_em(rng, profile, level="low"), (side,))
    elif kind == "flu":
        vaccinate(["90656"], counseled=False)
    elif kind == "chronic":
        if "F90.2" in profile.conditions and (
            "J45.20" not in profile.conditions or rng.random() < 0.5
        ):
            v.add(_pick(rng, [("99213", 30), ("99214", 70)]), ("F90.2",))
            if rng.random() < 0.6:
                v.add("96127", ("F90.2",))
        else:
            v.add(_problem_em(rng, profile), ("J45.20",))
    else:  # sick
        fitting = [(c, w) for c, lo, hi, w in SICK_CHILD if lo <= months <= hi]
        if "J45.20" in profile.conditions:
            fitting.append(("J45.21", 10))  # mild intermittent asthma with exacerbation
        problem = _pick(rng, fitting)
        if problem == "H66.9":
            problem = _pick(rng, [("H66.91", 35), ("H66.92", 35), ("H66.93", 20), ("H66.90", 10)])
        extra = tuple(c for c in profile.conditions if c != "J45.20")[:1]
        v.add(_problem_em(rng, profile), (problem, *(extra if rng.random() < 0.3 else ())))
        if problem in {"J02.0", "J02.9"}:
            v.add("87880", (problem,), modifiers=("QW",))
        elif problem == "J45.21":
            v.add("94640", (problem,))
            v.add("J7613", (problem,), units=3)  # albuterol 2.5 mg, rounded up to 3 units
        elif problem == "R10.9" and rng.random() < 0.4:
            v.add("81002", (problem,))
    return v.plan()


# --- Orthopedics -----------------------------------------------------------------------------

IMAGING: Final[dict[str, str]] = {
    "knee_oa": "73562",
    "knee_pain": "73560",
    "acl_sprain": "73560",
    "shoulder_impingement": "73030",
    "shoulder_pain": "73030",
    "low_back": "72100",
    "radiculopathy": "72100",
    "hip_oa": "73502",
    "radius_fracture": "73110",
    "ankle_sprain": "73610",
    "plantar_fasciitis": "73630",
}
INJECTION: Final[dict[str, tuple[str, str, int]]] = {
    # complaint: (procedure, drug, drug units)
    "knee_oa": ("20610", "J3301", 4),
    "shoulder_impingement": ("20610", "J3301", 4),
    "hip_oa": ("20611", "J3301", 4),
    "trochanteric_bursitis": ("20610", "J1030", 1),
    "epicondylitis": ("20550", "J3301", 2),
    "carpal_tunnel": ("20526", "J3301", 2),
    "trigger_finger": ("20550", "J3301", 1),
    "plantar_fasciitis": ("20550", "J3301", 2),
}


def _ortho_dx(profile: PatientProfile, *, initial: bool) -> tuple[str, ...]:
    spec = next(p for p in ORTHO_PROBLEMS if p[0] == profile.problem)
    code = spec[1] if profile.side != "LT" else spec[2]
    if code.startswith("S"):  # injuries: 7th character A (initial) or D (subsequent)
        code += "A" if initial else "D"
    if profile.problem == "plantar_fasciitis":
        return (code, "M79.671" if profile.side == "RT" else "M79.672")
    return (code,)


def plan_orthopedics(rng: random.Random, profile: PatientProfile, day: dt.date) -> VisitPlan:
    first = profile.visits == 0
    side: tuple[str, ...] = (profile.side,) if profile.side else ()
    imaging = IMAGING.get(profile.problem)
    injection = INJECTION.get(profile.problem)
    fracture = profile.problem == "radius_fracture"
    in_global = (
        fracture
        and profile.first_visit is not None
        and (day - profile.first_visit).days <= 90
        and not first
    )
    dx = _ortho_dx(profile, initial=first)
    if first:
        v = _Visit("consult")
        if fracture:
            # The decision for fracture care (a 90-day global) is made at this visit: 57.
            v.add(_problem_em(rng, profile, level="high"), dx, modifiers=("57",))
            v.add("25600", dx, modifiers=side)
        else:
            v.add(_problem_em(rng, profile), dx)
        if imaging and (fracture or rng.random() < 0.75):
            v.add(imaging, dx, modifiers=side)
        if injection and not fracture and rng.random() < 0.35:
            proc, drug, units = injection
            v.add(proc, dx, modifiers=side)
            v.add(drug, dx, units=units)
        return v.plan()
    if in_global:
        v = _Visit("postop")
        v.add("99024", dx)
        if imaging and rng.random() < 0.7:
            v.add(imaging, dx, modifiers=side)
        return v.plan()
    if injection and rng.random() < 0.6:
        v = _Visit("injection")
        proc, drug, units = injection
        if profile.problem == "knee_oa" and rng.random() < 0.25:
            drug, units = "J7325", 48  # Synvisc-One 48 mg
        if rng.random() < 0.55:
            v.add(_pick(rng, [("99213", 70), ("99214", 30)]), dx)
        v.add(proc, dx, modifiers=side)
        v.add(drug, dx, units=units)
        return v.plan()
    v = _Visit("follow-up")
    v.add(_problem_em(rng, profile), dx)
    if imaging and rng.random() < 0.2:
        v.add(imaging, dx, modifiers=side)
    return v.plan()


PLANNERS: Final = {
    "family": plan_family,
    "pediatrics": plan_pediatrics,
    "orthopedics": plan_orthopedics,
}


def plan_visit(rng: random.Random, profile: PatientProfile, day: dt.date) -> VisitPlan:
    """Plan the patient's next visit on `day` and record it on the profile."""
    plan = PLANNERS[profile.specialty](rng, profile, day)
    if profile.first_visit is None:
        profile.first_visit = day
    profile.visits += 1
    profile.kinds.add(plan.kind)
    return plan
