"""Claim adjustment reason codes (CARC; 835 CAS02, CAS05, ...): what each means in our own short
words, its denial category and the next action a billing team takes.

The code list is maintained by X12 (the Claim Adjustment Reason Code committee); this table
holds the codes small practices see. A code not listed gets the ``general`` category and the
action "read the remark codes" from :func:`carc`.

``is_denial`` is False for amounts that are not denials to work: contractual write-offs (45,
253 ...) and patient responsibility (1, 2, 3 ...). Whether a line is a denial also depends on
the CAS group code (CO, PR, OA, PI); the posting engine decides with both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = ["CARCS", "Carc", "DenialCategory", "NextAction", "carc"]


class DenialCategory(StrEnum):
    ELIGIBILITY = "eligibility"
    AUTHORIZATION = "authorization"
    CODING = "coding"
    BUNDLING = "bundling"
    MEDICAL_NECESSITY = "medical necessity"
    TIMELY_FILING = "timely filing"
    DUPLICATE = "duplicate"
    COORDINATION_OF_BENEFITS = "coordination of benefits"
    MISSING_INFORMATION = "missing information"
    NON_COVERED = "non-covered"
    CONTRACTUAL = "contractual"
    PATIENT_RESPONSIBILITY = "patient responsibility"
    CREDENTIALING = "credentialing"
    BENEFIT_LIMIT = "benefit limit"
    NETWORK = "network"
    GENERAL = "general"


class NextAction(StrEnum):
    """What to do next; the value is the sentence a worklist shows."""

    CORRECT_AND_RESUBMIT = "correct the claim and resubmit it as a replacement (frequency 7)"
    APPEAL = "appeal with the medical records"
    SEND_RECORDS = "send the requested records or attachments"
    VERIFY_ELIGIBILITY = "verify eligibility; bill the right payer or the patient"
    FIX_PATIENT_IDENTITY = "correct the member id and patient data, then resubmit"
    BILL_OTHER_PAYER = "bill the payer that is responsible"
    UPDATE_COB = "update the coordination of benefits and bill the primary payer"
    OBTAIN_AUTHORIZATION = "obtain a retroactive authorization and appeal"
    CHECK_BUNDLING = "check NCCI edits and modifiers; correct, appeal, or write off"
    VERIFY_ORIGINAL = "check the status of the original claim; do not resubmit"
    APPEAL_TIMELY_FILING = "appeal with proof of timely filing, else write off"
    BILL_PATIENT_IF_WAIVER = "bill the patient if a signed waiver (ABN) exists, else write off"
    BILL_NEXT_PAYER_OR_PATIENT = "bill the next payer, or the patient on a statement"
    WRITE_OFF = "write off as a contractual adjustment"
    POST_INFORMATIONAL = "post as information; nothing to collect from it"
    FIX_ENROLLMENT = "fix the provider's enrollment or credentialing, then resubmit"
    READ_REMARKS = "read the remark codes (RARC) to find the reason"
    REVIEW = "review against the contract; appeal if it is not supported"
    WAIT = "wait: the payer has not finished with the claim"


@dataclass(frozen=True, slots=True)
class Carc:
    code: str
    description: str
    category: DenialCategory
    next_action: NextAction
    is_denial: bool = True


_C = DenialCategory
_A = NextAction


def _c(
    code: str,
    description: str,
    category: DenialCategory,
    action: NextAction,
    *,
    denial: bool = True,
) -> Carc:
    return Carc(code, description, category, action, denial)


_TABLE: Final = (
    _c(
        "1",
        "Deductible amount",
        _C.PATIENT_RESPONSIBILITY,
        _A.BILL_NEXT_PAYER_OR_PATIENT,
        denial=False,
    ),
    _c(
        "2",
        "Coinsurance amount",
        _C.PATIENT_RESPONSIBILITY,
        _A.BILL_NEXT_PAYER_OR_PATIENT,
        denial=False,
    ),
    _c(
        "3",
        "Copayment amount",
        _C.PATIENT_RESPONSIBILITY,
        _A.BILL_NEXT_PAYER_OR_PATIENT,
        denial=False,
    ),
    _c("4", "Modifier missing or does not fit the procedure", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("5", "Procedure does not fit the place of service", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("6", "Procedure does not fit the patient's age", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("7", "Procedure does not fit the patient's sex", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c(
        "8",
        "Procedure does not fit the provider's type or specialty",
        _C.CREDENTIALING,
        _A.FIX_ENROLLMENT,
    ),
    _c("9", "Diagnosis does not fit the patient's age", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("10", "Diagnosis does not fit the patient's sex", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("11", "Diagnosis does not support the procedure", _C.CODING, _A.APPEAL),
    _c("12", "Diagnosis does not fit the provider type", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("13", "Patient died before the date of service", _C.ELIGIBILITY, _A.CORRECT_AND_RESUBMIT),
    _c(
        "14",
        "Patient's birth date is after the date of service",
        _C.CODING,
        _A.CORRECT_AND_RESUBMIT,
    ),
    _c(
        "15",
        "Authorization number missing, invalid, or not for this service or provider",
        _C.AUTHORIZATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    _c(
        "16",
        "Claim lacks information or has billing errors (see the remark codes)",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    _c(
        "18",
        "Exact duplicate of a claim or service already received",
        _C.DUPLICATE,
        _A.VERIFY_ORIGINAL,
    ),
    _c(
        "19",
        "Work injury: the workers' compensation carrier is liable",
        _C.COORDINATION_OF_BENEFITS,
        _A.BILL_OTHER_PAYER,
    ),
    _c(
        "20",
        "Injury covered by a liability carrier",
        _C.COORDINATION_OF_BENEFITS,
        _A.BILL_OTHER_PAYER,
    ),
    _c(
        "21",
        "Injury covered by a no-fault carrier",
        _C.COORDINATION_OF_BENEFITS,
        _A.BILL_OTHER_PAYER,
    ),
    _c(
        "22",
        "Another payer may be primary (coordination of benefits)",
        _C.COORDINATION_OF_BENEFITS,
        _A.UPDATE_COB,
    ),
    _c(
        "23",
        "Effect of the prior payer's payment and adjustments",
        _C.COORDINATION_OF_BENEFITS,
        _A.POST_INFORMATIONAL,
        denial=False,
    ),
    _c(
        "24",
        "Covered by a capitation agreement or managed care plan",
        _C.CONTRACTUAL,
        _A.WRITE_OFF,
        denial=False,
    ),
    _c("26", "Service before coverage began", _C.ELIGIBILITY, _A.VERIFY_ELIGIBILITY),
    _c("27", "Service after coverage ended", _C.ELIGIBILITY, _A.VERIFY_ELIGIBILITY),
    _c("29", "Filing time limit has passed", _C.TIMELY_FILING, _A.APPEAL_TIMELY_FILING),
    _c(
        "31",
        "Patient not identified as a member of this plan",
        _C.ELIGIBILITY,
        _A.FIX_PATIENT_IDENTITY,
    ),
    _c("32", "Patient is not an eligible dependent", _C.ELIGIBILITY, _A.VERIFY_ELIGIBILITY),
    _c("33", "Subscriber has no dependent coverage", _C.ELIGIBILITY, _A.VERIFY_ELIGIBILITY),
    _c("34", "Subscriber has no newborn coverage", _C.ELIGIBILITY, _A.VERIFY_ELIGIBILITY),
    _c("35", "Lifetime benefit maximum reached", _C.BENEFIT_LIMIT, _A.BILL_NEXT_PAYER_OR_PATIENT),
    _c("39", "Authorization was requested and denied", _C.AUTHORIZATION, _A.APPEAL),
    _c(
        "40",
        "Does not meet the terms for emergency or urgent care",
        _C.MEDICAL_NECESSITY,
        _A.APPEAL,
    ),
    _c(
        "45",
        "Charge above the fee schedule or contracted amount",
        _C.CONTRACTUAL,
        _A.WRITE_OFF,
        denial=False,
    ),
    _c(
        "49", "Routine or preventive service not covered", _C.NON_COVERED, _A.BILL_PATIENT_IF_WAIVER
    ),
    _c("50", "Not medically necessary in the payer's judgment", _C.MEDICAL_NECESSITY, _A.APPEAL),
    _c("51", "Pre-existing condition not covered", _C.NON_COVERED, _A.BILL_PATIENT_IF_WAIVER),
    _c("53", "Service by a relative or household member not covered", _C.NON_COVERED, _A.WRITE_OFF),
    _c("54", "Multiple surgeons or assistants not covered here", _C.CODING, _A.APPEAL),
    _c("55", "Experimental or investigational", _C.NON_COVERED, _A.APPEAL),
    _c("56", "Not proven effective", _C.NON_COVERED, _A.APPEAL),
    _c(
        "58",
        "Place of service not appropriate for the treatment",
        _C.CODING,
        _A.CORRECT_AND_RESUBMIT,
    ),
    _c(
        "59",
        "Reduced under multiple or concurrent procedure rules",
        _C.CONTRACTUAL,
        _A.REVIEW,
        denial=False,
    ),
    _c(
        "96", "Non-covered charge (see the remark codes)", _C.NON_COVERED, _A.BILL_PATIENT_IF_WAIVER
    ),
    _c("97", "Paid as part of another service already adjudicated", _C.BUNDLING, _A.CHECK_BUNDLING),
    _c(
        "100",
        "Payment went to the patient or subscriber",
        _C.PATIENT_RESPONSIBILITY,
        _A.BILL_NEXT_PAYER_OR_PATIENT,
        denial=False,
    ),
    _c(
        "101",
        "Predetermination: expected payment once the service is done",
        _C.GENERAL,
        _A.POST_INFORMATIONAL,
        denial=False,
    ),
    _c("104", "Managed care withholding", _C.CONTRACTUAL, _A.WRITE_OFF, denial=False),
    _c(
        "107",
        "The related or qualifying service was not on this claim",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    _c(
        "109",
        "Not covered by this payer: send to the right payer",
        _C.ELIGIBILITY,
        _A.BILL_OTHER_PAYER,
    ),
    _c("110", "Billing date is before the date of service", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c(
        "112",
        "Service not furnished directly to the patient or not documented",
        _C.MEDICAL_NECESSITY,
        _A.APPEAL,
    ),
    _c("114", "Product not approved by the FDA", _C.NON_COVERED, _A.WRITE_OFF),
    _c("115", "Procedure postponed, cancelled or delayed", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c(
        "119",
        "Benefit maximum for the period or occurrence reached",
        _C.BENEFIT_LIMIT,
        _A.BILL_NEXT_PAYER_OR_PATIENT,
    ),
    _c("125", "Submission or billing errors", _C.MISSING_INFORMATION, _A.CORRECT_AND_RESUBMIT),
    _c(
        "128", "Newborn's services are covered in the mother's allowance", _C.BUNDLING, _A.WRITE_OFF
    ),
    _c(
        "129",
        "Prior processing information appears wrong",
        _C.COORDINATION_OF_BENEFITS,
        _A.CORRECT_AND_RESUBMIT,
    ),
    _c("131", "Claim-specific negotiated discount", _C.CONTRACTUAL, _A.WRITE_OFF, denial=False),
    _c("133", "Claim is pending further review", _C.GENERAL, _A.WAIT, denial=False),
    _c(
        "136",
        "Prior payer's coverage rules were not followed",
        _C.COORDINATION_OF_BENEFITS,
        _A.APPEAL,
    ),
    _c("140", "Member id and name do not match", _C.ELIGIBILITY, _A.FIX_PATIENT_IDENTITY),
    _c("144", "Incentive adjustment", _C.CONTRACTUAL, _A.POST_INFORMATIONAL, denial=False),
    _c("146", "Diagnosis was invalid on the date of service", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("147", "Contracted rate expired or not on file", _C.CONTRACTUAL, _A.REVIEW),
    _c(
        "149",
        "Lifetime benefit maximum for this service reached",
        _C.BENEFIT_LIMIT,
        _A.BILL_NEXT_PAYER_OR_PATIENT,
    ),
    _c(
        "150", "Information does not support this level of service", _C.MEDICAL_NECESSITY, _A.APPEAL
    ),
    _c(
        "151",
        "Information does not support this many or this frequency of services",
        _C.MEDICAL_NECESSITY,
        _A.APPEAL,
    ),
    _c(
        "152",
        "Information does not support this length of service",
        _C.MEDICAL_NECESSITY,
        _A.APPEAL,
    ),
    _c("155", "Patient refused the service", _C.NON_COVERED, _A.WRITE_OFF),
    _c(
        "163",
        "Attachment referenced on the claim was not received",
        _C.MISSING_INFORMATION,
        _A.SEND_RECORDS,
    ),
    _c("164", "Attachment was not received in time", _C.MISSING_INFORMATION, _A.SEND_RECORDS),
    _c(
        "166",
        "Submitted after this payer's responsibility ended",
        _C.TIMELY_FILING,
        _A.BILL_OTHER_PAYER,
    ),
    _c("167", "Diagnosis not covered", _C.MEDICAL_NECESSITY, _A.APPEAL),
    _c("170", "Not paid when this type of provider bills it", _C.CREDENTIALING, _A.FIX_ENROLLMENT),
    _c(
        "171",
        "Not paid when this type of provider bills it in this type of facility",
        _C.CREDENTIALING,
        _A.FIX_ENROLLMENT,
    ),
    _c("172", "Adjusted for the provider's specialty", _C.CREDENTIALING, _A.REVIEW),
    _c(
        "177",
        "Patient does not meet eligibility requirements",
        _C.ELIGIBILITY,
        _A.VERIFY_ELIGIBILITY,
    ),
    _c("181", "Procedure code invalid on the date of service", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("182", "Modifier invalid on the date of service", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("183", "Referring provider may not refer this service", _C.CREDENTIALING, _A.FIX_ENROLLMENT),
    _c(
        "184",
        "Ordering or prescribing provider may not order this service",
        _C.CREDENTIALING,
        _A.FIX_ENROLLMENT,
    ),
    _c(
        "185",
        "Rendering provider may not perform this service",
        _C.CREDENTIALING,
        _A.FIX_ENROLLMENT,
    ),
    _c(
        "187",
        "Paid from a consumer spending account",
        _C.PATIENT_RESPONSIBILITY,
        _A.POST_INFORMATIONAL,
        denial=False,
    ),
    _c(
        "189", "Unlisted code used where a specific code exists", _C.CODING, _A.CORRECT_AND_RESUBMIT
    ),
    _c("190", "Included in a skilled nursing facility stay", _C.BUNDLING, _A.WRITE_OFF),
    _c("193", "Original decision maintained", _C.GENERAL, _A.REVIEW),
    _c(
        "197",
        "Authorization or pre-certification absent",
        _C.AUTHORIZATION,
        _A.OBTAIN_AUTHORIZATION,
    ),
    _c(
        "198",
        "Authorization or pre-certification exceeded",
        _C.AUTHORIZATION,
        _A.OBTAIN_AUTHORIZATION,
    ),
    _c("199", "Revenue code and procedure code do not match", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("200", "Service during a lapse in coverage", _C.ELIGIBILITY, _A.VERIFY_ELIGIBILITY),
    _c(
        "204",
        "Not covered under the patient's current benefit plan",
        _C.NON_COVERED,
        _A.BILL_PATIENT_IF_WAIVER,
    ),
    _c("206", "NPI missing", _C.MISSING_INFORMATION, _A.CORRECT_AND_RESUBMIT),
    _c("207", "NPI invalid", _C.MISSING_INFORMATION, _A.CORRECT_AND_RESUBMIT),
    _c("208", "NPI does not match the payer's records", _C.CREDENTIALING, _A.FIX_ENROLLMENT),
    _c(
        "209",
        "Provider may not collect this amount from the patient",
        _C.CONTRACTUAL,
        _A.WRITE_OFF,
        denial=False,
    ),
    _c(
        "226",
        "Requested information not provided or incomplete",
        _C.MISSING_INFORMATION,
        _A.SEND_RECORDS,
    ),
    _c(
        "227",
        "Information requested from the patient not provided",
        _C.MISSING_INFORMATION,
        _A.SEND_RECORDS,
    ),
    _c(
        "231",
        "Mutually exclusive procedures on the same day or session",
        _C.BUNDLING,
        _A.CHECK_BUNDLING,
    ),
    _c("234", "Procedure not paid separately", _C.BUNDLING, _A.CHECK_BUNDLING),
    _c("235", "Sales tax", _C.CONTRACTUAL, _A.REVIEW, denial=False),
    _c(
        "236",
        "Procedure or modifier combination not allowed with another service the same day (NCCI)",
        _C.BUNDLING,
        _A.CHECK_BUNDLING,
    ),
    _c("237", "Legislated or regulatory penalty", _C.CONTRACTUAL, _A.WRITE_OFF, denial=False),
    _c("238", "Claim spans covered and uncovered periods", _C.ELIGIBILITY, _A.CORRECT_AND_RESUBMIT),
    _c("242", "Not provided by a network provider", _C.NETWORK, _A.APPEAL),
    _c(
        "243",
        "Not authorized by the network or primary care provider",
        _C.NETWORK,
        _A.OBTAIN_AUTHORIZATION,
    ),
    _c(
        "246",
        "Code for reporting only; not payable",
        _C.CONTRACTUAL,
        _A.POST_INFORMATIONAL,
        denial=False,
    ),
    _c("250", "Wrong attachment received", _C.MISSING_INFORMATION, _A.SEND_RECORDS),
    _c("251", "Attachment incomplete or deficient", _C.MISSING_INFORMATION, _A.SEND_RECORDS),
    _c(
        "252",
        "An attachment is required to adjudicate the claim",
        _C.MISSING_INFORMATION,
        _A.SEND_RECORDS,
    ),
    _c(
        "253",
        "Sequestration: reduction of the federal payment",
        _C.CONTRACTUAL,
        _A.WRITE_OFF,
        denial=False,
    ),
    _c("256", "Not payable under the managed care contract", _C.CONTRACTUAL, _A.REVIEW),
    _c(
        "270",
        "Received by the medical plan; benefits not available under it",
        _C.ELIGIBILITY,
        _A.BILL_OTHER_PAYER,
    ),
    _c("272", "Coverage or program guidelines not met", _C.MEDICAL_NECESSITY, _A.APPEAL),
    _c("273", "Coverage or program guidelines exceeded", _C.BENEFIT_LIMIT, _A.APPEAL),
    _c(
        "275",
        "Prior payer's patient responsibility not covered",
        _C.COORDINATION_OF_BENEFITS,
        _A.BILL_NEXT_PAYER_OR_PATIENT,
    ),
    _c(
        "276",
        "Denied by the prior payer, so not covered here",
        _C.COORDINATION_OF_BENEFITS,
        _A.REVIEW,
    ),
    _c("288", "Referral absent", _C.AUTHORIZATION, _A.OBTAIN_AUTHORIZATION),
    _c("A1", "Claim or service denied (see the remark codes)", _C.GENERAL, _A.READ_REMARKS),
    _c("B1", "Non-covered visits", _C.NON_COVERED, _A.BILL_PATIENT_IF_WAIVER),
    _c(
        "B7",
        "Provider not certified or eligible for this service on this date",
        _C.CREDENTIALING,
        _A.FIX_ENROLLMENT,
    ),
    _c("B9", "Patient is enrolled in a hospice", _C.ELIGIBILITY, _A.BILL_OTHER_PAYER),
    _c(
        "B10",
        "Reduced because a component of the procedure was already paid",
        _C.BUNDLING,
        _A.CHECK_BUNDLING,
    ),
    _c("B11", "Sent on to the proper payer", _C.COORDINATION_OF_BENEFITS, _A.WAIT, denial=False),
    _c(
        "B12", "Service not documented in the medical record", _C.MEDICAL_NECESSITY, _A.SEND_RECORDS
    ),
    _c("B13", "Previously paid", _C.DUPLICATE, _A.VERIFY_ORIGINAL),
    _c(
        "B15",
        "Requires a qualifying service that was not received or covered",
        _C.MISSING_INFORMATION,
        _A.CORRECT_AND_RESUBMIT,
    ),
    _c("B16", "New patient requirements not met", _C.CODING, _A.CORRECT_AND_RESUBMIT),
    _c("B20", "Service furnished in whole or part by another provider", _C.DUPLICATE, _A.REVIEW),
    _c("B22", "Payment adjusted for the diagnosis", _C.MEDICAL_NECESSITY, _A.REVIEW),
)

CARCS: Final[dict[str, Carc]] = {entry.code: entry for entry in _TABLE}


def carc(code: str) -> Carc:
    """The entry for a CARC; an unknown code gets the ``general`` category."""
    key = code.strip().upper()
    found = CARCS.get(key)
    if found is not None:
        return found
    return Carc(
        key,
        "Adjustment reason not in the OpenRCM table",
        DenialCategory.GENERAL,
        NextAction.READ_REMARKS,
    )
