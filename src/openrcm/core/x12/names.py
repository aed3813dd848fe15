"""Names of segments, elements and code values, for ``openrcm x12 show`` and error messages.

Generic names (the same in every set) live in :data:`SEGMENTS` and :data:`ELEMENTS`; names that
depend on the transaction set or the loop are registered per set with :func:`register`
(``register("835", segments={("1000A", "N1"): "Payer Identification"}, ...)``). Code meanings are
keyed by element reference (``"CLP02"``), optionally per set. Descriptions are our own short
wording; the code lists themselves are maintained by X12 and CMS.
"""

from __future__ import annotations

from collections.abc import Mapping

# -- generic -----------------------------------------------------------------------------

SEGMENTS: dict[str, str] = {
    "ISA": "Interchange Control Header",
    "IEA": "Interchange Control Trailer",
    "GS": "Functional Group Header",
    "GE": "Functional Group Trailer",
    "ST": "Transaction Set Header",
    "SE": "Transaction Set Trailer",
    "TA1": "Interchange Acknowledgment",
    "BPR": "Financial Information",
    "TRN": "Trace Number",
    "CUR": "Foreign Currency Information",
    "REF": "Reference Information",
    "DTM": "Date/Time Reference",
    "DTP": "Date or Time Period",
    "N1": "Party Identification",
    "N3": "Party Location (address)",
    "N4": "Geographic Location (city, state, ZIP)",
    "PER": "Contact Information",
    "RDM": "Remittance Delivery Method",
    "LX": "Header Number",
    "TS3": "Provider Summary Information",
    "TS2": "Provider Supplemental Summary Information",
    "CLP": "Claim Payment Information",
    "CAS": "Claim Adjustment",
    "NM1": "Individual or Organizational Name",
    "MIA": "Inpatient Adjudication Information",
    "MOA": "Outpatient Adjudication Information",
    "AMT": "Monetary Amount",
    "QTY": "Quantity",
    "SVC": "Service Payment Information",
    "LQ": "Remark Code",
    "PLB": "Provider Level Adjustment",
    "AK1": "Functional Group Response Header",
    "AK2": "Transaction Set Response Header",
    "IK3": "Error Identification (segment)",
    "CTX": "Context",
    "IK4": "Implementation Data Element Note",
    "IK5": "Transaction Set Response Trailer",
    "AK9": "Functional Group Response Trailer",
    "HL": "Hierarchical Level",
    "BHT": "Beginning of Hierarchical Transaction",
}

_E = dict[str, tuple[str, ...]]

ELEMENTS: _E = {
    "ISA": (
        "Authorization Information Qualifier", "Authorization Information",
        "Security Information Qualifier", "Security Information", "Sender ID Qualifier",
        "Sender ID", "Receiver ID Qualifier", "Receiver ID", "Interchange Date (YYMMDD)",
        "Interchange Time (HHMM)", "Repetition Separator", "Interchange Version",
        "Interchange Control Number", "Acknowledgment Requested", "Usage Indicator",
        "Component Element Separator",
    ),
    "IEA": ("Number of Included Functional Groups", "Interchange Control Number"),
    "GS": (
        "Functional Identifier Code", "Application Sender's Code",
        "Application Receiver's Code", "Date (CCYYMMDD)", "Time", "Group Control Number",
        "Responsible Agency Code", "Version / Implementation Guide",
    ),
    "GE": ("Number of Transaction Sets Included", "Group Control Number"),
    "ST": (
        "Transaction Set Identifier Code", "Transaction Set Control Number",
        "Implementation Convention Reference",
    ),
    "SE": ("Number of Included Segments", "Transaction Set Control Number"),
    "TA1": (
        "Interchange Control Number", "Interchange Date", "Interchange Time",
        "Interchange Acknowledgment Code", "Interchange Note Code",
    ),
    "REF": ("Reference Identification Qualifier", "Reference Identification"),
    "DTM": ("Date/Time Qualifier", "Date"),
    "DTP": ("Date/Time Qualifier", "Date Format Qualifier", "Date or Period"),
    "N1": ("Entity Identifier Code", "Name", "Identification Code Qualifier",
           "Identification Code"),
    "N3": ("Address Line 1", "Address Line 2"),
    "N4": ("City", "State", "Postal Code", "Country Code", "Location Qualifier",
           "Location Identifier", "Country Subdivision Code"),
    "PER": ("Contact Function Code", "Name", "Communication Number Qualifier",
            "Communication Number", "Communication Number Qualifier", "Communication Number",
            "Communication Number Qualifier", "Communication Number"),
    "NM1": ("Entity Identifier Code", "Entity Type Qualifier", "Last or Organization Name",
            "First Name", "Middle Name", "Name Prefix", "Name Suffix",
            "Identification Code Qualifier", "Identification Code"),
    "AMT": ("Amount Qualifier Code", "Monetary Amount"),
    "QTY": ("Quantity Qualifier", "Quantity"),
    "HL": ("Hierarchical ID Number", "Hierarchical Parent ID Number", "Hierarchical Level Code",
           "Hierarchical Child Code"),
    # 835
    "BPR": (
        "Transaction Handling Code", "Total Actual Provider Payment Amount",
        "Credit/Debit Flag", "Payment Method Code", "Payment Format Code",
        "Sender DFI ID Qualifier", "Sender DFI Identifier", "Sender Account Qualifier",
        "Sender Account Number", "Payer Identifier", "Originating Company Supplemental Code",
        "Receiver DFI ID Qualifier", "Receiver DFI Identifier", "Receiver Account Qualifier",
        "Receiver Account Number", "Check Issue or EFT Effective Date",
    ),
    "TRN": ("Trace Type Code", "Check or EFT Trace Number", "Payer Identifier",
            "Originating Company Supplemental Code"),
    "CUR": ("Entity Identifier Code", "Currency Code"),
    "RDM": ("Report Transmission Code", "Name", "Communication Number"),
    "LX": ("Assigned Number",),
    "TS3": (
        "Provider Identifier", "Facility Type Code", "Fiscal Period Date", "Total Claim Count",
        "Total Claim Charge Amount", "", "", "", "", "", "", "", "Total MSP Payer Amount", "",
        "Total Non-Lab Charge Amount", "", "Total HCPCS Reported Charge Amount",
        "Total HCPCS Payable Amount", "", "Total Professional Component Amount",
        "Total MSP Patient Liability Met Amount", "Total Patient Reimbursement Amount",
        "Total PIP Claim Count", "Total PIP Adjustment Amount",
    ),
    "TS2": (
        "Total DRG Amount", "Total Federal Specific Amount", "Total Hospital Specific Amount",
        "Total Disproportionate Share Amount", "Total Capital Amount",
        "Total Indirect Medical Education Amount", "Total Outlier Day Count",
        "Total Day Outlier Amount", "Total Cost Outlier Amount", "Average DRG Length of Stay",
        "Total Discharge Count", "Total Cost Report Day Count", "Total Covered Day Count",
        "Total Noncovered Day Count", "Total MSP Pass-Through Amount", "Average DRG Weight",
        "Total PPS Capital FSP DRG Amount", "Total PPS Capital HSP DRG Amount",
        "Total PPS DSH DRG Amount",
    ),
    "CLP": (
        "Patient Control Number", "Claim Status Code", "Total Claim Charge Amount",
        "Claim Payment Amount", "Patient Responsibility Amount", "Claim Filing Indicator Code",
        "Payer Claim Control Number", "Facility Type Code", "Claim Frequency Type Code", "",
        "DRG Code", "DRG Weight", "Discharge Fraction",
    ),
    "CAS": (
        "Claim Adjustment Group Code", "Adjustment Reason Code", "Adjustment Amount",
        "Adjustment Quantity", "Adjustment Reason Code", "Adjustment Amount",
        "Adjustment Quantity", "Adjustment Reason Code", "Adjustment Amount",
        "Adjustment Quantity", "Adjustment Reason Code", "Adjustment Amount",
        "Adjustment Quantity", "Adjustment Reason Code", "Adjustment Amount",
        "Adjustment Quantity", "Adjustment Reason Code", "Adjustment Amount",
        "Adjustment Quantity",
    ),
    "MIA": (
        "Covered Days or Visits Count", "PPS Operating Outlier Amount",
        "Lifetime Psychiatric Days Count", "Claim DRG Amount", "Claim Payment Remark Code",
        "Claim Disproportionate Share Amount", "Claim MSP Pass-Through Amount",
        "Claim PPS Capital Amount", "PPS Capital FSP DRG Amount", "PPS Capital HSP DRG Amount",
        "PPS Capital DSH DRG Amount", "Old Capital Amount", "PPS Capital IME Amount",
        "PPS Operating Hospital Specific DRG Amount", "Cost Report Day Count",
        "PPS Operating Federal Specific DRG Amount", "Claim PPS Capital Outlier Amount",
        "Claim Indirect Teaching Amount", "Nonpayable Professional Component Amount",
        "Claim Payment Remark Code", "Claim Payment Remark Code", "Claim Payment Remark Code",
        "Claim Payment Remark Code", "PPS Capital Exception Amount",
    ),
    "MOA": (
        "Reimbursement Rate", "HCPCS Payable Amount", "Claim Payment Remark Code",
        "Claim Payment Remark Code", "Claim Payment Remark Code", "Claim Payment Remark Code",
        "Claim Payment Remark Code", "ESRD Payment Amount",
        "Nonpayable Professional Component Amount",
    ),
    "SVC": (
        "Composite Medical Procedure Identifier", "Line Item Charge Amount",
        "Line Item Provider Payment Amount", "National Uniform Billing Committee Revenue Code",
        "Units of Service Paid Count", "Composite Medical Procedure Identifier (as submitted)",
        "Original Units of Service Count",
    ),
    "LQ": ("Code List Qualifier Code", "Remark Code"),
    "PLB": (
        "Provider Identifier", "Fiscal Period Date", "Adjustment Identifier",
        "Provider Adjustment Amount", "Adjustment Identifier", "Provider Adjustment Amount",
        "Adjustment Identifier", "Provider Adjustment Amount", "Adjustment Identifier",
        "Provider Adjustment Amount", "Adjustment Identifier", "Provider Adjustment Amount",
        "Adjustment Identifier", "Provider Adjustment Amount",
    ),
    # 999
    "AK1": ("Functional Identifier Code", "Group Control Number",
            "Version / Implementation Guide"),
    "AK2": ("Transaction Set Identifier Code", "Transaction Set Control Number",
            "Implementation Convention Reference"),
    "IK3": ("Segment ID Code", "Segment Position in Transaction Set", "Loop Identifier Code",
            "Implementation Segment Syntax Error Code"),
    "CTX": ("Context Identification", "Segment ID Code", "Segment Position in Transaction Set",
            "Loop Identifier Code", "Position in Segment", "Reference in Segment"),
    "IK4": ("Position in Segment", "Data Element Reference Number",
            "Implementation Data Element Syntax Error Code", "Copy of Bad Data Element"),
    "IK5": ("Transaction Set Acknowledgment Code", "Implementation Syntax Error Code",
            "Implementation Syntax Error Code", "Implementation Syntax Error Code",
            "Implementation Syntax Error Code", "Implementation Syntax Error Code"),
    "AK9": ("Functional Group Acknowledge Code", "Number of Transaction Sets Included",
            "Number of Received Transaction Sets", "Number of Accepted Transaction Sets",
            "Functional Group Syntax Error Code", "Functional Group Syntax Error Code",
            "Functional Group Syntax Error Code", "Functional Group Syntax Error Code",
            "Functional Group Syntax Error Code"),
}  # fmt: skip

# Components of composites: key "SVC01" -> component names.
COMPONENTS: _E = {
    "SVC01": ("Product/Service ID Qualifier", "Procedure Code", "Modifier 1", "Modifier 2",
              "Modifier 3", "Modifier 4", "Description", "Product/Service ID"),
    "SVC06": ("Product/Service ID Qualifier", "Procedure Code", "Modifier 1", "Modifier 2",
              "Modifier 3", "Modifier 4", "Description"),
    "PLB03": ("Adjustment Reason Code", "Reference Identification"),
    "PLB05": ("Adjustment Reason Code", "Reference Identification"),
    "PLB07": ("Adjustment Reason Code", "Reference Identification"),
    "PLB09": ("Adjustment Reason Code", "Reference Identification"),
    "PLB11": ("Adjustment Reason Code", "Reference Identification"),
    "PLB13": ("Adjustment Reason Code", "Reference Identification"),
    "IK401": ("Element Position in Segment", "Component Data Element Position",
              "Repeating Data Element Position"),
    "CTX01": ("Context Name", "Context Reference"),
    "CTX05": ("Element Position in Segment", "Component Data Element Position",
              "Repeating Data Element Position"),
    "CTX06": ("Data Element Reference Number", "Data Element Reference Number"),
}  # fmt: skip

_C = dict[str, dict[str, str]]

CODES: _C = {
    "ISA14": {"0": "no acknowledgment requested", "1": "TA1 requested"},
    "ISA15": {"P": "production data", "T": "test data", "I": "information"},
    "GS01": {
        "HP": "health care claim payment/advice (835)",
        "HC": "health care claim (837)",
        "FA": "functional acknowledgment (999)",
        "HN": "claim status notification (277)",
        "HR": "claim status request (276)",
        "HS": "eligibility inquiry (270)",
        "HB": "eligibility response (271)",
    },
    "TA104": {"A": "accepted", "E": "accepted with errors", "R": "rejected"},
    "TA105": {
        "000": "no error",
        "001": "ISA13 and IEA02 control numbers differ",
        "002": "this standard as noted in the control standards identifier is not supported",
        "003": "this version of the controls is not supported",
        "004": "the segment terminator is invalid",
        "005": "invalid sender ID qualifier",
        "006": "invalid sender ID",
        "007": "invalid receiver ID qualifier",
        "008": "invalid receiver ID",
        "009": "unknown receiver ID",
        "010": "invalid authorization information qualifier",
        "011": "invalid authorization information value",
        "012": "invalid security information qualifier",
        "013": "invalid security information value",
        "014": "invalid interchange date",
        "015": "invalid interchange time",
        "016": "invalid interchange standards identifier",
        "017": "invalid interchange version ID",
        "018": "invalid interchange control number",
        "019": "invalid acknowledgment requested value",
        "020": "invalid test indicator value",
        "021": "invalid number of included groups",
        "022": "invalid control structure",
        "023": "improper (premature) end of file",
        "024": "invalid interchange content",
        "025": "duplicate interchange control number",
        "026": "invalid data element separator",
        "027": "invalid component element separator",
        "028": "invalid delivery date in deferred delivery request",
        "029": "invalid delivery time in deferred delivery request",
        "030": "invalid delivery time code in deferred delivery request",
        "031": "invalid grade of service code",
    },
    "BPR01": {
        "C": "payment accompanies remittance advice",
        "D": "make payment only",
        "H": "notification only",
        "I": "remittance information only",
        "P": "prenotification of future transfers",
        "U": "split payment and remittance",
        "X": "handling party's option to split",
    },
    "BPR03": {"C": "credit", "D": "debit"},
    "BPR04": {
        "ACH": "automated clearing house (EFT)",
        "BOP": "financial institution option",
        "CHK": "check",
        "FWT": "federal reserve funds/wire transfer",
        "NON": "non-payment",
    },
    "BPR05": {
        "CCP": "cash concentration/disbursement plus addenda",
        "CTX": "corporate trade exchange",
    },
    "N101": {"PR": "payer", "PE": "payee"},
    "N103": {"XV": "CMS plan ID", "FI": "federal taxpayer ID", "XX": "NPI"},
    "PER01": {
        "CX": "payer's claim office",
        "BL": "technical department",
        "IC": "information contact",
    },
    "REF01": {
        "EV": "receiver identification",
        "F2": "version code (local)",
        "2U": "payer identification number",
        "EO": "submitter identification number",
        "HI": "health industry number",
        "NF": "NAIC code",
        "TJ": "federal taxpayer ID",
        "PQ": "payee identification",
        "0B": "state license number",
        "D3": "NCPDP pharmacy number",
        "6R": "line item control number",
        "1L": "group or policy number",
        "1W": "member identification number",
        "28": "employee identification number",
        "6P": "group number",
        "9A": "repriced claim reference number",
        "9C": "adjusted repriced claim reference number",
        "BB": "authorization number",
        "CE": "class of contract code",
        "EA": "medical record identification number",
        "F8": "original reference number",
        "G1": "prior authorization number",
        "G3": "predetermination of benefits identification number",
        "IG": "insurance policy number",
        "SY": "social security number",
        "1A": "Blue Cross provider number",
        "1B": "Blue Shield provider number",
        "1C": "Medicare provider number",
        "1D": "Medicaid provider number",
        "1G": "provider UPIN",
        "1H": "CHAMPUS identification number",
        "1J": "facility ID number",
        "G2": "provider commercial number",
        "LU": "location number",
        "1S": "APG number",
        "APC": "ambulatory payment classification",
        "E9": "attachment code",
        "RB": "rate code number",
        "HPI": "CMS NPI",
        "0K": "policy form identifying number",
    },
    "DTM01": {
        "405": "production date",
        "232": "claim statement period start",
        "233": "claim statement period end",
        "036": "coverage expiration",
        "050": "received",
        "150": "service period start",
        "151": "service period end",
        "472": "service date",
    },
    "CLP02": {
        "1": "processed as primary",
        "2": "processed as secondary",
        "3": "processed as tertiary",
        "4": "denied",
        "19": "processed as primary, forwarded to additional payer(s)",
        "20": "processed as secondary, forwarded to additional payer(s)",
        "21": "processed as tertiary, forwarded to additional payer(s)",
        "22": "reversal of previous payment",
        "23": "not our claim, forwarded",
        "25": "predetermination pricing only, no payment",
    },
    "CLP06": {
        "12": "PPO",
        "13": "POS",
        "14": "EPO",
        "15": "indemnity insurance",
        "16": "HMO Medicare risk",
        "17": "dental maintenance organization",
        "AM": "automobile medical",
        "CH": "TRICARE",
        "DS": "disability",
        "HM": "HMO",
        "LM": "liability medical",
        "MA": "Medicare part A",
        "MB": "Medicare part B",
        "MC": "Medicaid",
        "OF": "other federal program",
        "TV": "title V",
        "VA": "veterans affairs plan",
        "WC": "workers' compensation",
        "ZZ": "mutually defined",
    },
    "CAS01": {
        "CO": "contractual obligation (provider liability)",
        "OA": "other adjustment",
        "PI": "payer-initiated reduction",
        "PR": "patient responsibility",
    },
    "NM101": {
        "QC": "patient",
        "IL": "insured or subscriber",
        "74": "corrected insured",
        "82": "rendering provider",
        "TT": "transfer to (crossover carrier)",
        "PR": "payer (corrected priority payer)",
        "GB": "other insured",
    },
    "NM102": {"1": "person", "2": "non-person entity"},
    "NM108": {
        "MI": "member identification number",
        "HN": "health insurance claim number",
        "II": "unique health identifier",
        "34": "social security number",
        "MR": "Medicaid recipient identification number",
        "XX": "NPI",
        "FI": "federal taxpayer ID",
        "BD": "Blue Cross provider number",
        "BS": "Blue Shield provider number",
        "MC": "Medicaid provider number",
        "PC": "provider commercial number",
        "SL": "state license number",
        "UP": "UPIN",
        "C": "insured's changed unique identification number",
        "AD": "Blue Cross Blue Shield association plan code",
        "NI": "NAIC code",
        "PI": "payer identification",
        "PP": "pharmacy processor number",
        "XV": "CMS plan ID",
    },
    "AMT01": {
        "AU": "coverage amount",
        "D8": "discount amount",
        "DY": "per day limit",
        "F5": "patient amount paid",
        "I": "interest",
        "NL": "negative ledger balance",
        "T": "tax",
        "T2": "total claim before taxes",
        "ZK": "federal Medicare or Medicaid payment mandate category 1",
        "ZL": "mandate category 2",
        "ZM": "mandate category 3",
        "ZN": "mandate category 4",
        "ZO": "mandate category 5",
        "B6": "allowed (actual)",
        "KH": "deduction amount (late filing reduction)",
    },
    "SVC01-1": {
        "AD": "ADA dental codes",
        "ER": "jurisdiction specific procedure code",
        "HC": "HCPCS (incl. CPT)",
        "HP": "HIPPS",
        "IV": "HIEC product/service code",
        "N4": "NDC (5-4-2)",
        "N6": "NCPDP product/service ID",
        "NU": "NUBC revenue code",
        "UI": "UPC",
        "WK": "advanced billing concepts code",
    },
    "LQ01": {"HE": "claim payment remark code (RARC)", "RX": "NCPDP reject/payment code"},
    "PLB03-1": {
        "L6": "interest owed",
        "WO": "overpayment recovery",
        "FB": "forwarding balance",
        "72": "authorized return",
        "CS": "adjustment",
        "J1": "nonreimbursable",
        "50": "late charge",
        "90": "early payment allowance",
        "WU": "unspecified recovery",
        "CV": "capital passthru",
        "AP": "acceleration of benefits",
        "B2": "rebate",
        "B3": "recovery allowance",
        "BD": "bad debt adjustment",
        "BN": "bonus",
        "C5": "temporary allowance",
        "CR": "capitation interest",
        "CT": "capitation payment",
        "CW": "certified registered nurse anesthetist passthru",
        "DM": "direct medical education passthru",
        "E3": "withholding",
        "FC": "fund allocation",
        "GO": "graduate medical education passthru",
        "HM": "hemophilia clotting factor supplement",
        "IP": "incentive premium payment",
        "IR": "internal revenue service withholding",
        "IS": "interim settlement",
        "L3": "penalty",
        "LE": "levy",
        "LS": "lump sum",
        "OA": "organ acquisition passthru",
        "OB": "offset for affiliated providers",
        "PI": "periodic interim payment",
        "PL": "payment final",
        "RA": "retro-activity adjustment",
        "RE": "return on equity",
        "SL": "student loan repayment",
        "TL": "third party liability",
        "AH": "origination fee",
        "AM": "applied to borrower's account",
        "51": "interest penalty charge",
    },
    "IK501": {
        "A": "accepted",
        "E": "accepted but errors were noted",
        "M": "rejected, message authentication code failed",
        "R": "rejected",
        "W": "rejected, assurance failed validity tests",
        "X": "rejected, content after decryption could not be analyzed",
    },
    "AK901": {
        "A": "accepted",
        "E": "accepted, but errors were noted",
        "M": "rejected, message authentication code failed",
        "P": "partially accepted, at least one transaction set was rejected",
        "R": "rejected",
        "W": "rejected, assurance failed validity tests",
        "X": "rejected, content after decryption could not be analyzed",
    },
    "IK304": {
        "1": "unrecognized segment ID",
        "2": "unexpected segment",
        "3": "required segment missing",
        "4": "loop occurs over maximum times",
        "5": "segment exceeds maximum use",
        "6": "segment not in defined transaction set",
        "7": "segment not in proper sequence",
        "8": "segment has data element errors",
        "I4": 'implementation "not used" segment present',
        "I6": "implementation dependent segment missing",
        "I7": "implementation loop occurs under minimum times",
        "I8": "implementation segment below minimum use",
        "I9": 'implementation dependent "not used" segment present',
    },
    "IK403": {
        "1": "required data element missing",
        "2": "conditional required data element missing",
        "3": "too many data elements",
        "4": "data element too short",
        "5": "data element too long",
        "6": "invalid character in data element",
        "7": "invalid code value",
        "8": "invalid date",
        "9": "invalid time",
        "10": "exclusion condition violated",
        "12": "too many repetitions",
        "13": "too many components",
        "I6": "code value not used in implementation",
        "I9": "implementation dependent data element missing",
        "I10": 'implementation "not used" data element present',
        "I11": "implementation too few repetitions",
        "I12": "implementation pattern match failure",
        "I13": 'implementation dependent "not used" data element present',
    },
    "IK502": {
        "1": "transaction set not supported",
        "2": "transaction set trailer missing",
        "3": "control numbers in header and trailer do not match",
        "4": "number of included segments does not match actual count",
        "5": "one or more segments in error",
        "6": "missing or invalid transaction set identifier",
        "7": "missing or invalid transaction set control number",
        "18": "transaction set not in functional group",
        "19": "invalid transaction set implementation convention reference",
        "23": "transaction set control number not unique within the functional group",
        "I5": "implementation one or more segments in error",
        "I6": "implementation convention not supported",
    },
    "AK905": {
        "1": "functional group not supported",
        "2": "functional group version not supported",
        "3": "functional group trailer missing",
        "4": "group control number in the functional group header and trailer do not agree",
        "5": "number of included transaction sets does not match actual count",
        "6": "group control number violates syntax",
        "19": "functional group control number not unique within interchange",
    },
}
for _i in (3, 4, 5, 6):
    CODES[f"IK50{_i}"] = CODES["IK502"]
for _i in (6, 7, 8, 9):
    CODES[f"AK90{_i}"] = CODES["AK905"]
CODES["DTP01"] = CODES["DTM01"]
CODES["AK101"] = CODES["GS01"]
CODES["N103"] = {**CODES["N103"]}

# Per transaction set: segment names by (loop, segment id or "ID*QUAL"), loop names, codes.
_SET_SEGMENTS: dict[str, dict[tuple[str, str], str]] = {}
_SET_LOOPS: dict[str, dict[str, str]] = {}
_SET_CODES: dict[str, _C] = {}
_SET_ELEMENTS: dict[str, _E] = {}


def register(
    set_id: str,
    *,
    segments: Mapping[tuple[str, str], str] | None = None,
    loops: Mapping[str, str] | None = None,
    elements: Mapping[str, tuple[str, ...]] | None = None,
    codes: Mapping[str, dict[str, str]] | None = None,
) -> None:
    """Names specific to one transaction set (ST01). ``segments`` keys are (loop id, segment
    id) or (loop id, "NM1*QC") for a qualified segment; ``loops`` names loop ids; ``elements``
    and ``codes`` override the generic tables for this set."""
    if segments:
        _SET_SEGMENTS.setdefault(set_id, {}).update(segments)
    if loops:
        _SET_LOOPS.setdefault(set_id, {}).update(loops)
    if elements:
        _SET_ELEMENTS.setdefault(set_id, {}).update(elements)
    if codes:
        _SET_CODES.setdefault(set_id, {}).update(codes)


def segment_name(segment_id: str, *, set_id: str = "", loop: str = "", qualifier: str = "") -> str:
    """The best name known for a segment (by set, loop and qualifier, else generic)."""
    table = _SET_SEGMENTS.get(set_id)
    if table:
        for key in ((loop, f"{segment_id}*{qualifier}"), (loop, segment_id),
                    ("", f"{segment_id}*{qualifier}"), ("", segment_id)):  # fmt: skip
            name = table.get(key)
            if name:
                return name
    return SEGMENTS.get(segment_id, "")


def loop_name(loop: str, *, set_id: str = "") -> str:
    return _SET_LOOPS.get(set_id, {}).get(loop, "")


def element_name(segment_id: str, position: int, *, set_id: str = "") -> str:
    """The name of element ``position`` (1-based) of a segment, "" when unknown."""
    names = _SET_ELEMENTS.get(set_id, {}).get(segment_id) or ELEMENTS.get(segment_id, ())
    return names[position - 1] if 0 < position <= len(names) else ""


def component_name(segment_id: str, position: int, component: int) -> str:
    names = COMPONENTS.get(f"{segment_id}{position:02d}", ())
    return names[component - 1] if 0 < component <= len(names) else ""


def code_meaning(
    segment_id: str, position: int, value: str, *, set_id: str = "", component: int = 0
) -> str:
    """What a code value means, "" when unknown."""
    key = f"{segment_id}{position:02d}" + (f"-{component}" if component else "")
    table = _SET_CODES.get(set_id, {}).get(key) or CODES.get(key)
    if table is None and segment_id == "PLB" and component == 1 and position in (5, 7, 9, 11, 13):
        table = CODES.get("PLB03-1")
    return table.get(value, "") if table else ""


register(
    "835",
    loops={
        "header": "Header", "1000A": "Payer Identification", "1000B": "Payee Identification",
        "2000": "Header Number", "2100": "Claim Payment Information",
        "2110": "Service Payment Information", "footer": "Provider Adjustments",
    },
    segments={
        ("header", "REF*EV"): "Receiver Identification",
        ("header", "REF*F2"): "Version Identification",
        ("header", "DTM*405"): "Production Date",
        ("1000A", "N1"): "Payer Identification",
        ("1000A", "N3"): "Payer Address",
        ("1000A", "N4"): "Payer City, State, ZIP Code",
        ("1000A", "REF"): "Additional Payer Identification",
        ("1000A", "PER*CX"): "Payer Business Contact Information",
        ("1000A", "PER*BL"): "Payer Technical Contact Information",
        ("1000A", "PER*IC"): "Payer Web Site",
        ("1000B", "N1"): "Payee Identification",
        ("1000B", "N3"): "Payee Address",
        ("1000B", "N4"): "Payee City, State, ZIP Code",
        ("1000B", "REF"): "Payee Additional Identification",
        ("2100", "NM1*QC"): "Patient Name",
        ("2100", "NM1*IL"): "Insured Name",
        ("2100", "NM1*74"): "Corrected Patient/Insured Name",
        ("2100", "NM1*82"): "Service Provider Name",
        ("2100", "NM1*TT"): "Crossover Carrier Name",
        ("2100", "NM1*PR"): "Corrected Priority Payer Name",
        ("2100", "NM1*GB"): "Other Subscriber Name",
        ("2100", "REF"): "Other Claim Related Identification",
        ("2100", "DTM*232"): "Statement From Date",
        ("2100", "DTM*233"): "Statement To Date",
        ("2100", "DTM*036"): "Coverage Expiration Date",
        ("2100", "DTM*050"): "Claim Received Date",
        ("2100", "PER"): "Claim Contact Information",
        ("2100", "AMT"): "Claim Supplemental Information",
        ("2100", "QTY"): "Claim Supplemental Information Quantity",
        ("2110", "DTM"): "Service Date",
        ("2110", "CAS"): "Service Adjustment",
        ("2110", "REF*6R"): "Line Item Control Number",
        ("2110", "REF"): "Service Identification",
        ("2110", "AMT*B6"): "Allowed Amount",
        ("2110", "AMT"): "Service Supplemental Amount",
        ("2110", "QTY"): "Service Supplemental Quantity",
        ("2110", "LQ"): "Health Care Remark Codes",
        ("footer", "PLB"): "Provider Adjustment",
    },
)  # fmt: skip

register(
    "999",
    loops={
        "header": "Header", "2000": "Transaction Set Response",
        "2100": "Error Identification", "2110": "Implementation Data Element Note",
    },
    segments={
        ("2100", "CTX"): "Segment Context",
        ("2110", "CTX"): "Element Context",
    },
)  # fmt: skip
