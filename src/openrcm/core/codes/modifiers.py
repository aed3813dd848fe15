"""Procedure modifiers (837P SV101-3 to SV101-6; CMS-1500 box 24D): the common CPT and HCPCS
Level II modifiers, described in our own words.

Flags that the scrubber reads:

* ``ncci_ptp``: an NCCI-associated modifier, one that may bypass a procedure-to-procedure edit
  whose modifier indicator is 1, when the clinical circumstances justify it (NCCI Policy Manual
  for Medicare Services, chapter I, section D): the anatomic modifiers (E1-E4, FA, F1-F9, TA,
  T1-T9, LT, RT, LC, LD, RC, LM, RI), the global surgery modifiers (24, 25, 57, 58, 78, 79)
  and 27, 59, 91, XE, XS, XP, XU.
* ``applies_to``: the kind of procedure the modifier belongs on: ``"em"`` (evaluation and
  management only), ``"lab"`` (clinical laboratory only), ``"anesthesia"`` (anesthesia only)
  or ``""`` (any).
* ``kind``: ``"payment"`` (changes what is paid), ``"informational"`` or ``"anatomic"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "CONFLICTING_MODIFIERS",
    "MODIFIERS",
    "NCCI_PTP_MODIFIERS",
    "Modifier",
    "modifier",
]


@dataclass(frozen=True, slots=True)
class Modifier:
    code: str
    description: str
    kind: str = "informational"
    ncci_ptp: bool = False
    applies_to: str = ""


def _m(
    code: str,
    description: str,
    kind: str = "informational",
    *,
    ncci: bool = False,
    applies_to: str = "",
) -> Modifier:
    return Modifier(code, description, kind, ncci, applies_to)


_ANATOMIC: Final = (
    [
        _m(f"E{n}", f"Eyelid: {where}", "anatomic", ncci=True)
        for n, where in enumerate(
            ("upper left", "lower left", "upper right", "lower right"), start=1
        )
    ]
    + [_m("FA", "Left hand, thumb", "anatomic", ncci=True)]
    + [_m(f"F{n}", f"Left hand, finger {n + 1}", "anatomic", ncci=True) for n in range(1, 5)]
    + [_m("F5", "Right hand, thumb", "anatomic", ncci=True)]
    + [_m(f"F{n}", f"Right hand, finger {n - 4}", "anatomic", ncci=True) for n in range(6, 10)]
    + [_m("TA", "Left foot, great toe", "anatomic", ncci=True)]
    + [_m(f"T{n}", f"Left foot, toe {n + 1}", "anatomic", ncci=True) for n in range(1, 5)]
    + [_m("T5", "Right foot, great toe", "anatomic", ncci=True)]
    + [_m(f"T{n}", f"Right foot, toe {n - 4}", "anatomic", ncci=True) for n in range(6, 10)]
)

_TABLE: Final = (
    # Evaluation and management and global surgery.
    _m(
        "24",
        "Unrelated E/M by the same physician during a postoperative period",
        "payment",
        ncci=True,
        applies_to="em",
    ),
    _m(
        "25",
        "Significant, separately identifiable E/M on the same day as a procedure or other service",
        "payment",
        ncci=True,
        applies_to="em",
    ),
    _m(
        "57",
        "E/M that resulted in the decision for major surgery",
        "payment",
        ncci=True,
        applies_to="em",
    ),
    _m(
        "58",
        "Staged or related procedure by the same physician during the postoperative period",
        "payment",
        ncci=True,
    ),
    _m(
        "78",
        "Unplanned return to the operating room for a related procedure during the "
        "postoperative period",
        "payment",
        ncci=True,
    ),
    _m(
        "79",
        "Unrelated procedure by the same physician during the postoperative period",
        "payment",
        ncci=True,
    ),
    _m(
        "54",
        "Surgical care only (another provider does the pre- and postoperative care)",
        "payment",
    ),
    _m("55", "Postoperative management only", "payment"),
    _m("56", "Preoperative management only", "payment"),
    # Procedure circumstances.
    _m("22", "Increased procedural services (substantially more work than usual)", "payment"),
    _m("23", "Unusual anesthesia (general anesthesia where none is usually needed)", "payment"),
    _m("26", "Professional component only", "payment"),
    _m("TC", "Technical component only", "payment"),
    _m("27", "Multiple outpatient hospital E/M encounters on the same date", "payment", ncci=True),
    _m("32", "Mandated service (required by a payer, agency or law)"),
    _m("33", "Preventive service (cost sharing waived under the ACA)"),
    _m("47", "Anesthesia by the surgeon", "payment"),
    _m("50", "Bilateral procedure done in the same session", "payment"),
    _m("51", "Multiple procedures in the same session", "payment"),
    _m("52", "Reduced service (partially performed at the physician's choice)", "payment"),
    _m("53", "Discontinued procedure (stopped for the patient's safety)", "payment"),
    _m(
        "59",
        "Distinct procedural service (not otherwise covered by a more specific modifier)",
        "payment",
        ncci=True,
    ),
    _m("62", "Two surgeons, each doing a distinct part of one procedure", "payment"),
    _m("63", "Procedure on an infant weighing less than 4 kg", "payment"),
    _m("66", "Surgical team", "payment"),
    _m("73", "Outpatient or ASC procedure discontinued before anesthesia", "payment"),
    _m("74", "Outpatient or ASC procedure discontinued after anesthesia", "payment"),
    _m("76", "Repeat procedure by the same physician on the same day", "payment"),
    _m("77", "Repeat procedure by another physician on the same day", "payment"),
    _m("80", "Assistant surgeon", "payment"),
    _m("81", "Minimum assistant surgeon", "payment"),
    _m("82", "Assistant surgeon when no qualified resident is available", "payment"),
    _m(
        "AS",
        "Assistant at surgery by a physician assistant, nurse practitioner or clinical "
        "nurse specialist",
        "payment",
    ),
    _m("99", "Several modifiers apply (listed elsewhere on the claim)"),
    # Laboratory.
    _m("90", "Laboratory test sent to an outside (reference) laboratory"),
    _m(
        "91",
        "Repeat clinical laboratory test on the same day for a new result",
        "payment",
        ncci=True,
        applies_to="lab",
    ),
    _m("92", "Alternative laboratory platform testing (kit or portable device)"),
    _m("QW", "Test waived under CLIA", applies_to="lab"),
    # Telehealth.
    _m("93", "Synchronous telemedicine by audio only"),
    _m("95", "Synchronous telemedicine by real-time audio and video"),
    _m("FQ", "Service furnished by audio only communication"),
    _m("FR", "Supervising practitioner present by real-time audio and video"),
    _m("GQ", "Service by asynchronous telecommunication"),
    _m("GT", "Service by interactive audio and video (older payer policies)"),
    # Distinct service (the X{EPSU} subset of 59).
    _m("XE", "Separate encounter on the same day", "payment", ncci=True),
    _m("XP", "Separate practitioner", "payment", ncci=True),
    _m("XS", "Separate structure or organ", "payment", ncci=True),
    _m("XU", "Unusual non-overlapping service", "payment", ncci=True),
    # Laterality and anatomy (with the anatomic list above).
    _m("LT", "Left side of the body", "anatomic", ncci=True),
    _m("RT", "Right side of the body", "anatomic", ncci=True),
    _m("LC", "Left circumflex coronary artery", "anatomic", ncci=True),
    _m("LD", "Left anterior descending coronary artery", "anatomic", ncci=True),
    _m("LM", "Left main coronary artery", "anatomic", ncci=True),
    _m("RC", "Right coronary artery", "anatomic", ncci=True),
    _m("RI", "Ramus intermedius coronary artery", "anatomic", ncci=True),
    # Liability notices and coverage.
    _m("GA", "Advance beneficiary notice (waiver of liability) on file as required"),
    _m("GX", "Voluntary liability notice on file (service not covered by statute)"),
    _m("GY", "Service excluded by statute or not a Medicare benefit"),
    _m("GZ", "Expected to be denied as not reasonable and necessary; no notice on file"),
    _m("KX", "Documentation on file shows the policy's requirements are met"),
    _m("CS", "Cost sharing waived (public health emergency or demonstration)"),
    _m("SL", "State-supplied vaccine"),
    # Therapy plans of care.
    _m("GN", "Speech-language pathology plan of care"),
    _m("GO", "Occupational therapy plan of care"),
    _m("GP", "Physical therapy plan of care"),
    _m("CO", "Occupational therapy in part by an assistant", "payment"),
    _m("CQ", "Physical therapy in part by an assistant", "payment"),
    # Who furnished the service.
    _m("AI", "Principal physician of record (hospital or nursing facility)"),
    _m("GC", "Service performed in part by a resident under a teaching physician"),
    _m("GE", "Resident service without a teaching physician present (primary care exception)"),
    _m("Q5", "Service by a substitute physician under a reciprocal billing arrangement"),
    _m("Q6", "Service by a substitute physician paid per diem or fee-for-time (locum tenens)"),
    _m("SA", "Nurse practitioner rendering with a collaborating physician"),
    _m("AH", "Clinical psychologist"),
    _m("AJ", "Clinical social worker"),
    _m("HO", "Master's degree level"),
    _m("HN", "Bachelor's degree level"),
    _m("SB", "Nurse midwife"),
    _m("PD", "Service within 3 days before an admission to the same entity's hospital"),
    # Anesthesia.
    _m(
        "AA",
        "Anesthesia personally performed by an anesthesiologist",
        "payment",
        applies_to="anesthesia",
    ),
    _m(
        "AD",
        "Medical supervision of more than four concurrent anesthesia procedures",
        "payment",
        applies_to="anesthesia",
    ),
    _m(
        "QK",
        "Medical direction of two to four concurrent anesthesia procedures",
        "payment",
        applies_to="anesthesia",
    ),
    _m(
        "QX", "Nurse anesthetist service with medical direction", "payment", applies_to="anesthesia"
    ),
    _m("QY", "Medical direction of one nurse anesthetist", "payment", applies_to="anesthesia"),
    _m(
        "QZ",
        "Nurse anesthetist service without medical direction",
        "payment",
        applies_to="anesthesia",
    ),
    _m("QS", "Monitored anesthesia care", applies_to="anesthesia"),
    _m(
        "G8",
        "Monitored anesthesia care for a deep, complex or invasive procedure",
        applies_to="anesthesia",
    ),
    _m(
        "G9",
        "Monitored anesthesia care for a patient with a severe cardiopulmonary condition",
        applies_to="anesthesia",
    ),
    *(
        _m(f"P{n}", f"Anesthesia: patient physical status {n}", applies_to="anesthesia")
        for n in range(1, 7)
    ),
    # Equipment and supplies.
    _m("NU", "New equipment"),
    _m("UE", "Used equipment"),
    _m("RR", "Rental"),
    _m("RA", "Replacement of an item"),
    _m("RB", "Replacement of a part of an item furnished in a repair"),
    _m("KH", "DMEPOS item, initial claim, purchase or first month rental"),
    _m("KI", "DMEPOS item, second or third month rental"),
    _m("KJ", "DMEPOS item, parenteral or enteral pump, months four to fifteen"),
    _m("JW", "Drug amount discarded, not given to any patient"),
    _m("JZ", "No drug amount discarded from a single-dose container"),
    _m("JG", "Drug or biological bought under the 340B program"),
    _m("TB", "Drug or biological bought under the 340B program (certain providers)"),
    # Quality reporting.
    _m("1P", "Performance measure exclusion: medical reasons"),
    _m("2P", "Performance measure exclusion: patient reasons"),
    _m("3P", "Performance measure exclusion: system reasons"),
    _m("8P", "Performance measure reporting: action not performed, reason not given"),
    # Medicaid and state programs.
    _m("EP", "Service under the EPSDT (early and periodic screening) program"),
    _m("FP", "Service under a family planning program"),
    _m("U1", "Payer-defined (Medicaid level of care 1)"),
    _m("HA", "Child or adolescent program"),
    _m("HB", "Adult program, non-geriatric"),
    _m("HC", "Adult program, geriatric"),
    _m("HD", "Pregnant or parenting women's program"),
    _m("HE", "Mental health program"),
    _m("HF", "Substance use program"),
    _m("TH", "Obstetrical treatment or services, prenatal or postpartum"),
    *_ANATOMIC,
)

MODIFIERS: Final[dict[str, Modifier]] = {entry.code: entry for entry in _TABLE}

NCCI_PTP_MODIFIERS: Final[frozenset[str]] = frozenset(
    entry.code for entry in _TABLE if entry.ncci_ptp
)

# Modifiers that contradict each other on one service line, with the fix to suggest.
CONFLICTING_MODIFIERS: Final[tuple[tuple[str, str, str], ...]] = (
    ("LT", "RT", "a service on both sides is one line with modifier 50, or two lines (LT, RT)"),
    ("50", "LT", "modifier 50 already says both sides; drop LT"),
    ("50", "RT", "modifier 50 already says both sides; drop RT"),
    ("26", "TC", "a global service is billed with neither 26 nor TC"),
    ("GA", "GZ", "either a waiver (ABN) is on file (GA) or it is not (GZ)"),
    ("GA", "GY", "GY is for statutory exclusions, GA for an ABN on a medical necessity denial"),
    ("GY", "GZ", "GY is for statutory exclusions, GZ for a missing ABN"),
    ("52", "53", "a reduced (52) and a discontinued (53) service are different cases"),
    ("76", "77", "the repeat was by the same (76) or another (77) physician"),
    ("AA", "QK", "an anesthesiologist either performed (AA) or directed (QK) the case"),
    ("QX", "QZ", "the nurse anesthetist was either directed (QX) or not (QZ)"),
)


def modifier(code: str) -> Modifier | None:
    """The modifier for a two-character code (any case), or None when not in this table."""
    return MODIFIERS.get(code.strip().upper())
