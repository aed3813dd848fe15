from datetime import date

import pytest

from openrcm.core.posting.match import MatchMethod, OurLine, match_lines
from openrcm.core.x12.era import DateRef

from .builders import clp, ours, svc

M = MatchMethod


def test_line_control_number_wins_over_order_and_procedure() -> None:
    lines = [ours(1, "99213", 10000, lcn="A1"), ours(2, "99213", 10000, lcn="A2")]
    payment = clp("P1", "1", "200", "160", [svc("99213", "100", "80", lcn="A2"),
                                             svc("99213", "100", "80", lcn="A1")])  # fmt: skip
    result = match_lines(lines, payment)
    assert result.complete
    assert [(m.svc_index, m.line.line_id, m.method) for m in result.matches] == [
        (0, 2, M.LINE_CONTROL_NUMBER),
        (1, 1, M.LINE_CONTROL_NUMBER),
    ]
    assert result.unmentioned == ()


def test_falls_back_to_procedure_modifiers_and_date() -> None:
    lines = [
        ours(1, "99213", 12000, mods=("25",)),
        ours(2, "93000", 5000),
        ours(3, "36415", 1500, lcn="C3"),
    ]
    payment = clp("P1", "1", "175", "0", [
        svc("93000", "50", "0", "CO-45:50"),
        svc("99213", "120", "0", "CO-45:120", mods=("25",), lcn="NOT-OURS"),
        svc("36415", "15", "0", "CO-45:15", lcn="C3"),
    ])  # fmt: skip
    result = match_lines(lines, payment)
    assert [(m.line.line_id, m.method) for m in result.matches] == [
        (2, M.PROCEDURE),
        (1, M.PROCEDURE),
        (3, M.LINE_CONTROL_NUMBER),
    ]


def test_a_fallback_never_takes_a_line_another_svc_names_by_6r() -> None:
    lines = [ours(1, "97110", 4000, lcn="L1"), ours(2, "97110", 4000, lcn="L2")]
    # the first SVC has no 6R; the second names L1, so the first must take L2
    svcs = [svc("97110", "40", "0", "CO-45:40"), svc("97110", "40", "0", "CO-45:40", lcn="L1")]
    result = match_lines(lines, clp("P1", "1", "80", "0", svcs))
    assert [(m.svc_index, m.line.line_id) for m in result.matches] == [(0, 2), (1, 1)]


def test_charge_breaks_a_tie() -> None:
    lines = [ours(1, "97110", 4000), ours(2, "97110", 8000, units="2")]
    payment = clp("P1", "1", "80", "0", [svc("97110", "80", "0", "CO-45:80")])
    (match,) = match_lines(lines, payment).matches
    assert match.line.line_id == 2
    assert match.detail == "narrowed by charge"


def test_identical_lines_are_taken_in_order() -> None:
    lines = [ours(1, "97110", 4000), ours(2, "97110", 4000)]
    payment = clp("P1", "1", "80", "0", [svc("97110", "40", "0", "CO-45:40"),
                                         svc("97110", "40", "0", "CO-45:40")])  # fmt: skip
    result = match_lines(lines, payment)
    assert [m.line.line_id for m in result.matches] == [1, 2]
    assert result.matches[0].detail == "2 identical lines, taken in order"


def test_units_break_a_tie_when_the_charge_does_not() -> None:
    lines = [ours(1, "J3301", 4000, units="1"), ours(2, "J3301", 4000, units="4")]
    payment = clp("P1", "1", "40", "0", [svc("J3301", "40", "0", "CO-45:40", units="4")])
    (match,) = match_lines(lines, payment).matches
    assert match.line.line_id == 2


def test_svc06_original_procedure_when_the_payer_changed_the_code() -> None:
    lines = [ours(1, "99214", 15000), ours(2, "36415", 1500)]
    changed = svc("99213", "150", "90", "CO-45:60", original=["HC", "99214"])
    payment = clp("P1", "1", "165", "90", [changed, svc("36415", "15", "0", "CO-97:15")])
    result = match_lines(lines, payment)
    assert [(m.line.line_id, m.method) for m in result.matches] == [
        (1, M.ORIGINAL_PROCEDURE),
        (2, M.PROCEDURE),
    ]


def test_modifiers_compare_in_any_order_and_may_be_dropped_as_a_last_resort() -> None:
    lines = [ours(1, "20610", 20000, mods=("RT", "59")), ours(2, "99213", 10000, mods=("25",))]
    payment = clp("P1", "1", "300", "0", [svc("20610", "200", "0", "CO-45:200", mods=("59", "RT")),
                                          svc("99213", "100", "0", "CO-45:100")])  # fmt: skip
    result = match_lines(lines, payment)
    assert [(m.line.line_id, m.method) for m in result.matches] == [
        (1, M.PROCEDURE),
        (2, M.PROCEDURE_WITHOUT_MODIFIERS),
    ]
    assert result.matches[1].detail == "our modifiers: 25"


def test_a_date_range_on_the_svc_holds_our_date() -> None:
    lines = [ours(1, "E0601", 9000, day=date(2026, 1, 10))]
    line = svc("E0601", "90", "0", "CO-45:90", day=None)
    line.dates = [DateRef("150", date(2026, 1, 1)), DateRef("151", date(2026, 1, 31))]
    result = match_lines(lines, clp("P1", "1", "90", "0", [line]))
    assert result.complete


def test_claim_dates_stand_in_when_the_svc_has_none() -> None:
    lines = [ours(1, "99213", 10000, day=date(2026, 1, 5))]
    payment = clp("P1", "1", "100", "0", [svc("99213", "100", "0", "CO-45:100", day=None)])
    payment.dates = [DateRef("232", date(2026, 1, 6))]
    result = match_lines(lines, payment)
    assert not result.complete
    assert "on 2026-01-06" in result.problems[0].message


def test_unmatched_svc_says_what_was_tried() -> None:
    lines = [ours(1, "99213", 10000, lcn="A1")]
    payment = clp("P1", "1", "50", "0", [svc("93000", "50", "0", "CO-45:50", lcn="ZZ9")])
    result = match_lines(lines, payment)
    (problem,) = result.problems
    assert problem.kind == "unmatched"
    assert result.unmentioned == tuple(lines)
    message = problem.message
    assert message.startswith("SVC 1 (HC:93000, $50.00, 2026-01-05): no line of our claim fits")
    assert "REF*6R 'ZZ9': none of our lines has it" in message
    assert "procedure, modifiers and date: 93000 with no modifiers on 2026-01-05" in message
    assert "our free lines: line 1 99213 on 2026-01-05 $100.00" in message


def test_ambiguous_when_candidates_differ() -> None:
    lines = [ours(1, "97110", 4000, units="1"), ours(2, "97110", 8000, units="2")]
    payment = clp("P1", "1", "60", "0", [svc("97110", "60", "0", "CO-45:60")])
    (problem,) = match_lines(lines, payment).problems
    assert problem.kind == "ambiguous"
    assert problem.candidates == (1, 2)
    assert "2 lines fit" in problem.message


def test_manual_pairs_come_first() -> None:
    lines = [ours(1, "97110", 4000, units="1"), ours(2, "97110", 8000, units="2")]
    payment = clp("P1", "1", "60", "0", [svc("97110", "60", "0", "CO-45:60")])
    (match,) = match_lines(lines, payment, manual={0: 2}).matches
    assert (match.line.line_id, match.method) == (2, M.MANUAL)
    with pytest.raises(ValueError, match="names line 7"):
        match_lines(lines, payment, manual={0: 7})
    with pytest.raises(ValueError, match="names SVC 3"):
        match_lines(lines, payment, manual={2: 1})


def test_several_svcs_naming_one_line_are_a_split_line() -> None:
    lines = [ours(1, "80053", 9000, lcn="LAB1")]
    parts = [
        svc("82947", "30", "20", "CO-45:10", lcn="LAB1"),
        svc("84132", "60", "40", "CO-45:20", lcn="LAB1"),
    ]
    payment = clp("P1", "1", "90", "60", parts)
    result = match_lines(lines, payment)
    assert result.complete
    assert [(m.line.line_id, m.method) for m in result.matches] == [
        (1, M.LINE_CONTROL_NUMBER),
        (1, M.LINE_CONTROL_NUMBER),
    ]
    assert result.matches[1].detail == "the payer split our line: another 835 line names it too"


def test_each_line_matches_on_its_own_date_of_service() -> None:
    # One claim, T1005 on three dates, listed in another order than the SVCs.
    lines = [
        ours(1, "T1005", 50004, day=date(2003, 11, 29)),
        ours(2, "T1005", 12780, day=date(2003, 10, 30)),
        ours(3, "T1005", 28755, day=date(2003, 10, 31)),
    ]
    svcs = [
        svc("T1005", "127.80", "0", "OA-A7:127.80", day=date(2003, 10, 30)),
        svc("T1005", "287.55", "0", "OA-A7:287.55", day=date(2003, 10, 31)),
        svc("T1005", "500.04", "0", "CO-16:500.04", day=date(2003, 11, 29)),
    ]
    result = match_lines(lines, clp("P1", "4", "915.39", "0", svcs))
    assert result.complete
    assert [(m.line.line_id, m.method) for m in result.matches] == [
        (2, M.PROCEDURE),
        (3, M.PROCEDURE),
        (1, M.PROCEDURE),
    ]


def test_a_line_on_another_date_does_not_match() -> None:
    lines = [ours(1, "T1005", 12780, day=date(2003, 10, 30))]
    payment = clp("P1", "1", "127.80", "0", [svc("T1005", "127.80", "0", "CO-45:127.80",
                                                 day=date(2003, 10, 31))])  # fmt: skip
    result = match_lines(lines, payment)
    assert not result.complete
    assert "on 2003-10-31" in result.problems[0].message
    assert "line 1 T1005 on 2003-10-30" in result.problems[0].message


def test_our_line_range_meets_the_svc_date() -> None:
    # Our line bills a month of rental (DTP*472 RD8); the payer dates the SVC within it.
    line = OurLine(1, None, "E0601", (), date(2026, 1, 1), 9000, service_end_date=date(2026, 1, 31))
    inside = clp("P1", "1", "90", "0", [svc("E0601", "90", "0", "CO-45:90", day=date(2026, 1, 15))])
    after = clp("P1", "1", "90", "0", [svc("E0601", "90", "0", "CO-45:90", day=date(2026, 2, 1))])
    assert match_lines([line], inside).complete
    problem = match_lines([line], after).problems[0]
    assert "2026-01-01 to 2026-01-31" in problem.message
