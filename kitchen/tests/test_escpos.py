"""The ESC/POS encoder: Korean bytes on the wire, styles, and layout counted in printer columns."""

import pytest

from kitchen.escpos import Receipt, text_width, wrap
from printagent.tests.fake_printer import decode


def test_a_print_starts_by_resetting_and_selecting_korean():
    data = Receipt().text("주방").cut()

    # ESC @, ESC R 13 (Korea), FS & (double-byte Korean mode), then the text.
    assert data.startswith(b"\x1b@\x1bR\x0d\x1c&")
    assert decode(data).korean_mode


def test_hangul_is_ks_x_1001_bytes():
    data = Receipt().text("주방 A1").cut()

    assert b"\xc1\xd6\xb9\xe6 A1\n" in data
    assert decode(data).lines[0] == "주방 A1"


def test_the_cut_is_last_and_partial_with_feed():
    data = Receipt().text("끝").feed(2).cut(feed=5)

    assert data.endswith(b"\x1bd\x02\x1dVB\x05")
    page = decode(data)
    assert page.cuts == 1
    assert page.cut_last


def test_styles_are_their_commands():
    data = Receipt().bold().size(2, 2).align("center").text("7").size().bold(False).cut()

    assert b"\x1bE\x01\x1d!\x11\x1ba\x017\n\x1d!\x00\x1bE\x00" in data
    segment = decode(data).find("7")
    assert segment.bold and segment.double_size and segment.align == "center"


def test_widths_count_two_columns_for_double_byte_characters():
    assert text_width("abc") == 3
    assert text_width("김치찌개") == 8
    # × is "ambiguous" in Unicode but a two-byte, full-width glyph in KS X 1001.
    assert text_width("×2") == 3


def test_rule_fills_the_width():
    for columns in (32, 42, 48):
        assert decode(Receipt(columns=columns).rule().cut()).lines == ["-" * columns]
    assert decode(Receipt(columns=42).rule("━").cut()).lines == ["━" * 21]


def test_double_width_halves_the_line():
    receipt = Receipt(columns=42).size(2, 1)

    assert receipt.line_columns == 21
    lines = decode(receipt.rule().cut()).lines
    assert lines == ["-" * 21]


def test_row_puts_the_right_text_flush_right():
    lines = decode(Receipt(columns=42).row("김치찌개", "×2").cut()).lines

    assert lines == ["김치찌개" + " " * 31 + "×2"]
    assert text_width(lines[0]) == 42


def test_a_long_name_wraps_with_the_quantity_on_its_first_line():
    name = "매콤한 해물 누룽지탕 특대 사이즈 두 분 이상 추천 메뉴"
    lines = decode(Receipt(columns=32).row(name, "×1").cut()).lines

    assert len(lines) == 2
    assert lines[0].endswith(" ×1")
    assert all(text_width(line) <= 32 for line in lines)
    assert text_width(lines[0]) == 32
    assert (lines[0][:-2].rstrip() + " " + lines[1]) == name


def test_a_wide_right_side_goes_on_its_own_line():
    lines = decode(Receipt(columns=32).row("합계", "1,234,567,890원 (카드 결제 예정)").cut()).lines

    assert lines[0] == "합계"
    assert lines[1].endswith("(카드 결제 예정)")
    assert text_width(lines[1]) == 32


def test_wrap_breaks_at_spaces_and_inside_long_words():
    assert wrap("가나다 라마바사", 8) == ["가나다", "라마바사"]
    assert wrap("가나다라마바사아자", 8) == ["가나다라", "마바사아", "자"]
    assert wrap("한 줄\n두 줄", 42) == ["한 줄", "두 줄"]
    assert wrap("+ 곱빼기 추가 요청", 12, indent=2) == ["  + 곱빼기", "  추가 요청"]


def test_characters_the_printer_lacks_become_question_marks():
    data = Receipt().text("라멘🍜 ñ 漢").cut()

    # 🍜 has no KS X 1001 code; ñ neither; 漢 (a Hanja) does.
    assert decode(data).lines == ["라멘? ? 漢"]


def test_control_characters_cannot_inject_commands():
    data = Receipt().text("메모\x1bp\x00\x19\x1dV\x00끝").cut()

    page = decode(data)
    assert page.lines == ["메모?p???V?끝"]
    assert page.cuts == 1


def test_won_sign_uses_the_korea_character_set():
    data = Receipt().text("₩1,000 a\\b").cut()

    assert b"\\1,000 a?b\n" in data


def test_euc_kr_leaves_out_syllables_outside_ks_x_1001():
    assert b"\x8c\x63" in Receipt().text("똠양꿍").cut()
    assert b"?\xbe\xe7" in Receipt(encoding="euc_kr").text("똠양꿍").cut()


def test_a_size_out_of_range_is_refused():
    with pytest.raises(ValueError):
        Receipt().size(9, 1)
