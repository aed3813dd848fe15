"""The demo's visit planner only bills codes its practice's charge master lists, at every age.

The demo's patients age with the real calendar (their birthdays are fixed, `today` moves), so a
code missing from a specialty's fee table shows up only on the day a patient crosses an age band
(an 18-year-old drawn today was 17, a 99394 patient, at a visit two months ago). This walks every
specialty's planner over every age its patients can have at a visit, with the loader's own
conditions and complaints, so that such a gap fails here on any day instead of stopping
`openrcm demo` on some later one.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from openrcm.operations.demo.catalog import SPECIALTY_CODES
from openrcm.operations.demo.plans import (
    PLANNERS,
    PatientProfile,
    family_profile_conditions,
    ortho_problem,
    pediatric_profile_conditions,
)

DAY = dt.date(2026, 11, 2)
KINDS = ("medicare", "medicaid", "commercial")
# The loader's age bands (`_Builder.age`): ages on the day the demo is loaded.
AGES = {"family": range(18, 93), "pediatrics": range(19), "orthopedics": range(15, 91)}


@pytest.mark.parametrize("specialty", sorted(PLANNERS))
def test_every_planned_code_is_in_the_specialty_charge_master(specialty: str) -> None:
    listed = set(SPECIALTY_CODES[specialty])
    rng = random.Random(specialty)
    unlisted: dict[str, int] = {}
    for age in AGES[specialty]:
        # The birthday falls just after DAY: the first visit sees the patient a year younger
        # than the age drawn, the later ones at that age (visits lie before the loading day);
        # a baby is 4 months old at the first visit.
        dob = min(dt.date(DAY.year - age, DAY.month, DAY.day + 1), DAY - dt.timedelta(days=120))
        for draw in range(12):
            conditions: tuple[str, ...] = ()
            problem, side = "", ""
            if specialty == "family":
                conditions = family_profile_conditions(rng, age)
            elif specialty == "pediatrics":
                conditions = pediatric_profile_conditions(rng, age)
            else:
                problem, side = ortho_problem(rng, age)
            profile = PatientProfile(
                specialty=specialty,
                date_of_birth=dob,
                sex="F" if draw % 2 else "M",
                coverage_kind=KINDS[draw % 3],
                is_new=draw % 4 == 0,
                conditions=conditions,
                problem=problem,
                side=side,
            )
            for visit in range(3):
                plan = PLANNERS[specialty](rng, profile, DAY + dt.timedelta(days=30 * visit))
                profile.visits += 1
                profile.kinds.add(plan.kind)
                for line in plan.lines:
                    if line.code not in listed:
                        unlisted.setdefault(line.code, age)
    assert unlisted == {}, f"{specialty} plans codes its fee table lacks (code: first age)"
