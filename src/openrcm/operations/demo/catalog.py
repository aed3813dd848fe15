"""The fixed tables behind the demo book of business: practices, payers, fees and drugs.

Everything here is data, in our own words. Practice names, people and identifiers are made up
(NPIs carry a valid check digit; phone numbers use the 555-01xx range set aside for fiction).
Payers are real companies' plan names with realistic electronic payer ids and filing limits.
Amounts are US dollars as strings (Decimal-exact); the generator turns them into cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# --- Practices -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Town:
    city: str
    zip5: str


@dataclass(frozen=True, slots=True)
class ProviderRole:
    """A kind of clinician a practice employs: credential and NUCC taxonomy code."""

    credential: str
    taxonomy: str


@dataclass(frozen=True, slots=True)
class PracticeTemplate:
    specialty: str  # "family", "pediatrics", "orthopedics": selects the visit planner
    specialty_label: str
    name: str
    slug: str
    taxonomy: str  # the group's (billing provider's) taxonomy
    address_line1: str
    address_line2: str
    city: str
    zip5: str
    time_zone: str
    area_code: str
    ein_prefix: str
    locations: tuple[tuple[str, str, str, str], ...]  # (name, address line 1, city, zip5)
    towns: tuple[Town, ...]  # where its patients live
    providers: tuple[ProviderRole, ...]  # 2 to 4 clinicians, in order of hire
    fee_factor: str  # the practice's charges relative to the standard charge master


STATE: Final = "KY"

# Three practices of one billing company in Kentucky, which spans two time zones:
# Lexington and Louisville keep Eastern time, Bowling Green and Paducah keep Central time.
PRACTICES: Final[tuple[PracticeTemplate, ...]] = (
    PracticeTemplate(
        specialty="family",
        specialty_label="Family Medicine",
        name="Hickory Lane Family Medicine",
        slug="hickory-lane-family-medicine",
        taxonomy="207Q00000X",  # Family Medicine
        address_line1="2150 Harrodsburg Rd",
        address_line2="Suite 210",
        city="Lexington",
        zip5="40504",
        time_zone="America/New_York",
        area_code="859",
        ein_prefix="61",
        locations=(
            ("Hickory Lane - Harrodsburg Road", "2150 Harrodsburg Rd", "Lexington", "40504"),
            ("Hickory Lane - Nicholasville", "480 E Brannon Rd", "Nicholasville", "40356"),
        ),
        towns=(
            Town("Lexington", "40502"),
            Town("Lexington", "40503"),
            Town("Lexington", "40504"),
            Town("Lexington", "40509"),
            Town("Lexington", "40517"),
            Town("Nicholasville", "40356"),
            Town("Georgetown", "40324"),
            Town("Versailles", "40383"),
            Town("Winchester", "40391"),
            Town("Richmond", "40475"),
        ),
        providers=(
            ProviderRole("MD", "207Q00000X"),  # Family Medicine
            ProviderRole("DO", "207Q00000X"),
            ProviderRole("MD", "207QA0505X"),  # Family Medicine, Adult Medicine
            ProviderRole("APRN", "363LF0000X"),  # Nurse Practitioner, Family
        ),
        fee_factor="1.00",
    ),
    PracticeTemplate(
        specialty="pediatrics",
        specialty_label="Pediatrics",
        name="Little Acorns Pediatrics",
        slug="little-acorns-pediatrics",
        taxonomy="208000000X",  # Pediatrics
        address_line1="4010 Dupont Cir",
        address_line2="Suite 300",
        city="Louisville",
        zip5="40207",
        time_zone="America/Kentucky/Louisville",
        area_code="502",
        ein_prefix="61",
        locations=(
            ("Little Acorns - St. Matthews", "4010 Dupont Cir", "Louisville", "40207"),
            ("Little Acorns - Middletown", "12905 Shelbyville Rd", "Louisville", "40243"),
        ),
        towns=(
            Town("Louisville", "40205"),
            Town("Louisville", "40207"),
            Town("Louisville", "40220"),
            Town("Louisville", "40222"),
            Town("Louisville", "40241"),
            Town("Louisville", "40243"),
            Town("Jeffersontown", "40299"),
            Town("Shelbyville", "40065"),
            Town("La Grange", "40031"),
        ),
        providers=(
            ProviderRole("MD", "208000000X"),  # Pediatrics
            ProviderRole("MD", "208000000X"),
            ProviderRole("APRN", "363LP0200X"),  # Nurse Practitioner, Pediatrics
        ),
        fee_factor="0.95",
    ),
    PracticeTemplate(
        specialty="orthopedics",
        specialty_label="Orthopaedic Surgery",
        name="Limestone Orthopaedics & Sports Medicine",
        slug="limestone-orthopaedics",
        taxonomy="207X00000X",  # Orthopaedic Surgery
        address_line1="1720 Cave Mill Rd",
        address_line2="",
        city="Bowling Green",
        zip5="42104",
        time_zone="America/Chicago",
        area_code="270",
        ein_prefix="61",
        locations=(
            ("Limestone Ortho - Cave Mill", "1720 Cave Mill Rd", "Bowling Green", "42104"),
            ("Limestone Ortho - Glasgow", "220 Westwood St", "Glasgow", "42141"),
        ),
        towns=(
            Town("Bowling Green", "42101"),
            Town("Bowling Green", "42103"),
            Town("Bowling Green", "42104"),
            Town("Franklin", "42134"),
            Town("Glasgow", "42141"),
            Town("Scottsville", "42164"),
            Town("Russellville", "42276"),
            Town("Smiths Grove", "42171"),
        ),
        providers=(
            ProviderRole("MD", "207X00000X"),  # Orthopaedic Surgery
            ProviderRole("MD", "207XX0005X"),  # Orthopaedic Surgery, Sports Medicine
            ProviderRole("DO", "207XS0114X"),  # Adult Reconstructive Orthopaedic Surgery
            ProviderRole("PA-C", "363AS0400X"),  # Physician Assistant, Surgical
        ),
        fee_factor="1.10",
    ),
    PracticeTemplate(
        specialty="family",
        specialty_label="Family Medicine",
        name="Purchase Area Family Practice",
        slug="purchase-area-family-practice",
        taxonomy="207Q00000X",
        address_line1="2605 Kentucky Ave",
        address_line2="Suite 104",
        city="Paducah",
        zip5="42003",
        time_zone="America/Chicago",
        area_code="270",
        ein_prefix="61",
        locations=(("Purchase Area - Kentucky Avenue", "2605 Kentucky Ave", "Paducah", "42003"),),
        towns=(
            Town("Paducah", "42001"),
            Town("Paducah", "42003"),
            Town("Mayfield", "42066"),
            Town("Benton", "42025"),
            Town("Murray", "42071"),
        ),
        providers=(
            ProviderRole("MD", "207Q00000X"),
            ProviderRole("PA-C", "363AM0700X"),  # Physician Assistant, Medical
        ),
        fee_factor="0.95",
    ),
    PracticeTemplate(
        specialty="pediatrics",
        specialty_label="Pediatrics",
        name="Riverbend Children's Clinic",
        slug="riverbend-childrens-clinic",
        taxonomy="208000000X",
        address_line1="1201 Pleasant Valley Rd",
        address_line2="",
        city="Owensboro",
        zip5="42303",
        time_zone="America/Chicago",
        area_code="270",
        ein_prefix="61",
        locations=(
            (
                "Riverbend Children's - Pleasant Valley",
                "1201 Pleasant Valley Rd",
                "Owensboro",
                "42303",
            ),
        ),
        towns=(
            Town("Owensboro", "42301"),
            Town("Owensboro", "42303"),
            Town("Hawesville", "42348"),
            Town("Calhoun", "42327"),
        ),
        providers=(
            ProviderRole("MD", "208000000X"),
            ProviderRole("DO", "208000000X"),
            ProviderRole("APRN", "363LP0200X"),
        ),
        fee_factor="0.90",
    ),
    PracticeTemplate(
        specialty="orthopedics",
        specialty_label="Orthopaedic Surgery",
        name="Northern Kentucky Bone & Joint",
        slug="northern-kentucky-bone-joint",
        taxonomy="207X00000X",
        address_line1="560 Buttermilk Pike",
        address_line2="Suite 200",
        city="Crescent Springs",
        zip5="41017",
        time_zone="America/New_York",
        area_code="859",
        ein_prefix="61",
        locations=(
            (
                "NKY Bone & Joint - Crescent Springs",
                "560 Buttermilk Pike",
                "Crescent Springs",
                "41017",
            ),
            ("NKY Bone & Joint - Florence", "7380 Turfway Rd", "Florence", "41042"),
        ),
        towns=(
            Town("Covington", "41011"),
            Town("Fort Mitchell", "41017"),
            Town("Florence", "41042"),
            Town("Independence", "41051"),
            Town("Fort Thomas", "41075"),
        ),
        providers=(
            ProviderRole("MD", "207X00000X"),
            ProviderRole("MD", "207XS0117X"),  # Orthopaedic Surgery of the Spine
            ProviderRole("PA-C", "363AS0400X"),
        ),
        fee_factor="1.05",
    ),
)

# Share of the demo's patients (and so of its encounters) each specialty gets.
SPECIALTY_WEIGHT: Final[dict[str, int]] = {"family": 40, "pediatrics": 33, "orthopedics": 27}

STREETS: Final[tuple[str, ...]] = (
    "Maple Ave",
    "Oak St",
    "Chestnut St",
    "Walnut St",
    "Cedar Ln",
    "Dogwood Dr",
    "Redbud Ct",
    "Meadow Ln",
    "Park Ave",
    "Main St",
    "Church St",
    "Mill St",
    "Spring St",
    "Ridge Rd",
    "Hillcrest Dr",
    "Lakeview Dr",
    "Bluegrass Pkwy",
    "Stone Fence Rd",
    "Fox Run",
    "Cardinal Dr",
    "Tates Creek Rd",
    "Bardstown Rd",
    "Frankfort Ave",
    "Russellville Rd",
    "Scottsville Rd",
    "Old Mill Rd",
    "Willow Bend",
    "Sycamore St",
    "Persimmon Ridge Dr",
    "Sunset Blvd",
)

# --- Payers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PayerTemplate:
    key: str
    name: str
    payer_id: str
    claim_filing_indicator: str  # SBR09
    timely_filing_days: int
    appeal_days: int
    address_line1: str
    city: str
    state: str
    zip5: str
    phone: str
    allowance_factor: str | None  # contracted allowance / Medicare rate; None: no fee schedule
    pays_children: bool = True
    pays_adults: bool = True


PAYERS: Final[tuple[PayerTemplate, ...]] = (
    PayerTemplate(
        key="medicare",
        name="Medicare Part B (CGS, Kentucky)",
        payer_id="15102",
        claim_filing_indicator="MB",
        timely_filing_days=365,
        appeal_days=120,
        address_line1="PO Box 20018",
        city="Nashville",
        state="TN",
        zip5="37202",
        phone="8665900598",
        allowance_factor="1.00",
        pays_children=False,
    ),
    PayerTemplate(
        key="medicaid",
        name="Kentucky Medicaid",
        payer_id="KYMCD",
        claim_filing_indicator="MC",
        timely_filing_days=365,
        appeal_days=60,
        address_line1="PO Box 2101",
        city="Frankfort",
        state="KY",
        zip5="40602",
        phone="8006359582",
        allowance_factor="0.72",
    ),
    PayerTemplate(
        key="wellcare",
        name="WellCare of Kentucky (Medicaid)",
        payer_id="14163",
        claim_filing_indicator="MC",
        timely_filing_days=180,
        appeal_days=60,
        address_line1="PO Box 31372",
        city="Tampa",
        state="FL",
        zip5="33631",
        phone="8775485555",
        allowance_factor="0.76",
    ),
    PayerTemplate(
        key="anthem",
        name="Anthem Blue Cross and Blue Shield",
        payer_id="00660",
        claim_filing_indicator="BL",
        timely_filing_days=90,
        appeal_days=180,
        address_line1="PO Box 105187",
        city="Atlanta",
        state="GA",
        zip5="30348",
        phone="8006766532",
        allowance_factor="1.25",
    ),
    PayerTemplate(
        key="aetna",
        name="Aetna",
        payer_id="60054",
        claim_filing_indicator="CI",
        timely_filing_days=120,
        appeal_days=180,
        address_line1="PO Box 981106",
        city="El Paso",
        state="TX",
        zip5="79998",
        phone="8886323862",
        allowance_factor="1.30",
    ),
    PayerTemplate(
        key="uhc",
        name="UnitedHealthcare",
        payer_id="87726",
        claim_filing_indicator="CI",
        timely_filing_days=90,
        appeal_days=180,
        address_line1="PO Box 30555",
        city="Salt Lake City",
        state="UT",
        zip5="84130",
        phone="8778423210",
        allowance_factor="1.20",
    ),
    PayerTemplate(
        key="cigna",
        name="Cigna",
        payer_id="62308",
        claim_filing_indicator="12",  # PPO
        timely_filing_days=90,
        appeal_days=180,
        address_line1="PO Box 188061",
        city="Chattanooga",
        state="TN",
        zip5="37422",
        phone="8008822447",
        allowance_factor="1.35",
    ),
    PayerTemplate(
        key="humana_ma",
        name="Humana Medicare Advantage HMO",
        payer_id="61101",
        claim_filing_indicator="16",  # HMO Medicare risk
        timely_filing_days=180,
        appeal_days=60,
        address_line1="PO Box 14601",
        city="Lexington",
        state="KY",
        zip5="40512",
        phone="8004574708",
        allowance_factor="1.00",
        pays_children=False,
    ),
    PayerTemplate(
        key="medigap",
        name="AARP Medicare Supplement (UnitedHealthcare)",
        payer_id="36273",
        claim_filing_indicator="CI",
        timely_filing_days=365,
        appeal_days=180,
        address_line1="PO Box 740819",
        city="Atlanta",
        state="GA",
        zip5="30374",
        phone="8005230444",
        allowance_factor=None,  # a supplement pays Medicare's coinsurance: no own fee schedule
        pays_children=False,
    ),
)

MEDICARE_KEYS: Final = frozenset({"medicare", "humana_ma"})
MEDICAID_KEYS: Final = frozenset({"medicaid", "wellcare"})
COMMERCIAL_KEYS: Final = ("anthem", "uhc", "aetna", "cigna")

# --- Procedures and fees ---------------------------------------------------------------------

# code: (Medicare-like allowance, standard practice charge). Drugs are per HCPCS billing unit.
FEES: Final[dict[str, tuple[str, str]]] = {
    # Office visits, new and established.
    "99202": ("72.50", "125.00"),
    "99203": ("112.00", "190.00"),
    "99204": ("168.00", "285.00"),
    "99205": ("222.00", "375.00"),
    "99211": ("23.00", "45.00"),
    "99212": ("56.50", "100.00"),
    "99213": ("91.00", "160.00"),
    "99214": ("129.00", "230.00"),
    "99215": ("182.00", "320.00"),
    # Preventive medicine, new (9938x) and established (9939x), by age band.
    "99381": ("140.00", "250.00"),
    "99382": ("145.00", "260.00"),
    "99383": ("150.00", "265.00"),
    "99384": ("165.00", "290.00"),
    "99385": ("160.00", "285.00"),
    "99386": ("185.00", "325.00"),
    "99387": ("200.00", "350.00"),
    "99391": ("125.00", "220.00"),
    "99392": ("133.00", "235.00"),
    "99393": ("132.00", "235.00"),
    "99394": ("142.00", "250.00"),
    "99395": ("144.00", "255.00"),
    "99396": ("154.00", "270.00"),
    "99397": ("165.00", "290.00"),
    # Medicare annual wellness visits and depression screening.
    "G0438": ("170.00", "285.00"),
    "G0439": ("133.00", "230.00"),
    "G0444": ("18.00", "35.00"),
    # Postoperative visit inside a global period: reported, never paid.
    "99024": ("0.00", "0.00"),
    # Tests and screenings.
    "36415": ("3.00", "25.00"),
    "81002": ("3.50", "20.00"),
    "83036": ("9.70", "40.00"),
    "85018": ("3.30", "20.00"),
    "87880": ("16.50", "45.00"),
    "93000": ("16.00", "75.00"),
    "94640": ("16.50", "55.00"),
    "96110": ("9.50", "30.00"),
    "96127": ("5.20", "25.00"),
    "99173": ("3.00", "20.00"),
    "92551": ("12.00", "30.00"),
    # Minor procedures and injections.
    "20526": ("98.00", "210.00"),
    "20550": ("50.00", "150.00"),
    "20610": ("61.00", "185.00"),
    "20611": ("95.00", "260.00"),
    "96372": ("16.00", "45.00"),
    "69210": ("52.00", "120.00"),
    "17110": ("112.00", "210.00"),
    "25600": ("297.00", "650.00"),
    # Radiology (global: professional and technical).
    "72100": ("36.00", "110.00"),
    "73030": ("31.00", "95.00"),
    "73110": ("33.00", "100.00"),
    "73502": ("43.00", "125.00"),
    "73560": ("32.00", "95.00"),
    "73562": ("38.00", "115.00"),
    "73610": ("32.00", "100.00"),
    "73630": ("32.00", "100.00"),
    # Drugs, per HCPCS unit.
    "J3301": ("1.60", "12.00"),  # triamcinolone acetonide, per 10 mg
    "J1030": ("4.20", "25.00"),  # methylprednisolone acetate, 40 mg
    "J7325": ("10.10", "28.00"),  # hylan G-F 20 (Synvisc/Synvisc-One), per 1 mg
    "J1885": ("0.30", "10.00"),  # ketorolac tromethamine, per 15 mg
    "J7613": ("0.05", "8.00"),  # albuterol inhalation solution, unit dose, per 1 mg
    # Immunization administration.
    "90460": ("22.00", "40.00"),  # through age 18 with counseling, first component
    "90461": ("14.00", "25.00"),  # each additional component
    "90471": ("17.00", "35.00"),  # first vaccine
    "90472": ("9.00", "20.00"),  # each additional vaccine
    "G0008": ("33.00", "40.00"),  # influenza vaccine administration (Medicare)
    "G0009": ("33.00", "40.00"),  # pneumococcal vaccine administration (Medicare)
    # Vaccines (the product).
    "90656": ("21.00", "40.00"),  # influenza, IIV3, preservative free, 0.5 mL
    "90677": ("270.00", "330.00"),  # pneumococcal conjugate, 20-valent
    "90723": ("100.00", "140.00"),  # DTaP-HepB-IPV
    "90648": ("27.00", "45.00"),  # Hib, PRP-T
    "90680": ("95.00", "125.00"),  # rotavirus, pentavalent
    "90707": ("92.00", "120.00"),  # MMR
    "90716": ("170.00", "210.00"),  # varicella
    "90633": ("40.00", "65.00"),  # hepatitis A, pediatric
    "90700": ("37.00", "60.00"),  # DTaP, under 7 years
    "90713": ("40.00", "60.00"),  # poliovirus, inactivated
    "90715": ("45.00", "70.00"),  # Tdap, 7 years and older
    "90734": ("150.00", "190.00"),  # meningococcal ACWY
    "90651": ("295.00", "350.00"),  # HPV, 9-valent
}

# Vaccine components: the first is 90460, each further one a unit of 90461.
VACCINE_COMPONENTS: Final[dict[str, int]] = {
    "90656": 1,
    "90677": 1,
    "90723": 5,
    "90648": 1,
    "90680": 1,
    "90707": 3,
    "90716": 1,
    "90633": 1,
    "90700": 3,
    "90713": 1,
    "90715": 3,
    "90734": 1,
    "90651": 1,
}

_COMMON: Final = (
    "99202",
    "99203",
    "99204",
    "99205",
    "99211",
    "99212",
    "99213",
    "99214",
    "99215",
)
# Each specialty's charge master: the codes its fee schedule lists.
SPECIALTY_CODES: Final[dict[str, tuple[str, ...]]] = {
    "family": (
        *_COMMON,
        # A family practice sees every age: a teenager's well visit is 99384/99394.
        "99381",
        "99382",
        "99383",
        "99384",
        "99385",
        "99386",
        "99387",
        "99391",
        "99392",
        "99393",
        "99394",
        "99395",
        "99396",
        "99397",
        "G0438",
        "G0439",
        "G0444",
        "36415",
        "81002",
        "83036",
        "87880",
        "93000",
        "20610",
        "96372",
        "69210",
        "17110",
        "J3301",
        "J1885",
        "90471",
        "90472",
        "G0008",
        "G0009",
        "90656",
        "90677",
    ),
    "pediatrics": (
        *_COMMON,
        "99381",
        "99382",
        "99383",
        "99384",
        "99385",
        "99391",
        "99392",
        "99393",
        "99394",
        "99395",
        "36415",
        "81002",
        "85018",
        "87880",
        "94640",
        "96110",
        "96127",
        "99173",
        "92551",
        "J7613",
        "90460",
        "90461",
        "90471",
        "90472",
        "90656",
        "90677",
        "90723",
        "90648",
        "90680",
        "90707",
        "90716",
        "90633",
        "90700",
        "90713",
        "90715",
        "90734",
        "90651",
    ),
    "orthopedics": (
        *_COMMON,
        "99024",
        "20526",
        "20550",
        "20610",
        "20611",
        "25600",
        "72100",
        "73030",
        "73110",
        "73502",
        "73560",
        "73562",
        "73610",
        "73630",
        "J3301",
        "J1030",
        "J7325",
    ),
}

# Vaccines for Children: a state-supplied vaccine is billed with modifier SL at no charge.
VFC_MODIFIER: Final = "SL"


@dataclass(frozen=True, slots=True)
class Drug:
    """A physician-administered drug: its NDC (11 digits) and the package quantity per dose."""

    ndc: str
    quantity: str
    unit: str  # ML, UN, GR ...


DRUGS: Final[dict[str, Drug]] = {
    "J3301": Drug("00003029305", "1", "ML"),  # triamcinolone 40 mg/mL, 1 mL per 40 mg
    "J1030": Drug("00009307301", "1", "ML"),  # methylprednisolone acetate 40 mg/mL
    "J7325": Drug("58468009001", "6", "ML"),  # hylan G-F 20, 48 mg in 6 mL
    "J1885": Drug("00409379501", "1", "ML"),  # ketorolac 30 mg/mL
    "J7613": Drug("00487950125", "3", "ML"),  # albuterol 2.5 mg in 3 mL
}
