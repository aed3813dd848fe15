from datetime import date
from itertools import pairwise

import pytest

from openrcm.core.codes import carc as carc_module
from openrcm.core.codes.carc import CARCS, DenialCategory, NextAction, carc
from openrcm.core.codes.hcpcs import HcpcsFileError, curated_table, read_hcpcs_file
from openrcm.core.codes.modifiers import (
    CONFLICTING_MODIFIERS,
    MODIFIERS,
    NCCI_PTP_MODIFIERS,
    modifier,
)
from openrcm.core.codes.pos import PLACES_OF_SERVICE, place_of_service
from openrcm.core.codes.procedures import (
    ADD_ON_PRIMARIES,
    PREVENTIVE_AGE_BANDS,
    EmKind,
    em_kind,
    is_anesthesia,
    is_category_ii,
    is_em,
    is_hcpcs_level2,
    is_lab,
    read_global_days,
)
from openrcm.core.codes.rarc import RARCS, rarc
from openrcm.core.codes.shapes import validate_modifier, validate_place_of_service


class TestPlaceOfService:
    @pytest.mark.parametrize(
        "code", ["02", "10", "11", "12", "19", "20", "21", "22", "23", "24", "31", "32", "81", "99"]
    )
    def test_domain_codes_are_present(self, code: str) -> None:
        assert place_of_service(code) is not None

    @pytest.mark.parametrize("code", ["00", "28", "30", "40", "59", "80", "98"])
    def test_unassigned(self, code: str) -> None:
        assert place_of_service(code) is None

    def test_every_code_is_well_formed(self) -> None:
        for code, entry in PLACES_OF_SERVICE.items():
            assert validate_place_of_service(code) == code == entry.code
            assert entry.name

    def test_flags(self) -> None:
        assert PLACES_OF_SERVICE["21"].facility and PLACES_OF_SERVICE["21"].inpatient
        assert not PLACES_OF_SERVICE["11"].facility
        assert PLACES_OF_SERVICE["10"].telehealth
        assert not PLACES_OF_SERVICE["10"].valid_on(date(2021, 12, 31))
        assert PLACES_OF_SERVICE["10"].valid_on(date(2022, 1, 1))


class TestModifiers:
    @pytest.mark.parametrize(
        "code",
        ["25", "59", "XE", "XS", "XP", "XU", "26", "TC", "50", "51", "76", "77", "91", "95",
         "LT", "RT", "GA", "GZ", "KX", "24", "57", "79"],
    )  # fmt: skip
    def test_domain_modifiers_are_present(self, code: str) -> None:
        assert modifier(code.lower()) is not None

    def test_every_modifier_is_well_formed(self) -> None:
        for code, entry in MODIFIERS.items():
            assert validate_modifier(code) == code == entry.code
            assert entry.description
            assert entry.applies_to in ("", "em", "lab", "anesthesia")

    def test_ncci_associated_modifiers(self) -> None:
        expected = {"24", "25", "27", "57", "58", "59", "78", "79", "91", "XE", "XS", "XP", "XU"}
        expected |= {"E1", "E2", "E3", "E4", "FA", "TA", "LT", "RT", "LC", "LD", "LM", "RC", "RI"}
        expected |= {f"F{n}" for n in range(1, 10)} | {f"T{n}" for n in range(1, 10)}
        assert expected == NCCI_PTP_MODIFIERS

    def test_anatomic_digits(self) -> None:
        assert MODIFIERS["F5"].description == "Right hand, thumb"
        assert MODIFIERS["F9"].description == "Right hand, finger 5"
        assert MODIFIERS["T4"].description == "Left foot, toe 5"

    def test_conflicts_name_known_modifiers(self) -> None:
        for first, second, fix in CONFLICTING_MODIFIERS:
            assert first in MODIFIERS and second in MODIFIERS and fix


class TestAdjustmentCodes:
    @pytest.mark.parametrize(
        ("code", "category", "denial"),
        [
            ("1", DenialCategory.PATIENT_RESPONSIBILITY, False),
            ("45", DenialCategory.CONTRACTUAL, False),
            ("253", DenialCategory.CONTRACTUAL, False),
            ("4", DenialCategory.CODING, True),
            ("16", DenialCategory.MISSING_INFORMATION, True),
            ("18", DenialCategory.DUPLICATE, True),
            ("22", DenialCategory.COORDINATION_OF_BENEFITS, True),
            ("23", DenialCategory.COORDINATION_OF_BENEFITS, False),
            ("27", DenialCategory.ELIGIBILITY, True),
            ("29", DenialCategory.TIMELY_FILING, True),
            ("50", DenialCategory.MEDICAL_NECESSITY, True),
            ("96", DenialCategory.NON_COVERED, True),
            ("97", DenialCategory.BUNDLING, True),
            ("119", DenialCategory.BENEFIT_LIMIT, True),
            ("185", DenialCategory.CREDENTIALING, True),
            ("197", DenialCategory.AUTHORIZATION, True),
            ("236", DenialCategory.BUNDLING, True),
            ("242", DenialCategory.NETWORK, True),
            ("A1", DenialCategory.GENERAL, True),
        ],
    )
    def test_domain_categories(self, code: str, category: DenialCategory, denial: bool) -> None:
        entry = carc(code)
        assert entry.category is category
        assert entry.is_denial is denial

    def test_next_actions(self) -> None:
        assert carc("29").next_action is NextAction.APPEAL_TIMELY_FILING
        assert carc("18").next_action is NextAction.VERIFY_ORIGINAL
        assert carc("197").next_action is NextAction.OBTAIN_AUTHORIZATION

    def test_unknown_codes_fall_back(self) -> None:
        assert carc("999").category is DenialCategory.GENERAL
        assert rarc("ZZ1").category is DenialCategory.GENERAL

    def test_every_category_is_used(self) -> None:
        used = {entry.category for entry in CARCS.values()}
        assert used == set(DenialCategory)
        assert carc_module.CARCS is CARCS

    @pytest.mark.parametrize("code", ["N115", "M15", "MA130", "M76", "N290", "MA04", "N130"])
    def test_domain_remark_codes(self, code: str) -> None:
        assert code in RARCS
        assert rarc(code.lower()).description


class TestHcpcs:
    def test_curated_table(self) -> None:
        table = curated_table()
        assert not table.complete
        entry = table.get("j3420")
        assert entry is not None and entry.drug
        assert table.get("G0439") is not None
        assert all(is_hcpcs_level2(code) for code in table.codes())

    def test_csv_layout(self) -> None:
        text = [
            "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,ADD DT,ACT EFF DT,TERM DT",
            "A0425,00100,3,Ground mileage per statute mile,Ground mileage,19950101,20000101,",
            "J0000,00100,3,A drug injection that was deleted,,20000101,20000101,20251231",
            "J0000,00200,4,and its description's second line,,,,",
            "99213,00100,3,Level I content is never kept,,,,",
        ]
        table = read_hcpcs_file(text, name="test.csv")
        assert table.complete and len(table) == 2
        deleted = table.get("J0000")
        assert deleted is not None
        assert deleted.description.endswith("second line")
        assert deleted.drug
        assert deleted.valid_on(date(2025, 12, 31)) and not deleted.valid_on(date(2026, 1, 1))
        assert table.get("99213") is None

    def test_fixed_width_layout(self) -> None:
        def record(code: str, record_id: str, text: str) -> str:
            return f"{code:<5}{'00100':<5}{record_id}{text:<80}{'SHORT':<28}"

        lines = [
            record("G0008", "3", "Administration of influenza virus vaccine"),
            record("G0008", "4", "(continued)"),
            record("   25", "7", "Modifier rows are skipped"),
            record("99213", "3", "Level I rows are skipped"),
        ]
        table = read_hcpcs_file(lines)
        entry = table.get("G0008")
        assert entry is not None and entry.description.endswith("(continued)")
        assert len(table) == 1

    def test_bad_files(self) -> None:
        with pytest.raises(HcpcsFileError, match="too short"):
            read_hcpcs_file(["G0008"])
        with pytest.raises(HcpcsFileError, match="record id"):
            read_hcpcs_file(["G000800100Xsomething"])
        with pytest.raises(HcpcsFileError, match="neither"):
            read_hcpcs_file(
                [
                    "HCPC,RECID,LONG DESCRIPTION,ADD DT",
                    "G0008,3,Flu vaccine admin,2020-01-01",
                ]
            )


class TestProcedureClasses:
    def test_classes(self) -> None:
        assert is_em("99213") and is_em("G0439") and not is_em("20610")
        assert is_lab("80053") and not is_lab("36415")
        assert is_anesthesia("00790") and is_anesthesia("99140") and not is_anesthesia("99213")
        assert is_category_ii("3074F") and not is_category_ii("0042T")
        assert em_kind("99213") is EmKind.OFFICE
        assert em_kind("99232") is EmKind.HOSPITAL
        assert em_kind("99284") is EmKind.EMERGENCY
        assert em_kind("99308") is EmKind.NURSING_FACILITY
        assert em_kind("99348") is EmKind.HOME
        assert em_kind("99395") is EmKind.PREVENTIVE
        assert em_kind("99460") is None and em_kind("J3301") is None

    def test_preventive_bands_cover_every_age_once(self) -> None:
        for first in ("99381", "99391"):
            base = int(first)
            bands = [PREVENTIVE_AGE_BANDS[str(base + offset)] for offset in range(7)]
            assert bands[0][0] == 0
            for (_low, high), (next_low, _next_high) in pairwise(bands):
                assert high == next_low

    def test_add_ons_are_not_their_own_primaries(self) -> None:
        for add_on, primaries in ADD_ON_PRIMARIES.items():
            assert add_on not in primaries and primaries

    def test_global_days_reader(self) -> None:
        text = [
            "Physician fee schedule RVU file (synthetic)",
            "HCPCS,MOD,DESCRIPTION,STATUS CODE,GLOB DAYS",
            "11102,,kept out of the table,A,000",
            "11102,26,second row of the same code,A,XXX",
            "27447,,,A,090",
        ]
        days = read_global_days(text)
        assert days == {"11102": "000", "27447": "090"}
        with pytest.raises(ValueError, match="GLOB DAYS"):
            read_global_days(["HCPCS,MOD"])
