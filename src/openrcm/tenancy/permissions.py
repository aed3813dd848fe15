"""The role matrix, kept as data: which role may do what in a practice it is a member of."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    VIEW = "view"  # read patients, coverages, encounters, claims
    EDIT_PATIENTS = "edit_patients"  # demographics and coverages
    ENTER_CHARGES = "enter_charges"  # encounters and charge lines
    MANAGE_CLAIMS = "manage_claims"  # build, correct, submit claims
    POST_PAYMENTS = "post_payments"  # 835s, deposits, manual payments
    WORK_AR = "work_ar"  # follow-up, denials, appeals
    ADMINISTER = "administer"  # practice settings, users, payers, fee schedules


ALL_ACTIONS = frozenset(Action)

# Why these grants: practice owners oversee but never change billing data; practice staff register
# patients at the front desk; coders touch codes on encounters; the rest follow their job titles.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "admin": ALL_ACTIONS,
    "biller": frozenset(
        {Action.VIEW, Action.EDIT_PATIENTS, Action.ENTER_CHARGES, Action.MANAGE_CLAIMS}
    ),
    "coder": frozenset({Action.VIEW, Action.ENTER_CHARGES}),
    "payment_poster": frozenset({Action.VIEW, Action.POST_PAYMENTS}),
    "ar_specialist": frozenset({Action.VIEW, Action.MANAGE_CLAIMS, Action.WORK_AR}),
    "practice_owner": frozenset({Action.VIEW}),
    "practice_staff": frozenset({Action.VIEW, Action.EDIT_PATIENTS}),
}


def roles_allowed(action: Action) -> frozenset[str]:
    """The roles that grant `action`."""
    return frozenset(role for role, actions in ROLE_ACTIONS.items() if action in actions)
