"""999: the group control number AK102 may be as long as GS06 allows."""


def test_a_nine_digit_group_control_number_is_read() -> None:
    """AK102 echoes GS06, which allows up to 9 digits."""
    from openrcm.core.x12.ack999 import SetOutcome, build_999, read_999, write_999

    ack = build_999(
        control_number="0001",
        functional_id="HC",
        group_control_number="123456789",
        version="005010X222A1",
        outcomes=[SetOutcome("837", "0001", 3)],
    )
    text = write_999([ack], sender_id="A", receiver_id="B", isa_control=1, gs_control=1)
    assert read_999(text)
